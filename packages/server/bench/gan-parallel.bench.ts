/**
 * Data-parallel training throughput: samples/s of the shipped kind (layout generator, the CLI's
 * "small" size, nMax 48, batch 32 of designer layouts, on the backend selectBackend picks) with 1 and with 2 worker processes
 * (gradient-process.ts, each with its own backend), and the scaling ratio, from one run. Both
 * rows pay the same per-step costs (gradients sent to the parent, summed, sent back), so the
 * ratio is what the second core adds. `pnpm bench:gan` runs it after the single-process bench.
 *
 *   npx tsx --conditions=@plantgan/source packages/server/bench/gan-parallel.bench.ts [--batch B] [--steps S] [--resend-items]
 *
 * On a loaded machine the wall-clock ratio says little; the workers' child CPU per step does:
 * the "CPU-bound scaling" line (1 worker's CPU over the slower worker's, per call type) is the
 * scaling the cores would give. 2026-12-07, --steps 12 (13:53-13:54, load 8.5-9.0): wall ×0.84,
 * CPU-bound ×1.72, the split adds 15.2 % CPU (critic 942 -> 516 + 527 ms, generator 433 -> 265 +
 * 269 ms CPU per step); see core/src/gan/README.md "Per-call cost, by kernel".
 */
import { availableParallelism, loadavg } from "node:os";
import { designPlant } from "@plantgan/core/designer";
import {
  type BatchItem,
  createTrainer,
  dataParallelStep,
  layoutItem,
  noPhaseTimes,
  PROCESS_CLASSES,
  STEP_PHASES,
  type StepPhaseTimes,
  selectBackend,
  type TrainerConfigInput,
} from "@plantgan/core/gan";
import { type CallTimes, startProcessWorkers } from "../src/gan/parallel-training.js";

function arg(name: string, fallback: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : fallback;
}

const batchSize = arg("batch", 32);
/** --resend-items: every step sends its shard's encodings, as before the designs were sent once. */
const sendItems = !process.argv.includes("--resend-items");
const steps = arg("steps", 4);
/** The CLI's "small" layout model (core/src/gan/model-sizes.ts MODEL_SIZES), as gan.bench.ts times it. */
const CONFIG: TrainerConfigInput = {
  nMax: 48,
  seed: 1,
  latentSize: 32,
  generatorHidden: 128,
  nodeHidden: 32,
  edgeRank: 4,
  criticHidden: 48,
  grid: 16,
  gridHidden: 48,
  layoutOnly: true,
  generator: "layout",
};

// The backend selectBackend picks (tfjs-node-gpu on a GPU machine, else wasm), in every worker.
const backend = (await selectBackend({ log: () => {} })).name;
const loadBefore = loadavg();
const trainer = createTrainer(CONFIG);
const items: BatchItem[] = [];
for (let seed = 1; items.length < batchSize; seed++) {
  const processClass = PROCESS_CLASSES[seed % PROCESS_CLASSES.length]!;
  const item = layoutItem(designPlant({ processClass, seed }), trainer.layout.spec);
  if (item) items.push(item);
}
const start = await trainer.state();
trainer.dispose();

interface Run {
  readonly samplesPerSecond: number;
  /** Wall ms of each phase of a step, summed over the timed steps. */
  readonly phases: StepPhaseTimes;
  /** Each worker's calls after the warm-up, by request type. */
  readonly calls: readonly Readonly<Record<string, CallTimes>>[];
}

