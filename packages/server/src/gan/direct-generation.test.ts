import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pumpStationRequest } from "@plantgan/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SHIPPED_MODEL_DIR } from "../seed.js";
import { openStore } from "../store/open.js";
import type { Store } from "../store/store.js";
import { bundleModelFolder } from "./bundle.js";
import { runDirectGeneration } from "./direct-generation.js";
import { GenerationPool, generationPoolSize } from "./generation-pool.js";

/**
 * The direct path against a real SQLite store: its claim on its job (Store.claimJob) takes only
 * the named job, only while queued, and a job a runner claimed first is left to that runner; on a
 * pool of two real workers it stores the candidates and logs how the finishing was shared. The
 * whole path with a warm worker behind the API is tests/api/generate-pool.test.ts.
 */
describe("direct generation on a real store", () => {
  let dir: string;
  let opened: ReturnType<typeof openStore>;
  let store: Store;
  let ws: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "plantgan-direct-"));
    opened = openStore({ kind: "sqlite", dataDir: dir });
    store = opened.store;
    ws = (await store.createWorkspace("w")).id;
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("claimJob takes the named queued job once, and no other", async () => {
    await store.createJob(ws, { id: "job-old", kind: "import", payload: {}, maxAttempts: 1 });
    await store.createJob(ws, { id: "job-mine", kind: "generate", payload: {}, maxAttempts: 1 });
    const claimed = await store.claimJob("job-mine", 60_000);
    expect(claimed).toMatchObject({ id: "job-mine", workspaceId: ws, kind: "generate", attempts: 1 });
    expect(await store.getJob(ws, "job-mine")).toMatchObject({ status: "running" });
    expect(await store.claimJob("job-mine", 60_000)).toBeUndefined();
    expect(await store.claimJob("job-none", 60_000)).toBeUndefined();
    // The older queued job was not touched: the runner still gets it.
    expect(await store.getJob(ws, "job-old")).toMatchObject({ status: "queued" });
    expect(await store.claimNextJob(60_000)).toMatchObject({ id: "job-old" });
    // The claim's token fences the job's writes as a runner's does.
    expect(await store.finishJob("job-mine", claimed!.token, { status: "succeeded", result: {} })).toBe(true);
    const events = await store.jobEvents(ws, "job-mine", 0, 10);
    expect(events.map((e) => e.type)).toEqual(["queued", "started", "finished"]);
  });

  it("leaves a job the runner claimed first to the runner, running nothing", async () => {
    const job = await store.createJob(ws, { id: "job-raced", kind: "generate", payload: {}, maxAttempts: 1 });
    const runner = await store.claimNextJob(60_000);
    expect(runner?.id).toBe("job-raced");
    // No workers: had the direct path gone on, its task would wait in this pool's queue.
    const pool = new GenerationPool({ size: 0 });
    const payload = { request: {}, modelId: "m", weights: "none" };
    const outcome = await runDirectGeneration({ pool, store, blobs: opened.blobs, job, payload, workspaceId: ws });
    expect(outcome).toBeUndefined();
    expect(pool.pending()).toBe(0);
    expect(await store.getJob(ws, "job-raced")).toMatchObject({ status: "running", attempts: 1 });
    await pool.close();
  });

  it("runs a job on a pool of two, its log naming the finishing units each worker did", async () => {
    const { sha256: weights } = await opened.blobs.put(await bundleModelFolder(SHIPPED_MODEL_DIR));
    const payload = { request: pumpStationRequest(4, 41), modelId: "default", weights };
    const job = await store.createJob(ws, { id: "job-shared", kind: "generate", payload, maxAttempts: 1 });
    const pool = new GenerationPool({ size: 2, log: () => {}, shareFinishing: true });
    try {
      await pool.whenReady(2, 120_000);
      const done = await runDirectGeneration({ pool, store, blobs: opened.blobs, job, payload, workspaceId: ws });
      expect(done).toMatchObject({ status: "succeeded" });
      expect((await store.listCandidates(ws, { jobId: job.id }, { limit: 10 })).items).toHaveLength(4);
      const logs = (await store.jobEvents(ws, job.id, 0, 100)).filter((e) => e.type === "log");
      const [pidA, pidB] = pool.workerPids();
      expect(logs).toHaveLength(1);
      const line = (logs[0]!.data as { message: string }).message;
      expect(line).toMatch(/finishing \(legalise, route, validate, polish\) shared: \d+ in \d+, \d+ in \d+$/);
      expect(line).toContain(` in ${pidA}`);
      expect(line).toContain(` in ${pidB}`);
    } finally {
      await pool.close();
    }
  }, 300_000);
});

describe("generation pool size", () => {
  it("is PLANTGAN_GENERATE_WORKERS when set, else half the cores and at least one", () => {
    expect(generationPoolSize({}, 2)).toBe(1);
    expect(generationPoolSize({}, 1)).toBe(1);
    expect(generationPoolSize({}, 8)).toBe(4);
    expect(generationPoolSize({ PLANTGAN_GENERATE_WORKERS: "0" }, 2)).toBe(0);
    expect(generationPoolSize({ PLANTGAN_GENERATE_WORKERS: "3" }, 2)).toBe(3);
    expect(() => generationPoolSize({ PLANTGAN_GENERATE_WORKERS: "two" }, 2)).toThrow(/PLANTGAN_GENERATE_WORKERS/);
    expect(() => generationPoolSize({ PLANTGAN_GENERATE_WORKERS: "-1" }, 2)).toThrow(/whole number/);
  });
});
