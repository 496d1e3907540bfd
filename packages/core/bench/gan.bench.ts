/**
 * GAN benchmark: training and raw generation throughput on the wasm and cpu backends in one run,
 * with their ratio, for the shipped kind (layout generator at the "small" size the CLI trains,
 * nMax 48, batch 32) or the graph generator (`--kind graph`, default widths).
 *
 *   npx tsx --conditions=@plantgan/source packages/core/bench/gan.bench.ts [--kind layout|graph] [--batch B] [--steps S] [--nmax N] [--profile-only]
 *
 * Training samples/s counts real samples through `trainer.step` (one critic update with the
 * gradient penalty each step, a generator update every `criticSteps` = 2 steps, as in training).
 * Generation samples/s is the raw EMA generator and download (graph kind: plus straight-through
 * sampling, `generateEncodings`): no decoding, legalising or routing. When selectBackend finds a
 * native backend (tfjs-node-gpu with a GPU, or tfjs-node: see the README's "Training on a GPU"), it
 * is timed first and the profiled step runs on it; without libtensorflow only wasm and cpu run.
 *
 * It ends with where one wasm training step's time goes (tf.profile: time per kernel, top kernels)
 * and the GFLOP/s its matrix products reach, against a single-core matmul peak measured in the same
 * run on the same backend (a 2-D 512×512×512 product, the XNNPACK path), so the ratio stands in one
 * run. Kernel times under tf.profile include its bookkeeping: the ratio is a lower bound.
 *
 * Notes measured while writing the GAN (tfjs 4.22, this kind of 2-core machine):
 * - wasm BatchMatMul reaches XNNPACK (~15 GFLOP/s) only for a 2-D product without transpose
 *   flags; flags or a batch dimension fall to a loop of ~1.5 GFLOP/s. Hence matMulDense (which
 *   also runs a batched product as one 2-D product per batch entry) and the basis-decomposed
 *   relational convolution (fewer batched products).
 * - wasm Slice copied its whole input per call (readSync); wasm-kernels.ts copies only the slice,
 *   so unstacking a tensor is cheap.
 * - wasm compares tensors of two shapes (Equal, GreaterEqual, Maximum, … with broadcasting, and
 *   tf.where's Tile) ~100x slower than it adds them: compare same-shaped tensors or against 0.
 *
 * `--profile-only`, 2026-12-08, autogroup nice -20 (load 13.6-14.1): with e10f22f's refiner,
 * matMulDense, wasm kernels and trainer (on the day's other code) the two profiled steps spent
 * 2,839 ms in kernels, the matrix products 5.11 GFLOP/s (16 % of the measured 31 GFLOP/s peak),
 * broadcast comparisons and Tile 735 ms; at ae7b98d 1,273 ms in kernels, 14.79 GFLOP/s (47 %).
 * - wasm OneHot ignores a float32 dtype (writes int bits): one-hot in int32, then cast.
 */

import { fixtureBatchItems } from "@plantgan/testing";
import * as tf from "@tensorflow/tfjs-core";
import { designPlant } from "../src/designer/designer.js";
import {
  type BackendName,
  type BatchItem,
  createTrainer,
  disposeBatch,
  type GanBatch,
  generateEncodings,
  layoutItem,
  makeBatch,
  PROCESS_CLASSES,
  sampleLatent,
  selectBackend,
  type Trainer,
  type TrainerConfigInput,
  useBackend,
} from "../src/gan/index.js";

function arg(name: string, fallback: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : fallback;
}

const kindAt = process.argv.indexOf("--kind");
const kind = kindAt >= 0 ? process.argv[kindAt + 1] : "layout";
if (kind !== "layout" && kind !== "graph") throw new Error(`--kind must be layout or graph; got ${kind}`);
const batchSize = arg("batch", 32);
const nMax = arg("nmax", kind === "layout" ? 48 : 32);
/** The CLI's "small" size (packages/core/src/gan/model-sizes.ts MODEL_SIZES), or the defaults. */
const CONFIG: TrainerConfigInput =
  kind === "layout"
    ? {
        nMax,
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
      }
    : { nMax, seed: 1 };

/** Designer layouts of every class (racks and keep-outs included), as the layout kind trains on them. */
function designerItems(trainer: Trainer): BatchItem[] {
  const items: BatchItem[] = [];
  for (let seed = 1; items.length < batchSize; seed++) {
    const processClass = PROCESS_CLASSES[seed % PROCESS_CLASSES.length]!;
    const item = layoutItem(designPlant({ processClass, seed }), trainer.layout.spec);
    if (item) items.push(item);
  }
  return items;
}

