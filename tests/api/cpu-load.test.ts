import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ModelServer, startModelServer, waitFor } from "./harness.js";

/**
 * Jobs on a machine whose every core is taken by a neighbour: one busy-loop process per core runs
 * beside the server while a training and three generation jobs run to the end. Each must end
 * `succeeded` (issue 17 saw a generation and a crash-resume training end `failed` on a loaded
 * machine: a busy worker losing its lease).
 */

interface JobView {
  id: string;
  status: string;
  attempts: number;
  error?: unknown;
}

const REQUEST = {
  schemaVersion: "1.0",
  processClass: "pump_station",
  site: { width: 120, depth: 80 },
  equipment: [
    { type: "pump", count: 2 },
    { type: "tank", count: 1 },
  ],
  count: 2,
};

describe("jobs beside a CPU-burning neighbour", () => {
  let server: ModelServer;
  const burners: ChildProcess[] = [];

  beforeAll(async () => {
    server = await startModelServer();
    const post = (path: string, body: string, type = "application/json") =>
      server.api(path, { method: "POST", body, headers: { "content-type": type } });
    expect((await post("/v1/datasets", JSON.stringify({ id: "plants", name: "plants" }))).status).toBe(201);
    const designs = gunzipSync(readFileSync(new URL("../../datasets/synthetic-v1/train.ndjson.gz", import.meta.url)))
      .toString("utf8")
      .split("\n")
      .slice(0, 16)
      .join("\n");
    expect((await post("/v1/designs?dataset=plants", designs, "application/x-ndjson")).status).toBe(201);
  });

  afterAll(async () => {
    for (const b of burners) b.kill("SIGKILL");
    await server?.close();
  });

  it("ends a training and three generations succeeded while every core is busy", async () => {
    // The neighbour: a busy loop per core, at the server's own priority.
    for (let i = 0; i < availableParallelism(); i++) {
      burners.push(spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
    }
    const started = Date.now();
    const training = await server.api("/v1/models", {
      method: "POST",
      body: JSON.stringify({
        id: "beside-burners",
        datasetId: "plants",
        settings: { size: "tiny", epochs: 3, topologyEpochs: 0, batchSize: 8, previews: 1 },
      }),
    });
    expect(training.status, await training.clone().text()).toBe(202);
    const jobs = [(await training.json()) as JobView];
    for (const seed of [1, 2, 3]) {
      const queued = await server.api("/v1/generate?model=default", {
        method: "POST",
        body: JSON.stringify({ ...REQUEST, seed }),
        headers: { prefer: "respond-async" },
      });
      expect(queued.status, await queued.clone().text()).toBe(202);
      jobs.push((await queued.json()) as JobView);
    }
    const ended = await Promise.all(
      jobs.map((job) =>
        waitFor(
          async () => {
            const j = (await (await server.api(`/v1/jobs/${job.id}`)).json()) as JobView;
            return ["succeeded", "failed", "cancelled"].includes(j.status) ? j : undefined;
          },
          300_000,
          250,
        ),
      ),
    );
    console.log(
      `beside ${burners.length} busy-loop processes (load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(
          " ",
        )}): ${ended.map((j) => `${j.status} (attempts ${j.attempts})`).join(", ")} in ${Date.now() - started} ms`,
    );
    for (const j of ended) expect(j.status, JSON.stringify(j)).toBe("succeeded");
  }, 360_000);
});
