/**
 * API benchmark: a real server on 127.0.0.1 (port 0, a temporary data folder, the shipped model
 * seeded as "default", as on a first run), loaded with autocannon over loopback.
 *
 *   POST /v1/validate   a shipped example design (datasets/examples), the default rule pack
 *   POST /v1/generate   count 1 with the shipped model and `Prefer: respond-async`: answers 202
 *                       with a queued job, so this measures the request that creates the job
 *                       (schema checks, model lookup, request checks, the job row), not the
 *                       generation itself
 *
 * A small generate is answered directly: its job runs in the warm generation pool (worker
 * processes with the model loaded, gan/generation-pool.ts), so the whole turnaround is measured
 * apart: sequential direct requests, p50/p95 after the first (which starts the pool; its workers
 * then warm up while idle, waited for as on a server that has been up a while). Those run
 * first; the job runner is then stopped so that the thousands of jobs queued by the throughput
 * run wait in the queue instead of competing for the CPU with the server being measured.
 * bench/generate.bench.ts compares direct generation with the cold path and times candidates/s.
 *
 * The per-key rate limits (config.ts: 300/min upload, 30/min heavy) are raised far above what
 * the run can send, so the figures are throughput rather than 429s; the limiter stays in the
 * request path. autocannon runs in a worker thread so it does not share the server's event loop.
 *
 * Run: pnpm bench:api                 (root script)
 *  or: npx tsx --conditions=@plantgan/source packages/server/bench/api.bench.ts [seconds] [connections] [jobs]
 *
 * Exits non-zero when any route answered 5xx, or a measured job did not succeed.
 */
import { readFileSync, rmSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import autocannon from "autocannon";
import { BENCH_RATE, percentile, pumpStationRequest, startBenchServer } from "./bench-server.js";
import { settlePoolWorkers } from "./pool-workers.js";

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 10);
const sequentialJobs = Number(process.argv[4] ?? 12);
const DESIGN_FILE = "pump-station.json";

const design = JSON.parse(
  readFileSync(new URL(`../../../datasets/examples/${DESIGN_FILE}`, import.meta.url), "utf8"),
) as unknown;
const validateBody = JSON.stringify({ design });
const generateBody = JSON.stringify(pumpStationRequest(1, 11));

interface JobTiming {
  readonly status: string;
  /** POST until the 202, ms. */
  readonly post: number;
  /** POST until the job was seen finished (polled every 50 ms), ms. */
  readonly total: number;
  /** createdAt → startedAt, and startedAt → finishedAt from the job record, ms. */
  readonly queued: number;
  readonly run: number;
}

interface RouteRow {
  readonly route: string;
  readonly result: autocannon.Result;
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? Number.NaN : s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const { server, dataDir } = await startBenchServer("plantgan-bench-api-");
let failed = false;
try {
  const key = server.firstRunKey;
  if (!key) throw new Error("the fresh data folder gave no first-run key");
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const api = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, { ...init, headers });

  // Sanity and warm-up: both routes answer as expected before anything is measured.
  for (let i = 0; i < 20; i++) {
    const res = await api("/v1/validate", { method: "POST", body: validateBody });
    if (res.status !== 200) throw new Error(`POST /v1/validate answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  }

  // A small request answers its candidates directly: sequential, the runner as configured by default.
  const jobs: JobTiming[] = [];
  for (let i = 0; i < sequentialJobs; i++) {
    const t0 = performance.now();
    const res = await api("/v1/generate?model=default", { method: "POST", body: generateBody });
    const total = performance.now() - t0;
    // The first request starts the pool; then its workers warm up while idle, as on a server up a while.
    if (i === 0) await settlePoolWorkers();
    if (res.status !== 200) throw new Error(`POST /v1/generate answered ${res.status}: ${await res.text()}`);
    const { job } = (await res.json()) as {
      job: { status: string; createdAt: string; startedAt?: string; finishedAt?: string; error?: string };
    };
    const at = (iso?: string) => (iso ? Date.parse(iso) : Number.NaN);
    jobs.push({
      status: job.error ? `${job.status} (${job.error})` : job.status,
      post: total,
      total,
      queued: at(job.startedAt) - at(job.createdAt),
      run: at(job.finishedAt) - at(job.startedAt),
    });
  }
  // From here on jobs only queue: the throughput run measures the server, not a worker beside it.
  await server.app.jobs.stop();

  const load = (route: string, body: string, extra: Record<string, string> = {}) =>
    autocannon({
      url: `${server.url}${route}`,
      method: "POST",
      headers: { ...headers, ...extra },
      body,
      connections,
      duration: seconds,
      workers: 1,
    });
  const rows: RouteRow[] = [];
  rows.push({ route: "POST /v1/validate", result: await load("/v1/validate", validateBody) });
  // Asynchronous requests (202 with the job): what the API itself costs per generation request.
  rows.push({
    route: "POST /v1/generate (202)",
    result: await load("/v1/generate?model=default", generateBody, { prefer: "respond-async" }),
  });

  const cpu = cpus();
  console.log(
    `PlantGAN API over loopback: autocannon ${seconds} s per route, ${connections} connections, 1 worker thread`,
  );
  console.log(
    `machine: ${cpu.length} CPUs (${cpu[0]?.model.trim() ?? "unknown"}), Node ${process.version}, load average at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  console.log(
    `server: in-process, source via tsx, SQLite in a temporary folder; rate limits raised to ${BENCH_RATE.upload}/min ` +
      "(upload and heavy tiers; defaults 300 and 30) so the run measures throughput, not 429s",
  );
  console.log(`validate body: datasets/examples/${DESIGN_FILE} (${(validateBody.length / 1024).toFixed(1)} KiB)`);
  console.log("");
  console.log("route                       req/s mean   p50 ms   p99 ms   requests    non-2xx   5xx   errors");
  for (const { route, result: r } of rows) {
    console.log(
      `${route.padEnd(26)}  ${fmt(r.requests.mean).padStart(11)}  ${fmt(r.latency.p50).padStart(7)}  ${fmt(r.latency.p99).padStart(7)}  ${String(r["2xx"] + r.non2xx).padStart(9)}  ${String(r.non2xx).padStart(9)}  ${String(r["5xx"]).padStart(4)}  ${String(r.errors).padStart(7)}`,
    );
    if (r["5xx"] > 0) failed = true;
  }
  console.log("");
  console.log(
    `generate answered directly (200 with the candidate), ${jobs.length} sequential requests (count 1, model "default"; the warm generation pool, ${process.env.PLANTGAN_GENERATE_WORKERS ?? "default"} workers; the first request starts it):`,
  );
  console.log("  #   POST ms   queued ms   run ms   total ms   status");
  jobs.forEach((j, i) => {
    console.log(
      `  ${String(i + 1).padStart(2)}  ${fmt(j.post).padStart(7)}  ${fmt(j.queued, 0).padStart(9)}  ${fmt(j.run, 0).padStart(7)}  ${fmt(j.total, 0).padStart(8)}   ${j.status}`,
    );
    if (j.status !== "succeeded") failed = true;
  });
  console.log(
    `  median total ${fmt(median(jobs.map((j) => j.total)), 0)} ms (queued: created → started; run: started → finished)`,
  );
  // The first request starts the pool's workers; after it, what a client waits for a warm answer.
  const warm = jobs.slice(1).map((j) => j.total);
  console.log(
    `  warm (after the first): p50 ${fmt(percentile(warm, 50), 0)} ms, p95 ${fmt(percentile(warm, 95), 0)} ms; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  if (failed) console.log("FAILED: a route answered 5xx or a job did not succeed");
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
