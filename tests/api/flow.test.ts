import { readFileSync } from "node:fs";
import { parseDesign } from "@plantgan/core/design";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDesign, ndjson } from "./designs.js";
import { DEXPI_FILE, json, readSse, startTestServer, type TestServer } from "./harness.js";

/**
 * The main path over real HTTP: upload (JSON, NDJSON, DEXPI) → dataset → statistics → validate →
 * import job followed through SSE → review of a stored candidate → export.
 */
describe("API main path", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it("uploads one JSON design (201, Location) and refuses it the second time (409 conflict)", async () => {
    const first = await s.api("/v1/designs", json(makeDesign("json-1")));
    expect(first.status).toBe(201);
    expect(first.headers.get("location")).toBe("/v1/designs/json-1");
    expect(await first.json()).toEqual({
      accepted: 1,
      refused: 0,
      records: [{ where: "body", accepted: true, id: "json-1" }],
    });
    const again = await s.api("/v1/designs", json(makeDesign("json-1")));
    expect(again.status).toBe(409);
    expect(again.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await again.json()).toMatchObject({
      code: "conflict",
      status: 409,
      issues: [{ code: "conflict", pointer: "/id" }],
    });
  });

  it("uploads an NDJSON batch and reports each record (200 when some are refused)", async () => {
    const bad = { ...makeDesign("nd-bad"), processClass: "bakery" };
    const response = await s.api("/v1/designs", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: ndjson([makeDesign("nd-1", 1), bad, makeDesign("nd-2", 2), makeDesign("nd-3", 3)]),
    });
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      accepted: number;
      refused: number;
      records: { where: string; accepted: boolean; issues?: { pointer: string }[] }[];
    };
    expect(report).toMatchObject({ accepted: 3, refused: 1 });
    expect(report.records[1]).toMatchObject({
      where: "line:2",
      accepted: false,
      issues: [{ pointer: "/processClass" }],
    });
  });

  it("refuses a body with no acceptable design: 422 invalid_design with every issue", async () => {
    const { equipment: _e, ...noEquipment } = makeDesign("x-1");
    const response = await s.api("/v1/designs", json({ ...noEquipment, colour: "red" }));
    expect(response.status).toBe(422);
    const problem = (await response.json()) as { code: string; issues: { pointer: string }[] };
    expect(problem.code).toBe("invalid_design");
    expect(problem.issues.map((i) => i.pointer).sort()).toEqual(["/colour", "/equipment"]);
  });

  it("uploads a DEXPI file as XML and gets a design back", async () => {
    const xml = readFileSync(DEXPI_FILE, "utf8");
    const response = await s.api("/v1/designs?id=e03v01-aud", {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: xml,
    });
    expect(response.status).toBe(201);
    const stored = (await (await s.api("/v1/designs/e03v01-aud")).json()) as { source: string; design: unknown };
    expect(stored.source).toBe("dexpi");
    expect(parseDesign(stored.design).success).toBe(true);
  });

  it("builds a dataset, lists by dataset and class with pages, and gives statistics", async () => {
    const created = await s.api("/v1/datasets", json({ id: "train-1", name: "Training set 1" }));
    expect(created.status).toBe(201);
    const add = await s.api(
      "/v1/datasets/train-1/designs",
      json({ add: ["json-1", "nd-1", "nd-2", "nd-3", "e03v01-aud"] }),
    );
    expect(await add.json()).toMatchObject({ added: 5, dataset: { designCount: 5 } });
    const missing = await s.api("/v1/datasets/train-1/designs", json({ add: ["nope"] }));
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({ code: "unknown_designs", missing: ["nope"] });
    const removed = await s.api("/v1/datasets/train-1/designs/nd-3", { method: "DELETE" });
    expect(removed.status).toBe(204);

    const page1 = (await (await s.api("/v1/designs?dataset=train-1&limit=2")).json()) as {
      items: { id: string }[];
      nextCursor: string;
    };
    expect(page1.items.map((d) => d.id)).toEqual(["json-1", "nd-1"]);
    const page2 = (await (await s.api(`/v1/designs?dataset=train-1&limit=2&cursor=${page1.nextCursor}`)).json()) as {
      items: { id: string }[];
    };
    expect(page2.items.map((d) => d.id)).toEqual(["nd-2", "e03v01-aud"]);
    const tankFarms = (await (await s.api("/v1/designs?processClass=tank_farm&status=uploaded")).json()) as {
      items: { id: string }[];
    };
    expect(tankFarms.items.map((d) => d.id)).toEqual(["nd-1", "nd-3"]);

    const stats = (await (await s.api("/v1/datasets/train-1/stats")).json()) as {
      designs: number;
      byProcessClass: Record<string, number>;
      equipment: { byType: Record<string, number> };
      lines: { total: number };
    };
    expect(stats.designs).toBe(4);
    expect(Object.values(stats.byProcessClass).reduce((a, b) => a + b, 0)).toBe(4);
    expect(stats.byProcessClass.pump_station).toBeGreaterThanOrEqual(2);
    expect(stats.equipment.byType.pump).toBeGreaterThanOrEqual(3);
    expect(stats.lines.total).toBeGreaterThanOrEqual(3);
  });

  it("validates inline and stored designs, with the default or an uploaded rule pack", async () => {
    const inline = await s.api("/v1/validate", json({ design: makeDesign("v-1") }));
    expect(inline.status).toBe(200);
    const report = (await inline.json()) as {
      designId: string;
      rulePack: { id: string };
      summary: { rulesRun: number };
    };
    expect(report.designId).toBe("v-1");
    expect(report.summary.rulesRun).toBeGreaterThan(0);

    const pack = (await (await s.api("/v1/rule-packs/default")).json()) as Record<string, unknown>;
    const mine = { ...pack, id: "strict-pack", version: "1" };
    expect((await s.api("/v1/rule-packs", json(mine))).status).toBe(201);
    expect((await s.api("/v1/rule-packs", json(mine))).status).toBe(409);
    const unknownRule = await s.api("/v1/rule-packs", json({ ...mine, version: "2", disabledRules: ["no.such.rule"] }));
    expect(unknownRule.status).toBe(422);
    expect(await unknownRule.json()).toMatchObject({
      code: "invalid_rule_pack",
      issues: [{ pointer: "/disabledRules/0" }],
    });
    const list = (await (await s.api("/v1/rule-packs")).json()) as { items: { id: string }[] };
    expect(list.items.map((p) => p.id)).toEqual(["strict-pack"]);

    const stored = await s.api("/v1/validate", json({ designId: "nd-2", rulePackId: "strict-pack" }));
    expect(stored.status).toBe(200);
    expect(await stored.json()).toMatchObject({ designId: "nd-2", rulePack: { id: "strict-pack", version: "1" } });
    const both = await s.api("/v1/validate", json({ design: makeDesign("v-2"), designId: "nd-2" }));
    expect((await both.json()) as unknown).toMatchObject({ code: "invalid_request" });
  });

  it("runs an import job and streams its progress as SSE, resumable with Last-Event-ID", async () => {
    const designs = Array.from({ length: 60 }, (_, i) => makeDesign(`imp-${i}`, i));
    designs[7] = { ...designs[7], schemaVersion: "2.0" };
    const response = await s.api("/v1/imports?batchSize=10&dataset=train-1", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: ndjson(designs),
    });
    expect(response.status).toBe(202);
    const job = (await response.json()) as { id: string; status: string };
    expect(response.headers.get("location")).toBe(`/v1/jobs/${job.id}`);

    const events = await readSse(`${s.url}/v1/jobs/${job.id}/events`, s.keyA);
    const types = events.map((e) => e.event);
    expect(types[0]).toBe("queued");
    expect(types).toContain("started");
    expect(types.at(-1)).toBe("finished");
    const progress = events.filter((e) => e.event === "progress").map((e) => e.data);
    expect(progress.length).toBeGreaterThanOrEqual(6);
    expect(progress.at(-1)).toMatchObject({ done: 60, total: 60, accepted: 59, refused: 1 });
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));

    const finished = (await (await s.api(`/v1/jobs/${job.id}`)).json()) as {
      status: string;
      result: Record<string, unknown>;
    };
    expect(finished.status).toBe("succeeded");
    expect(finished.result).toMatchObject({ accepted: 59, refused: 1, refusedRecords: [{ where: "body:8" }] });
    const stats = (await (await s.api("/v1/datasets/train-1/stats")).json()) as { designs: number };
    expect(stats.designs).toBe(4 + 59);

    // Resume: only the events after the given id come back.
    const resumed = await readSse(`${s.url}/v1/jobs/${job.id}/events`, s.keyA, { lastEventId: events[2]!.id });
    expect(resumed.map((e) => e.id)).toEqual(events.slice(3).map((e) => e.id));

    const cancel = await s.api(`/v1/jobs/${job.id}/cancel`, { method: "POST" });
    expect(cancel.status).toBe(409);
    expect(await cancel.json()).toMatchObject({ code: "job_finished" });
  });

  it("imports several files as multipart (a DEXPI file and NDJSON) in one job", async () => {
    const form = new FormData();
    form.append("files", new Blob([readFileSync(DEXPI_FILE)], { type: "application/xml" }), "../../etc/evil name.xml");
    form.append(
      "files",
      new Blob([ndjson([makeDesign("mp-1"), makeDesign("mp-2", 1)])], { type: "application/octet-stream" }),
      "batch.ndjson",
    );
    const response = await s.api("/v1/imports?id=dexpi-mp", { method: "POST", body: form });
    expect(response.status).toBe(202);
    const job = (await response.json()) as { id: string };
    await readSse(`${s.url}/v1/jobs/${job.id}/events`, s.keyA);
    const done = (await (await s.api(`/v1/jobs/${job.id}`)).json()) as { status: string; result: { accepted: number } };
    expect(done).toMatchObject({ status: "succeeded", result: { accepted: 3 } });
    expect((await s.api("/v1/designs/dexpi-mp")).status).toBe(200);
  });

  it("reviews stored candidates: accept makes an accepted design, a second review is refused", async () => {
    const { workspaceId } = (await (await s.api("/v1/me")).json()) as { workspaceId: string };
    const candidate = parseDesign(makeDesign("gen-7", 4));
    if (!candidate.success) throw new Error("bad fixture");
    await s.app.store.insertCandidates(workspaceId, [
      { id: "cand-1", design: candidate.data, rank: 1 },
      { id: "cand-2", design: { ...candidate.data, id: "gen-8" }, rank: 2 },
    ]);
    const pending = (await (await s.api("/v1/candidates?status=pending")).json()) as { items: { id: string }[] };
    expect(pending.items.map((c) => c.id)).toEqual(["cand-1", "cand-2"]);

    const accept = await s.api(
      "/v1/candidates/cand-1/review",
      json({ decision: "accept", comment: "spacing fine", designId: "accepted-7" }),
    );
    expect(accept.status).toBe(200);
    expect(await accept.json()).toMatchObject({
      candidate: { id: "cand-1", status: "accepted", review: { comment: "spacing fine", acceptedAs: "accepted-7" } },
      design: { id: "accepted-7", status: "accepted", source: "candidate", candidateId: "cand-1" },
    });
    const twice = await s.api("/v1/candidates/cand-1/review", json({ decision: "reject" }));
    expect(twice.status).toBe(409);
    expect(await twice.json()).toMatchObject({ code: "already_reviewed" });
    const reject = await s.api("/v1/candidates/cand-2/review", json({ decision: "reject", comment: "pump too close" }));
    expect(await reject.json()).toMatchObject({ candidate: { status: "rejected" } });
    expect((await s.api("/v1/designs/gen-8")).status).toBe(404);

    const accepted = (await (await s.api("/v1/designs?status=accepted")).json()) as { items: { id: string }[] };
    expect(accepted.items.map((d) => d.id)).toEqual(["accepted-7"]);
  });

  it("exports an accepted design as a JSON attachment that parses as a design", async () => {
    const response = await s.api("/v1/designs/accepted-7/export?format=json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="accepted-7.json"');
    const design = parseDesign(await response.text());
    expect(design.success && design.data.id).toBe("accepted-7");
    expect((await s.api("/v1/designs/accepted-7/export?format=dwg")).status).toBe(400);
  });

  it("answers 501 not_available for generation and training when the server has no such service", async () => {
    const generate = await s.api(
      "/v1/generate?model=m1",
      json({ schemaVersion: "1.0", processClass: "tank_farm", site: { width: 80, depth: 60 } }),
    );
    expect(generate.status).toBe(501);
    expect(await generate.json()).toMatchObject({ code: "not_available" });
    const train = await s.api("/v1/models", json({ id: "m1", datasetId: "train-1" }));
    expect(train.status).toBe(501);
    expect(await (await s.api("/v1/models")).json()).toEqual({ items: [] });
  });

  it("deletes a design; unknown routes and ids are problem+json 404s", async () => {
    expect((await s.api("/v1/designs/json-1", { method: "DELETE" })).status).toBe(204);
    const gone = await s.api("/v1/designs/json-1");
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ code: "not_found" });
    const noRoute = await s.api("/v1/nothing-here");
    expect(noRoute.status).toBe(404);
    expect(noRoute.headers.get("content-type")).toMatch(/problem\+json/);
  });

  it("serves the OpenAPI document and its UI at /docs, without a key", async () => {
    const doc = (await (await s.api("/docs/json", { key: null })).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/designs", "/v1/jobs/{id}/events", "/v1/candidates/{id}/review"]),
    );
    expect(doc.components.schemas).toHaveProperty("PlantDesign");
    // Every $ref points at a component that exists (contract schemas refer to each other by file).
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? [];
    const dangling = refs
      .map((r) => r.slice(8, -1))
      .filter((r) => !(r.replace("#/components/schemas/", "") in doc.components.schemas));
    expect(dangling).toEqual([]);
    const ui = await s.api("/docs/", { key: null });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain("swagger");
  });

  it("takes 50 concurrent uploads, all stored", async () => {
    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => s.api("/v1/designs", json(makeDesign(`conc-${i}`, i)))),
    );
    const elapsed = performance.now() - started;
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    const page = (await (await s.api("/v1/designs?limit=500")).json()) as { items: { id: string }[] };
    expect(page.items.filter((d) => d.id.startsWith("conc-"))).toHaveLength(50);
    console.log(`50 concurrent uploads: ${elapsed.toFixed(0)} ms`);
  });
});
