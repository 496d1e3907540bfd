import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseDesign } from "@plantgan/core/design";
import { trainingService } from "@plantgan/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDesign } from "./designs.js";
import { DEXPI_FILE, json, startTestServer, TEST_STORE, type TestServer, TRAINING_JOBS, waitFor } from "./harness.js";

/** Real placed designs: the first of the shipped training split. */
const SHIPPED_TRAIN = new URL("../../datasets/synthetic-v1/train.ndjson.gz", import.meta.url);
const PLACED = gunzipSync(readFileSync(SHIPPED_TRAIN)).toString("utf8").split("\n").filter(Boolean).slice(0, 16);
const TINY = { size: "tiny", epochs: 1, topologyEpochs: 0, batchSize: 8, seed: 5, previews: 1 } as const;

/** A design whose JSON is larger than the store's inline limit (256 KiB), so it is kept as a blob. */
function bigDesign(id: string, variant: number): Record<string, unknown> {
  const base = makeDesign(id, variant);
  const pumps = Array.from({ length: 2400 }, (_, i) => ({
    tag: `P-${2000 + i}`,
    type: "pump",
    x: 5 + (i % 50),
    y: 5 + (i % 30),
    footprint: { width: 1, depth: 1, height: 1 },
  }));
  return { ...base, equipment: [...(base.equipment as unknown[]), ...pumps] };
}

/** Bytes of every file under `dir` (the SQLite file, its log and the blob files). */
function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/**
 * Disk use over a user's whole path: uploads (one design large enough to be a blob), refused
 * requests, a multipart import, a training, a candidate, then deleting everything. Refused
 * requests leave nothing; once the records are deleted and the collector has run, the blobs, the
 * rows and (SQLite) the data folder are back at their starting size.
 */
describe(`disk use on ${TEST_STORE}`, () => {
  let s: TestServer;
  const finished = (id: string) =>
    waitFor(
      async () => {
        const job = (await (await s.api(`/v1/jobs/${id}`)).json()) as { status: string };
        return ["succeeded", "failed", "cancelled"].includes(job.status) ? job : undefined;
      },
      240_000,
      200,
    );
  /** What the server keeps: blob files or rows, row counts, and the data folder on SQLite. */
  const measure = async () => ({
    blobs: await s.app.store.blobUsage(),
    rows: await s.app.store.counts(),
    folder: TEST_STORE === "sqlite" ? folderBytes(s.dataDir) : undefined,
  });

  beforeAll(async () => {
    s = await startTestServer({
      jobs: TRAINING_JOBS,
      services: { training: trainingService },
      // No grace period: nothing is in flight between the test's steps. The test runs the collector itself.
      storage: { blobGraceMs: 0, collectIntervalMs: 0 },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it("returns to its starting size after uploads, refusals, an import, a training and deletes", async () => {
    await s.app.collector.run();
    const start = await measure();
    expect(start.blobs).toEqual({ count: 0, bytes: 0 });

    // A design large enough to be a blob, and a refused one of the same id (a conflict).
    expect((await s.api("/v1/designs", json(bigDesign("big", 0)))).status).toBe(201);
    expect((await s.api("/v1/designs", json(bigDesign("big", 1)))).status).toBe(409);
    const afterUploads = await measure();
    expect(afterUploads.blobs.count).toBeGreaterThanOrEqual(1);

    // A multipart import refused on its second file (415) stores nothing of the first.
    const refusedForm = new FormData();
    refusedForm.append("files", new Blob([`${PLACED.join("\n")}\n`]), "plants.ndjson");
    refusedForm.append("files", new Blob([Buffer.alloc(4096, 7)], { type: "application/octet-stream" }), "x.bin");
    const refused = await s.api("/v1/imports", { method: "POST", body: refusedForm });
    expect(refused.status).toBe(415);
    expect(await measure()).toEqual(afterUploads);

    // An import (NDJSON and a DEXPI drawing) into a dataset, and a training on it.
    expect((await s.api("/v1/datasets", json({ id: "plants", name: "Plants" }))).status).toBe(201);
    const form = new FormData();
    form.append("files", new Blob([`${PLACED.join("\n")}\n`]), "plants.ndjson");
    form.append("files", new Blob([readFileSync(DEXPI_FILE)], { type: "application/xml" }), "pid.xml");
    const imported = await s.api("/v1/imports?dataset=plants", { method: "POST", body: form });
    expect(imported.status).toBe(202);
    expect(await finished(((await imported.json()) as { id: string }).id)).toMatchObject({ status: "succeeded" });

    const training = await s.api("/v1/models", json({ id: "m", datasetId: "plants", settings: TINY }));
    expect(training.status).toBe(202);
    // The job trains it: deleting the model now would break the job.
    const inUse = await s.api("/v1/models/m", { method: "DELETE" });
    expect(inUse.status).toBe(409);
    expect(inUse.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await inUse.json()).toMatchObject({ code: "model_in_use" });
    expect(await finished(((await training.json()) as { id: string }).id)).toMatchObject({ status: "succeeded" });

    // A candidate as a generation stores it (its design inline: the delete route is what is checked).
    const { workspaceId } = (await (await s.api("/v1/me")).json()) as { workspaceId: string };
    const candidate = parseDesign(makeDesign("gen-1", 2));
    if (!candidate.success) throw new Error("bad fixture");
    const candidates = await s.app.store.insertCandidates(workspaceId, [
      { id: "cand-1", design: candidate.data, modelId: "m" },
    ]);
    const peak = await measure();
    expect(peak.blobs.bytes).toBeGreaterThan(afterUploads.blobs.bytes);

    // Delete everything the path made.
    expect((await s.api(`/v1/candidates/${candidates[0]!.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await s.api(`/v1/candidates/${candidates[0]!.id}`)).status).toBe(404);
    expect((await s.api(`/v1/candidates/${candidates[0]!.id}`, { method: "DELETE" })).status).toBe(404);
    expect((await s.api("/v1/models/m", { method: "DELETE" })).status).toBe(204);
    expect((await s.api("/v1/models/m")).status).toBe(404);
    const designs = (await (await s.api("/v1/designs?limit=500")).json()) as { items: { id: string }[] };
    for (const d of designs.items) {
      expect((await s.api(`/v1/designs/${encodeURIComponent(d.id)}`, { method: "DELETE" })).status).toBe(204);
    }
    expect((await s.api("/v1/datasets/plants", { method: "DELETE" })).status).toBe(204);
    const jobs = (await (await s.api("/v1/jobs?limit=500")).json()) as { items: { id: string }[] };
    for (const j of jobs.items) expect(await s.app.store.deleteJob(workspaceId, j.id)).toBe("deleted");

    const freed = await s.app.collector.run();
    const end = await measure();
    console.log(
      `disk (${TEST_STORE}): start ${JSON.stringify(start)}\n  peak ${JSON.stringify(peak)}\n  end ${JSON.stringify(end)}\n  collector freed ${JSON.stringify(freed)}`,
    );
    expect(end.blobs).toEqual(start.blobs);
    expect(end.rows).toEqual(start.rows);
    if (start.folder !== undefined) expect(end.folder).toBeLessThanOrEqual(start.folder);
  });
});
