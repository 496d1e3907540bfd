import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { makeDesign, ndjson } from "./designs.js";
import {
  readSse,
  startTestServer,
  TEST_JOBS,
  type TestServer,
  TRAINING_JOBS,
  testServerEnv,
  waitFor,
} from "./harness.js";

/**
 * Jobs survive crashes: a worker killed mid-import is requeued and resumes from its checkpoint;
 * a server killed mid-import (or mid-training) leaves a job whose lease expires, and the next
 * server resumes it.
 * Either way every design is stored exactly once and no row is half written.
 */

const RECORDS = 600;
/** The lease in the busy-worker test: 16 heartbeats, so a loaded machine's late renewals still land in time. */
const BUSY_WORKER_LEASE_MS = 4000;
const batch = () => ndjson(Array.from({ length: RECORDS }, (_, i) => makeDesign(`bulk-${i}`, i)));

interface JobView {
  status: string;
  attempts: number;
  progress: { done: number; total: number };
  result?: { accepted: number; refused: number };
}

async function expectWholeImport(s: TestServer, key: string, jobId: string, attempts = 2): Promise<void> {
  const job = await waitFor(async () => {
    const j = (await (await s.api(`/v1/jobs/${jobId}`, { key })).json()) as JobView;
    return j.status === "succeeded" || j.status === "failed" ? j : undefined;
  }, 40_000);
  expect(job).toMatchObject({ status: "succeeded", attempts, result: { accepted: RECORDS, refused: 0 } });
  // Exactly once: every id present, none twice (ids are unique per workspace), all in the dataset.
  const stats = (await (await s.api("/v1/datasets/bulk/stats", { key })).json()) as {
    designs: number;
    equipment: { total: number };
  };
  expect(stats.designs).toBe(RECORDS);
  expect(stats.equipment.total).toBe(RECORDS * 2);
  const counts = await s.app.store.counts();
  expect(counts.designs).toBe(RECORDS);
  expect(counts.dataset_designs).toBe(RECORDS);
  const events = await readSse(`${s.url}/v1/jobs/${jobId}/events`, key);
  const requeued = events.find((e) => e.event === "requeued");
  expect(requeued?.data.reason).toBeTruthy();
  // The resumed attempt's progress continues where the checkpoint was, never back at 0.
  const afterResume = events.slice(events.indexOf(requeued!)).filter((e) => e.event === "progress");
  expect(Number(afterResume[0]?.data.done)).toBeGreaterThan(0);
  expect(events.at(-1)?.event).toBe("finished");
}

