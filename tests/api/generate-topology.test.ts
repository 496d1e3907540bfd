import { readFileSync } from "node:fs";
import { pumpStationRequest, tankFarmWithoutVent, topologyModeRequest } from "@plantgan/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ModelServer, startModelServer } from "./harness.js";

/**
 * `?topology=` picks who makes a spec-mode request's topology: each candidate's design records it
 * (metadata.topologySource), and a source that cannot be had is a 400 problem naming `topology`,
 * never the designer in its place.
 */
describe("POST /v1/generate?topology=", () => {
  let server: ModelServer;
  const request = {
    schemaVersion: "1.0",
    processClass: "pump_station",
    site: { width: 120, depth: 80 },
    equipment: [{ type: "pump", count: 2 }],
    count: 1,
    seed: 11,
  };
  const generate = (query: string, body: object = request) =>
    server.api(`/v1/generate?model=default${query}`, { method: "POST", body: JSON.stringify(body) });

  beforeAll(async () => {
    server = await startModelServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("records the shipped model's learned generator on each candidate by default, and the designer when asked for", async () => {
    for (const [query, source] of [
      ["", "learned"],
      ["&topology=learned", "learned"],
      ["&topology=designer", "designer"],
    ] as const) {
      const res = await generate(query);
      expect(res.status).toBe(200);
      const answer = (await res.json()) as { job: { status: string }; candidates: any[] };
      expect(answer.job.status, JSON.stringify(answer.job)).toBe("succeeded");
      expect(
        answer.candidates.map((c) => c.design.metadata.topologySource),
        query,
      ).toEqual([source]);
    }
  });

  // A model without a topology generator refusing `learned`: tests/api/train.test.ts (a layout-only model).
  it("refuses an unknown source and any source for a topology-mode request", async () => {
    const example = JSON.parse(
      readFileSync(new URL("../../datasets/examples/pump-station.json", import.meta.url), "utf8"),
    );
    const topologyMode = {
      schemaVersion: "1.0",
      mode: "topology",
      processClass: example.processClass,
      site: example.site,
      topology: example,
      count: 1,
    };
    for (const [query, body, says] of [
      ["&topology=templates", request, 'unknown source "templates"'],
      ["&topology=learned", topologyMode, "topology-mode request"],
      ["&topology=designer", topologyMode, "topology-mode request"],
    ] as const) {
      const res = await generate(query, body);
      expect(res.status, query).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const problem = (await res.json()) as { code: string; detail: string; issues: { pointer: string; in: string }[] };
      expect(problem.code).toBe("invalid_request");
      expect(problem.detail).toContain(says);
      expect(problem.detail.startsWith("topology")).toBe(true);
      expect(problem.issues[0]).toMatchObject({ pointer: "/topology", in: "querystring" });
    }
  });

  /**
   * A topology-mode request whose drawing itself breaks a rule (the tank-farm example with TK-101's
   * VENT nozzle renamed: a tank drawn without a vent). The pipeline marks that finding inherited; the
   * API stores the mark in the report and shows layoutValid and inheritedErrors beside valid, in the
   * generate answer, GET /v1/candidates/:id, the job's candidate list and the job's result.
   */
  describe("topology mode: inherited findings", () => {
    it("marks the drawing's own error inherited and keeps valid and layoutValid apart", async () => {
      const body = topologyModeRequest(tankFarmWithoutVent(), 2, 3);
      const res = await server.api("/v1/generate?model=default", { method: "POST", body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      const answer = (await res.json()) as { job: { id: string; result: any }; candidates: any[] };
      expect(answer.candidates).toHaveLength(2);
      const listed = (await (await server.api(`/v1/candidates?job=${answer.job.id}`)).json()) as { items: any[] };
      for (const c of answer.candidates) {
        const errors = c.report.violations.filter((v: any) => v.severity === "error");
        const vent = errors.filter((v: any) => v.rule === "piping.tank-vent");
        expect(vent.map((v: any) => [v.tags, v.inherited])).toEqual([[["TK-101"], true]]);
        // Only the drawing's own errors are marked: everything else the layout added.
        expect(errors.filter((v: any) => v.inherited).length).toBe(1);
        const added = errors.filter((v: any) => !v.inherited);
        expect(c.valid).toBe(false);
        expect(c.inheritedErrors).toBe(1);
        expect(c.layoutValid, JSON.stringify(added)).toBe(added.length === 0);
        const one = (await (await server.api(`/v1/candidates/${c.id}`)).json()) as any;
        expect([one.valid, one.layoutValid, one.inheritedErrors]).toEqual([false, c.layoutValid, 1]);
        expect(one.report.violations.filter((v: any) => v.inherited)).toEqual(vent);
        const row = listed.items.find((x) => x.id === c.id);
        expect([row.valid, row.layoutValid, row.inheritedErrors]).toEqual([false, c.layoutValid, 1]);
        expect(answer.job.result.candidates.find((x: any) => x.id === c.id)).toMatchObject({
          valid: false,
          layoutValid: c.layoutValid,
        });
      }
      // The shipped model places and routes this tank farm: the best candidate's layout adds nothing.
      expect(answer.candidates[0].layoutValid).toBe(true);
      expect(answer.job.result.valid).toBe(0);
      expect(answer.job.result.layoutValid).toBe(answer.candidates.filter((c) => c.layoutValid).length);
    });

    it("shows layoutValid equal to valid, and no inherited count, in spec mode", async () => {
      const res = await server.api("/v1/generate?model=default", {
        method: "POST",
        body: JSON.stringify(pumpStationRequest(2, 5)),
      });
      expect(res.status).toBe(200);
      const answer = (await res.json()) as { candidates: any[] };
      for (const c of answer.candidates) {
        expect(c.layoutValid).toBe(c.valid);
        expect(c.inheritedErrors).toBeUndefined();
        expect(c.report.violations.some((v: any) => "inherited" in v)).toBe(false);
      }
    });
  });
});