/** One generator pass over the batch's conditions (and, for the layout kind, its topologies), downloaded. */
function generate(trainer: Trainer, batch: GanBatch, seed: number): void {
  if (kind === "graph") {
    const conditions = Array.from(
      { length: batchSize },
      (_, i) => batch.c.slice([i, 0], [1, -1]).dataSync() as Float32Array,
    );
    generateEncodings(trainer.generatorEma, trainer.layout, conditions, { seed, truncation: 1 });
    return;
  }
  const out = tf.tidy(() => {
    const z = sampleLatent(batchSize, trainer.config.model.latentSize, seed, 1);
    return trainer.generatorEma.apply([z, batch.c, batch.X, batch.A, batch.mask, batch.obstacles]) as tf.Tensor;
  });
  out.dataSync();
  out.dispose();
}
const wasmSteps = arg("steps", 6);
const cpuSteps = Math.max(2, Math.round(wasmSteps / 3));
const generateRounds = 5;

interface Row {
  readonly backend: BackendName;
  /** Wall-clock ms per training step. */
  readonly stepMs: number;
  /** CPU ms per step: on a shared machine wall time inflates, CPU time of this single thread does not. */
  readonly stepCpuMs: number;
  readonly trainPerS: number;
  readonly trainPerCpuS: number;
  readonly generatePerS: number;
  readonly generatePerCpuS: number;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

async function measure(backend: BackendName, steps: number): Promise<Row> {
  if (!(await useBackend(backend))) throw new Error(`${backend} is not available`);
  const trainer = createTrainer(CONFIG);
  const items = kind === "layout" ? designerItems(trainer) : fixtureBatchItems(batchSize, nMax);
  const batch = makeBatch(items, trainer.layout);
  // Warm-up: kernels, Adam accumulators, one generator step.
  trainer.step(batch);
  trainer.step(batch);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) trainer.step(batch);
  const stepMs = (performance.now() - t0) / steps;
  const stepCpuMs = cpuMs(c0) / steps;

  generate(trainer, batch, 0);
  const g0 = performance.now();
  const gc0 = process.cpuUsage();
  for (let r = 0; r < generateRounds; r++) generate(trainer, batch, r + 1);
  const genMs = (performance.now() - g0) / generateRounds;
  const genCpuMs = cpuMs(gc0) / generateRounds;
  disposeBatch(batch);
  trainer.dispose();
  return {
    backend,
    stepMs,
    stepCpuMs,
    trainPerS: (batchSize * 1000) / stepMs,
    trainPerCpuS: (batchSize * 1000) / stepCpuMs,
    generatePerS: (batchSize * 1000) / genMs,
    generatePerCpuS: (batchSize * 1000) / genCpuMs,
  };
}

const choice = await selectBackend({ log: (m) => console.log(m) });
console.log(
  `\nselected: ${choice.name}; ${kind} generator, nMax ${nMax}, batch ${batchSize}, tfjs ${tf.version_core}\n`,
);
const pad = (s: string, n: number) => s.padStart(n);
/** libtensorflow (a GPU, or native CPU threads) when selectBackend found it: timed and profiled first. */
const native = choice.name === "tensorflow-gpu" || choice.name === "tensorflow" ? choice.name : undefined;

/** The backends' throughput, unless `--profile-only` (just the profiled step below). */
async function compareBackends(): Promise<void> {
  const rows: Row[] = [];
  const backends: [BackendName, number][] = [
    ...(native ? [[native, wasmSteps] as [BackendName, number]] : []),
    ["wasm", wasmSteps],
    ["cpu", cpuSteps],
  ];
  for (const [backend, steps] of backends) rows.push(await measure(backend, steps));
  console.log(
    `${"backend".padEnd(8)}${pad("ms/step", 9)}${pad("cpu ms/step", 13)}${pad("train/s", 9)}${pad("train/cpu-s", 13)}${pad("gen/s", 8)}${pad("gen/cpu-s", 11)}`,
  );
  for (const r of rows) {
    console.log(
      `${r.backend.padEnd(8)}${pad(r.stepMs.toFixed(0), 9)}${pad(r.stepCpuMs.toFixed(0), 13)}${pad(r.trainPerS.toFixed(1), 9)}${pad(r.trainPerCpuS.toFixed(1), 13)}${pad(r.generatePerS.toFixed(0), 8)}${pad(r.generatePerCpuS.toFixed(0), 11)}`,
    );
  }
  const [wasm, cpu] = [rows.at(-2)!, rows.at(-1)!];
  if (native) {
    const n = rows[0]!;
    console.log(
      `\n${native} / wasm (wall-clock): training ×${(n.trainPerS / wasm.trainPerS).toFixed(1)}, generation ×${(n.generatePerS / wasm.generatePerS).toFixed(1)}`,
    );
  }
  console.log(
    `\nwasm / cpu (cpu-time based): training ×${(wasm.trainPerCpuS / cpu.trainPerCpuS).toFixed(1)}, generation ×${(wasm.generatePerCpuS / cpu.generatePerCpuS).toFixed(1)}`,
  );
  console.log(
    `wall/cpu time ${(wasm.stepMs / wasm.stepCpuMs).toFixed(1)}: above 1 means other processes shared the cores`,
  );
  const epochSteps = Math.ceil(3500 / batchSize);
  console.log(
    `one epoch of 3,500 designs on wasm: ~${((epochSteps * wasm.stepCpuMs) / 1000).toFixed(0)} s of CPU (${epochSteps} steps)`,
  );
}

if (!process.argv.includes("--profile-only")) await compareBackends();

