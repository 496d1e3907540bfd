import { gzipSync } from "node:zlib";
import type { ApiIssue } from "../errors.js";
import type { TrainingService } from "../services.js";
import type { BlobStore } from "../store/blobs.js";
import type { DesignMeta, Store } from "../store/store.js";
import { DEFAULT_GENERATOR, GENERATOR_KINDS, type GeneratorKind } from "./training-run.js";

/** What a training request may set; everything has a default. */
export interface TrainingSettings {
  /** Train until this many epochs are done. */
  readonly epochs: number;
  readonly batchSize: number;
  /** Model size: "small" (the shipped model's) or "tiny" (quick tries, tests). */
  readonly size: "small" | "tiny";
  /**
   * Generator kind (training-run.ts). Jobs queued before the setting existed have none: they
   * trained the graph generator.
   */
  readonly generator?: GeneratorKind;
  /** Seed of weights, noise and data order. */
  readonly seed: number;
  /** Rows of the encoding: designs with more equipment are left out. */
  readonly nMax: number;
  /** Adam learning rate of generator and critic (default: the size's). */
  readonly learningRate?: number;
  /** Use only the first n usable designs of the dataset. */
  readonly limit?: number;
  /** Layouts drawn per epoch for the training page. */
  readonly previews: number;
}

/** Payload of a "train" job: the dataset is snapshotted into a blob, so later edits do not change a run. */
export interface TrainPayload {
  readonly modelId: string;
  readonly datasetId: string;
  /** sha256 of the gzipped NDJSON snapshot of the usable designs. */
  readonly designs: string;
  readonly designCount: number;
  readonly processClasses: readonly string[];
  readonly settings: TrainingSettings;
}

type Raw = Readonly<Record<string, number | string | boolean>>;

interface IntRule {
  readonly min: number;
  readonly max: number;
}

const INT_SETTINGS: Readonly<Record<string, IntRule>> = {
  epochs: { min: 1, max: 1000 },
  batchSize: { min: 1, max: 512 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  nMax: { min: 2, max: 128 },
  limit: { min: 1, max: 1_000_000 },
  previews: { min: 0, max: 8 },
};
const KNOWN = new Set([...Object.keys(INT_SETTINGS), "size", "generator", "learningRate"]);

/** Checks and completes a request's settings; every problem is an issue naming its setting. */
export function parseTrainingSettings(raw: Raw): { settings: TrainingSettings } | { issues: ApiIssue[] } {
  const issues: ApiIssue[] = [];
  const issue = (name: string, message: string) =>
    issues.push({ code: "invalid_setting", pointer: `/settings/${name}`, message });
  for (const name of Object.keys(raw)) {
    if (!KNOWN.has(name)) issue(name, `unknown setting ${name}; known: ${[...KNOWN].join(", ")}`);
  }
  const ints: Record<string, number | undefined> = {};
  for (const [name, rule] of Object.entries(INT_SETTINGS)) {
    const v = raw[name];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isInteger(v) || v < rule.min || v > rule.max) {
      issue(name, `${name} must be an integer from ${rule.min} to ${rule.max}; got ${JSON.stringify(v)}`);
    } else ints[name] = v;
  }
  const size = raw.size ?? "small";
  if (size !== "small" && size !== "tiny") issue("size", `size must be "small" or "tiny"; got ${JSON.stringify(size)}`);
  const generator = GENERATOR_KINDS.find((k) => k === (raw.generator ?? DEFAULT_GENERATOR));
  if (!generator) {
    issue(
      "generator",
      `generator must be ${GENERATOR_KINDS.map((k) => `"${k}"`).join(" or ")}; got ${JSON.stringify(raw.generator)}`,
    );
  }
  const lr = raw.learningRate;
  if (lr !== undefined && (typeof lr !== "number" || !(lr > 0 && lr <= 0.1))) {
    issue("learningRate", `learningRate must be a number in (0, 0.1]; got ${JSON.stringify(lr)}`);
  }
  if (issues.length > 0) return { issues };
  return {
    settings: {
      epochs: ints.epochs ?? 10,
      batchSize: ints.batchSize ?? 32,
      size: size as TrainingSettings["size"],
      generator: generator!,
      seed: ints.seed ?? 1,
      nMax: ints.nMax ?? 48,
      previews: ints.previews ?? 4,
      ...(typeof lr === "number" ? { learningRate: lr } : {}),
      ...(ints.limit !== undefined ? { limit: ints.limit } : {}),
    },
  };
}

/** Placed designs (the generator learns positions) that fit the encoding. */
function usable(meta: DesignMeta, nMax: number): boolean {
  return (
    meta.summary.placement === "placed" && meta.summary.equipment.total >= 1 && meta.summary.equipment.total <= nMax
  );
}

/** Writes the dataset's usable designs as one gzipped NDJSON blob. */
async function snapshotDataset(
  store: Store,
  blobs: BlobStore,
  workspaceId: string,
  datasetId: string,
  settings: TrainingSettings,
): Promise<{ sha256: string; count: number; skipped: number; processClasses: string[] }> {
  const lines: string[] = [];
  const classes = new Set<string>();
  let skipped = 0;
  let cursor: string | undefined;
  do {
    const page = await store.listDesigns(workspaceId, { datasetId }, { limit: 500, ...(cursor ? { cursor } : {}) });
    for (const meta of page.items) {
      if (settings.limit !== undefined && lines.length >= settings.limit) break;
      if (!usable(meta, settings.nMax)) {
        skipped++;
        continue;
      }
      const stored = await store.getDesign(workspaceId, meta.id);
      if (!stored) continue; // deleted meanwhile
      lines.push(JSON.stringify(stored.design));
      classes.add(stored.design.processClass);
    }
    cursor = page.nextCursor;
  } while (cursor && (settings.limit === undefined || lines.length < settings.limit));
  const bytes = gzipSync(`${lines.join("\n")}\n`);
  const { sha256, size } = await blobs.put(bytes);
  await store.registerBlob(sha256, size);
  return { sha256, count: lines.length, skipped, processClasses: [...classes].sort() };
}

/**
 * Training through the job runner: settings are checked and the dataset snapshotted here, the
 * epochs run in a worker process (jobs/train.ts) that commits each epoch's checkpoint, model and
 * metrics in one step, so a restarted server resumes after the last finished epoch.
 */
export const trainingService: TrainingService = {
  async submit({ workspaceId, modelId, dataset, settings: raw, store, blobs, enqueue }) {
    const parsed = parseTrainingSettings(raw);
    if ("issues" in parsed) return { issues: parsed.issues };
    const { settings } = parsed;
    const snapshot = await snapshotDataset(store, blobs, workspaceId, dataset.id, settings);
    if (snapshot.count === 0) {
      return {
        issues: [
          {
            code: "invalid_dataset",
            pointer: "/datasetId",
            message:
              `dataset ${dataset.id} has no design to learn from: ${snapshot.skipped} are topology-only, ` +
              `partly placed or have more than nMax ${settings.nMax} equipment`,
          },
        ],
      };
    }
    const payload: TrainPayload = {
      modelId,
      datasetId: dataset.id,
      designs: snapshot.sha256,
      designCount: snapshot.count,
      processClasses: snapshot.processClasses,
      settings,
    };
    return { job: await enqueue(payload) };
  },
};
