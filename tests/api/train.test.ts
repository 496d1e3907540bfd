import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { parseDesign, parseDocument } from "@plantgan/core/design";
import { generationService, readBundle, trainingService } from "@plantgan/server";
import { pumpStationRequest } from "@plantgan/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEXPI_FILE,
  json,
  readSse,
  type SseEvent,
  startTestServer,
  type TestServer,
  TRAINING_JOBS,
  waitFor,
} from "./harness.js";

/** Real placed designs: the first of the shipped training split. */
const SHIPPED_TRAIN = new URL("../../datasets/synthetic-v1/train.ndjson.gz", import.meta.url);
const DESIGNS = gunzipSync(readFileSync(SHIPPED_TRAIN)).toString("utf8").split("\n").filter(Boolean).slice(0, 24);

/** A tiny layout model, a few epochs: seconds on two CPU cores (train-dexpi.test.ts trains the topology generator). */
const TINY = { size: "tiny", epochs: 3, topologyEpochs: 0, batchSize: 8, seed: 5, previews: 2 } as const;

interface JobView {
  id: string;
  status: string;
  attempts: number;
  progress: { done: number; total: number };
  result?: Record<string, unknown>;
}

/**
 * Training over the API, the user's path: upload designs (NDJSON and DEXPI) into a dataset →
 * POST /v1/models → per-epoch metrics over SSE → the model is ready with its card → it generates
 * candidates → one is accepted and exported. And training survives its worker being killed,
 * continuing from the last epoch's checkpoint to the very weights of an uninterrupted run.
 */
