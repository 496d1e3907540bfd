/**
 * Direct generation benchmark: POST /v1/generate answered directly (200 with the candidates), end to
 * end over loopback, on a real server with the shipped model, in three set-ups in one run:
 *
 *   cold   PLANTGAN_GENERATE_WORKERS=0: the job runner forks a worker process per job, which starts
 *          Node, TensorFlow.js and HiGHS and loads the model before it generates (the path before the pool)
 *   warm 1 the warm generation pool with one worker process (the default on a 2-core machine)
 *   warm 2 the pool with two worker processes
 *
 * and, first, the pipeline alone in the bench process with no server (as `plantgan eval` times it).
 * Every set-up gets the same requests (seeds). After its first requests (which start the pool) the
 * bench waits for the workers' idle warm-up to end, as on a server that has been up a while. Each prints:
 *   - latency: sequential requests for 1 candidate (seeds differ), p50 and p95 in ms;
 *   - throughput: requests for 4 candidates each (the direct maximum), as many at once as there are
 *     workers (the cold runner runs one job at a time), full-pipeline candidates per second
 *     (GAN → decode → legalise → route → control completion → polish → validate → rank, stored);
 *   - the load average before and after, since other work on the machine shares its cores.
 *
 * Run: npx tsx --conditions=@plantgan/source packages/server/bench/generate.bench.ts [latency requests] [throughput requests]
 * Exits non-zero when a request did not answer 200 with a succeeded job.
 */
import { rmSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { parseGenerationRequest } from "@plantgan/core/design";
import { selectBackend } from "@plantgan/core/gan";
import { generateCandidatesAsync } from "@plantgan/core/generate";
import { loadSolver } from "@plantgan/core/polish";
import { bundleModelFolder, loadBundledModel } from "../src/gan/bundle.js";
import { SHIPPED_MODEL_DIR } from "../src/seed.js";
import { percentile, pumpStationRequest, startBenchServer } from "./bench-server.js";
import { settlePoolWorkers } from "./pool-workers.js";

const latencyRequests = Number(process.argv[2] ?? 12);
const throughputRequests = Number(process.argv[3] ?? 6);

const request = (count: number, seed: number) => JSON.stringify(pumpStationRequest(count, seed));

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

interface SetupResult {
  readonly name: string;
  readonly first: number;
  readonly p50: number;
  readonly p95: number;
  readonly candidatesPerSecond: number;
  readonly loadBefore: string;
  readonly loadAfter: string;
}

let failed = false;

/** Every set-up gets the same requests (seeds), so their costs compare. */
const SEED_BASE = 1000;

/**
 * The pipeline alone in this process, no server (as `plantgan eval` times a candidate): the same
 * sequential requests and 4-candidate requests, one after another on one thread.
 */
async function inProcess(): Promise<SetupResult> {
  const loadBefore = load();
  const t0 = performance.now();
  await selectBackend({ log: () => {} });
  await loadSolver();
  const model = await loadBundledModel(await bundleModelFolder(SHIPPED_MODEL_DIR));
  const run = async (body: string) => {
    const parsed = parseGenerationRequest(JSON.parse(body));
    if (!parsed.success) throw new Error(parsed.issues[0]?.message);
    const t = performance.now();
    const candidates = await generateCandidatesAsync(parsed.data, { model }, async () => {});
    return { ms: performance.now() - t, candidates: candidates.length };
  };
  const first = (await run(request(1, SEED_BASE))).ms + (performance.now() - t0);
  // As many throwaway runs as a pool worker's idle warm-up, so both time compiled code.
  for (let i = 0; i < 6; i++) await run(request(1, SEED_BASE + 50 + i));
  const latencies: number[] = [];
  for (let i = 0; i < latencyRequests; i++) latencies.push((await run(request(1, SEED_BASE + 100 + i))).ms);
  let candidates = 0;
  const t1 = performance.now();
  for (let i = 0; i < throughputRequests; i++) candidates += (await run(request(4, SEED_BASE + 200 + i))).candidates;
  return {
    name: "in process, no server (eval's path)",
    first,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    candidatesPerSecond: candidates / ((performance.now() - t1) / 1000),
    loadBefore,
    loadAfter: load(),
  };
}

async function measure(name: string, workers: number, seedBase = SEED_BASE): Promise<SetupResult> {
  process.env.PLANTGAN_GENERATE_WORKERS = String(workers);
  const { server, dataDir } = await startBenchServer("plantgan-bench-generate-");
  try {
    const headers = { authorization: `Bearer ${server.firstRunKey}`, "content-type": "application/json" };
    const generate = async (body: string): Promise<{ ms: number; candidates: number }> => {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/v1/generate?model=default`, { method: "POST", headers, body });
      const text = await res.text();
      const ms = performance.now() - t0;
      const answer =
        res.status === 200 ? (JSON.parse(text) as { job: { status: string }; candidates: unknown[] }) : undefined;
      if (answer?.job.status !== "succeeded") {
        failed = true;
        console.error(`${name}: POST /v1/generate answered ${res.status}: ${text.slice(0, 500)}`);
      }
      return { ms, candidates: answer?.candidates.length ?? 0 };
    };
    const loadBefore = load();
    // The first request starts the pool (or, cold, the first worker): reported apart. Every worker
    // gets one, so each has the model loaded before anything is measured.
    const firsts = await Promise.all(
      Array.from({ length: Math.max(1, workers) }, (_, i) => generate(request(1, seedBase + i))),
    );
    // A server that has been up a while: its workers have warmed up while idle.
    await settlePoolWorkers();
    const latencies: number[] = [];
    for (let i = 0; i < latencyRequests; i++) latencies.push((await generate(request(1, seedBase + 100 + i))).ms);

    const streams = Math.max(1, workers);
    let next = 0;
    let candidates = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: streams }, async () => {
        while (next < throughputRequests) {
          const seed = seedBase + 200 + next++;
          candidates += (await generate(request(4, seed))).candidates;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    return {
      name,
      first: Math.max(...firsts.map((f) => f.ms)),
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      candidatesPerSecond: candidates / seconds,
      loadBefore,
      loadAfter: load(),
    };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const before = process.env.PLANTGAN_GENERATE_WORKERS;
try {
  const results = [
    await inProcess(),
    await measure("cold (runner, a forked worker per job)", 0),
    await measure("warm pool, 1 worker", 1),
    await measure("warm pool, 2 workers", 2),
  ];
  const cpu = cpus();
  console.log("");
  console.log(
    `Direct POST /v1/generate over loopback: ${latencyRequests} sequential requests for 1 candidate (latency), ` +
      `${throughputRequests} requests for 4 candidates (throughput), shipped model "default"`,
  );
  console.log(`machine: ${cpu.length} CPUs (${cpu[0]?.model.trim() ?? "unknown"}), Node ${process.version}`);
  console.log("");
  console.log(
    "set-up                                    first ms   p50 ms   p95 ms   candidates/s   load before → after",
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(40)}  ${r.first.toFixed(0).padStart(8)}  ${r.p50.toFixed(0).padStart(7)}  ${r.p95.toFixed(0).padStart(7)}  ${r.candidatesPerSecond.toFixed(2).padStart(13)}   ${r.loadBefore} → ${r.loadAfter}`,
    );
  }
  const [eval_, cold, warm1, warm2] = results as [SetupResult, SetupResult, SetupResult, SetupResult];
  console.log("");
  console.log(
    `p50 cold/warm(1 worker) ×${(cold.p50 / warm1.p50).toFixed(1)}; candidates/s warm(2)/in-process ×${(warm2.candidatesPerSecond / eval_.candidatesPerSecond).toFixed(2)}, warm(1)/in-process ×${(warm1.candidatesPerSecond / eval_.candidatesPerSecond).toFixed(2)};`,
  );
  console.log(
    `candidates/s warm(1)/cold ×${(warm1.candidatesPerSecond / cold.candidatesPerSecond).toFixed(2)}, warm(2)/cold ×${(warm2.candidatesPerSecond / cold.candidatesPerSecond).toFixed(2)}, warm(2)/warm(1) ×${(warm2.candidatesPerSecond / warm1.candidatesPerSecond).toFixed(2)}`,
  );
  if (failed) console.log("FAILED: a request did not answer 200 with a succeeded job");
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  if (before === undefined) delete process.env.PLANTGAN_GENERATE_WORKERS;
  else process.env.PLANTGAN_GENERATE_WORKERS = before;
}
process.exitCode = failed ? 1 : 0;
