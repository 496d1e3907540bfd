import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ModelServer, startModelServer, waitFor } from "./harness.js";

/**
 * POST /v1/generate/variants and /v1/generate/blends: a job makes one candidate from stored
 * candidates' recorded latents; it records its parents in its design's metadata. Bad input is a
 * problem+json 4xx naming what is wrong.
 */
describe("variants and blends through the API", () => {
  let server: ModelServer;
  let parents: any[];
  const post = (path: string, body: unknown) => server.api(path, { method: "POST", body: JSON.stringify(body) });

  /** One candidate of two items of `type`, answered directly by the shipped model. */
  async function generated(query: string, processClass: string, site: object, type: string, seed: number) {
    const res = await post(`/v1/generate?model=default${query}`, {
      schemaVersion: "1.0",
      processClass,
      site,
      equipment: [{ type, count: 2 }],
      count: 1,
      seed,
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { candidates: any[] }).candidates;
  }

  /** Waits for a 202 job and returns its candidates, full. */
  async function candidatesOf(res: Response): Promise<any[]> {
    expect(res.status, await res.clone().text()).toBe(202);
    const job = (await res.json()) as { id: string };
    expect(res.headers.get("location")).toBe(`/v1/jobs/${job.id}`);
    const done = await waitFor(async () => {
      const j = (await (await server.api(`/v1/jobs/${job.id}`)).json()) as { status: string; error?: string };
      return ["succeeded", "failed", "cancelled"].includes(j.status) ? j : undefined;
    }, 90_000);
    expect(done.status, done.error).toBe("succeeded");
    const page = (await (await server.api(`/v1/candidates?job=${job.id}`)).json()) as { items: { id: string }[] };
    return Promise.all(page.items.map(async (c) => (await server.api(`/v1/candidates/${c.id}`)).json()));
  }

  beforeAll(async () => {
    server = await startModelServer();
    const res = await post("/v1/generate?model=default", {
      schemaVersion: "1.0",
      processClass: "tank_farm",
      site: { width: 120, depth: 90 },
      equipment: [
        { type: "pump", count: 2 },
        { type: "tank", count: 1 },
      ],
      count: 2,
      seed: 21,
    });
    expect(res.status).toBe(200);
    parents = ((await res.json()) as { candidates: any[] }).candidates;
    expect(parents).toHaveLength(2);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it("shows each candidate's latent and request in its design's metadata", () => {
    const meta = parents[0].design.metadata;
    expect(typeof meta["latent.layout"]).toBe("string");
    expect(meta.requestParts).toBe(1);
    expect(JSON.parse(meta.request).seed).toBe(21);
    expect(typeof meta.topologySeed).toBe("number");
  });

  it("makes a variant with one more pump that records its parent", async () => {
    const [variant] = await candidatesOf(
      await post("/v1/generate/variants", { candidate: parents[0].id, set: ["equipment.pump=+1"] }),
    );
    const pumps = (c: any) => c.design.equipment.filter((e: { type: string }) => e.type === "pump").length;
    expect(pumps(variant)).toBe(pumps(parents[0]) + 1);
    expect(variant.design.metadata.variantOf).toBe(parents[0].id);
    expect(JSON.parse(variant.design.metadata.variantSet)).toEqual(["equipment.pump=+1"]);
    expect(variant.design.metadata["latent.layout"]).toBe(parents[0].design.metadata["latent.layout"]);
    expect(variant.modelId).toBe(parents[0].modelId);
  }, 120_000);

  it("keeps the parent's topology source: the learned one by default, the designer where the parent was the designer's", async () => {
    expect(parents[0].design.metadata.topologySource).toBe("learned");
    const [designed] = await generated("&topology=designer", "tank_farm", { width: 120, depth: 90 }, "tank", 5);
    expect(designed.design.metadata.topologySource).toBe("designer");
    const [variant] = await candidatesOf(
      await post("/v1/generate/variants", { candidate: designed.id, set: ["equipment.tank=+1"] }),
    );
    expect(variant.design.metadata.topologySource).toBe("designer");
  }, 120_000);

  it("blends two candidates and records both", async () => {
    const [blend] = await candidatesOf(
      await post("/v1/generate/blends", { candidates: [parents[0].id, parents[1].id], t: 0.5 }),
    );
    expect(blend.design.metadata.blendOf).toBe(`${parents[0].id},${parents[1].id}`);
    expect(blend.design.metadata.blendT).toBe(0.5);
    expect(blend.design.metadata["latent.layout"]).not.toBe(parents[0].design.metadata["latent.layout"]);
    expect(blend.design.metadata["latent.layout"]).not.toBe(parents[1].design.metadata["latent.layout"]);
  }, 120_000);

  it("refuses to blend candidates of different process classes", async () => {
    const [other] = await generated("", "pump_station", { width: 120, depth: 80 }, "pump", 3);
    const refused = await post("/v1/generate/blends", { candidates: [parents[0].id, other.id] });
    expect(refused.status).toBe(400);
    const problem = (await refused.json()) as { detail: string; issues: { pointer: string }[] };
    expect(problem.detail).toContain("different process classes");
    expect(problem.issues[0]?.pointer).toBe("/candidates");
  }, 120_000);

  it("answers bad input with a problem naming it", async () => {
    for (const [path, body, status, says, pointer] of [
      ["/v1/generate/variants", { candidate: parents[0].id, set: ["equipment.widget=+1"] }, 400, "widget", "/set/0"],
      ["/v1/generate/variants", { candidate: parents[0].id, set: ["x"] }, 400, "expected <field>=<value>", "/set/0"],
      ["/v1/generate/variants", { candidate: "cand-nope", set: [] }, 404, "cand-nope", undefined],
      ["/v1/generate/variants", { set: [] }, 400, "candidate", undefined],
      ["/v1/generate/blends", { candidates: [parents[0].id] }, 400, "candidates", undefined],
      ["/v1/generate/blends", { candidates: [parents[0].id, parents[1].id], t: 2 }, 400, "t", undefined],
    ] as const) {
      const res = await post(path, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const problem = (await res.json()) as { detail: string; issues?: { pointer: string }[] };
      expect(JSON.stringify(problem)).toContain(says);
      if (pointer) expect(problem.issues?.[0]?.pointer).toBe(pointer);
    }
  });
});
