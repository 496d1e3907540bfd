import { gzipSync } from "node:zlib";
import type { ApiIssue } from "../errors.js";
import type { TrainingService } from "../services.js";
import type { BlobStore } from "../store/blobs.js";
import type { DesignMeta, Store } from "../store/store.js";
import { checkTrainingSettings, type ResolvedTrainingSettings } from "../training-settings.js";

/**
 * What a training request may set, checked and with every default filled: the bounds and defaults
 * are schemas/api/training-settings.schema.json's. Jobs queued before `generator` existed have
 * none: they trained the graph generator; jobs queued before `topologyEpochs` trained no topology
 * generator.
 */
export type TrainingSettings = Omit<ResolvedTrainingSettings, "generator" | "topologyEpochs"> & {
  readonly generator?: ResolvedTrainingSettings["generator"];
  readonly topologyEpochs?: number;
};

/** Payload of a "train" job: the dataset is snapshotted into a blob, so later edits do not change a run. */
export interface TrainPayload {
  readonly modelId: string;
  readonly datasetId: string;
  /** sha256 of the gzipped NDJSON snapshot of the usable designs. */
  readonly designs: string;
  readonly designCount: number;
  /** Of them, designs with every item placed (the layout generator's); absent in older jobs: all. */
  readonly placedCount?: number;
  readonly processClasses: readonly string[];
  readonly settings: TrainingSettings;
}

/** Checks and completes a request's settings; every refused setting is an issue naming it (`/settings/<name>`). */
export function parseTrainingSettings(raw: unknown): { settings: TrainingSettings } | { issues: ApiIssue[] } {
  const checked = checkTrainingSettings(raw);
  if ("settings" in checked) return checked;
  return {
    issues: checked.issues.map((i) => ({
      code: "invalid_setting",
      pointer: i.setting ? `/settings/${i.setting}` : "/settings",
      message: i.message,
    })),
  };
}

/**
 * Designs that fit the encoding: every one with equipment when the topology generator trains (it
 * learns from topology-only designs too, e.g. DEXPI imports), else the placed ones (the layout
 * generator learns positions).
 */
function usable(meta: DesignMeta, settings: TrainingSettings): boolean {
  const { total } = meta.summary.equipment;
  if (total < 1 || total > settings.nMax) return false;
  return (settings.topologyEpochs ?? 0) > 0 || meta.summary.placement === "placed";
}

/** Writes the dataset's usable designs as one gzipped NDJSON blob. */
async function snapshotDataset(
  store: Store,
  blobs: BlobStore,
  workspaceId: string,
  datasetId: string,
  settings: TrainingSettings,
): Promise<{ sha256: string; count: number; placed: number; skipped: number; processClasses: string[] }> {
  const lines: string[] = [];
  const classes = new Set<string>();
  let skipped = 0;
  let placed = 0;
  let cursor: string | undefined;
  do {
    const page = await store.listDesigns(workspaceId, { datasetId }, { limit: 500, ...(cursor ? { cursor } : {}) });
    for (const meta of page.items) {
      if (settings.limit !== undefined && lines.length >= settings.limit) break;
      if (!usable(meta, settings)) {
        skipped++;
        continue;
      }
      const stored = await store.getDesign(workspaceId, meta.id);
      if (!stored) continue; // deleted meanwhile
      lines.push(JSON.stringify(stored.design));
      if (meta.summary.placement === "placed") placed++;
      classes.add(stored.design.processClass);
    }
    cursor = page.nextCursor;
  } while (cursor && (settings.limit === undefined || lines.length < settings.limit));
  const bytes = gzipSync(`${lines.join("\n")}\n`);
  const { sha256, size } = await blobs.put(bytes);
  await store.registerBlob(sha256, size);
  return { sha256, count: lines.length, placed, skipped, processClasses: [...classes].sort() };
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
              (settings.topologyEpochs ?? 0) > 0
                ? `dataset ${dataset.id} has too few designs to train on: none of its ${snapshot.skipped} designs ` +
                  `has between 1 and nMax ${settings.nMax} equipment`
                : `dataset ${dataset.id} has too few designs to train on: ${snapshot.skipped} are topology-only, ` +
                  `partly placed or have more than nMax ${settings.nMax} equipment, and topologyEpochs is 0`,
          },
        ],
      };
    }
    const payload: TrainPayload = {
      modelId,
      datasetId: dataset.id,
      designs: snapshot.sha256,
      designCount: snapshot.count,
      placedCount: snapshot.placed,
      processClasses: snapshot.processClasses,
      settings,
    };
    return { job: await enqueue(payload) };
  },
};
