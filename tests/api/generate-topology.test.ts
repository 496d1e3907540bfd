import { readFileSync } from "node:fs";
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

  it("records the designer on each candidate, by default and when asked for", async () => {
    for (const query of ["", "&topology=designer"]) {
      const res = await generate(query);
      expect(res.status).toBe(200);
      const answer = (await res.json()) as { job: { status: string }; candidates: any[] };
      expect(answer.job.status, JSON.stringify(answer.job)).toBe("succeeded");
      expect(answer.candidates.map((c) => c.design.metadata.topologySource)).toEqual(["designer"]);
    }
  });

  it("refuses an unknown source, learned without a topology generator, and any source for a topology-mode request", async () => {
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
      ["&topology=learned", request, "no topology generator"],
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
});
