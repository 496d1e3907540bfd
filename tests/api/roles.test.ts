import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { createApiKey, openStore } from "@plantgan/server";
import { describeWithPostgres, type RunningPostgres, startPostgres } from "@plantgan/testing/postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDesign, ndjson } from "./designs.js";
import { readSse, type SseEvent, waitFor } from "./harness.js";

/**
 * Scale-out on one PostgreSQL database, as an operator runs it: the built `plantgan serve` in three
 * processes, one `--role api` and two `--role worker`, on 127.0.0.1. Jobs submitted through the API
 * are shared by both workers; a worker SIGKILLed mid-training loses its job to the other, which
 * resumes it from the last epoch's checkpoint, every epoch reported once.
 */

const BIN = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url));
const SHIPPED_TRAIN = new URL("../../datasets/synthetic-v1/train.ndjson.gz", import.meta.url);
/**
 * Seconds a dead worker's job waits before the other takes it: short, so the takeover shows within
 * the test, yet several of the runner's renewals long, so a loaded machine does not lose a live lease.
 */
const LEASE_S = 8;

interface Process {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything it wrote to stderr so far (for failure messages). */
  readonly log: () => string;
}

interface JobView {
  status: string;
  attempts: number;
  progress: { done: number; total: number };
  result?: Record<string, unknown>;
}

