import { parseDocument } from "@plantgan/core/design";
import { pumpStationRequest } from "@plantgan/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ModelServer, startModelServer } from "./harness.js";

/**
 * The user's generation path on a fresh server: the shipped model is registered on first run,
 * POST /v1/generate queues a job that runs the whole pipeline in a worker, the candidates come
 * back ranked with their reports, and one is accepted through the review route.
 */
describe("generation through the API with the shipped model", () => {
  let server: ModelServer;
  const api = (path: string, init: RequestInit = {}) => server.api(path, init);

  beforeAll(async () => {
    server = await startModelServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it("lists the shipped model as ready, with its card", async () => {
    const res = await api("/v1/models/default");
    expect(res.status).toBe(200);
    const model = (await res.json()) as any;
    expect(model).toMatchObject({ id: "default", status: "ready" });
    expect(parseDocument("modelCard", model.card).success).toBe(true);
  });

  it("generates ranked candidates with reports, and accepts one", async () => {
    const request = pumpStationRequest(2, 11);
    // Two candidates: the request waits for its job and answers them directly, ranked, with reports.
    const direct = await api("/v1/generate?model=default", { method: "POST", body: JSON.stringify(request) });
    expect(direct.status).toBe(200);
    const answer = (await direct.json()) as { job: { id: string; status: string }; candidates: any[] };
    expect(answer.job.status, JSON.stringify(answer.job)).toBe("succeeded");
    expect(direct.headers.get("location")).toBe(`/v1/jobs/${answer.job.id}`);
    expect(answer.candidates.map((c) => c.rank)).toEqual([1, 2]);
    const first = answer.candidates[0]!;
    expect(parseDocument("validationReport", first.report).success).toBe(true);
    expect(first.design.processClass).toBe("pump_station");
    expect(first.design.equipment.filter((e: { type: string }) => e.type === "pump").length).toBeGreaterThanOrEqual(2);

    // The same request asked asynchronously: 202 with the job; its candidates are the same (same seed).
    const queued = await api("/v1/generate?model=default", {
      method: "POST",
      body: JSON.stringify(request),
      headers: { prefer: "respond-async" },
    });
    expect(queued.status).toBe(202);
    const job = (await queued.json()) as { id: string };
    let status = "queued";
    for (let i = 0; i < 600 && !["succeeded", "failed", "cancelled"].includes(status); i++) {
      await new Promise((r) => setTimeout(r, 250));
      status = ((await (await api(`/v1/jobs/${job.id}`)).json()) as { status: string }).status;
    }
    const finished = (await (await api(`/v1/jobs/${job.id}`)).json()) as any;
    expect(finished.status, JSON.stringify(finished)).toBe("succeeded");
    const list = (await (await api(`/v1/candidates?job=${job.id}`)).json()) as {
      items: { id: string; rank: number }[];
    };
    expect(list.items).toHaveLength(2);
    const again = (await (await api(`/v1/candidates/${list.items.find((c) => c.rank === 1)!.id}`)).json()) as any;
    expect(again.design.equipment).toEqual(first.design.equipment);

    const review = await api(`/v1/candidates/${list.items[0]!.id}/review`, {
      method: "POST",
      body: JSON.stringify({ decision: "accept", comment: "layout fine" }),
    });
    expect(review.status).toBe(200);
    const accepted = (await (await api(`/v1/candidates/${list.items[0]!.id}`)).json()) as any;
    expect(accepted.status).toBe("accepted");
  });

  it("refuses a request for too many candidates with problem+json", async () => {
    const res = await api("/v1/generate?model=default", {
      method: "POST",
      body: JSON.stringify({
        schemaVersion: "1.0",
        processClass: "tank_farm",
        site: { width: 100, depth: 80 },
        count: 500,
      }),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });
});