/** Multiply-adds ×2 of a matrix-product kernel, from its input and output shapes (any transpose flags). */
function matMulFlops(inputShapes: readonly (readonly number[] | null)[], outputShape: readonly number[]): number {
  const a = inputShapes[0];
  if (!a || a.length < 2 || outputShape.length < 2) return 0;
  const m = outputShape[outputShape.length - 2]!;
  const batchA = a.slice(0, -2).reduce((p, d) => p * d, 1);
  const inner = a.reduce((p, d) => p * d, 1) / (batchA * m); // a's last two dims are m and k, in either order
  return 2 * outputShape.reduce((p, d) => p * d, 1) * inner;
}

const MATMUL_KERNELS = new Set(["BatchMatMul", "_FusedMatMul"]);

/** GFLOP/s of a 2-D n×n×n product on the current backend (best of a few rounds). */
function matMulPeak(n: number, rounds = 5): number {
  const a = tf.randomUniform([n, n], -1, 1, "float32", 1) as tf.Tensor2D;
  const b = tf.randomUniform([n, n], -1, 1, "float32", 2) as tf.Tensor2D;
  tf.matMul(a, b).dispose();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    best = Math.min(best, performance.now() - t);
    c.dispose();
  }
  tf.dispose([a, b]);
  return (2 * n * n * n) / (best / 1000) / 1e9;
}

/** Where one training step's time goes on `backend`, and its matrix products' GFLOP/s against the peak. */
async function profileStep(backend: BackendName): Promise<void> {
  await useBackend(backend);
  const trainer = createTrainer(CONFIG);
  const items = kind === "layout" ? designerItems(trainer) : fixtureBatchItems(batchSize, nMax);
  const batch = makeBatch(items, trainer.layout);
  trainer.step(batch);
  trainer.step(batch); // warm, and the next step is a critic-only one: profile a generator step too
  const profiled: { name: string; ms: number; flops: number; shapes: string }[] = [];
  let stepMs = 0;
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    const info = await tf.profile(() => {
      trainer.step(batch);
    });
    stepMs += performance.now() - t;
    for (const k of info.kernels) {
      const ms = await k.kernelTimeMs;
      profiled.push({
        name: k.name,
        ms: typeof ms === "number" ? ms : 0,
        flops: MATMUL_KERNELS.has(k.name) ? matMulFlops(k.inputShapes, k.outputShapes[0] ?? []) : 0,
        shapes: `${k.inputShapes.map((x) => `[${x ?? ""}]`).join("×")}→[${k.outputShapes[0] ?? ""}]`,
      });
    }
  }
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of profiled) {
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += k.ms;
    e.calls++;
    byKernel.set(k.name, e);
  }
  const kernelMs = profiled.reduce((t, k) => t + k.ms, 0);
  const matmul = profiled.filter((k) => MATMUL_KERNELS.has(k.name));
  const matmulMs = matmul.reduce((t, k) => t + k.ms, 0);
  const gflop = matmul.reduce((t, k) => t + k.flops, 0) / 1e9;
  const achieved = gflop / (matmulMs / 1000);
  const peak = matMulPeak(512);
  console.log(
    `\n${backend}: two profiled training steps (one critic-only, one with the generator update), ${profiled.length} kernels, ${stepMs.toFixed(0)} ms wall under the profiler, ${kernelMs.toFixed(0)} ms in kernels`,
  );
  console.log("kernel              calls       ms  share");
  for (const [name, e] of [...byKernel].sort((x, y) => y[1].ms - x[1].ms).slice(0, 10)) {
    console.log(
      `${name.padEnd(18)}${pad(String(e.calls), 7)}${pad(e.ms.toFixed(0), 9)}${pad(`${((100 * e.ms) / kernelMs).toFixed(0)}%`, 7)}`,
    );
  }
  const byShape = new Map<string, { ms: number; flops: number; calls: number }>();
  for (const k of matmul) {
    const e = byShape.get(k.shapes) ?? { ms: 0, flops: 0, calls: 0 };
    e.ms += k.ms;
    e.flops += k.flops;
    e.calls++;
    byShape.set(k.shapes, e);
  }
  console.log("matrix products by shape (the slowest five):");
  for (const [shape, e] of [...byShape].sort((x, y) => y[1].ms - x[1].ms).slice(0, 5)) {
    console.log(
      `  ${shape}: ${e.calls} calls, ${e.ms.toFixed(0)} ms, ${(e.flops / 1e9 / (e.ms / 1000)).toFixed(2)} GFLOP/s`,
    );
  }
  console.log(
    `matrix products: ${matmul.length} kernels, ${gflop.toFixed(2)} GFLOP in ${matmulMs.toFixed(0)} ms: ${achieved.toFixed(2)} GFLOP/s; ` +
      `single-core peak (2-D 512×512×512 matMul, ${backend}): ${peak.toFixed(2)} GFLOP/s; achieved/peak ${(achieved / peak).toFixed(2)}`,
  );
  disposeBatch(batch);
  trainer.dispose();
}

await profileStep(native ?? "wasm");
