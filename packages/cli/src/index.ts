// The plantgan command line as a library: the program and its run (what bin.ts calls), each
// command's register function, and the dataset pieces whose output tests pin down.

export { registerDataset } from "./commands/dataset/index.js";
export type { BuiltDesign, Manifest } from "./commands/dataset/manifest.js";
export { assignSplits, SPLITS, type Split } from "./commands/dataset/splits.js";
export { compactDesign, type DatasetJob, type DesignStats, designId, designSeed } from "./commands/dataset/worker.js";
export { registerEval } from "./commands/eval.js";
export { registerExport } from "./commands/export.js";
export { registerGenerate } from "./commands/generate.js";
export { registerImport } from "./commands/import.js";
export { registerInfo } from "./commands/info.js";
export { registerKeys } from "./commands/keys.js";
export { registerServe } from "./commands/serve.js";
export { registerTrain } from "./commands/train.js";
export { registerValidate } from "./commands/validate.js";
export { CliError, EXIT } from "./exit.js";
export { buildProgram, run } from "./main.js";
