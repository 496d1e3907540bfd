// The whole core in one entry, for Node callers. Browser code imports subpaths
// (@plantgan/core/design) so TensorFlow.js and the validator stay out of its bundle.
export * from "./design/index.js";
export * as designer from "./designer/index.js";
export * as formats from "./formats/index.js";
export * as legalise from "./legalise/index.js";
export * as route from "./route/index.js";
export * as validate from "./validate/index.js";
export * as views from "./views/index.js";
