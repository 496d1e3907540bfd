import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseDesign } from "@plantgan/core/design";
import type { Command } from "commander";
import { CliError, EXIT } from "../../exit.js";
import { printError, printJson, printLine } from "../../output.js";
import { sha256 } from "./hashing.js";
import type { Manifest } from "./manifest.js";

interface InspectOptions {
  json?: boolean;
  validate?: boolean;
}

async function inspect(dir: string, options: InspectOptions): Promise<void> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Manifest;
  } catch (error) {
    throw new CliError(`${join(dir, "manifest.json")}: ${(error as Error).message}`);
  }
  const problems: string[] = [];
  const splits: Record<string, { designs: number; byClass: Record<string, number> }> = {};
  for (const f of manifest.files) {
    const path = join(dir, f.path);
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch {
      problems.push(`${path}: missing`);
      continue;
    }
    if (sha256(data) !== f.sha256) problems.push(`${path}: sha256 differs from the manifest`);
    if (!f.path.endsWith(".ndjson.gz")) continue;
    const lines = gunzipSync(data).toString("utf8").split("\n").filter(Boolean);
    const byClass: Record<string, number> = {};
    lines.forEach((text, n) => {
      const parsed = parseDesign(text);
      if (!parsed.success) {
        problems.push(
          `${path}: line ${n + 1}: ${parsed.issues[0]?.pointer ?? ""}: ${parsed.issues[0]?.message ?? "invalid"}`,
        );
        return;
      }
      byClass[parsed.data.processClass] = (byClass[parsed.data.processClass] ?? 0) + 1;
    });
    if (lines.length !== f.designs) problems.push(`${path}: ${lines.length} designs, the manifest says ${f.designs}`);
    splits[f.path.replace(".ndjson.gz", "")] = { designs: lines.length, byClass };
  }
  const summary = {
    dir,
    name: manifest.name,
    generator: manifest.generator,
    seed: manifest.seed,
    total: Object.values(splits).reduce((s, x) => s + x.designs, 0),
    splits,
    problems,
  };
  if (options.json) printJson(summary);
  else {
    printLine(
      `${manifest.name} (${manifest.generator.name} ${manifest.generator.version}, seed ${manifest.seed}): ${summary.total} designs`,
    );
    for (const [name, s] of Object.entries(splits)) {
      printLine(
        `  ${name.padEnd(5)} ${String(s.designs).padStart(5)}  ${Object.entries(s.byClass)
          .map(([c, n]) => `${c} ${n}`)
          .join(", ")}`,
      );
    }
    for (const p of problems) printError(`  PROBLEM ${p}`);
  }
  if (problems.length > 0) process.exitCode = EXIT.findings;
}

/** `plantgan dataset inspect <dir>`: checks the files against the manifest and counts the designs. */
export function registerDatasetInspect(dataset: Command): void {
  dataset
    .command("inspect")
    .description("Check a dataset folder against its manifest and count its designs")
    .argument("<dir>", "dataset folder (holds manifest.json)")
    .option("--json", "print the summary as JSON on stdout")
    .action(async (dir: string, options: InspectOptions) => inspect(dir, options));
}
