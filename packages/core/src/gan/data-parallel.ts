/**
 * Data-parallel training: each worker (a trainer with the same weights, in its own thread or
 * process, with its own backend) takes its rows of the step's batch and computes gradients; the
 * gradients are summed (each shard's are already scaled by its share of the batch, so the sum is
 * the whole batch's gradient) and every worker applies the same sum to its own copy of the
 * weights. The critic step and then, when due, the generator step each do one such round, so the
 * result equals one trainer's `step` on the whole batch up to float summation order. Applying the
 * critic's sum and computing the generator's gradients are one call, so a step with a generator
 * update makes three calls per worker, not four (and a worker process two round trips: it takes
 * the generator's sum with its next request, server gan/parallel-training.ts).
 *
 * Pure: a worker is anything that answers these calls (data-parallel-local.ts for one in this
 * thread; the server runs them in worker threads). Random draws are made for the whole batch and
 * cut to each shard's rows, so every worker count sees the same numbers.
 */
import {
  type BatchItem,
  type BatchRows,
  disposeBatch,
  type GanBatch,
  makeBatch,
  type ShardGradients,
  type StepLosses,
  type Trainer,
} from "./training.js";

/** One data-parallel worker: a trainer behind calls that may cross a thread or process boundary. */
export interface GradientWorker {
  /** Gradients of the critic's loss on these rows of the step's batch (the worker makes the batch). */
  criticGradients(items: readonly BatchItem[], rows: BatchRows): Promise<ShardGradients>;
  /**
   * Applies the summed critic gradients. When a generator update follows in this step, returns
   * the generator's gradients on the rows given to `criticGradients` (computed right after the
   * update: one call, so one round trip for a worker in another process); else undefined.
   */
  applyCriticGradients(sum: readonly Float32Array[]): Promise<ShardGradients | undefined>;
  /**
   * Applies the summed generator gradients (and updates the EMA). A worker in another process may
   * resolve at once and apply them at the start of its next call (one round trip fewer a step).
   */
  applyGeneratorGradients(sum: readonly Float32Array[]): Promise<void>;
  /**
   * A worker in another thread or process: resolves once the requests made so far have left this
   * one. A worker in this thread has none: it computes when called, holding this thread (and the
   * sending of other workers' requests) until it is done, so `dataParallelStep` calls it last.
   */
  sent?(): Promise<void>;
}

/**
 * `call` on every worker, results in worker order. Workers elsewhere are called first and their
 * requests sent in full before a worker in this thread starts computing; otherwise a large message
 * (a gradient sum) would wait for that computation and the workers would take turns.
 */
async function onEveryWorker<T>(
  workers: readonly GradientWorker[],
  call: (worker: GradientWorker, k: number) => Promise<T>,
): Promise<T[]> {
  if (workers.every((w) => w.sent)) return Promise.all(workers.map(call));
  const results: Promise<T>[] = new Array(workers.length);
  workers.forEach((w, k) => {
    if (w.sent) {
      results[k] = call(w, k);
      // A helper may fail while this function still awaits the sends: mark the rejection handled
      // now (the Promise.all below still reports it), or Node ends the process for it.
      results[k].catch(() => {});
    }
  });
  await Promise.all(workers.map((w) => w.sent?.()));
  workers.forEach((w, k) => {
    if (!w.sent) results[k] = call(w, k);
  });
  return Promise.all(results);
}

/**
 * Contiguous shards of `total` rows for `workers` workers, sizes differing by at most one. Every
 * worker gets a row: each draws its random numbers as it computes, so none may sit a step out.
 */
export function shardRows(total: number, workers: number): BatchRows[] {
  if (!(Number.isInteger(workers) && workers >= 1)) throw new RangeError(`shardRows: ${workers} workers`);
  if (total < workers) throw new RangeError(`shardRows: a batch of ${total} for ${workers} workers`);
  const used = workers;
  const rows: BatchRows[] = [];
  let offset = 0;
  for (let k = 0; k < used; k++) {
    const size = Math.floor(total / used) + (k < total % used ? 1 : 0);
    rows.push({ offset, size, total });
    offset += size;
  }
  return rows;
}

