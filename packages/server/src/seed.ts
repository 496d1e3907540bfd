import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { parseDesign, summariseDesign } from "@plantgan/core/design";
import { bundleCard, bundleModelFolder, readBundle } from "./gan/bundle.js";
import type { BlobStore } from "./store/blobs.js";
import type { DesignInsert, Store } from "./store/store.js";

/** datasets/synthetic-v1 in the repository, from src/ (source runs) and dist/ (built) alike. */
export const SHIPPED_DATASET_DIR = fileURLToPath(new URL("../../../datasets/synthetic-v1", import.meta.url));

/** datasets/models/default: the shipped pre-trained model. */
export const SHIPPED_MODEL_DIR = fileURLToPath(new URL("../../../datasets/models/default", import.meta.url));

const SPLITS = ["train", "val", "test"] as const;

export interface SeedOutcome {
  readonly datasets: readonly { readonly id: string; readonly designs: number }[];
}

/**
 * Loads the shipped dataset into a workspace, one dataset per split (synthetic-v1-train, -val, -test),
 * so a fresh server has designs to browse, validate and train on. Every design is schema-checked
 * on the way in; a broken shipped file stops the seeding with its name and line.
 */
export async function seedShippedDataset(
  store: Store,
  workspaceId: string,
  dir: string = SHIPPED_DATASET_DIR,
): Promise<SeedOutcome> {
  if (!existsSync(join(dir, "manifest.json"))) return { datasets: [] };
  const datasets: { id: string; designs: number }[] = [];
  for (const split of SPLITS) {
    const file = join(dir, `${split}.ndjson.gz`);
    if (!existsSync(file)) continue;
    const lines = gunzipSync(readFileSync(file)).toString("utf8").split("\n");
    const items: DesignInsert[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      const parsed = parseDesign(line);
      if (!parsed.success)
        throw new Error(`${file}:${i + 1}: ${parsed.issues[0]?.pointer} ${parsed.issues[0]?.message}`);
      items.push({ design: parsed.data, status: "uploaded", source: "import", summary: summariseDesign(parsed.data) });
    });
    const id = `synthetic-v1-${split}`;
    await store.createDataset(workspaceId, {
      id,
      name: `synthetic-v1 (${split})`,
      description: `Shipped procedural designs, ${split} split (datasets/synthetic-v1).`,
    });
    await store.insertDesigns(workspaceId, items, id);
    datasets.push({ id, designs: items.length });
  }
  return { datasets };
}

/**
 * Registers the shipped model as model "default" of a workspace: the folder packed into one
 * blob, its model card stored beside it. Absent folder: nothing happens (generation then needs
 * a model trained through the API).
 */
export async function seedShippedModel(
  store: Store,
  blobs: BlobStore,
  workspaceId: string,
  dir: string = SHIPPED_MODEL_DIR,
): Promise<string | undefined> {
  if (!existsSync(join(dir, "plantgan-model.json"))) return undefined;
  const bytes = await bundleModelFolder(dir);
  const { sha256 } = await blobs.put(bytes);
  await store.registerBlob(sha256, bytes.length);
  const card = bundleCard(readBundle(bytes)) as Parameters<Store["putModel"]>[1]["card"];
  const put = await store.putModel(workspaceId, {
    id: "default",
    status: "ready",
    weights: sha256,
    ...(card ? { card } : {}),
  });
  return put === "conflict" ? undefined : put.id;
}
