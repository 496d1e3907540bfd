/**
 * File side of the GAN commands: datasets, model folders, checkpoints. A model folder holds
 *   generator/model.json + weights.bin   EMA generator (what `generate` uses)
 *   critic/model.json + weights.bin      critic (ranks candidates)
 *   topology/                            the learned topology generator (topology-gan.json, skeleton/, lines/, attachments/), optional
 *   plantgan-model.json                  trainer config, epoch, dataset
 *   model-card.json, metrics.jsonl, previews/epoch-XXX.svg
 *   checkpoint.bin                       weights + optimizer + trainer state, one file written atomically
 */
import { createHash } from "node:crypto";
import { access, mkdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { type Design, parseDesign } from "@plantgan/core/design";
import {
  fromModelFiles,
  type GanModel,
  type GanModelConfig,
  loadModel,
  loadTopologyModel,
  MODEL_INFO,
  type ModelInfo,
  modelLayout,
  TOPOLOGY_CONFIG_FILE,
  type TopologyModel,
} from "@plantgan/core/gan";
import { CliError } from "./exit.js";
import { writeFileAtomic } from "./output.js";

type LayersModel = GanModel["generator"];

/** Writes bytes atomically: temp file in the same folder, then rename. */
export const writeBytesAtomic = writeFileAtomic;

/** Reads `<dir>/<split>.ndjson.gz` (or `.ndjson`) into parsed designs. */
export async function readSplit(dir: string, split: string): Promise<{ designs: Design[]; sha256: string }> {
  // A split names a file beside the dataset's manifest, never a path elsewhere.
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(split))
    throw new CliError(`--split must be a split name such as train, val or test; got ${JSON.stringify(split)}`);
  let data: Buffer;
  let text: string;
  try {
    data = await readFile(join(dir, `${split}.ndjson.gz`));
    text = gunzipSync(data).toString("utf8");
  } catch {
    try {
      data = await readFile(join(dir, `${split}.ndjson`));
      text = data.toString("utf8");
    } catch {
      throw new CliError(`${dir}: no ${split}.ndjson.gz or ${split}.ndjson`);
    }
  }
  const designs: Design[] = [];
  text.split("\n").forEach((line, k) => {
    if (!line.trim()) return;
    const parsed = parseDesign(line);
    if (!parsed.success)
      throw new CliError(`${dir}/${split}: line ${k + 1}: ${parsed.issues[0]?.message ?? "invalid"}`);
    designs.push(parsed.data);
  });
  return { designs, sha256: createHash("sha256").update(data).digest("hex") };
}

/** Writes a model's files (relative path → bytes) under `dir`, each atomically. */
export async function writeModelFiles(dir: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  for (const [name, bytes] of files) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeBytesAtomic(join(dir, name), bytes);
  }
}

async function loadModelFolder(dir: string): Promise<LayersModel> {
  const modelJson = JSON.parse(await readFile(join(dir, "model.json"), "utf8"));
  const weights = new Uint8Array(await readFile(join(dir, "weights.bin")));
  return loadModel(await fromModelFiles(modelJson, weights));
}

/** The shipped model: datasets/models/default in the repository. */
export function defaultModelDir(): string {
  // dist or src → packages/cli → repo root
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, "../../../datasets/models/default");
}

/** Loads a model folder for generation: EMA generator, critic when present. */
export async function loadGanModel(dir: string): Promise<{ model: GanModel; info: ModelInfo }> {
  let info: ModelInfo;
  try {
    info = JSON.parse(await readFile(join(dir, MODEL_INFO), "utf8")) as ModelInfo;
  } catch {
    throw new CliError(`${dir}: not a model folder (no readable ${MODEL_INFO}); train one with \`plantgan train\``);
  }
  const config: GanModelConfig | undefined = info.config?.model;
  if (!config) throw new CliError(`${dir}: ${MODEL_INFO} holds no model configuration (config.model)`);
  let generator: LayersModel;
  try {
    generator = await loadModelFolder(join(dir, "generator"));
  } catch (e) {
    throw new CliError(
      `${dir}: the generator is missing or unreadable (${e instanceof Error ? e.message : String(e)}); train one with \`plantgan train\``,
    );
  }
  let critic: LayersModel | undefined;
  try {
    critic = await loadModelFolder(join(dir, "critic"));
  } catch {
    critic = undefined;
  }
  const topology = await loadTopologyFolder(join(dir, TOPOLOGY_FOLDER));
  return {
    model: {
      generator,
      ...(critic ? { critic } : {}),
      ...(topology ? { topology } : {}),
      config,
      layout: modelLayout(config),
    },
    info,
  };
}

/** The learned topology generator's sub-folder of a model folder (optional: older models have none). */
export const TOPOLOGY_FOLDER = "topology";

/** The topology generator in `dir`, undefined when there is none; one that is there but unreadable is an error. */
async function loadTopologyFolder(dir: string): Promise<TopologyModel | undefined> {
  try {
    await access(join(dir, TOPOLOGY_CONFIG_FILE));
  } catch {
    return undefined;
  }
  try {
    return await loadTopologyModel(async (path) => new Uint8Array(await readFile(join(dir, path))));
  } catch (e) {
    throw new CliError(`${dir}: the topology generator is unreadable (${e instanceof Error ? e.message : String(e)})`);
  }
}
