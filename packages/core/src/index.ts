export * from "./design/index.js";
