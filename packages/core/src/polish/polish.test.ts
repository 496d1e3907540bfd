import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { priceDesign } from "../cost/index.js";
import { boxRect, planSize, type Rect, rackRect, rectDistance } from "../design/geometry.js";
import { parseDesign } from "../design/parse.js";
import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import type { Design } from "../design/types.js";
import { compileRequirements } from "../legalise/requirements.js";
import { validateDesign } from "../validate/validate.js";
import {
  loadSolver,
  optimisePlacement,
  placementProblem,
  polishCandidate,
  polishPlacement,
  realisePlacement,
  type Solver,
} from "./index.js";

const pack = DEFAULT_RULE_PACK;
const MARGIN = 1.5;

/** The first `perClass` designs of each process class in the synthetic-v1 test split. */
function testSplit(perClass: number): Design[] {
  const text = gunzipSync(
    readFileSync(new URL("../../../../datasets/synthetic-v1/test.ndjson.gz", import.meta.url)),
  ).toString("utf8");
  const taken = new Map<string, number>();
  const out: Design[] = [];
  for (const line of text.trim().split("\n")) {
    const raw = JSON.parse(line) as { processClass: string };
    if ((taken.get(raw.processClass) ?? 0) >= perClass) continue;
    const parsed = parseDesign(raw);
    if (!parsed.success) throw new Error("test split design does not parse");
    taken.set(raw.processClass, (taken.get(raw.processClass) ?? 0) + 1);
    out.push(parsed.data);
  }
  return out;
}

/** Every rule the polish must keep, checked at the given centres as the legaliser checks them. */
function breaches(design: Design, x: readonly number[], y: readonly number[]): string[] {
  const req = compileRequirements(pack, design.equipment);
  const rects: Rect[] = design.equipment.map((e, i) => {
    const { width, depth } = planSize(e);
    return { minX: x[i]! - width / 2, minY: y[i]! - depth / 2, maxX: x[i]! + width / 2, maxY: y[i]! + depth / 2 };
  });
  const out: string[] = [];
  const eps = 1e-9;
  rects.forEach((r, i) => {
    const tag = design.equipment[i]!.tag;
    const e = design.equipment[i]!;
    const edge = req.boundary(e) > 0 ? req.boundary(e) + MARGIN : 0;
    const { width, depth } = design.site;
    if (r.minX < edge - eps || r.minY < edge - eps || r.maxX > width - edge + eps || r.maxY > depth - edge + eps) {
      out.push(`${tag} off the site or within ${edge} m of its edge`);
    }
    for (const k of design.site.keepOut) {
      const o = boxRect(k);
      const need = req.keepOut(e, k.kind);
      const overlaps =
        Math.min(r.maxX, o.maxX) - Math.max(r.minX, o.minX) > eps &&
        Math.min(r.maxY, o.maxY) - Math.max(r.minY, o.minY) > eps;
      if (need > 0 ? rectDistance(r, o) < need + MARGIN - eps : overlaps) out.push(`${tag} too near keep-out ${k.id}`);
    }
    for (const rack of design.site.racks) {
      if (rectDistance(r, rackRect(rack)) < req.rack + MARGIN - eps) out.push(`${tag} too near rack ${rack.id}`);
    }
    for (let j = i + 1; j < rects.length; j++) {
      const need = req.pair(design.equipment[i]!, design.equipment[j]!) + MARGIN;
      if (rectDistance(r, rects[j]!) < need - eps) out.push(`${tag}–${design.equipment[j]!.tag} closer than ${need} m`);
    }
  });
  return out;
}

let solver: Solver;
beforeAll(async () => {
  solver = await loadSolver();
});

describe("polishPlacement (the LP with the arrangement kept)", () => {
  const designs = testSplit(1);

  it.each(designs.map((d) => [d.processClass, d] as const))(
    "%s: lowers the measure and keeps every distance, the site, keep-outs and racks, also once snapped to the grid",
    (_cls, design) => {
      expect(
        breaches(
          design,
          design.equipment.map((e) => e.x!),
          design.equipment.map((e) => e.y!),
        ),
      ).toEqual([]);
      const p = placementProblem(design, pack, MARGIN);
      const r = polishPlacement(p, solver);
      expect(r.after).toBeLessThan(r.before);
      expect(breaches(design, r.x, r.y)).toEqual([]);
      // The legaliser's snap to the nearest grid node must not bring anything too close (it would
      // resolve that by moving items metres away, losing what the polish gained).
      const g = design.site.gridSize;
      const snap = (v: number) => Math.round(v / g) * g;
      expect(breaches(design, r.x.map(snap), r.y.map(snap))).toEqual([]);
    },
  );
});