describeWithPostgres("serve --role api and --role worker on one PostgreSQL database", () => {
  let cluster: RunningPostgres;
  let databaseUrl: string;
  let dataDir: string;
  let key: string;
  const processes: ChildProcess[] = [];
  let api: Process;
  let workers: { process: Process; id: string }[];

  /** `plantgan serve <args>` on the shared database; resolves once it prints its URL. */
  async function serve(args: readonly string[], urlPattern: RegExp): Promise<Process> {
    const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--data", dataDir, ...args], {
      env: { ...process.env, PLANTGAN_DATABASE_URL: databaseUrl, PLANTGAN_GENERATE_WORKERS: "0", NO_COLOR: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    processes.push(child);
    let stderr = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        const found = urlPattern.exec(stderr);
        if (found) resolve(found[1]!);
      });
      child.once("exit", (code) => reject(new Error(`plantgan serve ${args.join(" ")} exited (${code}): ${stderr}`)));
    });
    return { child, url, log: () => stderr };
  }

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${api.url}${path}`, { ...init, headers: { ...(init.headers as object), authorization: `Bearer ${key}` } });
  const post = (path: string, body: string, type = "application/json") =>
    call(path, { method: "POST", headers: { "content-type": type }, body });
  const job = async (id: string) => (await (await call(`/v1/jobs/${id}`)).json()) as JobView;
  const ended = (id: string, timeoutMs: number) =>
    waitFor(
      async () => {
        const j = await job(id);
        return ["succeeded", "failed", "cancelled"].includes(j.status) ? j : undefined;
      },
      timeoutMs,
      200,
    );
  const events = (id: string): Promise<SseEvent[]> => readSse(`${api.url}/v1/jobs/${id}/events`, key);
  /** Which worker each attempt ran on, in order (the "started" events). */
  const attemptWorkers = (list: readonly SseEvent[]) =>
    list.filter((e) => e.event === "started").map((e) => String(e.data.worker));

  beforeAll(async () => {
    cluster = await startPostgres();
    databaseUrl = cluster.newDatabase();
    dataDir = mkdtempSync(join(tmpdir(), "plantgan-roles-"));
    // A key made beforehand (this also migrates the new database): the API starts on a database
    // that has a workspace, so it seeds nothing.
    const { store } = openStore({ kind: "postgres", url: databaseUrl });
    try {
      key = (await createApiKey(store, "roles")).key;
    } finally {
      await store.close();
    }
    const lease = ["--lease", String(LEASE_S)];
    api = await serve(["--role", "api", ...lease], /PlantGAN API on (http:\/\/\S+)\/v1/);
    const started = await Promise.all(
      [0, 1].map(() => serve(["--role", "worker", ...lease], /health at (http:\/\/\S+)\/health/)),
    );
    workers = await Promise.all(
      started.map(async (p) => {
        const health = (await (await fetch(`${p.url}/health`)).json()) as { role: string; worker: string };
        expect(health.role).toBe("worker");
        return { process: p, id: health.worker };
      }),
    );
    expect(new Set(workers.map((w) => w.id)).size).toBe(2);
  }, 120_000);

  afterAll(async () => {
    for (const child of processes) child.kill("SIGKILL");
    cluster?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("the api process runs no job itself: a worker's health answers, its API does not", async () => {
    expect((await fetch(`${api.url}/v1/health`)).status).toBe(200);
    expect(api.log()).toMatch(/Role api: jobs are queued here/);
    const other = await fetch(`${workers[0]!.process.url}/v1/designs`);
    expect(other.status).toBe(404);
  });

  it("shares the jobs submitted through the API between both workers", async () => {
    const jobs = 6;
    const ids: string[] = [];
    for (let j = 0; j < jobs; j++) {
      const body = ndjson(Array.from({ length: 150 }, (_, i) => makeDesign(`job${j}-${i}`, i)));
      const response = await post("/v1/imports?batchSize=5", body, "application/x-ndjson");
      expect(response.status).toBe(202);
      ids.push(((await response.json()) as { id: string }).id);
    }
    const finishedBy = new Map<string, string>();
    for (const id of ids) {
      expect(await ended(id, 120_000)).toMatchObject({ status: "succeeded", result: { accepted: 150, refused: 0 } });
      finishedBy.set(id, attemptWorkers(await events(id)).at(-1)!);
    }
    // Every job ran on one of the two workers, and each worker finished some.
    expect(new Set(finishedBy.values())).toEqual(new Set(workers.map((w) => w.id)));
    // Each design stored once, in the one database both workers wrote to.
    const { store } = openStore({ kind: "postgres", url: databaseUrl });
    try {
      expect((await store.counts()).designs).toBe(jobs * 150);
    } finally {
      await store.close();
    }
  }, 240_000);

  it("moves a training whose worker is SIGKILLed to the other worker, resuming from its last epoch", async () => {
    const epochs = 4;
    expect((await post("/v1/datasets", JSON.stringify({ id: "plants", name: "plants" }))).status).toBe(201);
    const designs = gunzipSync(readFileSync(SHIPPED_TRAIN)).toString("utf8").split("\n").slice(0, 16).join("\n");
    expect((await post("/v1/designs?dataset=plants", designs, "application/x-ndjson")).status).toBe(201);
    const settings = { size: "tiny", epochs, topologyEpochs: 0, batchSize: 8, previews: 1 };
    const started = await post("/v1/models", JSON.stringify({ id: "survivor", datasetId: "plants", settings }));
    expect(started.status).toBe(202);
    const jobId = ((await started.json()) as { id: string }).id;

    const atKill = await waitFor(
      async () => {
        const j = await job(jobId);
        return j.progress.done >= 1 ? j : undefined;
      },
      180_000,
      20,
    );
    // The attempt running now is the first: its "started" event names the worker to kill.
    const first = attemptWorkers(
      await readSse(`${api.url}/v1/jobs/${jobId}/events`, key, { until: (e) => e.event === "started" }),
    );
    const victim = workers.find((w) => w.id === first.at(-1))!;
    const survivor = workers.find((w) => w !== victim)!;
    victim.process.child.kill("SIGKILL");
    expect(atKill).toMatchObject({ status: "running", attempts: 1 });
    expect(atKill.progress.done).toBeLessThan(epochs);

    const end = await ended(jobId, 240_000);
    expect(end, survivor.process.log()).toMatchObject({ status: "succeeded", attempts: 2, result: { epochs } });
    const log = await events(jobId);
    // The first attempt on the killed worker, the second on the other.
    expect(attemptWorkers(log)).toEqual([victim.id, survivor.id]);
    const requeued = log.findIndex((e) => e.event === "requeued");
    expect(requeued).toBeGreaterThan(0);
    expect(String(log[requeued]!.data.reason)).toMatch(/lease expired/);
    const epochOf = (list: readonly SseEvent[]) =>
      list.filter((e) => e.event === "metrics").map((e) => Number(e.data.epoch));
    // No epoch lost or doubled over both attempts...
    expect(epochOf(log)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
    // ...and the second attempt began after the checkpoint of the first, not from epoch 1.
    const before = epochOf(log.slice(0, requeued));
    const after = epochOf(log.slice(requeued));
    expect(before.length).toBeGreaterThanOrEqual(1);
    expect(after[0]).toBe(before.at(-1)! + 1);
    const model = (await (await call("/v1/models/survivor")).json()) as { status: string; card: { epochs: number } };
    expect(model).toMatchObject({ status: "ready", card: { epochs } });
  }, 420_000);

  // Runs after the kill above: the dataset is there and one worker is left.
  it("cancels, through the api process, a training that runs in a worker process", async () => {
    const settings = { size: "tiny", epochs: 50, topologyEpochs: 0, batchSize: 8, previews: 1 };
    const started = await post("/v1/models", JSON.stringify({ id: "stopped", datasetId: "plants", settings }));
    expect(started.status).toBe(202);
    const jobId = ((await started.json()) as { id: string }).id;
    await waitFor(async () => ((await job(jobId)).progress.done >= 1 ? true : undefined), 180_000, 50);
    const cancel = await call(`/v1/jobs/${jobId}/cancel`, { method: "POST" });
    expect(cancel.status).toBe(202);
    const end = await ended(jobId, 60_000);
    expect(end.status).toBe("cancelled");
    const model = (await (await call("/v1/models/stopped")).json()) as { status: string; card: { epochs: number } };
    expect(model.status).toBe("ready");
    expect(model.card.epochs).toBeGreaterThanOrEqual(1);
    expect(model.card.epochs).toBeLessThan(50);
    // The worker that ran it is free again.
    const alive = workers.filter((w) => w.process.child.exitCode === null && w.process.child.signalCode === null);
    expect(alive).toHaveLength(1);
    await waitFor(async () => {
      const health = (await (await fetch(`${alive[0]!.process.url}/health`)).json()) as { running: number };
      return health.running === 0 ? true : undefined;
    }, 30_000);
  }, 300_000);
});

describe("serve --role", () => {
  it("refuses a role it does not know, naming the flag and the roles (exit 2)", () => {
    const run = spawnSync(process.execPath, [BIN, "serve", "--role", "scheduler", "--port", "0"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--role scheduler: expected one of api, worker, all/);
  });
});
