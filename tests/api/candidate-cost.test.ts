import { pumpStationRequest } from "@plantgan/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ModelServer, startModelServer } from "./harness.js";

/**
 * The generate job loads HiGHS, so its candidates are polished; the server stores each one's cost
 * breakdown and polish report, and both the generate answer and GET /v1/candidates/:id return them.
 */
describe("candidates carry their cost and polish report through the API", () => {
  let server: ModelServer;
  const api = (path: string, init: RequestInit = {}) => server.api(path, init);

  beforeAll(async () => {
    server = await startModelServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it("stores and returns cost and polish for each candidate", async () => {
    const request = pumpStationRequest(3, 5);
    const res = await api("/v1/generate?model=default", { method: "POST", body: JSON.stringify(request) });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { candidates: any[] };
    expect(answer.candidates, JSON.stringify(answer).slice(0, 600)).toHaveLength(3);
    for (const c of answer.candidates) {
      expect(c.polish, c.id).toBeDefined();
      expect(c.polish.reason).not.toMatch(/not loaded/);
      expect(c.cost.currency).toBeTruthy();
      expect(c.cost.total).toBeGreaterThan(0);
      expect(c.cost.total).toBeCloseTo(c.cost.pipe + c.cost.bends + c.cost.land, 6);
      expect(c.cost.lines).toHaveLength(c.design.lines.length);
      if (c.polish.applied) {
        expect(c.polish.costAfter).toBeLessThan(c.polish.costBefore);
        expect(c.polish.costAfter).toBeCloseTo(c.cost.total, 6);
      }
      const one = await api(`/v1/candidates/${c.id}`);
      expect(one.status).toBe(200);
      const stored = (await one.json()) as any;
      expect(stored.cost).toEqual(c.cost);
      expect(stored.polish).toEqual(c.polish);
    }
    expect(answer.candidates.some((c) => c.polish.applied)).toBe(true);
  });
});
