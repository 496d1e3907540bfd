import type { Command } from "commander";
import { registerDatasetBuild } from "./build.js";
import { registerDatasetInspect } from "./inspect.js";

/** `plantgan dataset build|inspect`. */
export function registerDataset(program: Command): void {
  const dataset = program.command("dataset").description("Build and inspect training datasets");
  registerDatasetBuild(dataset);
  registerDatasetInspect(dataset);
}
