/**
 * The epoch loop of a training run, shared by `plantgan train` (files in a model folder) and the
 * API's "train" job (blobs and job steps): shuffled batches, mean losses, an epoch preview, then
 * the caller's `onEpoch`, which stores the results and is the commit point of each epoch.
 */
import { type Design, isPlaced } from "../design/types.js";
import { dataParallelStep, type GradientWorker, localWorker } from "./data-parallel.js";
import { layoutItem } from "./topology.js";
import {
  type BatchItem,
  deriveSeed,
  disposeBatch,
  LOSS_KEYS,
  makeBatch,
  type StepLosses,
  type Trainer,
} from "./training.js";

/** Critic-side losses are averaged over every step; the rest over generator steps only. */
const CRITIC_KEYS: ReadonlySet<string> = new Set(["d_loss", "wasserstein", "gp", "drift"]);

/** Fisher–Yates with a seeded generator: the epoch's data order depends only on (seed, epoch). */
export function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = deriveSeed(seed, i) % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** The designs that fit the trainer's encoding, as batch items. */
export function trainingItems(designs: readonly Design[], trainer: Trainer): BatchItem[] {
  const items: BatchItem[] = [];
  for (const d of designs) {
    const it = layoutItem(d, trainer.layout.spec);
    if (it) items.push(it);
  }
  return items;
}

/**
 * The layout generator's data: the designs with every item placed that fit its encoding, and the
 * others counted by reason ("topology_only": no or only some positions, e.g. a DEXPI import, which
 * the topology generator still learns from; "over_nMax"; "unencodable").
 */
export function layoutTrainingData(
  designs: readonly Design[],
  trainer: Trainer,
): { readonly items: BatchItem[]; readonly skipped: Record<string, number> } {
  const items: BatchItem[] = [];
  const skipped: Record<string, number> = {};
  const skip = (reason: string) => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };
  for (const d of designs) {
    if (d.equipment.length === 0 || !d.equipment.every(isPlaced)) skip("topology_only");
    else if (d.equipment.length > trainer.layout.spec.nMax) skip("over_nMax");
    else {
      const it = layoutItem(d, trainer.layout.spec);
      if (it) items.push(it);
      else skip("unencodable");
    }
  }
  return { items, skipped };
}

/** What an epoch's preview measured of the EMA generator, and the layouts it made. */
export interface PreviewResult {
  readonly metrics: Record<string, number>;
  readonly samples: Design[];
}

export type EpochPreview = (trainer: Trainer) => Promise<PreviewResult>;

/** tfjs steps run synchronously: give timers (a job's lease heartbeat) and I/O their turn. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) =>
    typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
}

export interface EpochResult {
  readonly epoch: number;
  /** Generator and critic steps so far. */
  readonly step: number;
  readonly seconds: number;
  /** Mean losses of the epoch. */
  readonly losses: Record<string, number>;
  /** Preview metrics: shares of valid candidates before and after legalising, mean legaliser moves. */
  readonly metrics: Record<string, number>;
  /** Preview layouts of the EMA generator (legalised and routed). */
  readonly samples: Design[];
}

export interface TrainingLoopInput {
  readonly trainer: Trainer;
  readonly items: readonly BatchItem[];
  /** Measures the epoch's EMA generator (generate/'s `pipelinePreview`: preview designs through the pipeline). */
  readonly preview: EpochPreview;
  /** Epochs done before (0, or the checkpoint's epoch). */
  readonly fromEpoch: number;
  /** Train until this many epochs are done. */
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly onBatch?: (epoch: number, batch: number, batches: number, losses: StepLosses) => void | Promise<void>;
  /** The epoch's commit point: export, checkpoint, report. */
  readonly onEpoch: (result: EpochResult) => Promise<void>;
  /** Checked between batches: a stop ends the loop without committing the unfinished epoch. */
  readonly shouldStop?: () => boolean;
  /**
   * Data-parallel helpers (e.g. worker processes), each holding the trainer's weights at the
   * start: every step is split across the trainer (in this thread) and these, their gradients
   * summed and applied by all, so the trainer ends each step as it would alone.
   */
  readonly helpers?: readonly GradientWorker[];
}

/**
 * The epoch's batches as [start, end) of the shuffled order: `batchSize` rows each, the last one
 * what is left. A last batch with fewer than `minRows` rows (one per data-parallel worker) joins
 * the batch before it, so every worker gets a row of every step.
 */
export function epochBatches(n: number, batchSize: number, minRows = 1): [number, number][] {
  const batches: [number, number][] = [];
  for (let start = 0; start < n; start += batchSize) batches.push([start, Math.min(n, start + batchSize)]);
  const last = batches.at(-1);
  if (batches.length > 1 && last && last[1] - last[0] < minRows) {
    batches.pop();
    batches.at(-1)![1] = n;
  }
  if (batches.length > 0 && batches[0]![1] < minRows)
    throw new RangeError(`${minRows} training workers need at least ${minRows} designs, got ${n}`);
  return batches;
}

/** One step of the trainer alone on these rows. */
function stepOn(trainer: Trainer, rows: readonly BatchItem[]): StepLosses {
  const batch = makeBatch(rows, trainer.layout);
  try {
    return trainer.step(batch);
  } finally {
    disposeBatch(batch);
  }
}

/** Runs epochs `fromEpoch + 1 … epochs`; returns the last completed epoch. */
export async function runTrainingLoop(input: TrainingLoopInput): Promise<number> {
  const local = input.helpers?.length ? localWorker(input.trainer) : undefined;
  try {
    return await runEpochs(input, local ? [local, ...input.helpers!] : undefined);
  } finally {
    local?.dispose(); // a step that threw may have left its batch
  }
}

async function runEpochs(input: TrainingLoopInput, workers: readonly GradientWorker[] | undefined): Promise<number> {
  const { trainer, items, batchSize } = input;
  const bounds = epochBatches(items.length, batchSize, workers?.length ?? 1);
  const batches = bounds.length;
  let done = input.fromEpoch;
  for (let epoch = input.fromEpoch + 1; epoch <= input.epochs; epoch++) {
    const started = performance.now();
    const order = shuffled(items.length, deriveSeed(input.seed, 100_000 + epoch));
    const sums = Object.fromEntries(LOSS_KEYS.map((k) => [k, 0])) as Record<string, number>;
    let steps = 0;
    let generatorSteps = 0;
    for (let b = 0; b < batches; b++) {
      if (input.shouldStop?.()) return done;
      const [start, end] = bounds[b]!;
      const rows = order.slice(start, end).map((i) => items[i]!);
      const losses = workers ? await dataParallelStep(workers, rows, trainer.steps) : stepOn(trainer, rows);
      steps++;
      if (losses.generatorUpdated) generatorSteps++;
      for (const k of LOSS_KEYS) if (Number.isFinite(losses[k])) sums[k]! += losses[k];
      await input.onBatch?.(epoch, b + 1, batches, losses);
      await nextTurn();
    }
    const seconds = (performance.now() - started) / 1000;
    const losses = Object.fromEntries(
      LOSS_KEYS.map((k) => [k, sums[k]! / Math.max(1, CRITIC_KEYS.has(k) ? steps : generatorSteps)]),
    );
    const { metrics, samples } = await input.preview(trainer);
    await input.onEpoch({ epoch, step: trainer.steps, seconds, losses, metrics, samples });
    done = epoch;
  }
  return done;
}
