import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseDesign } from "../design/parse.js";
import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import type { Design } from "../design/types.js";
import { bendRate, type CostModel, designCost, pipeRate } from "./index.js";

const model = DEFAULT_RULE_PACK.cost as CostModel;

function example(name: string): Design {
  const raw = JSON.parse(readFileSync(new URL(`../../../../datasets/examples/${name}.json`, import.meta.url), "utf8"));
  const parsed = parseDesign(raw);
  if (!parsed.success) throw new Error(`${name} does not parse`);
  return parsed.data;
}

describe("rates", () => {
  it("reads the table, interpolates between DNs, extrapolates beyond it and applies the class factor", () => {
    expect(pipeRate(model, { size: 200, rating: "CL150" })).toBe(520);
    expect(pipeRate(model, { size: 200, rating: "CL300" })).toBeCloseTo(624, 9);
    // DN 65 lies halfway between DN 50 (170) and DN 80 (230).
    expect(pipeRate(model, { size: 65 })).toBeCloseTo(200, 9);
    // DN 600: DN 500 (1300) plus the DN 400→500 slope (2.7 per mm) over 100 mm.
    expect(pipeRate(model, { size: 600 })).toBeCloseTo(1570, 9);
    expect(bendRate(model, { size: 150, rating: "CL600" })).toBeCloseTo(480 * 1.55, 9);
  });
});

describe("designCost on datasets/examples/pump-station.json", () => {
  const design = example("pump-station");
  const cost = designCost(design, DEFAULT_RULE_PACK)!;

  it("prices line 200-P-1001-A1 by hand: 14.65 m off the rack, 11.5 m along R1 at level 5, six elbows", () => {
    const line = cost.lines.find((l) => l.line === "200-P-1001-A1")!;
    // Route: up 5.1, north 1.875, down 0.6, east 11.5 on R1 (y 29–35, level 5), up 0.6, south 1.875, down 4.6.
    expect(line.length).toBeCloseTo(14.65, 9);
    expect(line.rackLength).toBeCloseTo(11.5, 9);
    expect(line.bends).toBe(6);
    // DN 200 CL300: 520 × 1.2 = 624 /m; elbow 700 × 1.2 = 840.
    expect(line.pipe).toBeCloseTo(14.65 * 624 + 11.5 * 624 * 0.75, 6);
    expect(line.rack).toBeCloseTo(11.5 * 624 * 0.75, 6);
    expect(line.bendCost).toBeCloseTo(6 * 840, 6);
    expect(line.estimated).toBe(false);
  });

  it("prices land on the equipment bounding box: x 11–86, y 24.5–38.5 = 1050 m² at 100 /m²", () => {
    expect(cost.area).toBeCloseTo(1050, 9);
    expect(cost.land).toBeCloseTo(105_000, 6);
  });

  it("adds up: total = pipe + bends + land, each the sum over lines", () => {
    const sum = (f: (l: (typeof cost.lines)[number]) => number) => cost.lines.reduce((s, l) => s + f(l), 0);
    expect(cost.lines).toHaveLength(design.lines.length);
    expect(cost.pipe).toBeCloseTo(
      sum((l) => l.pipe),
      6,
    );
    expect(cost.bends).toBeCloseTo(
      sum((l) => l.bendCost),
      6,
    );
    expect(cost.total).toBeCloseTo(cost.pipe + cost.bends + cost.land, 6);
    expect(cost.currency).toBe("USD");
  });

  it("prices an unrouted line on the Manhattan distance between its nozzles, flagged as estimated", () => {
    const unrouted: Design = {
      ...design,
      lines: design.lines.map((l) => {
        if (l.id !== "200-P-1001-A1") return l;
        const { route: _dropped, ...rest } = l;
        return rest;
      }),
    };
    const line = designCost(unrouted, DEFAULT_RULE_PACK)!.lines.find((l) => l.line === "200-P-1001-A1")!;
    // V-101 OUT at (14 + 0, 26 + 1.5); F-101 IN is where the route ends: (25.5, 27.5).
    expect(line.estimated).toBe(true);
    expect(line.length).toBeCloseTo(11.5, 9);
    expect(line.bends).toBe(0);
  });

  it("costs nothing when the pack has no cost section", () => {
    const { cost: _none, ...pack } = DEFAULT_RULE_PACK;
    expect(designCost(design, pack)).toBeUndefined();
  });
});