/** Element-wise sum of the workers' gradients (one array per variable). */
export function sumGradients(shards: readonly ShardGradients[]): ShardGradients {
  const first = shards[0];
  if (!first) throw new RangeError("sumGradients: no shards");
  const grads = first.grads.map((g) => Float32Array.from(g));
  const losses = [...first.losses];
  for (const shard of shards.slice(1)) {
    if (shard.grads.length !== grads.length) throw new RangeError("sumGradients: shards of different models");
    shard.grads.forEach((g, i) => {
      const total = grads[i]!;
      if (g.length !== total.length) throw new RangeError("sumGradients: shards of different shapes");
      for (let j = 0; j < g.length; j++) total[j]! += g[j]!;
    });
    shard.losses.forEach((l, i) => {
      losses[i]! += l;
    });
  }
  return { grads, losses };
}

/** The phases of a data-parallel step, in the order they run. */
export const STEP_PHASES = [
  "criticGradients",
  "sumCritic",
  "applyCriticAndGeneratorGradients",
  "sumGenerator",
  "applyGenerator",
] as const;

/** Milliseconds spent in each phase, summed over the steps that were given it (benches). */
export type StepPhaseTimes = Record<(typeof STEP_PHASES)[number], number>;

export const noPhaseTimes = (): StepPhaseTimes => Object.fromEntries(STEP_PHASES.map((p) => [p, 0])) as StepPhaseTimes;

/**
 * One training step over `items` split across `workers` (all holding the same weights). Returns
 * the step's losses for the whole batch, as `Trainer.step` would. The batch needs at least one
 * row per worker. `phases`, when given, gains each phase's wall time.
 */
export async function dataParallelStep(
  workers: readonly GradientWorker[],
  items: readonly BatchItem[],
  step: number,
  phases?: StepPhaseTimes,
): Promise<StepLosses> {
  if (workers.length === 0) throw new RangeError("dataParallelStep: no workers");
  const rows = shardRows(items.length, workers.length);
  const timed = async <T>(phase: keyof StepPhaseTimes, run: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const value = await run();
    if (phases) phases[phase] += performance.now() - t0;
    return value;
  };
  const criticShards = await timed("criticGradients", () =>
    onEveryWorker(workers, (w, k) =>
      w.criticGradients(items.slice(rows[k]!.offset, rows[k]!.offset + rows[k]!.size), rows[k]!),
    ),
  );
  const critic = await timed("sumCritic", () => sumGradients(criticShards));
  const generatorShards = await timed("applyCriticAndGeneratorGradients", () =>
    onEveryWorker(workers, (w) => w.applyCriticGradients(critic.grads)),
  );
  const due = generatorShards.map((shard) => shard !== undefined);
  if (due.some((d) => d !== due[0])) throw new Error("dataParallelStep: workers out of step");
  let g = Array.from({ length: 8 }, () => Number.NaN);
  if (due[0]) {
    const shards = generatorShards as ShardGradients[];
    const generator = await timed("sumGenerator", () => sumGradients(shards));
    await timed("applyGenerator", () => onEveryWorker(workers, (w) => w.applyGeneratorGradients(generator.grads)));
    g = generator.losses;
  }
  const [dLoss, negW, gp, drift] = critic.losses;
  return {
    step,
    d_loss: dLoss!,
    wasserstein: -negW!,
    gp: gp!,
    drift: drift!,
    g_loss: g[0]!,
    g_adversarial: g[1]!,
    overlap: g[2]!,
    site: g[3]!,
    spacing: g[4]!,
    count: g[5]!,
    obstacle: g[6]!,
    cost: g[7]!,
    generatorUpdated: due[0]!,
  };
}

/** A worker in this thread around a trainer (tests, and the one-worker case). */
export function localWorker(trainer: Trainer): GradientWorker & { dispose(): void } {
  let batch: GanBatch | undefined;
  let rows: BatchRows | undefined;
  const release = () => {
    if (batch) disposeBatch(batch);
    batch = undefined;
  };
  return {
    async criticGradients(items, r) {
      release();
      batch = makeBatch(items, trainer.layout);
      rows = r;
      return trainer.criticGradients(batch, r);
    },
    async applyCriticGradients(sum) {
      if (!batch || !rows) throw new Error("applyCriticGradients before criticGradients");
      if (trainer.applyCriticGradients(sum)) return trainer.generatorGradients(batch, rows);
      release();
      return undefined;
    },
    async applyGeneratorGradients(sum) {
      trainer.applyGeneratorGradients(sum);
      release();
    },
    dispose: release,
  };
}