describe("training through the API", () => {
  let s: TestServer;
  const job = async (id: string) => (await (await s.api(`/v1/jobs/${id}`)).json()) as JobView;
  const finished = (id: string, timeoutMs = 240_000) =>
    waitFor(
      async () => {
        const j = await job(id);
        return ["succeeded", "failed", "cancelled"].includes(j.status) ? j : undefined;
      },
      timeoutMs,
      200,
    );
  const train = (id: string, datasetId: string, settings: Record<string, unknown> = TINY) =>
    s.api("/v1/models", json({ id, datasetId, settings }));
  const bundleFile = async (modelId: string, name: string) => {
    const model = (await (await s.api(`/v1/models/${modelId}`)).json()) as { weights: string };
    return readBundle(new Uint8Array(await s.app.blobs.get(model.weights))).files[name];
  };

  beforeAll(async () => {
    s = await startTestServer({
      jobs: TRAINING_JOBS,
      services: { training: trainingService, generation: generationService },
    });
    expect((await s.api("/v1/datasets", json({ id: "plants", name: "Plants" }))).status).toBe(201);
    // One design as a JSON document, the rest as an NDJSON batch.
    const single = await s.api("/v1/designs?dataset=plants", json(JSON.parse(DESIGNS[0]!)));
    expect(single.status).toBe(201);
    const upload = await s.api("/v1/designs?dataset=plants", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: `${DESIGNS.slice(1).join("\n")}\n`,
    });
    expect(await upload.json()).toMatchObject({ accepted: DESIGNS.length - 1, refused: 0 });
    // A DEXPI P&ID is topology only: it belongs in the dataset but gives the layout GAN nothing to learn.
    const dexpi = await s.api("/v1/designs?id=pid-1&dataset=plants", {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: readFileSync(DEXPI_FILE, "utf8"),
    });
    expect(dexpi.status).toBe(201);
    expect((await s.api("/v1/datasets", json({ id: "pids", name: "P&IDs only" }))).status).toBe(201);
    expect((await s.api("/v1/datasets/pids/designs", json({ add: ["pid-1"] }))).status).toBe(200);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("refuses training requests it cannot serve, naming the setting, and starts nothing", async () => {
    const unknown = await train("m-bad", "plants", { latent: 64, epochs: 0, generator: "mesh" });
    expect(unknown.status).toBe(422);
    expect(unknown.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const problem = (await unknown.json()) as { code: string; issues: { pointer: string }[] };
    expect(problem.code).toBe("invalid_training");
    expect(problem.issues.map((i) => i.pointer).sort()).toEqual([
      "/settings/epochs",
      "/settings/generator",
      "/settings/latent",
    ]);

    const topologyOnly = await train("m-pid", "pids");
    expect(topologyOnly.status).toBe(422);
    expect(await topologyOnly.json()).toMatchObject({ issues: [{ pointer: "/datasetId" }] });
    expect((await train("m-none", "no-such-set")).status).toBe(404);
    expect((await s.api("/v1/models", json({ id: "bad id!", datasetId: "plants" }))).status).toBe(400);

    expect(await (await s.api("/v1/models")).json()).toEqual({ items: [] });
    expect(await (await s.api("/v1/jobs")).json()).toMatchObject({ items: [] });
  });

  it("trains with per-epoch metrics over SSE; the ready model generates, and a candidate is accepted and exported", async () => {
    const started = await train("tiny-1", "plants");
    expect(started.status).toBe(202);
    const queued = (await started.json()) as JobView;
    expect(started.headers.get("location")).toBe(`/v1/jobs/${queued.id}`);
    expect(await (await s.api("/v1/models/tiny-1")).json()).toMatchObject({ status: "training", jobId: queued.id });
    expect((await train("tiny-1", "plants")).status).toBe(409);

    const events = await readSse(`${s.url}/v1/jobs/${queued.id}/events`, s.keyA, { timeoutMs: 240_000 });
    expect(events.at(-1)?.event).toBe("finished");
    const metrics = events.filter((e) => e.event === "metrics").map((e) => e.data as any);
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2, 3]);
    for (const m of metrics) {
      expect(Number.isFinite(m.losses.d_loss) && Number.isFinite(m.losses.g_loss)).toBe(true);
      expect(m.metrics.preview_validity).toBeGreaterThanOrEqual(0);
      expect(m.metrics.preview_validity).toBeLessThanOrEqual(1);
      expect(m.samples).toHaveLength(2);
      for (const sample of m.samples) expect(parseDesign(sample).success).toBe(true);
    }
    const progress = events.filter((e) => e.event === "progress" && e.data.batch === undefined);
    expect(progress.map((e) => e.data.done)).toEqual([1, 2, 3]);

    const model = (await (await s.api("/v1/models/tiny-1")).json()) as any;
    expect(model).toMatchObject({ id: "tiny-1", status: "ready", jobId: queued.id });
    expect(parseDocument("modelCard", model.card).success).toBe(true);
    expect(model.card).toMatchObject({ epochs: 3, dataset: { id: "plants", designs: DESIGNS.length } });
    expect((await job(queued.id)).result).toMatchObject({ model: "tiny-1", epochs: 3 });
    // Another workspace sees neither the model nor its job, and cannot train on this dataset.
    expect((await s.api("/v1/models/tiny-1", { key: s.keyB })).status).toBe(404);
    expect(await (await s.api("/v1/models", { key: s.keyB })).json()).toEqual({ items: [] });
    expect((await s.api(`/v1/jobs/${queued.id}/events`, { key: s.keyB })).status).toBe(404);
    const foreign = await s.api("/v1/models", {
      ...json({ id: "stolen", datasetId: "plants", settings: TINY }),
      key: s.keyB,
    });
    expect(foreign.status).toBe(404);

    const generate = await s.api("/v1/generate?model=tiny-1", json(pumpStationRequest(2, 3)));
    // Two candidates are answered directly: the job ran in a worker while the request waited.
    expect(generate.status).toBe(200);
    const generated = (await generate.json()) as { job: JobView; candidates: { id: string; rank: number }[] };
    expect(generated.job.status).toBe("succeeded");
    expect(generated.candidates.map((c) => c.rank)).toEqual([1, 2]);
    // A layout-only model (topologyEpochs 0): spec mode's topologies are the designer's, named on
    // each candidate, and asking it for learned ones is refused, never answered by the designer.
    const candidate = (await (await s.api(`/v1/candidates/${generated.candidates[0]!.id}`)).json()) as {
      design: { metadata: { topologySource: string } };
    };
    expect(candidate.design.metadata.topologySource).toBe("designer");
    const learned = await s.api("/v1/generate?model=tiny-1&topology=learned", json(pumpStationRequest(1, 3)));
    expect(learned.status).toBe(400);
    expect(learned.headers.get("content-type")).toContain("application/problem+json");
    expect(((await learned.json()) as { detail: string }).detail).toContain("no topology generator");
    const chosen = generated.candidates[0]!.id;
    const review = await s.api(
      `/v1/candidates/${chosen}/review`,
      json({ decision: "accept", designId: "from-tiny-1" }),
    );
    expect(review.status).toBe(200);
    const exported = await s.api("/v1/designs/from-tiny-1/export?format=json");
    expect(exported.status).toBe(200);
    expect(parseDesign(await exported.text()).success).toBe(true);
  });

  it("resumes a training whose worker is killed, from its last epoch, to the weights of an uninterrupted run", async () => {
    // Same settings and seed twice: "whole" runs through, "resumed" loses its worker after epoch 1.
    const whole = (await (await train("whole", "plants")).json()) as JobView;
    expect((await finished(whole.id)).status).toBe("succeeded");

    const resumed = (await (await train("resumed", "plants")).json()) as JobView;
    const { workspaceId } = (await (await s.api("/v1/me")).json()) as { workspaceId: string };
    await waitFor(
      async () => {
        const j = await s.app.store.getJob(workspaceId, resumed.id);
        return j && j.progress.done >= 1 ? j : undefined;
      },
      120_000,
      10,
    );
    const atKill = await job(resumed.id);
    s.app.jobs.workerOf(resumed.id)!.kill("SIGKILL");
    expect(atKill.status).toBe("running");
    expect(atKill.progress.done).toBeLessThan(3);

    const end = await finished(resumed.id);
    expect(end).toMatchObject({ status: "succeeded", attempts: 2, result: { epochs: 3 } });
    const events: SseEvent[] = await readSse(`${s.url}/v1/jobs/${resumed.id}/events`, s.keyA);
    expect(events.some((e) => e.event === "requeued")).toBe(true);
    // Every epoch reported once: the killed attempt's unfinished epoch is run again, never doubled.
    expect(events.filter((e) => e.event === "metrics").map((e) => e.data.epoch)).toEqual([1, 2, 3]);
    expect(await (await s.api("/v1/models/resumed")).json()).toMatchObject({ status: "ready", card: { epochs: 3 } });
    // The checkpoint holds weights, optimizer state and the random draw counter: resuming is exact.
    expect(await bundleFile("resumed", "generator/weights.bin")).toBe(
      await bundleFile("whole", "generator/weights.bin"),
    );
    expect(await bundleFile("resumed", "critic/weights.bin")).toBe(await bundleFile("whole", "critic/weights.bin"));
  });

  it("cancels a training: the model keeps the epochs it finished and is ready", async () => {
    const started = (await (await train("stopped", "plants", { ...TINY, epochs: 50 })).json()) as JobView;
    await waitFor(async () => ((await job(started.id)).progress.done >= 1 ? true : undefined), 120_000, 50);
    expect((await s.api(`/v1/jobs/${started.id}/cancel`, { method: "POST" })).status).toBe(202);
    const end = await finished(started.id);
    expect(end.status).toBe("cancelled");
    const model = (await (await s.api("/v1/models/stopped")).json()) as any;
    expect(model.status).toBe("ready");
    expect(model.card.epochs).toBeGreaterThanOrEqual(1);
    expect(model.card.epochs).toBeLessThan(50);
  });

  it("trains both generators on a mixed dataset: topology on placed and DEXPI designs, then layout on the placed", async () => {
    const started = await train("both", "plants", { ...TINY, epochs: 1, topologyEpochs: 1 });
    expect(started.status).toBe(202);
    const queued = (await started.json()) as JobView;
    const events = await readSse(`${s.url}/v1/jobs/${queued.id}/events`, s.keyA, { timeoutMs: 240_000 });
    expect(events.at(-1)?.event).toBe("finished");
    // The topology phase first, then the layout phase; progress counts both.
    const metrics = events.filter((e) => e.event === "metrics").map((e) => e.data as any);
    expect(metrics.map((m) => [m.phase ?? "layout", m.epoch])).toEqual([
      ["topology", 1],
      ["layout", 1],
    ]);
    const progress = events.filter((e) => e.event === "progress" && e.data.batch === undefined);
    expect(progress.at(-1)?.data).toMatchObject({ done: 2, total: 2 });
    const model = (await (await s.api("/v1/models/both")).json()) as any;
    expect(parseDocument("modelCard", model.card).success).toBe(true);
    expect(model.card.generators.topology).toMatchObject({
      designs: DESIGNS.length + 1,
      placed: DESIGNS.length,
      topologyOnly: 1,
      epochs: 1,
    });
    expect(model.card.generators.layout).toEqual({ designs: DESIGNS.length, epochs: 1, skipped: { topology_only: 1 } });
    expect(await bundleFile("both", "topology/topology-gan.json")).toBeDefined();
    expect(await bundleFile("both", "generator/weights.bin")).toBeDefined();
  });
});
