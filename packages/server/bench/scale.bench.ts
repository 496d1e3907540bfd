/**
 * pnpm bench:scale — API and worker processes on one PostgreSQL database, as an operator runs
 * them: the built CLI's `plantgan serve --role api` and N × `plantgan serve --role worker`
 * (N = 1, 2, 4), on a throwaway cluster from Debian's PostgreSQL binaries (@plantgan/testing/postgres).
 * For each N, on a fresh database:
 *   - workspace "flood" queues --jobs generation jobs (one candidate each) at once, then workspace
 *     "other" queues one: generation jobs per minute over all of them, and the fairness (how long the
 *     other workspace's job waited to start, against one job's run time, and how many flood jobs
 *     started before it: at most N, those running when it was queued);
 *   - meanwhile an open-loop mixed load (--rate requests/s: health, the flood's job list, the other's
 *     validate, model and design list) times the API: p50 and p99;
 *   - each process's CPU over the phase (job worker processes count towards their server) and
 *     PostgreSQL's, with the load average.
 * Usage: pnpm build && pnpm bench:scale [--workers 1,2,4] [--jobs 8] [--rate 20]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { postgresMissing, type RunningPostgres, startPostgres } from "@plantgan/testing/postgres";
import { createApiKey, openStore } from "../src/index.js";
import { seedShippedModel } from "../src/seed.js";
import type { JobRecord } from "../src/store/store.js";
import { percentile, pumpStationRequest } from "./bench-server.js";
import { startMixedLoad, summariseLoad } from "./mixed-load.js";
import { cpuSeconds, loadAverage, postmasterPid, treeCpuSeconds } from "./process-cpu.js";
import { CLI_BIN, type ServeProcess, startServe } from "./serve-process.js";

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}
const WORKER_COUNTS = option("workers", "1,2,4").split(",").map(Number);
const FLOOD_JOBS = Number(option("jobs", "8"));
const RATE = Number(option("rate", "20"));
/** The heavy routes' default limit per key and minute: one more would be 429, not a queued job. */
const HEAVY_LIMIT = 30;

const SHIPPED_TRAIN = new URL("../../../datasets/synthetic-v1/train.ndjson.gz", import.meta.url);
const VALIDATE_BODY = JSON.stringify({
  design: JSON.parse(gunzipSync(readFileSync(SHIPPED_TRAIN)).toString("utf8").split("\n")[0]!),
});
const generation = (seed: number) => JSON.stringify(pumpStationRequest(1, seed));

interface PhaseResult {
  readonly workers: number;
  readonly line: string;
}

async function call(base: string, key: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...init.headers },
  });
}

