import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { trainingService } from "@plantgan/server";
import { afterEach, describe, expect, it } from "vitest";
import { makeDesign, ndjson } from "./designs.js";
import { json, startTestServer, type TestServer, TRAINING_JOBS, waitFor } from "./harness.js";

/** Real placed designs for a training: the first of the shipped training split. */
const SHIPPED_TRAIN = new URL("../../datasets/synthetic-v1/train.ndjson.gz", import.meta.url);
const PLACED = gunzipSync(readFileSync(SHIPPED_TRAIN)).toString("utf8").split("\n").filter(Boolean).slice(0, 8);

const ndjsonImport = (designs: readonly unknown[]): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/x-ndjson" },
  body: ndjson(designs),
});

/**
 * Per-workspace quotas over HTTP: a full queue and used-up training minutes are 429 problem+json
 * with Retry-After, storage beyond the quota is 507; another workspace is not held back, and a
 * refused request stores nothing.
 */
describe("workspace quotas", () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it("refuses a job beyond the workspace's queued-jobs quota with 429 and Retry-After, storing nothing", async () => {
    // Jobs stay queued (no runner), so the queue only fills.
    s = await startTestServer({ quotas: { queuedJobs: 2 }, jobs: { start: false } });
    for (const n of [1, 2])
      expect((await s.api("/v1/imports", ndjsonImport([makeDesign(`q-${n}`, n)]))).status).toBe(202);
    const blobsBefore = await s.app.store.blobUsage();
    const refused = await s.api("/v1/imports", ndjsonImport([makeDesign("q-3", 3)]));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(await refused.json()).toMatchObject({
      code: "quota_exceeded",
      status: 429,
      quota: "queuedJobs",
      limit: 2,
      used: 2,
      retryAfter: 30,
    });
    expect(await s.app.store.blobUsage()).toEqual(blobsBefore);
    // The quota is the workspace's: another one still queues.
    expect((await s.api("/v1/imports", { ...ndjsonImport([makeDesign("q-b", 1)]), key: s.keyB })).status).toBe(202);
    // A job leaving the queue makes room.
    const jobs = (await (await s.api("/v1/jobs?status=queued")).json()) as { items: { id: string }[] };
    expect((await s.api(`/v1/jobs/${jobs.items[0]!.id}/cancel`, { method: "POST" })).status).toBe(200);
    expect((await s.api("/v1/imports", ndjsonImport([makeDesign("q-3", 3)]))).status).toBe(202);
  });

  it("refuses designs beyond the workspace's stored-bytes quota with 507 until some are deleted", async () => {
    const one = Buffer.byteLength(JSON.stringify(makeDesign("b-1", 1)));
    // Room for one design and a half.
    s = await startTestServer({ quotas: { storedBytes: Math.floor(one * 1.5) } });
    expect((await s.api("/v1/designs", json(makeDesign("b-1", 1)))).status).toBe(201);
    // What is counted is the stored text (the parsed design), as the design's metadata gives it.
    const stored = ((await (await s.api("/v1/designs/b-1")).json()) as { size: number }).size;
    const refused = await s.api("/v1/designs", json(makeDesign("b-2", 1)));
    expect(refused.status).toBe(507);
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({ code: "insufficient_storage", quota: "storedBytes", used: stored });
    expect((await s.api("/v1/designs/b-2")).status).toBe(404);
    // Another workspace has its own room.
    expect((await s.api("/v1/designs", { ...json(makeDesign("b-2", 1)), key: s.keyB })).status).toBe(201);
    // An import is refused as well once the stored designs fill the quota.
    expect((await s.api("/v1/designs", json(makeDesign("b-3", 0)))).status).toBe(507);
    expect((await s.api("/v1/designs", { ...json(makeDesign("b-4", 1)), key: s.keyB })).status).toBe(507);
    const importRefused = await s.api("/v1/imports", { ...ndjsonImport([makeDesign("b-5", 1)]), key: s.keyB });
    expect(importRefused.status).toBe(507);
    // Deleting makes room again.
    expect((await s.api("/v1/designs/b-1", { method: "DELETE" })).status).toBe(204);
    expect((await s.api("/v1/designs", json(makeDesign("b-2", 1)))).status).toBe(201);
  });

  it("refuses a training once the workspace's training minutes in the window are used, with Retry-After", async () => {
    // 0.001 minutes (60 ms): one tiny training uses them up.
    s = await startTestServer({
      quotas: { trainingMinutes: 0.001, trainingWindowHours: 1 },
      jobs: TRAINING_JOBS,
      services: { training: trainingService },
    });
    expect((await s.api("/v1/datasets", json({ id: "plants", name: "Plants" }))).status).toBe(201);
    const upload = await s.api("/v1/designs?dataset=plants", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: `${PLACED.join("\n")}\n`,
    });
    expect(upload.status).toBe(201);
    const settings = { size: "tiny", epochs: 1, topologyEpochs: 0, batchSize: 8, seed: 5, previews: 1 };
    const first = await s.api("/v1/models", json({ id: "m-1", datasetId: "plants", settings }));
    expect(first.status).toBe(202);
    const job = (await first.json()) as { id: string };
    await waitFor(
      async () => {
        const j = (await (await s!.api(`/v1/jobs/${job.id}`)).json()) as { status: string };
        return ["succeeded", "failed", "cancelled"].includes(j.status) ? j : undefined;
      },
      240_000,
      200,
    );
    const refused = await s.api("/v1/models", json({ id: "m-2", datasetId: "plants", settings }));
    expect(refused.status).toBe(429);
    const problem = (await refused.json()) as { code: string; quota: string; retryAfter: number };
    expect(problem).toMatchObject({ code: "quota_exceeded", quota: "trainingMinutes" });
    // The first training leaves the 1 h window about an hour after it ended.
    expect(problem.retryAfter).toBeGreaterThan(3500);
    expect(problem.retryAfter).toBeLessThanOrEqual(3600);
    expect(refused.headers.get("retry-after")).toBe(String(problem.retryAfter));
    expect((await s.api("/v1/models/m-2")).status).toBe(404);
    // Other jobs are not training: an import still queues.
    expect((await s.api("/v1/imports", ndjsonImport([makeDesign("after", 1)]))).status).toBe(202);
  });
});
