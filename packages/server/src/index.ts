export { buildProgram, run } from "./cli/main.js";
