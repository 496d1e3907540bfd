/**
 * The topology generator's representation (issue #14): slot graphs (spec.ts), what their columns
 * mean (vocabulary.ts), design → graph (encode.ts), graph → design (decode.ts) and dataset files →
 * graphs (dataset.ts). README.md explains the groups and the expansion.
 */

export {
  loadSlotGraphs,
  type ReadLines,
  readDesigns,
  type SlotGraphSet,
  type SlotGraphStats,
  type SlotGraphTally,
  slotGraphStats,
  streamSlotGraphs,
} from "./dataset.js";
export {
  type DecodeContext,
  decodeSlotGraph,
  type SlotGraphRows,
} from "./decode.js";
export {
  type EncodeLosses,
  type EncodeResult,
  encodeSlotGraph,
  encodeSlotGraphWithLosses,
  SlotGraphError,
  type SlotGraphErrorCode,
  slotOrder,
} from "./encode.js";
export {
  blendLatents as blendTopologyLatents,
  disposeTopologyModel,
  type GeneratedSlotGraphs,
  type GenerateSlotGraphOptions,
  generateSlotGraphs,
  loadTopologyModel,
  saveTopologyModel,
  TOPOLOGY_CONFIG_FILE,
  type TopologyModel,
  topologyModelFiles,
  topologyModelOf,
} from "./model-io.js";
export { observeRowMotifs, type RowMotifs } from "./row-motifs.js";
export type { MemberBranch } from "./spare-sets.js";
export {
  defaultSlotGraphSpec,
  edgeStride,
  emptySlotGraph,
  type FeatureGroup,
  type FeatureKind,
  groupByName,
  RowWriter,
  requireGroup,
  type SlotGraph,
  type SlotGraphSpec,
} from "./spec.js";
export {
  type CompactSlotGraph,
  compactSlotGraph,
  createTopologyTrainer,
  DEFAULT_TOPOLOGY_TRAINING,
  type RewardFn,
  type TopologyEpochSummary,
  type TopologyTrainer,
  type TopologyTrainerConfig,
  type TopologyTrainerInput,
} from "./training.js";
export * as slotGraphVocabulary from "./vocabulary.js";
