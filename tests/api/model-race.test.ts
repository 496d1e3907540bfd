import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { type Store, trainingService } from "@plantgan/server";
import { afterAll, describe, expect, it } from "vitest";
import { json, startTestServer, type TestServer, TRAINING_JOBS, waitFor } from "./harness.js";

const SHIPPED_TRAIN = new URL("../../datasets/synthetic-v1/train.ndjson.gz", import.meta.url);
const DESIGNS = gunzipSync(readFileSync(SHIPPED_TRAIN)).toString("utf8").split("\n").filter(Boolean).slice(0, 8);
const TINY = { size: "tiny", epochs: 2, topologyEpochs: 0, batchSize: 8, seed: 5, previews: 0 } as const;

/**
 * POST /v1/models checks the id, queues the training job, then records the model: a request
 * that loses the id to another between the check and the record answers 409, and its job must
 * leave no row behind (it was left "cancelled"), whether still queued or already claimed by a worker.
 */
describe("losing a race for a model id leaves no job", () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  async function server(start: boolean): Promise<TestServer> {
    const s = await startTestServer({ jobs: { ...TRAINING_JOBS, start }, services: { training: trainingService } });
    servers.push(s);
    expect((await s.api("/v1/datasets", json({ id: "plants", name: "Plants" }))).status).toBe(201);
    const upload = await s.api("/v1/designs?dataset=plants", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: `${DESIGNS.join("\n")}\n`,
    });
    expect(upload.status).toBe(201);
    return s;
  }

  /**
   * The next putModel first lets a rival take the id (as a concurrent request would), after
   * `before` (e.g. waiting for the job's claim); the route's own putModel then meets the conflict.
   */
  function rivalTakesId(store: Store, before: (jobId: string) => Promise<void> = async () => {}): void {
    const real = store.putModel.bind(store);
    store.putModel = async (workspaceId, model) => {
      store.putModel = real;
      await before(model.jobId!);
      expect(await real(workspaceId, { id: model.id, status: "ready" })).not.toBe("conflict");
      return real(workspaceId, model);
    };
  }

  const jobIds = async (s: TestServer) =>
    ((await (await s.api("/v1/jobs")).json()) as { items: { id: string }[] }).items.map((j) => j.id);

  it("a job still queued: 409 and no job row", async () => {
    const s = await server(false);
    rivalTakesId(s.app.store);
    const response = await s.api("/v1/models", json({ id: "raced", datasetId: "plants", settings: TINY }));
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: "conflict" });
    expect(await jobIds(s)).toEqual([]);
  });

  it("a job a worker had claimed already: 409, and its row goes once the worker stopped", async () => {
    const s = await server(true);
    const { workspaceId } = (await (await s.api("/v1/me")).json()) as { workspaceId: string };
    rivalTakesId(s.app.store, async (jobId) => {
      await waitFor(async () =>
        (await s.app.store.getJob(workspaceId, jobId))?.status === "running" ? true : undefined,
      );
    });
    const response = await s.api("/v1/models", json({ id: "raced", datasetId: "plants", settings: TINY }));
    expect(response.status).toBe(409);
    await waitFor(async () => ((await jobIds(s)).length === 0 ? true : undefined), 60_000, 200);
    // The rival's model was not written by the withdrawn job.
    expect(await (await s.api("/v1/models/raced")).json()).toMatchObject({ status: "ready" });
  }, 90_000);

  it("concurrent requests for one id: one 202, the rest 409, one job in the end", async () => {
    const s = servers[1]!;
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        s.api("/v1/models", json({ id: "burst", datasetId: "plants", settings: TINY })).then((r) => r.status),
      ),
    );
    expect(answers.sort()).toEqual([202, 409, 409, 409, 409, 409]);
    await waitFor(async () => ((await jobIds(s)).length === 1 ? true : undefined), 60_000, 200);
  }, 90_000);
});