async function startImport(s: TestServer, key: string): Promise<string> {
  await s.api("/v1/datasets", {
    key,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id: "bulk", name: "bulk" }),
  });
  const response = await s.api("/v1/imports?batchSize=5&dataset=bulk", {
    key,
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: batch(),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

describe("jobs across crashes", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it("requeues and resumes an import whose worker process is killed", async () => {
    const s = await startTestServer();
    cleanup.push(() => s.close());
    const jobId = await startImport(s, s.keyA);
    const { workspaceId } = (await (await s.api("/v1/me")).json()) as { workspaceId: string };
    const atKill = await waitFor(
      async () => {
        const job = await s.app.store.getJob(workspaceId, jobId);
        return job && job.progress.done >= 50 ? job : undefined;
      },
      30_000,
      10,
    );
    const worker = s.app.jobs.workerOf(jobId);
    expect(worker?.pid).toBeTruthy();
    worker!.kill("SIGKILL");
    expect(atKill.status).toBe("running");
    expect(atKill.progress.done).toBeLessThan(RECORDS);
    await expectWholeImport(s, s.keyA, jobId);
  });

  // A worker deep in synchronous compute runs no timers, so it cannot renew its own lease; a frozen
  // process (SIGSTOP) is the extreme of that. Its runner renews for it: the job is not taken away.
  it("keeps the job of a worker that is alive but too busy to renew its lease", async () => {
    // The runner renews from this test's own (busy) process: a lease of a few heartbeats' slack
    // would expire on a loaded CI machine (seen once on PostgreSQL with the 1.5 s lease).
    const jobs = { ...TEST_JOBS, leaseMs: BUSY_WORKER_LEASE_MS };
    const s = await startTestServer({ jobs });
    cleanup.push(() => s.close());
    const jobId = await startImport(s, s.keyA);
    const { workspaceId } = (await (await s.api("/v1/me")).json()) as { workspaceId: string };
    await waitFor(
      async () => {
        const job = await s.app.store.getJob(workspaceId, jobId);
        return job && job.progress.done >= 10 ? job : undefined;
      },
      30_000,
      10,
    );
    const worker = s.app.jobs.workerOf(jobId)!;
    worker.kill("SIGSTOP");
    await new Promise((r) => setTimeout(r, 3 * jobs.leaseMs));
    const frozen = await s.app.store.getJob(workspaceId, jobId);
    worker.kill("SIGCONT");
    expect(frozen?.status).toBe("running");
    expect(frozen?.attempts).toBe(1);
    expect(s.app.jobs.workerOf(jobId)?.pid).toBe(worker.pid);
    const job = await waitFor(async () => {
      const j = (await (await s.api(`/v1/jobs/${jobId}`)).json()) as JobView;
      return j.status === "succeeded" || j.status === "failed" ? j : undefined;
    }, 40_000);
    // One attempt, never requeued: the same worker finished what it started.
    expect(job).toMatchObject({ status: "succeeded", attempts: 1, result: { accepted: RECORDS, refused: 0 } });
    const events = await readSse(`${s.url}/v1/jobs/${jobId}/events`, s.keyA);
    expect(events.some((e) => e.event === "requeued")).toBe(false);
  });

  // The runner renews for a silent worker only up to its stall limit: past it the worker counts as
  // hung, its lease expires, it is killed and the job resumes from its checkpoint in a new worker.
  it("takes the job from a worker silent past the stall limit and resumes it elsewhere", async () => {
    const s = await startTestServer({ jobs: { ...TEST_JOBS, stallMs: 2 * TEST_JOBS.leaseMs } });
    cleanup.push(() => s.close());
    const jobId = await startImport(s, s.keyA);
    const { workspaceId } = (await (await s.api("/v1/me")).json()) as { workspaceId: string };
    await waitFor(
      async () => {
        const job = await s.app.store.getJob(workspaceId, jobId);
        return job && job.progress.done >= 10 ? job : undefined;
      },
      30_000,
      10,
    );
    const worker = s.app.jobs.workerOf(jobId)!;
    worker.kill("SIGSTOP");
    await expectWholeImport(s, s.keyA, jobId);
    expect(worker.exitCode !== null || worker.signalCode !== null).toBe(true);
  });

  /** A server in its own process (crash-server.ts) on `dataDir`, to be SIGKILLed. */
  async function spawnServer(dataDir: string, leaseMs: number = TEST_JOBS.leaseMs) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const child: ChildProcess = spawn(
      process.execPath,
      [
        "--import",
        tsx,
        "--conditions=@plantgan/source",
        fileURLToPath(new URL("./crash-server.ts", import.meta.url)),
        dataDir,
        String(leaseMs),
      ],
      { stdio: ["ignore", "pipe", "inherit"], env: await testServerEnv(dataDir) },
    );
    cleanup.push(() => {
      child.kill("SIGKILL");
    });
    const { url, key } = await new Promise<{ url: string; key: string }>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("\n")) resolve(JSON.parse(out.split("\n")[0]!) as { url: string; key: string });
      });
      child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
    });
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${url}${path}`, { ...init, headers: { ...(init.headers as object), authorization: `Bearer ${key}` } });
    const kill = async () => {
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
    };
    return { key, api, kill };
  }

  it("resumes an import after the whole server process is killed", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "plantgan-crash-"));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const { key, api, kill } = await spawnServer(dataDir);
    const remote = { api };
    await remote.api("/v1/datasets", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "bulk", name: "bulk" }),
    });
    const response = await remote.api("/v1/imports?batchSize=5&dataset=bulk", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: batch(),
    });
    const jobId = ((await response.json()) as { id: string }).id;
    const atKill = await waitFor(
      async () => {
        const job = (await (await remote.api(`/v1/jobs/${jobId}`)).json()) as JobView;
        return job.progress.done >= 50 ? job : undefined;
      },
      30_000,
      10,
    );
    expect(atKill.status).toBe("running");
    expect(atKill.progress.done).toBeLessThan(RECORDS);
    await kill();

    // A new server on the same data: the job's lease expires, it is requeued and finishes.
    const s = await startTestServer({ dataDir });
    cleanup.push(() => s.close({ keepData: true }));
    await expectWholeImport(s, key, jobId);
  });

  it("resumes a training after the whole server process is killed, with no epoch lost or doubled", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "plantgan-crash-"));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // Training holds the CPU for longer stretches than an import: a lease that tolerates a loaded machine.
    const { key, api, kill } = await spawnServer(dataDir, TRAINING_JOBS.leaseMs);
    const post = (path: string, body: unknown, type = "application/json") =>
      api(path, {
        method: "POST",
        headers: { "content-type": type },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
    await post("/v1/datasets", { id: "plants", name: "plants" });
    const designs = gunzipSync(readFileSync(new URL("../../datasets/synthetic-v1/train.ndjson.gz", import.meta.url)))
      .toString("utf8")
      .split("\n")
      .slice(0, 16)
      .join("\n");
    expect((await post("/v1/designs?dataset=plants", designs, "application/x-ndjson")).status).toBe(201);
    const settings = { size: "tiny", epochs: 4, topologyEpochs: 0, batchSize: 8, previews: 1 };
    const started = await post("/v1/models", { id: "survivor", datasetId: "plants", settings });
    expect(started.status).toBe(202);
    const jobId = ((await started.json()) as { id: string }).id;
    const atKill = await waitFor(
      async () => {
        const job = (await (await api(`/v1/jobs/${jobId}`)).json()) as JobView;
        return job.progress.done >= 1 ? job : undefined;
      },
      120_000,
      10,
    );
    expect(atKill.status).toBe("running");
    await kill();

    const s = await startTestServer({ dataDir, jobs: TRAINING_JOBS });
    cleanup.push(() => s.close({ keepData: true }));
    const end = await waitFor(async () => {
      const j = (await (await s.api(`/v1/jobs/${jobId}`, { key })).json()) as JobView;
      return j.status === "succeeded" || j.status === "failed" ? j : undefined;
    }, 120_000);
    expect(end).toMatchObject({ status: "succeeded", attempts: 2, result: { epochs: 4 } });
    const events = await readSse(`${s.url}/v1/jobs/${jobId}/events`, key);
    expect(events.some((e) => e.event === "requeued")).toBe(true);
    expect(events.filter((e) => e.event === "metrics").map((e) => e.data.epoch)).toEqual([1, 2, 3, 4]);
    const model = (await (await s.api("/v1/models/survivor", { key })).json()) as {
      status: string;
      card: { epochs: number };
    };
    expect(model).toMatchObject({ status: "ready", card: { epochs: 4 } });
    expect((await s.app.store.counts()).models).toBe(1);
  });

  it("gives a running job back to the queue on a graceful stop; the next start finishes it", async () => {
    const first = await startTestServer();
    const jobId = await startImport(first, first.keyA);
    const { workspaceId } = (await (await first.api("/v1/me")).json()) as { workspaceId: string };
    await waitFor(
      async () => ((await first.app.store.getJob(workspaceId, jobId))!.progress.done >= 50 ? true : undefined),
      30_000,
      10,
    );
    await first.close({ keepData: true });
    const s = await startTestServer({ dataDir: first.dataDir });
    cleanup.push(() => s.close());
    // The shutdown did not use up an attempt.
    await expectWholeImport(s, first.keyA, jobId, 1);
  });

  it("cancels a running import at a step boundary, keeping what it committed", async () => {
    const s = await startTestServer();
    cleanup.push(() => s.close());
    const jobId = await startImport(s, s.keyA);
    const { workspaceId } = (await (await s.api("/v1/me")).json()) as { workspaceId: string };
    await waitFor(
      async () => ((await s.app.store.getJob(workspaceId, jobId))!.progress.done >= 25 ? true : undefined),
      30_000,
      10,
    );
    const cancel = await s.api(`/v1/jobs/${jobId}/cancel`, { method: "POST" });
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toMatchObject({ status: "running", cancelRequested: true });
    const events = await readSse(`${s.url}/v1/jobs/${jobId}/events`, s.keyA);
    expect(events.at(-1)?.event).toBe("cancelled");
    const job = (await (await s.api(`/v1/jobs/${jobId}`)).json()) as JobView;
    expect(job.status).toBe("cancelled");
    expect(job.result?.accepted).toBeLessThan(RECORDS);
    // Committed steps stay, whole: as many designs as the result says, all in the dataset.
    const counts = await s.app.store.counts();
    expect(counts.designs).toBe(job.result?.accepted);
    expect(counts.dataset_designs).toBe(job.result?.accepted);
  });

  it("fails a job that cannot resume, with the reason, when its lease expires", async () => {
    const s = await startTestServer({ jobs: { start: false, leaseMs: 1500 } });
    cleanup.push(() => s.close());
    const { workspaceId } = (await (await s.api("/v1/me")).json()) as { workspaceId: string };
    await s.app.store.createJob(workspaceId, { id: "job-gen1", kind: "generate", payload: {}, maxAttempts: 1 });
    // Claimed by a "server" that then died: its lease is already over.
    await s.app.store.claimNextJob(-1);
    await s.app.jobs.tick();
    const job = (await (await s.api("/v1/jobs/job-gen1")).json()) as { status: string; error: string };
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/lease expired/);
    const events = await readSse(`${s.url}/v1/jobs/job-gen1/events`, s.keyA);
    expect(events.map((e) => e.event)).toEqual(["queued", "started", "failed"]);
  });
});
