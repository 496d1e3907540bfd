import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "@plantgan/core/design";
import { generationService, readBundle, trainingService } from "@plantgan/server";
import { OWN_DEXPI_DIR } from "@plantgan/testing";
import { describeWithFixtures, fixturePath } from "@plantgan/testing/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, readSse, startTestServer, type TestServer, TRAINING_JOBS, waitFor } from "./harness.js";

/**
 * A tiny topology run: one epoch in batches of 1 (a few critic steps and a generator step); the
 * designs are not placed, so the layout generator is not trained at all.
 */
const TINY = { size: "tiny", epochs: 1, topologyEpochs: 1, batchSize: 1, seed: 5, previews: 1 } as const;

interface JobView {
  id: string;
  status: string;
  result?: Record<string, unknown>;
}

/** The XML files of a folder. */
const xmlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".xml"))
    .sort()
    .map((f) => join(dir, f));

/**
 * Training on uploaded DEXPI P&IDs (topology only) over the API: upload them into a dataset →
 * POST /v1/models → the job trains the topology generator to the end → the model's card counts
 * the designs and its bundle holds topology/ → POST /v1/generate?topology=learned succeeds.
 */
async function startServer(): Promise<TestServer> {
  return startTestServer({
    jobs: TRAINING_JOBS,
    services: { training: trainingService, generation: generationService },
  });
}

/** Uploads DEXPI files into a new dataset; returns how many were accepted. */
async function uploadDexpi(s: TestServer, dataset: string, files: readonly string[]): Promise<number> {
  expect((await s.api("/v1/datasets", json({ id: dataset, name: dataset }))).status).toBe(201);
  let accepted = 0;
  for (const [k, file] of files.entries()) {
    const res = await s.api(`/v1/designs?id=${dataset}-${k}&dataset=${dataset}`, {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: readFileSync(file, "utf8"),
    });
    if (res.status === 201) accepted++;
  }
  return accepted;
}

/** Trains a model to the end; returns the job, its SSE events and the model. */
async function trainToEnd(s: TestServer, id: string, datasetId: string) {
  const started = await s.api("/v1/models", json({ id, datasetId, settings: TINY }));
  expect(started.status, await started.clone().text()).toBe(202);
  const queued = (await started.json()) as JobView;
  const events = await readSse(`${s.url}/v1/jobs/${queued.id}/events`, s.keyA, { timeoutMs: 240_000 });
  const job = await waitFor(async () => {
    const j = (await (await s.api(`/v1/jobs/${queued.id}`)).json()) as JobView;
    return ["succeeded", "failed", "cancelled"].includes(j.status) ? j : undefined;
  }, 60_000);
  const model = (await (await s.api(`/v1/models/${id}`)).json()) as any;
  return { job, events, model };
}

describe("training on DEXPI uploads through the API (the repository's own files)", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await s?.close();
  });

  it("trains the topology generator on the uploads; the card counts them; ?topology=learned generates", async () => {
    expect(await uploadDexpi(s, "pids", xmlFiles(OWN_DEXPI_DIR))).toBe(3);
    const { job, events, model } = await trainToEnd(s, "pid-model", "pids");
    expect(job.status, JSON.stringify(job)).toBe("succeeded");
    expect(job.result).toMatchObject({ model: "pid-model", epochs: 0, topologyEpochs: 1 });
    const metrics = events.filter((e) => e.event === "metrics").map((e) => e.data as any);
    expect(metrics.map((m) => [m.phase, m.epoch])).toEqual([["topology", 1]]);
    expect(Number.isFinite(metrics[0].losses.topology_d_loss)).toBe(true);
    expect(
      events.some((e) => e.event === "log" && String(e.data.message).includes("layout generator not trained")),
    ).toBe(true);

    expect(model).toMatchObject({ id: "pid-model", status: "ready" });
    expect(parseDocument("modelCard", model.card).success).toBe(true);
    expect(model.card.generators.topology).toMatchObject({ designs: 3, placed: 0, topologyOnly: 3, epochs: 1 });
    expect(model.card.generators.layout).toEqual({ designs: 0, epochs: 0, skipped: { topology_only: 3 } });
    const bundle = readBundle(new Uint8Array(await s.app.blobs.get(model.weights)));
    for (const stage of ["skeleton", "lines", "attachments"]) {
      expect(bundle.files[`topology/${stage}/weights.bin`], stage).toBeDefined();
    }
    // A new run's heads decode into the whole rows these designs hold (model-sizes.ts TOPOLOGY_ROW_MOTIFS).
    const saved = JSON.parse(Buffer.from(bundle.files["topology/topology-gan.json"] ?? "", "base64").toString("utf8"));
    expect(saved.model.rowMotifs.nodes.length).toBeGreaterThan(0);
    expect(saved.model.rowMotifs.lines.length).toBeGreaterThan(0);

    const generate = await s.api(
      "/v1/generate?model=pid-model&topology=learned",
      json({
        schemaVersion: "1.0",
        processClass: "pump_station",
        // A barely trained generator makes large items: a roomy site keeps the legaliser quick.
        site: { width: 400, depth: 300 },
        equipment: [{ type: "pump", count: 1 }],
        count: 1,
        seed: 3,
      }),
    );
    expect(generate.status, await generate.clone().text()).toBe(200);
    const answer = (await generate.json()) as { job: JobView; candidates: any[] };
    expect(answer.job.status).toBe("succeeded");
    expect(answer.candidates.map((c) => c.design.metadata.topologySource)).toEqual(["learned"]);
  }, 300_000);

  it("refuses a dataset with too few designs with a 422 naming it, and starts nothing", async () => {
    expect((await s.api("/v1/datasets", json({ id: "empty", name: "empty" }))).status).toBe(201);
    const res = await s.api("/v1/models", json({ id: "m-empty", datasetId: "empty", settings: TINY }));
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { issues: { pointer: string; message: string }[] };
    expect(problem.issues).toEqual([
      expect.objectContaining({
        pointer: "/datasetId",
        message: expect.stringContaining("dataset empty has too few designs"),
      }),
    ]);
    expect((await s.api("/v1/models/m-empty")).status).toBe(404);
  });
});

describeWithFixtures("training on the public DEXPI development files through the API", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await s?.close();
  });

  it("trains the topology generator on them and the card counts every upload, used or left out by reason", async () => {
    const accepted = await uploadDexpi(s, "public", xmlFiles(fixturePath("dexpi")));
    expect(accepted).toBeGreaterThan(0);
    const { job, model } = await trainToEnd(s, "public-model", "public");
    expect(job.status, JSON.stringify(job)).toBe("succeeded");
    const topology = model.card.generators.topology;
    expect(topology).toMatchObject({ placed: 0, epochs: 1 });
    expect(topology.topologyOnly).toBe(topology.designs);
    const skipped = Object.values(topology.skipped as Record<string, number>).reduce((a, b) => a + b, 0);
    // The service leaves designs over nMax out of the snapshot; the rest are counted here.
    expect(topology.designs + skipped).toBeLessThanOrEqual(accepted);
    expect(topology.designs).toBeGreaterThan(0);
  }, 300_000);
});
