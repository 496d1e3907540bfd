/**
 * Data-parallel training throughput: samples/s of the shipped kind (layout generator, the CLI's
 * "small" size, nMax 48, batch 32 of designer layouts, on the backend selectBackend picks) with 1 and with 2 worker processes
 * (gradient-process.ts, each with its own backend), and the scaling ratio, from one run. Both
 * rows pay the same per-step costs (gradients sent to the parent, summed, sent back), so the
 * ratio is what the second core adds. `pnpm bench:gan` runs it after the single-process bench.
 *
 *   npx tsx --conditions=@plantgan/source packages/server/bench/gan-parallel.bench.ts [--batch B] [--steps S]
 */
import { availableParallelism, loadavg } from "node:os";
import { designPlant } from "@plantgan/core/designer";
import {
  type BatchItem,
  createTrainer,
  dataParallelStep,
  layoutItem,
  PROCESS_CLASSES,
  selectBackend,
  type TrainerConfigInput,
} from "@plantgan/core/gan";
import { startProcessWorkers } from "../src/gan/parallel-training.js";

function arg(name: string, fallback: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : fallback;
}

const batchSize = arg("batch", 32);
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

async function samplesPerSecond(workerCount: number): Promise<number> {
  const workers = await startProcessWorkers(start, workerCount, backend);
  try {
    await dataParallelStep(workers, items, 0); // warm-up: first kernels, wasm compilation
    const t0 = performance.now();
    for (let s = 1; s <= steps; s++) await dataParallelStep(workers, items, s);
    return (steps * items.length) / ((performance.now() - t0) / 1000);
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

const one = await samplesPerSecond(1);
const two = await samplesPerSecond(2);
console.log(
  `data-parallel training, layout kind (small), batch ${batchSize}, ${backend}, ${steps} steps after a warm-up (Node ${process.version}, ${availableParallelism()} cores, load average before ${loadBefore
    .map((l) => l.toFixed(2))
    .join(" ")}, after ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")})`,
);
console.log(`1 worker process:  ${one.toFixed(1)} samples/s`);
console.log(`2 worker processes: ${two.toFixed(1)} samples/s`);
console.log(`scaling 1 → 2 workers: ×${(two / one).toFixed(2)} (goal ×1.7)`);
