import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  fromModelFiles,
  type GanModel,
  type GanModelConfig,
  loadModel,
  loadTopologyModel,
  modelLayout,
  TOPOLOGY_CONFIG_FILE,
} from "@plantgan/core/gan";

/**
 * A model folder (plantgan-model.json, generator/, critic/, topology/, model-card.json) packed into one
 * JSON blob, so the store keeps a model as one content-addressed file and a worker loads it
 * without a folder on disk.
 */
export interface ModelBundle {
  readonly format: "plantgan-model-bundle";
  readonly version: 1;
  /** Relative path → base64 bytes. */
  readonly files: Readonly<Record<string, string>>;
}

const MODEL_FILES = [
  "plantgan-model.json",
  "model-card.json",
  "generator/model.json",
  "generator/weights.bin",
  "critic/model.json",
  "critic/weights.bin",
  // The learned topology generator (optional: models trained before it have none).
  `topology/${TOPOLOGY_CONFIG_FILE}`,
  ...["skeleton", "lines", "attachments"].flatMap((stage) => [
    `topology/${stage}/model.json`,
    `topology/${stage}/weights.bin`,
  ]),
] as const;

/** Packs a model folder; the critic and card are optional, the rest is required. */
export async function bundleModelFolder(dir: string): Promise<Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const name of MODEL_FILES) {
    try {
      files.set(name, new Uint8Array(await readFile(join(dir, name))));
    } catch (error) {
      if (name.startsWith("critic/") || name.startsWith("topology/") || name === "model-card.json") continue;
      throw new Error(`${dir}: ${name} is missing (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
    }
  }
  return bundleModelFiles(files);
}

/** Packs a model's files (relative path → bytes), e.g. a training job's export. */
export function bundleModelFiles(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const bundle: ModelBundle = {
    format: "plantgan-model-bundle",
    version: 1,
    files: Object.fromEntries([...files].map(([name, bytes]) => [name, Buffer.from(bytes).toString("base64")])),
  };
  return new TextEncoder().encode(JSON.stringify(bundle));
}

function fileOf(bundle: ModelBundle, name: string): Uint8Array | undefined {
  const b64 = bundle.files[name];
  return b64 === undefined ? undefined : new Uint8Array(Buffer.from(b64, "base64"));
}

export function readBundle(bytes: Uint8Array): ModelBundle {
  const bundle = JSON.parse(new TextDecoder().decode(bytes)) as ModelBundle;
  if (bundle.format !== "plantgan-model-bundle" || bundle.version !== 1) throw new Error("not a PlantGAN model bundle");
  return bundle;
}

/** The model card stored in a bundle, when there is one. */
export function bundleCard(bundle: ModelBundle): unknown {
  const card = fileOf(bundle, "model-card.json");
  return card ? JSON.parse(new TextDecoder().decode(card)) : undefined;
}

async function loadPart(bundle: ModelBundle, part: "generator" | "critic"): Promise<GanModel["generator"] | undefined> {
  const json = fileOf(bundle, `${part}/model.json`);
  const weights = fileOf(bundle, `${part}/weights.bin`);
  if (!json || !weights) return undefined;
  return loadModel(await fromModelFiles(JSON.parse(new TextDecoder().decode(json)), weights));
}

/** Loads the EMA generator (and the critic, for ranking) from a bundle. */
export async function loadBundledModel(bytes: Uint8Array): Promise<GanModel> {
  const bundle = readBundle(bytes);
  const info = fileOf(bundle, "plantgan-model.json");
  if (!info) throw new Error("model bundle has no plantgan-model.json");
  const config = (JSON.parse(new TextDecoder().decode(info)) as { config: { model: GanModelConfig } }).config.model;
  const generator = await loadPart(bundle, "generator");
  if (!generator) throw new Error("model bundle has no generator");
  const critic = await loadPart(bundle, "critic");
  const topology = fileOf(bundle, `topology/${TOPOLOGY_CONFIG_FILE}`)
    ? await loadTopologyModel((path) => {
        const bytes = fileOf(bundle, `topology/${path}`);
        if (!bytes) throw new Error(`model bundle has no topology/${path}`);
        return bytes;
      })
    : undefined;
  return {
    generator,
    ...(critic ? { critic } : {}),
    ...(topology ? { topology } : {}),
    config,
    layout: modelLayout(config),
  };
}
