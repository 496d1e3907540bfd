// Public entry of the scene library: design → three.js, with no DOM and no React, so the viewer
// draws it and the server exports it as glTF (through `./node.ts`, which adds Node's FileReader).
export { buildDesignScene } from "./build.js";
export { type CameraPose, easeInOut, fitDistance, framePose, type ViewName, viewPose } from "./camera.js";
export { type ExportOptions, exportGltf } from "./export.js";
export { Path, type PlacedEquipment, placeEquipment } from "./layout.js";
export {
  COMPONENT_COLOURS,
  EQUIPMENT_COLOURS,
  HIGHLIGHT_COLOUR,
  INTERLOCK_COLOUR,
  LOOP_COLOUR,
  SERVICE_COLOURS,
} from "./palette.js";
export { pipeRadius } from "./pipes.js";
export { type SyntheticOptions, syntheticPlant } from "./synthetic.js";
export type {
  BuildOptions,
  DesignScene,
  HighlightRequest,
  ItemKind,
  ItemRecord,
  LabelAnchor,
  PickMap,
  PickTarget,
  SceneStats,
} from "./types.js";
