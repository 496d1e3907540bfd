import { readFileSync } from "node:fs";
import { pumpStationRequest, tankFarmWithoutVent, topologyModeRequest } from "@plantgan/testing";
import { describeWithFixtures, fixturePath } from "@plantgan/testing/fixtures";
import { describe, expect, it } from "vitest";
import { type GenerationRequest, type PlantDesignInput, parseDocument } from "../design/index.js";
import { importDexpi } from "../formats/index.js";
import { generateCandidates } from "./pipeline.js";
import type { Candidate } from "./types.js";

function topologyRequest(topology: PlantDesignInput, site?: object): GenerationRequest {
  const parsed = parseDocument("generationRequest", {
    ...topologyModeRequest(topology, 1, 3),
    ...(site ? { site } : {}),
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  return parsed.data as GenerationRequest;
}

const errorsOf = (c: Candidate) => c.report.violations.filter((v) => v.severity === "error");

describe("inherited findings (topology mode)", () => {
  it("marks the drawing's own error inherited: the candidate is invalid but its layout valid, found at the first attempt", () => {
    const [c] = generateCandidates(topologyRequest(tankFarmWithoutVent()), { placement: "random" });
    const errors = errorsOf(c!);
    expect(errors.map((v) => [v.rule, v.tags, v.inherited])).toEqual([["piping.tank-vent", ["TK-101"], true]]);
    expect(c!.valid).toBe(false);
    expect(c!.layoutValid).toBe(true);
    // No fresh proposal can give TK-101 a vent: the loop stops at the first routed, legal layout.
    expect(c!.attempts).toBe(1);
  });

  it("never marks what the layout adds: on a site too small, the placement's errors stay unmarked", () => {
    const drawing = tankFarmWithoutVent();
    const [c] = generateCandidates(topologyRequest(drawing, { width: 40, depth: 30, gridSize: 1 }), {
      placement: "random",
      attempts: 1,
    });
    const errors = errorsOf(c!);
    const added = errors.filter((v) => !v.inherited);
    expect(added.length).toBeGreaterThan(0);
    // What only a layout can break: geometry rules and the router's piping.routed.
    expect(added.every((v) => v.rule.startsWith("geometry.") || v.rule === "piping.routed")).toBe(true);
    expect(errors.filter((v) => v.inherited).map((v) => [v.rule, v.tags])).toEqual([["piping.tank-vent", ["TK-101"]]]);
    expect(c!.valid).toBe(false);
    expect(c!.layoutValid).toBe(false);
  });

  it("has no inherited mark in spec mode, where layoutValid is valid", () => {
    // A pump station with a tank, three candidates, one attempt each: some fail on this site.
    const parsed = parseDocument("generationRequest", { ...pumpStationRequest(3, 4), site: { width: 40, depth: 30 } });
    if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
    const candidates = generateCandidates(parsed.data as GenerationRequest, { placement: "random", attempts: 1 });
    expect(candidates).toHaveLength(3);
    for (const c of candidates) {
      expect(c.report.violations.some((v) => "inherited" in v)).toBe(false);
      expect(c.layoutValid).toBe(c.valid);
    }
    // The site is tight enough that some candidate fails and some passes: layoutValid follows valid both ways.
    expect(candidates.map((c) => c.valid).sort()).toEqual([false, true, true]);
  });

  describeWithFixtures("an imported third-party P&ID", () => {
    // C02 draws tank T-4750 with no vent and no shell valves on three of its lines.
    it("C02: the tank's missing vent and shell valves are inherited; the layout adds no error", () => {
      const imported = importDexpi(readFileSync(fixturePath("dexpi-testcases", "C02V01-AVV.EX01.xml"), "utf8"));
      if (!imported.success) throw new Error(JSON.stringify(imported.issues));
      const [c] = generateCandidates(topologyRequest(imported.design as PlantDesignInput), { placement: "random" });
      const errors = errorsOf(c!);
      expect(errors.every((v) => v.inherited === true)).toBe(true);
      expect(errors.filter((v) => v.rule === "piping.tank-vent").map((v) => v.tags)).toEqual([["T-4750"]]);
      expect(errors.filter((v) => v.rule === "piping.tank-shell-valve")).toHaveLength(3);
      expect(c!.valid).toBe(false);
      expect(c!.layoutValid).toBe(true);
      expect(c!.unrouted).toEqual([]);
    });
  });
});
