import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tankFarmWithoutVent, topologyModeRequest } from "@plantgan/testing";
import { afterAll, describe, expect, it } from "vitest";
import { plantgan } from "./run-cli.js";

/**
 * `plantgan generate --topology` picks who makes a spec-mode topology; every candidate records it,
 * and a source that cannot be had is exit 2 naming the flag, never the designer in its place.
 */
const SHIPPED_MODEL = new URL("../../datasets/models/default", import.meta.url).pathname;

describe("plantgan generate --topology", () => {
  const dir = mkdtempSync(join(tmpdir(), "plantgan-topology-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const requestFile = join(dir, "req.json");
  writeFileSync(
    requestFile,
    JSON.stringify({
      schemaVersion: "1.0",
      processClass: "pump_station",
      site: { width: 120, depth: 80 },
      equipment: [{ type: "pump", count: 2 }],
      count: 1,
      seed: 11,
    }),
  );

  /** Runs a spec-mode generate with `flags`, checks the summary names `source`, and reads the first candidate written. */
  function firstCandidate(flags: readonly string[], source: string) {
    const out = join(dir, `${source}.ndjson`);
    const run = plantgan(["generate", "--request", requestFile, ...flags, "-o", out]);
    expect([0, 1], run.stderr).toContain(run.code);
    expect(run.stdout).toContain(`topology by ${source}`);
    return JSON.parse(readFileSync(out, "utf8").trim().split("\n")[0]!);
  }

  it("records the designer on each candidate and in its design's metadata", () => {
    const record = firstCandidate(["--topology", "designer"], "designer");
    expect(record.topologySource).toBe("designer");
    expect(record.design.metadata.topologySource).toBe("designer");
  });

  it("shows a topology-mode candidate's layout verdict and inherited errors: the drawing's own missing vent", () => {
    const topologyFile = join(dir, "topology-req.json");
    writeFileSync(topologyFile, JSON.stringify(topologyModeRequest(tankFarmWithoutVent(), 1, 3)));
    const out = join(dir, "topology.ndjson");
    const run = plantgan(["generate", "--request", topologyFile, "-o", out]);
    // The candidate has an error (the drawing's): exit 1, done with findings.
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/rank {2}valid {2}layout {2}errors {2}inherited/);
    expect(run.stdout).toMatch(/^ {3}1 {2}no {5}yes\s+1\s+1 /m);
    expect(run.stdout).toContain("marked inherited in the report");
    const [record] = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect([record.valid, record.layoutValid]).toEqual([false, true]);
    expect(record.report.violations.filter((v: { inherited?: boolean }) => v.inherited)).toMatchObject([
      { rule: "piping.tank-vent", tags: ["TK-101"], inherited: true },
    ]);
    // validate on the written candidates gives the same verdict, marks included.
    const checked = plantgan(["validate", out]);
    expect(checked.code, checked.stderr).toBe(1);
    expect(checked.stdout).toContain("1 error(s) (1 inherited)");
    expect(checked.stdout).toMatch(
      /error {3}piping\.tank-vent \[TK-101\] \(inherited: the request's own topology has it\)/,
    );
    const json = JSON.parse(plantgan(["validate", out, "--json"]).stdout);
    expect(json.violations.filter((v: { inherited?: boolean }) => v.inherited)).toEqual(
      record.report.violations.filter((v: { inherited?: boolean }) => v.inherited),
    );
  });

  it("takes the shipped model's learned topology generator by default", () => {
    expect(firstCandidate([], "learned").topologySource).toBe("learned");
  });

  it("refuses an unknown source, and learned from a layout-only model, with exit 2, naming --topology", () => {
    // The shipped model's layout generator alone: no topology/ folder.
    const layoutOnly = join(dir, "layout-only");
    cpSync(SHIPPED_MODEL, layoutOnly, { recursive: true, filter: (source) => !source.includes("/topology") });
    for (const [name, says] of [
      ["templates", 'unknown topology source "templates"'],
      ["learned", "no topology generator"],
    ] as const) {
      const run = plantgan(["generate", "--request", requestFile, "--model", layoutOnly, "--topology", name]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`--topology ${name}`);
      expect(run.stderr).toContain(says);
      expect(run.stdout).not.toContain("candidate(s)");
    }
  });
});
