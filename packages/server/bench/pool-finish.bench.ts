/**
 * One request's candidates finished in parallel across the warm pool (src/gan/generation-pool.ts):
 * the same sequential 4-candidate generations (the direct maximum, same seeds) on a pool of one
 * worker and a pool of two, no server. With two, the worker running a generation shares its
 * per-candidate finishing (legalise, route, validate, polish) with the idle one. Prints per pool
 * size: wall time per request (p50, mean), CPU seconds of the workers per request, the finishing
 * units each worker did, and whether the candidates equal the one-worker pool's (timings left out);
 * then the 1 → 2 wall-time ratio. The load average is printed beside each, since the machine's
 * cores are shared.
 *
 * Run: npx tsx --conditions=@plantgan/source packages/server/bench/pool-finish.bench.ts [requests]
 * Exits non-zero when the two pools' candidates differ.
 */
import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";
import { pumpStationRequest } from "@plantgan/testing";
import { bundleModelFolder } from "../src/gan/bundle.js";
import { GenerationPool } from "../src/gan/generation-pool.js";
import { SHIPPED_MODEL_DIR } from "../src/seed.js";
import { percentile } from "./bench-server.js";
import { settlePoolWorkers } from "./pool-workers.js";
import { cpuSeconds, loadAverage } from "./process-cpu.js";

const requests = Number(process.argv[2] ?? 8);
const SEED_BASE = 2000;
const bundle = await bundleModelFolder(SHIPPED_MODEL_DIR);

/** Candidates as text without timings (the polish's lpMs, checkMs differ from run to run). */
const fingerprint = (candidates: unknown) =>
  createHash("sha256")
    .update(JSON.stringify(candidates, (key, value) => (key.endsWith("Ms") ? undefined : value)))
    .digest("hex");

interface Setup {
  readonly size: number;
  readonly pool: GenerationPool;
  readonly walls: number[];
  readonly prints: string[];
  readonly units: Map<number, number>;
  cpu: number;
}

const job = (seed: number) => ({
  request: pumpStationRequest(4, seed),
  weights: "shipped",
  loadBundle: async () => bundle,
});
const workerCpu = (pool: GenerationPool) => pool.workerPids().reduce((sum, pid) => sum + cpuSeconds(pid), 0);

async function runOn(setup: Setup, seed: number): Promise<void> {
  const cpu0 = workerCpu(setup.pool);
  const t0 = performance.now();
  const result = await setup.pool.run(job(seed));
  setup.walls.push(performance.now() - t0);
  setup.cpu += workerCpu(setup.pool) - cpu0;
  setup.prints.push(fingerprint(result.candidates));
  for (const [pid, n] of result.finishedBy) setup.units.set(pid, (setup.units.get(pid) ?? 0) + n);
}

/**
 * How many cores this run can use now: the same CPU loop on 1 thread, then on 2 at once; the
 * throughput ratio (2 when a second core is free, 1 when other work holds it) bounds the pool's.
 */
async function parallelCapacity(): Promise<number> {
  const loop =
    "let x = 0; for (let i = 0; i < 3e8; i++) x += i % 7; require('node:worker_threads').parentPort.postMessage(x);";
  const spin = async (threads: number) => {
    const t0 = performance.now();
    const runs = Array.from({ length: threads }, () => {
      const thread = new Worker(loop, { eval: true });
      return new Promise((resolve) => thread.once("message", resolve)).finally(() => thread.terminate());
    });
    await Promise.all(runs);
    return performance.now() - t0;
  };
  const one = await spin(1);
  return (2 * one) / (await spin(2));
}

console.log(
  `pool finishing bench: ${requests} sequential requests of 4 candidates (pump station), load ${loadAverage()}`,
);
console.log(
  `  cores usable now: 2 CPU loops at once ran ${(await parallelCapacity()).toFixed(2)}× one loop's throughput`,
);
// Both pools up at once, their requests alternating, so a change in the machine's load hits both alike.
const setups: Setup[] = [1, 2].map((size) => ({
  size,
  pool: new GenerationPool({ size, log: () => {}, shareFinishing: true }),
  walls: [],
  prints: [],
  units: new Map(),
  cpu: 0,
}));
try {
  for (const { pool, size } of setups) {
    await pool.whenReady(size, 120_000);
    // Model loaded and hot code compiled, then the workers' idle warm-up let finish.
    for (let i = 0; i < 3; i++) await pool.run(job(SEED_BASE - 1 - i));
  }
  await settlePoolWorkers();
  for (let i = 0; i < requests; i++) {
    const order = i % 2 === 0 ? setups : [...setups].reverse();
    for (const setup of order) await runOn(setup, SEED_BASE + i);
  }
} finally {
  await Promise.all(setups.map((s) => s.pool.close()));
}
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const s of setups) {
  const units = [...s.units.entries()].map(([pid, n]) => `${pid}: ${n}`).join(", ");
  console.log(
    `  ${s.size} worker${s.size > 1 ? "s" : " "}: wall p50 ${percentile(s.walls, 50).toFixed(0)} ms, mean ${mean(s.walls).toFixed(0)} ms; ` +
      `worker CPU ${(s.cpu / requests).toFixed(2)} s/request; finishing units by worker {${units}}`,
  );
}
const [one, two] = setups as [Setup, Setup];
const same = one.prints.every((p, i) => p === two.prints[i]);
console.log(
  `  1 → 2 workers: wall p50 ${(percentile(one.walls, 50) / percentile(two.walls, 50)).toFixed(2)}× faster, ` +
    `mean ${(mean(one.walls) / mean(two.walls)).toFixed(2)}×; candidates ${same ? "equal" : "DIFFER"}; load ${loadAverage()}`,
);
if (!same) process.exitCode = 1;