async function timedRun(workerCount: number): Promise<Run> {
  const workers = await startProcessWorkers(start, workerCount, backend, sendItems ? items : []);
  try {
    await dataParallelStep(workers, items, 0); // warm-up: first kernels, wasm compilation
    const warm = workers.map((w) => structuredClone(w.callTimes()));
    const phases = noPhaseTimes();
    const t0 = performance.now();
    for (let s = 1; s <= steps; s++) await dataParallelStep(workers, items, s, phases);
    const seconds = (performance.now() - t0) / 1000;
    const calls = workers.map((w, k) => minus(w.callTimes(), warm[k]!));
    return { samplesPerSecond: (steps * items.length) / seconds, phases, calls };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

/** The calls made between two readings of a worker's `callTimes`. */
function minus(now: Readonly<Record<string, CallTimes>>, before: Readonly<Record<string, CallTimes>>) {
  const zero: CallTimes = { calls: 0, roundTripMs: 0, childMs: 0, childCpuMs: 0 };
  return Object.fromEntries(
    Object.entries(now).map(([type, t]) => {
      const b = before[type] ?? zero;
      const keys = Object.keys(zero) as (keyof CallTimes)[];
      return [type, Object.fromEntries(keys.map((k) => [k, t[k] - b[k]])) as unknown as CallTimes];
    }),
  );
}

/**
 * Per step: each phase's wall ms, and for each worker the child's CPU and wall ms against the
 * parent's round trip (round trip less child wall: messages; child wall less CPU: waiting for a core).
 */
function printPhases(label: string, run: Run): void {
  const perStep = (ms: number) => (ms / steps).toFixed(1);
  console.log(`  ${label}: ${STEP_PHASES.map((p) => `${p} ${perStep(run.phases[p])}`).join(", ")} ms/step`);
  run.calls.forEach((calls, k) => {
    const parts = Object.entries(calls)
      .filter(([, t]) => t.calls > 0)
      .map(([type, t]) => `${type} ${perStep(t.childCpuMs)}/${perStep(t.childMs)}/${perStep(t.roundTripMs)}`);
    console.log(`    worker ${k + 1} (child CPU / child wall / round trip, ms per step): ${parts.join(", ")}`);
  });
}

/**
 * The scaling the cores would give, from the workers' CPU alone (load-independent): for each call
 * type the slowest worker's CPU bounds that phase, so 1 worker's CPU over the sum of those maxima;
 * and the CPU the split adds (all workers' CPU against 1 worker's).
 */
function cpuScaling(one: Run, two: Run): { ratio: number; extra: number } {
  const cpu = (calls: Readonly<Record<string, CallTimes>>) =>
    Object.values(calls).reduce((t, c) => t + c.childCpuMs, 0);
  const types = new Set(two.calls.flatMap((calls) => Object.keys(calls)));
  const slowest = [...types].reduce(
    (t, type) => t + Math.max(...two.calls.map((calls) => calls[type]?.childCpuMs ?? 0)),
    0,
  );
  const single = cpu(one.calls[0]!);
  return { ratio: single / slowest, extra: two.calls.reduce((t, calls) => t + cpu(calls), 0) / single - 1 };
}

const one = await timedRun(1);
const two = await timedRun(2);
console.log(
  `data-parallel training, layout kind (small), batch ${batchSize}, ${backend}, ${steps} steps after a warm-up (Node ${process.version}, ${availableParallelism()} cores, load average before ${loadBefore
    .map((l) => l.toFixed(2))
    .join(" ")}, after ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")})`,
);
console.log(`1 worker process:  ${one.samplesPerSecond.toFixed(1)} samples/s`);
console.log(`2 worker processes: ${two.samplesPerSecond.toFixed(1)} samples/s`);
console.log(`scaling 1 → 2 workers: ×${(two.samplesPerSecond / one.samplesPerSecond).toFixed(2)} (goal ×1.7)`);
const bound = cpuScaling(one, two);
console.log(
  `CPU-bound scaling (workers' CPU only): ×${bound.ratio.toFixed(2)}; the split adds ${(100 * bound.extra).toFixed(1)} % CPU`,
);
console.log(`where a step's time goes (shards ${sendItems ? "sent as indices" : "sent whole every step"}):`);
printPhases("1 worker", one);
printPhases("2 workers", two);
