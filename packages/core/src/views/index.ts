/**
 * Views of a design: the typed graph (graphology), the occupancy grid, and the tensor encoding
 * for the GAN with its decoder. Pure: plain typed arrays, no TensorFlow.js.
 */
export {
  type DecodableEncoding,
  type DecodeContext,
  type DecodeNote,
  type DecodeResult,
  decodeDesign,
  decodeDesignWithReport,
} from "./decode.js";
export { aAt, type Encoding, type EncodingIndex, encodeDesign, type NodeRef, xAt } from "./encode.js";
export { ViewError, type ViewErrorCode } from "./errors.js";
export {
  type ComponentNodeAttributes,
  type ControlEdgeAttributes,
  type ControllerNodeAttributes,
  componentKey,
  designGraph,
  type EdgeAttributes,
  type EquipmentNodeAttributes,
  type GraphAttributes,
  type GraphIssue,
  type InstrumentNodeAttributes,
  type InterlockEdgeAttributes,
  type MountEdgeAttributes,
  type NodeAttributes,
  type PipeEdgeAttributes,
  type PlantGraph,
  type Relation,
  type SignalEdgeAttributes,
  type TeeNodeAttributes,
  teeKey,
} from "./graph.js";
export {
  type CellRange,
  cellRange,
  type DesignGrid,
  GRID_CHANNELS,
  type GridOptions,
  gridShape,
  HAZARD_ZONES,
  type HazardZone,
  rasteriseDesign,
} from "./grid.js";
export { argmax, snapToGrid } from "./snap.js";
export {
  COMPONENT_TYPES,
  type EncodingLayout,
  type EncodingSpec,
  EQUIPMENT_TAG_PREFIX,
  EQUIPMENT_TYPES,
  encodingLayout,
  HAZARDS,
  INSTRUMENT_CLASSES,
  type InstrumentClass,
  instrumentClassOf,
  LINK_RELATIONS,
  type LinkRelation,
  NODE_TYPES,
  type NodeKind,
  type NodeType,
  type ResolvedEncodingSpec,
  ROTATIONS,
  sizeClassOf,
  sizeOfClass,
} from "./vocabulary.js";
