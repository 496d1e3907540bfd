import { pumpStationRequest } from "@plantgan/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ModelServer, readSse, startModelServer } from "./harness.js";

/**
 * The review path an engineer can trust: one verdict (a candidate's reasons are in its report and
 * card), no accepting an invalid candidate without a recorded override, unique generated ids, a
 * free id suggested on a clash, and fixed items refused up front when they cannot be kept.
 */
describe("review with one verdict, with the shipped model", () => {
  let server: ModelServer;
  const api = (path: string, init: RequestInit = {}) => server.api(path, init);
  const post = (path: string, body: unknown) => api(path, { method: "POST", body: JSON.stringify(body) });

  /** Queues a request, waits for its job, returns the job and its candidates (full records), best first. */
  async function generate(request: unknown): Promise<{ job: any; candidates: any[] }> {
    const queued = await api("/v1/generate?model=default", {
      method: "POST",
      body: JSON.stringify(request),
      headers: { prefer: "respond-async" },
    });
    expect(queued.status).toBe(202);
    const { id } = (await queued.json()) as { id: string };
    let job: any;
    for (let i = 0; i < 1200; i++) {
      job = await (await api(`/v1/jobs/${id}`)).json();
      if (["succeeded", "failed", "cancelled"].includes(job.status)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(job.status, JSON.stringify(job)).toBe("succeeded");
    const page = (await (await api(`/v1/candidates?job=${id}`)).json()) as { items: any[] };
    const candidates = await Promise.all(
      page.items.map(async (c) => (await api(`/v1/candidates/${c.id}`)).json() as Promise<any>),
    );
    return { job, candidates: candidates.sort((a, b) => a.rank - b.rank) };
  }

  const SMALL = pumpStationRequest(1, 11);

  beforeAll(async () => {
    server = await startModelServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it("on a 5 km site the unrouted lines are errors in the report and the card, and accepting needs an override", async () => {
    const { job, candidates } = await generate({ ...SMALL, site: { width: 5000, depth: 5000 }, seed: 3 });
    expect(job.progress).toEqual({ done: 1, total: 1 });
    const [c] = candidates;
    const routed = c.report.violations.filter((v: any) => v.rule === "piping.routed");
    expect(routed.length, JSON.stringify(c.report.summary)).toBeGreaterThan(0);
    for (const v of routed) {
      expect(v.severity).toBe("error");
      expect(v.lines.length).toBeGreaterThan(0);
      expect(v.tags.length).toBeGreaterThan(0);
      // The router's reason and code, e.g. "nozzle P-101A/N1 is outside the site grid (blocked_nozzle)".
      expect(v.message).toMatch(/is not routed: .+ \((blocked_nozzle|no_path|[a-z_]+)\)\.$/);
      for (const t of v.tags) expect(v.message).toContain(t);
    }
    expect(c.report.summary.errors).toBeGreaterThanOrEqual(routed.length);
    // The card agrees with the report.
    const card = (await (await api(`/v1/candidates?job=${job.id}`)).json()) as { items: any[] };
    expect(card.items[0]).toMatchObject({ valid: false, errors: c.report.summary.errors });

    const refused = await post(`/v1/candidates/${c.id}/review`, { decision: "accept" });
    expect(refused.status).toBe(409);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(await refused.json()).toMatchObject({ code: "invalid_candidate", errors: c.report.summary.errors });

    const accepted = await post(`/v1/candidates/${c.id}/review`, {
      decision: "accept",
      override: { reason: "site study only; piping comes later" },
    });
    expect(accepted.status, await accepted.clone().text()).toBe(200);
    const after = (await (await api(`/v1/candidates/${c.id}`)).json()) as any;
    expect(after.status).toBe("accepted");
    expect(after.review.override).toEqual({ reason: "site study only; piping comes later" });
  });

  it("gives two requests different design ids, and a clash on accept suggests a free id", async () => {
    const first = await generate(SMALL);
    const second = await generate(SMALL);
    const [a] = first.candidates;
    const [b] = second.candidates;
    // Same seed, same layout, but never the same id.
    expect(b.design.equipment).toEqual(a.design.equipment);
    expect(b.designId).not.toBe(a.designId);
    expect(b.design.id).toBe(b.designId);

    const review = (id: string, extra: object = {}) =>
      post(`/v1/candidates/${id}/review`, { decision: "accept", override: { reason: "test" }, ...extra });
    expect((await review(a.id, { designId: "pump-layout" })).status).toBe(200);
    const clash = await review(b.id, { designId: "pump-layout" });
    expect(clash.status).toBe(409);
    const problem = (await clash.json()) as any;
    expect(problem).toMatchObject({ code: "conflict", designId: "pump-layout", suggestedId: "pump-layout-2" });
    const renamed = await review(b.id, { designId: problem.suggestedId });
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as any).design.id).toBe("pump-layout-2");
  });

  it("reports progress over SSE as each candidate is finished", async () => {
    const queued = await api("/v1/generate?model=default", {
      method: "POST",
      body: JSON.stringify({ ...SMALL, count: 3 }),
      headers: { prefer: "respond-async" },
    });
    const { id } = (await queued.json()) as { id: string };
    const events = await readSse(`${server.url}/v1/jobs/${id}/events`, server.key, { timeoutMs: 120_000 });
    const progress = events
      .filter((e) => e.event === "progress")
      .map((e) => ({ done: e.data.done, total: e.data.total }));
    expect(progress).toEqual([0, 1, 2, 3].map((done) => ({ done, total: 3 })));
  });

  it("refuses fixed items without a position, outside the site or in a keep-out with 422 naming them", async () => {
    const tank = { type: "tank", footprint: { width: 8, depth: 8, height: 10 } };
    const res = await post("/v1/generate?model=default", {
      ...SMALL,
      site: { width: 120, depth: 80, keepOut: [{ id: "ROAD-1", x: 0, y: 70, width: 120, depth: 10, kind: "road" }] },
      fixed: [
        { ...tank, tag: "TK-901" },
        { ...tank, tag: "TK-902", x: 119, y: 20 },
        { ...tank, tag: "TK-903", x: 30, y: 72 },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const problem = (await res.json()) as any;
    expect(problem.code).toBe("invalid_fixed_items");
    expect(problem.issues.map((i: any) => i.pointer)).toEqual(["/fixed/0", "/fixed/1", "/fixed/2"]);
    for (const tag of ["TK-901", "TK-902", "TK-903"]) expect(problem.detail).toContain(tag);
  });
});
