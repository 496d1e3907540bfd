import { describe, expect, it } from "vitest";
import { type GenerationRequest, parseDocument } from "../design/index.js";
import { generateCandidates } from "./pipeline.js";

// An eval request (held-out tank farm of datasets/synthetic-v1, `plantgan eval` request 17): the
// designer's first topology for it holds three 34 m tanks, which no layout fits on this site.
const TANK_FARM = {
  schemaVersion: "1.0",
  mode: "spec",
  processClass: "tank_farm",
  site: {
    width: 101,
    depth: 117,
    windFrom: 27,
    gridSize: 1,
    keepOut: [
      { id: "SUB-1", x: 78, y: 81, width: 13, depth: 11, kind: "substation" },
      { id: "SUB-2", x: 40, y: 106, width: 15, depth: 9, kind: "substation" },
      { id: "road-E", x: 93, y: 0, width: 8, depth: 117, kind: "road" },
    ],
    racks: [
      { id: "R1", x: 68, y: 11, length: 28, width: 6, axis: "y", levels: [6, 8] },
      { id: "R2", x: 21, y: 33, length: 53, width: 6, axis: "x", levels: [6, 8] },
    ],
  },
  equipment: [
    { type: "filter", count: 2 },
    { type: "pump", count: 3 },
    { type: "tank", count: 3 },
  ],
  count: 1,
  seed: 447158036,
  truncation: 1,
};

describe("generation pipeline retries", () => {
  const parsed = parseDocument("generationRequest", TANK_FARM);
  const request = (parsed.success ? parsed.data : undefined) as GenerationRequest;

  it("gives a later retry a fresh topology when the first cannot fit the site", () => {
    expect(parsed.success).toBe(true);
    const [once] = generateCandidates(request, { placement: "random", attempts: 1 });
    expect(once!.valid).toBe(false);
    expect(once!.unresolved.some((u) => u.startsWith("no_position"))).toBe(true);
    // One verdict: the report says why it is invalid, naming the items without a position.
    const unplaced = once!.report.violations.filter((v) => v.rule === "geometry.legal-position");
    expect(unplaced.length).toBeGreaterThan(0);
    expect(unplaced.every((v) => v.severity === "error" && v.tags.length > 0)).toBe(true);
    expect(once!.report.summary.errors).toBeGreaterThan(0);

    // The second topology's 26 m tanks do not fit either once they keep NFPA 30's distance to the
    // property line; the third's 21 m tanks do.
    const [again] = generateCandidates(request, { placement: "random", attempts: 3 });
    expect(again!.valid).toBe(true);
    expect(again!.attempts).toBe(3);
    const tanks = (c: typeof once) => c!.design.equipment.filter((e) => e.type === "tank");
    expect(tanks(again).length).toBe(3);
    expect(tanks(again)[0]!.footprint.width).toBeLessThan(tanks(once)[0]!.footprint.width);
  });
});

describe("generation progress", () => {
  it("reports each candidate as it is finished, before ranking", () => {
    const parsed = parseDocument("generationRequest", {
      ...TANK_FARM,
      seed: 5,
      equipment: [{ type: "pump", count: 2 }],
    });
    if (!parsed.success) throw new Error(parsed.issues[0]?.message);
    const seen: [number, number][] = [];
    const out = generateCandidates(parsed.data as GenerationRequest, {
      placement: "random",
      count: 3,
      attempts: 2,
      polish: false,
      onCandidate: (done, total) => seen.push([done, total]),
    });
    expect(out).toHaveLength(3);
    expect(seen).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });
});