describe("polishCandidate on the test split", () => {
  const designs = testSplit(2);

  it("only ever lowers the routed cost, never loses validity, and polishes most designs", () => {
    let applied = 0;
    for (const design of designs) {
      const report = validateDesign(design, pack);
      const before = priceDesign(design, pack.cost!).total;
      const out = polishCandidate(design, report, [], pack, solver, { margin: MARGIN });
      const after = priceDesign(out.design, pack.cost!).total;
      expect(after).toBeLessThanOrEqual(before);
      expect(out.polish.costBefore).toBeCloseTo(before, 6);
      expect(out.polish.costAfter).toBeCloseTo(after, 6);
      expect(out.report.summary.errors).toBeLessThanOrEqual(report.summary.errors);
      expect(out.unrouted).toEqual([]);
      expect(out.design.lines.every((l) => l.route !== undefined)).toBe(true);
      if (out.polish.applied) {
        applied++;
        expect(after).toBeLessThan(before);
        expect(
          breaches(
            out.design,
            out.design.equipment.map((e) => e.x!),
            out.design.equipment.map((e) => e.y!),
          ),
        ).toEqual([]);
      } else {
        expect(out.design).toBe(design);
      }
    }
    // The designer's layouts leave room: the polish keeps a cheaper one for most of them.
    expect(applied).toBeGreaterThanOrEqual(Math.ceil(designs.length * 0.6));
  }, 120_000);
});

describe("optimisePlacement (the MILP baseline)", () => {
  it("realises an optimiser layout through snap, route and validate, priced", () => {
    const design = testSplit(1).find((d) => d.processClass === "utilities")!;
    const p = placementProblem(design, pack, MARGIN);
    const r = optimisePlacement(p, solver, { timeLimit: 2 });
    const real = realisePlacement(design, r.x!, r.y!, pack, MARGIN);
    expect(real.design.equipment.every((e) => Number.isInteger(e.x) && Number.isInteger(e.y))).toBe(true);
    expect(real.valid).toBe(real.report.summary.errors === 0 && real.design.lines.every((l) => l.route !== undefined));
    expect(real.cost!.total).toBeCloseTo(priceDesign(real.design, pack.cost!).total, 6);
  }, 30_000);

  it("returns a layout that keeps every required distance, within its time limit", () => {
    const design = testSplit(1).reduce((a, b) => (b.equipment.length < a.equipment.length ? b : a));
    const p = placementProblem(design, pack, MARGIN);
    const r = optimisePlacement(p, solver, { timeLimit: 3 });
    expect(r.x).toBeDefined();
    expect(breaches(design, r.x!, r.y!)).toEqual([]);
    expect(r.ms).toBeLessThan(3000 + 2000);
    // The incumbent trace: found in time order, each better than the last, the last one returned.
    expect(r.incumbents.length).toBeGreaterThan(0);
    for (let k = 1; k < r.incumbents.length; k++) {
      expect(r.incumbents[k]!.ms).toBeGreaterThanOrEqual(r.incumbents[k - 1]!.ms);
      expect(r.incumbents[k]!.objective).toBeLessThan(r.incumbents[k - 1]!.objective);
    }
    expect(r.incumbents.at(-1)!.objective).toBeCloseTo(r.objective!, 6);
    expect(r.incumbents.at(-1)!.ms).toBeLessThanOrEqual(r.ms);
  }, 30_000);

  it("with local branching changes at most maxFlips pair-order binaries and keeps every distance", () => {
    const design = testSplit(1).find((d) => d.processClass === "reactor_section")!;
    const p = placementProblem(design, pack, MARGIN);
    const free = optimisePlacement(p, solver, { timeLimit: 2 });
    const local = optimisePlacement(p, solver, { timeLimit: 2, maxFlips: 2 });
    expect(local.x).toBeDefined();
    expect(breaches(design, local.x!, local.y!)).toEqual([]);
    expect(local.flipped).toBeLessThanOrEqual(2);
    expect(free.flipped).toBeUndefined();
  }, 30_000);
});