async function queueGeneration(base: string, key: string, seed: number): Promise<string> {
  const response = await call(base, key, "/v1/generate?model=default", {
    method: "POST",
    headers: { prefer: "respond-async" },
    body: generation(seed),
  });
  if (response.status !== 202) throw new Error(`generate: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

async function waitForJobs(base: string, key: string, ids: readonly string[]): Promise<JobRecord[]> {
  for (;;) {
    const jobs = await Promise.all(
      ids.map(async (id) => (await (await call(base, key, `/v1/jobs/${id}`)).json()) as JobRecord),
    );
    if (jobs.every((j) => j.status === "succeeded" || j.status === "failed" || j.status === "cancelled")) return jobs;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const ms = (iso: string | undefined) => (iso === undefined ? Number.NaN : Date.parse(iso));

async function phase(cluster: RunningPostgres, workerCount: number): Promise<PhaseResult> {
  const url = cluster.newDatabase();
  const { store, blobs } = openStore({ kind: "postgres", url });
  const flood = await createApiKey(store, "flood");
  const other = await createApiKey(store, "other");
  for (const ws of [flood.workspace.id, other.workspace.id]) await seedShippedModel(store, blobs, ws);
  await store.close();

  const dataDir = mkdtempSync(join(tmpdir(), "plantgan-scale-"));
  // No warm generation pool in the API process: every generation is a queued job for the workers.
  const env = { PLANTGAN_DATABASE_URL: url, PLANTGAN_GENERATE_WORKERS: "0" };
  const processes: ServeProcess[] = [];
  try {
    const api = await startServe(["--role", "api", "--data", dataDir], env);
    processes.push(api);
    const workers = await Promise.all(
      Array.from({ length: workerCount }, () => startServe(["--role", "worker", "--data", dataDir], env)),
    );
    processes.push(...workers);
    const postgres = postmasterPid(Number(new URL(url).port));

    const cpuBefore = processes.map((p) => cpuSeconds(p.pid));
    const pgBefore = postgres === undefined ? Number.NaN : treeCpuSeconds(postgres);
    const loadBefore = loadAverage();
    const startedAt = performance.now();
    const load = startMixedLoad(
      api.url,
      [
        { name: "health", path: "/v1/health", key: other.key },
        { name: "flood jobs", path: "/v1/jobs?limit=20", key: flood.key },
        { name: "validate", path: "/v1/validate", key: other.key, body: VALIDATE_BODY },
        { name: "model", path: "/v1/models/default", key: other.key },
        { name: "designs", path: "/v1/designs?limit=20", key: other.key },
      ],
      RATE,
    );

    const floodIds: string[] = [];
    for (let i = 0; i < FLOOD_JOBS; i++) floodIds.push(await queueGeneration(api.url, flood.key, 100 + i));
    const otherId = await queueGeneration(api.url, other.key, 7);
    const [floodJobs, [otherJob]] = await Promise.all([
      waitForJobs(api.url, flood.key, floodIds),
      waitForJobs(api.url, other.key, [otherId]),
    ]);
    const times = await load.stop();
    const wallS = (performance.now() - startedAt) / 1000;
    const cpu = processes.map((p, i) => (cpuSeconds(p.pid) - cpuBefore[i]!) / wallS);
    const pgCpu = postgres === undefined ? Number.NaN : (treeCpuSeconds(postgres) - pgBefore) / wallS;
    const loadAfter = loadAverage();

    const jobs = [...floodJobs, otherJob!];
    const failed = jobs.filter((j) => j.status !== "succeeded").map((j) => `${j.id} ${j.status}: ${j.error ?? ""}`);
    const spanMs = Math.max(...jobs.map((j) => ms(j.finishedAt))) - Math.min(...jobs.map((j) => ms(j.createdAt)));
    const runs = jobs.map((j) => ms(j.finishedAt) - ms(j.startedAt));
    const otherWait = ms(otherJob!.startedAt) - ms(otherJob!.createdAt);
    const firstStart = ms(floodJobs[0]!.startedAt) - ms(floodJobs[0]!.createdAt);
    // Round robin over workspaces: the other workspace's job is claimed at the first free slot, so
    // at most `workerCount` flood jobs start before it (those already running when it was queued).
    const startOrder = [...jobs].sort((a, b) => ms(a.startedAt) - ms(b.startedAt));
    const floodBefore = startOrder.findIndex((j) => j.id === otherJob!.id);
    const cpuText = [
      `api ${(cpu[0]! * 100).toFixed(0)}%`,
      ...cpu.slice(1).map((c, i) => `worker ${i + 1} ${(c * 100).toFixed(0)}%`),
      `postgres ${(pgCpu * 100).toFixed(0)}%`,
    ].join(", ");
    const line = [
      `${workerCount} worker(s): ${jobs.length} generation jobs in ${(spanMs / 1000).toFixed(1)} s = ` +
        `${((jobs.length / spanMs) * 60_000).toFixed(1)} jobs/min; a job runs p50 ${(percentile(runs, 50) / 1000).toFixed(1)} s` +
        `${failed.length ? `; NOT SUCCEEDED: ${failed.join("; ")}` : ""}`,
      `  fairness: the other workspace's job waited ${(otherWait / 1000).toFixed(1)} s to start behind ${FLOOD_JOBS} flood jobs ` +
        `(${(otherWait / percentile(runs, 50)).toFixed(2)} × a job's p50 run); ${floodBefore} flood jobs started before it ` +
        `(at most ${workerCount} when fair); the first flood job's queue-to-start ${firstStart} ms`,
      `  API under ${RATE} req/s mixed load: ${summariseLoad(times)}`,
      `  CPU (share of one core over ${wallS.toFixed(0)} s, job processes counted to their server): ${cpuText}`,
      `  load average ${loadBefore} → ${loadAfter}`,
    ].join("\n");
    return { workers: workerCount, line };
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: run pnpm build first`);
  if (FLOOD_JOBS + 1 > HEAVY_LIMIT) throw new Error(`--jobs at most ${HEAVY_LIMIT - 1} (the heavy routes' rate limit)`);
  const missing = postgresMissing();
  if (missing) throw new Error(`bench:scale needs PostgreSQL: ${missing}`);
  const cluster = await startPostgres();
  console.log(
    `bench:scale: 1 api process, ${WORKER_COUNTS.join("/")} worker processes (--concurrency 1 each) on PostgreSQL; ` +
      `${FLOOD_JOBS} flood jobs + 1, ${RATE} req/s; load average at start ${loadAverage()}`,
  );
  try {
    for (const count of WORKER_COUNTS) console.log((await phase(cluster, count)).line);
  } finally {
    cluster.stop();
  }
}

await main();
