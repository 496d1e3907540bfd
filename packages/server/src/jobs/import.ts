import { setImmediate as yieldToLoop } from "node:timers/promises";
import { summariseDesign } from "@plantgan/core/design";
import { type DesignRecord, formatById, streamDesigns } from "@plantgan/core/formats";
import type { DesignInsert } from "../store/store.js";
import { JobCancelledError, type JobContext } from "./context.js";

/** One uploaded file of an import, stored as a blob by the route. */
export interface ImportSource {
  readonly blob: string;
  /** Id of the design format the upload detected (see @plantgan/core/formats). */
  readonly format: string;
  /** The client's file name, a label in reports only. */
  readonly label: string;
  /** Design id for a DEXPI file. */
  readonly id?: string;
}

export interface ImportPayload {
  readonly sources: readonly ImportSource[];
  readonly datasetId?: string;
  /** Records per committed step. */
  readonly batchSize?: number;
}

interface RefusedSample {
  readonly where: string;
  readonly issues: readonly { readonly code: string; readonly pointer: string; readonly message: string }[];
}

/** Where an import stands; committed with each step, so a resumed attempt skips what is stored. */
export interface ImportCheckpoint {
  /** Index of the source being read. */
  readonly source: number;
  /** Records of that source already consumed. */
  readonly record: number;
  readonly done: number;
  readonly total: number;
  readonly accepted: number;
  readonly refused: number;
  /** The first refused records with their issues (bounded). */
  readonly samples: readonly RefusedSample[];
  readonly unmapped: number;
  /** Warnings of the sources read so far, each with its source's label (bounded; absent in older checkpoints). */
  readonly warnings?: readonly string[];
}

const MAX_SAMPLES = 100;
const MAX_WARNINGS = 100;
const MAX_ISSUES_PER_SAMPLE = 10;

/** Records in a source, cheaply (no design is checked here), for progress totals. */
function recordCount(format: string, text: string): number {
  return formatById(format)?.count(text) ?? 1;
}

/**
 * The "import" job: reads every source and stores accepted designs in steps of `batchSize`
 * records, each step committing its designs, the checkpoint and a progress event together. A
 * worker killed between steps loses nothing committed and half of nothing; the next attempt
 * starts after the checkpoint. A design whose id exists in the workspace is refused ("conflict").
 */
export async function runImport(ctx: JobContext): Promise<unknown> {
  const payload = ctx.job.payload as ImportPayload;
  const batchSize = Math.max(1, Math.min(payload.batchSize ?? 200, 5000));
  const load = async (i: number) => (await ctx.blobs.get(payload.sources[i]!.blob)).toString("utf8");

  let cp = ctx.job.checkpoint as ImportCheckpoint | undefined;
  if (!cp) {
    let total = 0;
    for (let i = 0; i < payload.sources.length; i++) total += recordCount(payload.sources[i]!.format, await load(i));
    cp = { source: 0, record: 0, done: 0, total, accepted: 0, refused: 0, samples: [], unmapped: 0 };
    await ctx.step({
      checkpoint: cp,
      progress: { done: 0, total },
      events: [{ type: "progress", data: progressData(cp) }],
    });
  }

  for (let s = cp.source; s < payload.sources.length; s++) {
    const source = payload.sources[s]!;
    const text = await load(s);
    const skip = s === cp.source ? cp.record : 0;
    let consumed = skip;
    // Lazy: an NDJSON source is parsed one record at a time, as the steps consume it.
    const reading = streamDesigns({
      content: text,
      format: source.format,
      label: source.label,
      skip,
      ...(source.id !== undefined ? { id: source.id } : {}),
    });
    const unmapped = reading.unmapped.length;
    const warnings = (reading.warnings ?? []).map((w) => `${source.label}: ${w}`);

    let batch: DesignRecord[] = [];
    const flush = async (sourceDone: boolean) => {
      consumed += batch.length;
      cp = await commit(
        ctx,
        cp!,
        batch,
        payload.datasetId,
        sourceDone ? { source: s + 1, record: 0 } : { source: s, record: consumed },
        sourceDone ? unmapped : 0,
        sourceDone ? warnings : [],
      );
      batch = [];
      // Lets the heartbeat timer run between steps (parsing is synchronous work).
      await yieldToLoop();
      if (ctx.signal.aborted) throw new JobCancelledError(result(cp));
    };
    for (const record of reading.records) {
      batch.push(record);
      if (batch.length >= batchSize) await flush(false);
    }
    await flush(true);
  }
  return result(cp);
}

async function commit(
  ctx: JobContext,
  before: ImportCheckpoint,
  batch: readonly DesignRecord[],
  datasetId: string | undefined,
  position: { source: number; record: number },
  unmapped: number,
  warnings: readonly string[],
): Promise<ImportCheckpoint> {
  const items: DesignInsert[] = [];
  for (const r of batch) {
    if (r.accepted)
      items.push({
        design: r.design,
        status: "uploaded",
        source: "import",
        summary: summariseDesign(r.design),
        jobId: ctx.job.id,
      });
  }
  const samples = [...before.samples];
  const addSample = (where: string, issues: RefusedSample["issues"]) => {
    if (samples.length < MAX_SAMPLES) samples.push({ where, issues: issues.slice(0, MAX_ISSUES_PER_SAMPLE) });
  };
  for (const r of batch)
    if (!r.accepted)
      addSample(
        r.where,
        r.issues.map((i) => ({ code: i.code, pointer: i.pointer, message: i.message })),
      );
  const schemaRefused = batch.length - items.length;
  // Conflicts are known only once inserted; the checkpoint written with the rows counts records
  // by schema, and the conflict count is folded into the next step (and the final result).
  const provisional: ImportCheckpoint = {
    ...before,
    ...position,
    done: before.done + batch.length,
    accepted: before.accepted + items.length,
    refused: before.refused + schemaRefused,
    samples,
    unmapped: before.unmapped + unmapped,
    warnings: [...(before.warnings ?? []), ...warnings].slice(0, MAX_WARNINGS),
  };
  const out = await ctx.step({
    ...(items.length > 0 ? { designs: { items, ...(datasetId !== undefined ? { datasetId } : {}) } } : {}),
    checkpoint: provisional,
    progress: { done: provisional.done, total: Math.max(provisional.total, provisional.done) },
    events: [{ type: "progress", data: progressData(provisional) }],
  });
  const conflicts = out.designs.filter((o) => !o.ok);
  if (conflicts.length === 0) return provisional;
  for (const c of conflicts) {
    const where = batch.find((r) => r.accepted && r.design.id === c.id)?.where ?? c.id;
    addSample(where, [{ code: "conflict", pointer: "/id", message: `a design with id "${c.id}" exists already` }]);
  }
  const corrected: ImportCheckpoint = {
    ...provisional,
    accepted: provisional.accepted - conflicts.length,
    refused: provisional.refused + conflicts.length,
    samples,
  };
  await ctx.step({ checkpoint: corrected });
  return corrected;
}

function progressData(cp: ImportCheckpoint) {
  return { done: cp.done, total: Math.max(cp.total, cp.done), accepted: cp.accepted, refused: cp.refused };
}

function result(cp: ImportCheckpoint) {
  return {
    records: cp.done,
    accepted: cp.accepted,
    refused: cp.refused,
    refusedRecords: cp.samples,
    unmapped: cp.unmapped,
    warnings: cp.warnings ?? [],
  };
}
