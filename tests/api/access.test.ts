import { parseDesign } from "@plantgan/core/design";
import { createApiKey } from "@plantgan/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDesign } from "./designs.js";
import { json, readSse, startTestServer, type TestServer } from "./harness.js";

/** API keys and workspaces: no key → 401; another workspace's ids → 404, never its data. */
describe("API access", () => {
  let s: TestServer;
  let jobId: string;
  beforeAll(async () => {
    s = await startTestServer({
      rateLimit: { upload: 5, heavy: 30 },
      limits: { bodyBytes: 64 * 1024, uploadBytes: 256 * 1024, importBytes: 128 * 1024, importFiles: 2 },
      jobs: { start: false },
    });
    // Workspace A owns a design, a dataset, a rule pack, a job and a candidate.
    await s.api("/v1/designs", json(makeDesign("a-design")));
    await s.api("/v1/datasets", json({ id: "a-set", name: "A" }));
    const pack = await (await s.api("/v1/rule-packs/default")).json();
    await s.api("/v1/rule-packs", json({ ...(pack as object), id: "a-pack" }));
    const job = await s.api("/v1/imports", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: `${JSON.stringify(makeDesign("q-1"))}\n`,
    });
    jobId = ((await job.json()) as { id: string }).id;
    const { workspaceId } = (await (await s.api("/v1/me")).json()) as { workspaceId: string };
    const d = parseDesign(makeDesign("gen-1"));
    if (!d.success) throw new Error("fixture");
    await s.app.store.insertCandidates(workspaceId, [{ id: "a-cand", design: d.data }]);
  });
  afterAll(async () => {
    await s.close();
  });

  it("answers 401 problem+json without a key, with a malformed one and with an unknown one", async () => {
    for (const authorization of [
      undefined,
      "Basic abc",
      "Bearer",
      `Bearer pgk_${"x".repeat(43)}`,
      "Bearer not-a-key",
    ]) {
      const response = await fetch(`${s.url}/v1/designs`, { headers: authorization ? { authorization } : {} });
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await response.json()).toMatchObject({ code: "unauthorized" });
    }
    // Refused before the body is read: a large anonymous body costs nothing.
    const big = await fetch(`${s.url}/v1/designs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(200_000),
    });
    expect(big.status).toBe(401);
    expect((await fetch(`${s.url}/v1/health`)).status).toBe(200);
  });

  it("hides every workspace A resource from workspace B (404) and lists none of them", async () => {
    const b = { key: s.keyB };
    for (const path of [
      "/v1/designs/a-design",
      "/v1/designs/a-design/export",
      "/v1/datasets/a-set",
      "/v1/datasets/a-set/stats",
      "/v1/rule-packs/a-pack",
      `/v1/jobs/${jobId}`,
      `/v1/jobs/${jobId}/events`,
      "/v1/candidates/a-cand",
    ]) {
      const response = await s.api(path, b);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toMatchObject({ code: "not_found" });
    }
    for (const [path, init] of [
      ["/v1/designs/a-design", { method: "DELETE" }],
      [`/v1/jobs/${jobId}/cancel`, { method: "POST" }],
      ["/v1/candidates/a-cand/review", json({ decision: "accept" })],
      ["/v1/datasets/a-set/designs", json({ add: ["a-design"] })],
      ["/v1/validate", json({ designId: "a-design" })],
      ["/v1/validate", json({ design: makeDesign("v"), rulePackId: "a-pack" })],
    ] as const) {
      expect((await s.api(path, { ...init, ...b })).status, path).toBe(404);
    }
    for (const path of ["/v1/designs", "/v1/datasets", "/v1/rule-packs", "/v1/jobs", "/v1/candidates"]) {
      expect(await (await s.api(path, b)).json(), path).toEqual({ items: [] });
    }
    // B may use the same ids for its own things.
    expect((await s.api("/v1/designs", { ...json(makeDesign("a-design")), ...b })).status).toBe(201);
    // And A still sees its own.
    expect((await s.api("/v1/designs/a-design")).status).toBe(200);
    expect((await s.api(`/v1/jobs/${jobId}`)).status).toBe(200);
  });

  it("rate-limits the heavy routes per key with 429 problem+json", async () => {
    const { key } = await createApiKey(s.app.store, "workspace-c");
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await s.api("/v1/validate", { ...json({ design: makeDesign(`r-${i}`) }), key })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const limited = await s.api("/v1/validate", { ...json({ design: makeDesign("r-x") }), key });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBeTruthy();
    expect(await limited.json()).toMatchObject({ code: "rate_limited" });
    // Another key has its own allowance.
    expect((await s.api("/v1/validate", json({ design: makeDesign("r-a") }))).status).toBe(200);
  });

  it("refuses bodies over the limits with 413 problem+json", async () => {
    const name = "x".repeat(300 * 1024);
    const response = await s.api("/v1/designs", json({ ...makeDesign("huge"), name }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: "payload_too_large" });
    const dataset = await s.api("/v1/datasets", json({ name: "n", description: "y".repeat(100 * 1024) }));
    expect(dataset.status).toBe(413);
    // Multipart is bounded by its own limits (bodyLimit does not cover it): file size and count.
    const line = `${JSON.stringify(makeDesign("mp"))}\n`;
    const bigFile = new FormData();
    bigFile.append("files", new Blob([line.repeat(200)]), "big.ndjson");
    const tooBig = await s.api("/v1/imports", { method: "POST", body: bigFile });
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ code: "payload_too_large" });
    const manyFiles = new FormData();
    for (let i = 0; i < 3; i++) manyFiles.append("files", new Blob([line]), `f${i}.ndjson`);
    const tooMany = await s.api("/v1/imports", { method: "POST", body: manyFiles });
    expect(tooMany.status).toBe(413);
    expect((await (await s.api("/v1/jobs")).json()) as { items: unknown[] }).toMatchObject({
      items: [{ kind: "import" }],
    });
  });

  it("ends open event streams when the server closes, instead of hanging the close", async () => {
    const other = await startTestServer({ jobs: { start: false } });
    const queued = await other.api("/v1/imports", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: `${JSON.stringify(makeDesign("q"))}\n`,
    });
    const { id } = (await queued.json()) as { id: string };
    // The job never runs (runner off): the stream would stay open forever.
    const stream = readSse(`${other.url}/v1/jobs/${id}/events`, other.keyA);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await stream).map((e) => e.event)).toEqual(["queued"]);
  });
});
