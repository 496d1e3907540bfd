import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { boxRect, footprintRect, nozzlePosition, rackRect } from "../design/geometry.js";
import { parseDesign } from "../design/parse.js";
import type { Design, Equipment, Line, Point3 } from "../design/types.js";
import { branchLine, isBranchEnd, isNozzleEnd, isPlaced } from "../design/types.js";
import { metres } from "../design/units.js";
import { PROCESS_CLASSES } from "../design/vocabulary.js";
import { designPlantDetailed } from "../designer/designer.js";
import { deepestPocket } from "../validate/rules/relief/relief-free-draining.js";
import { validateDesign } from "../validate/validate.js";
import { routeDesign } from "./index.js";

// ---------------------------------------------------------------------------------------------
// Fixtures: small real designs, parsed through the contract so defaults are filled as in use.

type EquipmentInput = {
  tag: string;
  type?: string;
  x?: number;
  y?: number;
  z?: number;
  rotation?: number;
  w?: number;
  d?: number;
  h?: number;
  nozzles?: { id: string; dx: number; dy: number; dz: number }[];
};

function equipment(e: EquipmentInput) {
  return {
    tag: e.tag,
    type: e.type ?? "pump",
    ...(e.x === undefined ? {} : { x: e.x }),
    ...(e.y === undefined ? {} : { y: e.y }),
    ...(e.z === undefined ? {} : { z: e.z }),
    ...(e.rotation === undefined ? {} : { rotation: e.rotation }),
    footprint: { width: e.w ?? 2, depth: e.d ?? 2, height: e.h ?? 1.5 },
    nozzles: e.nozzles ?? [],
  };
}

function line(id: string, from: string | { line: string }, to: string | { line: string }, extra: object = {}) {
  const end = (s: string | { line: string }) => {
    if (typeof s !== "string") return s;
    const [tag, nozzle] = s.split("/");
    return { tag, nozzle };
  };
  return { id, from: end(from), to: end(to), size: 100, ...extra };
}

function design(site: object, items: EquipmentInput[], lines: object[]): Design {
  const parsed = parseDesign({
    schemaVersion: "1.0",
    id: "route-test",
    processClass: "pump_station",
    site: { gridSize: 1, ...site },
    equipment: items.map(equipment),
    lines,
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  return parsed.data;
}

/** Tank farm: a tank, two pumps, a vessel and an exchanger, a rack, a road; a branch off L1. */
function tankFarm(): Design {
  return design(
    {
      width: 80,
      depth: 50,
      keepOut: [{ id: "road-N", kind: "road", x: 0, y: 44, width: 80, depth: 6 }],
      racks: [{ id: "R1", x: 5, y: 20, length: 70, width: 4, axis: "x", levels: [5, 7] }],
    },
    [
      { tag: "T-101", type: "tank", x: 9, y: 8, w: 10, d: 10, h: 10, nozzles: [{ id: "OUT", dx: 5, dy: 0, dz: 0.5 }] },
      {
        tag: "P-101",
        x: 60,
        y: 8,
        nozzles: [
          { id: "S", dx: -1, dy: 0, dz: 0.4 },
          { id: "D", dx: 1, dy: 0, dz: 0.4 },
        ],
      },
      { tag: "V-101", type: "vessel", x: 35, y: 8, w: 4, d: 4, h: 3, nozzles: [{ id: "N1", dx: 0, dy: 2, dz: 1 }] },
      {
        tag: "E-101",
        type: "heat_exchanger",
        x: 60,
        y: 36,
        w: 6,
        d: 2,
        h: 2,
        rotation: 90,
        nozzles: [{ id: "N1", dx: 3, dy: 0, dz: 1 }],
      },
    ],
    [
      line("L1", "T-101/OUT", "P-101/S"),
      line("L2", "P-101/D", "E-101/N1"),
      line("L3", { line: "L1" }, "V-101/N1", { size: 50 }),
    ],
  );
}

// ---------------------------------------------------------------------------------------------
// An independent checker of the route conventions (not the validator): returns every problem.

const TOL = 1e-6;

function endPosition(d: Design, l: Line, which: "from" | "to"): Point3 | undefined {
  const end = l[which];
  if (!isNozzleEnd(end)) return undefined;
  const e = d.equipment.find((q) => q.tag === end.tag);
  const n = e?.nozzles.find((q) => q.id === end.nozzle);
  if (!e || !n || !isPlaced(e)) return undefined;
  return nozzlePosition(e, n);
}

function segments(route: readonly Point3[]): [Point3, Point3][] {
  const out: [Point3, Point3][] = [];
  for (let k = 0; k + 1 < route.length; k++) out.push([route[k]!, route[k + 1]!]);
  return out;
}

function onSegment(p: Point3, [a, b]: [Point3, Point3]): boolean {
  for (let k = 0; k < 3; k++) {
    const lo = Math.min(a[k]!, b[k]!);
    const hi = Math.max(a[k]!, b[k]!);
    if (p[k]! < lo - TOL || p[k]! > hi + TOL) return false;
  }
  return true;
}

function changedAxes(a: Point3, b: Point3): number[] {
  return [0, 1, 2].filter((k) => a[k] !== b[k]);
}

/** Whether a segment enters the open box [min, max] (touching its boundary does not count). */
function entersBox([a, b]: [Point3, Point3], min: Point3, max: Point3): boolean {
  for (let k = 0; k < 3; k++) {
    const lo = Math.min(a[k]!, b[k]!);
    const hi = Math.max(a[k]!, b[k]!);
    if (hi <= min[k]! + TOL || lo >= max[k]! - TOL) return false;
  }
  return true;
}

function segmentsMeet([a, b]: [Point3, Point3], [c, e]: [Point3, Point3]): boolean {
  for (let k = 0; k < 3; k++) {
    if (Math.max(a[k]!, b[k]!) < Math.min(c[k]!, e[k]!) - TOL) return false;
    if (Math.max(c[k]!, e[k]!) < Math.min(a[k]!, b[k]!) - TOL) return false;
  }
  return true;
}

/**
 * Points where two lines may touch: a branch's end on its parent, and the ends they share (the
 * same nozzle, or tees on the same parent). Contact is forgiven within 1 m of such a point (a
 * nozzle stub), nowhere else.
 */
function junctions(a: Line, b: Line): Point3[] {
  const out: Point3[] = [];
  const ends = (l: Line) =>
    (["from", "to"] as const).map((w) => ({
      end: l[w],
      at: w === "from" ? l.route![0] : l.route![l.route!.length - 1]!,
    }));
  for (const p of ends(a)) {
    for (const q of ends(b)) {
      if (isNozzleEnd(p.end) && isNozzleEnd(q.end) && p.end.tag === q.end.tag && p.end.nozzle === q.end.nozzle) {
        out.push(p.at);
      }
      if (isBranchEnd(p.end) && isBranchEnd(q.end) && p.end.line === q.end.line) out.push(p.at, q.at);
    }
    if (branchLine(p.end) === b.id) out.push(p.at);
  }
  for (const q of ends(b)) if (branchLine(q.end) === a.id) out.push(q.at);
  return out;
}

/** Centre of the overlap of two segments' boxes (they meet), where the contact is. */
function contact([a, b]: [Point3, Point3], [c, e]: [Point3, Point3]): Point3 {
  const at = (k: number) =>
    (Math.max(Math.min(a[k]!, b[k]!), Math.min(c[k]!, e[k]!)) +
      Math.min(Math.max(a[k]!, b[k]!), Math.max(c[k]!, e[k]!))) /
    2;
  return [at(0), at(1), at(2)];
}

function checkRoutes(d: Design): string[] {
  const problems: string[] = [];
  const byId = new Map(d.lines.map((l) => [l.id, l]));
  for (const l of d.lines) {
    const route = l.route;
    if (!route) continue;
    const say = (m: string) => problems.push(`${l.id}: ${m}`);
    for (const which of ["from", "to"] as const) {
      const end = l[which];
      const p = which === "from" ? route[0] : route[route.length - 1]!;
      if (isNozzleEnd(end)) {
        const want = endPosition(d, l, which);
        if (!want || p.some((v, k) => v !== want[k])) say(`${which} point ${p} is not nozzle ${want}`);
      } else if (isBranchEnd(end)) {
        const parent = byId.get(end.line)?.route;
        if (!parent || !segments(parent).some((s) => onSegment(p, s))) say(`${which} point ${p} is not on ${end.line}`);
      }
    }
    for (const [a, b] of segments(route)) {
      if (changedAxes(a, b).length !== 1) say(`segment ${a} → ${b} is not axis-aligned or has zero length`);
    }
    for (let k = 0; k + 2 < route.length; k++) {
      const ab = changedAxes(route[k]!, route[k + 1]!);
      const bc = changedAxes(route[k + 1]!, route[k + 2]!);
      if (ab.length === 1 && bc.length === 1 && ab[0] === bc[0]) say(`collinear point ${route[k + 1]} not collapsed`);
    }
    const own = [l.from, l.to].filter(isNozzleEnd).map((e) => e.tag);
    for (const e of d.equipment) {
      if (own.includes(e.tag) || !isPlaced(e)) continue;
      const r = footprintRect(e as Equipment & { x: number; y: number });
      const min: Point3 = [r.minX, r.minY, e.z];
      const max: Point3 = [r.maxX, r.maxY, e.z + e.footprint.height];
      for (const s of segments(route)) if (entersBox(s, min, max)) say(`passes through ${e.tag}`);
    }
    // A keep-out may be crossed only on a pipe rack over it (a pipe bridge), as the contract allows.
    const onRack = ([a, b]: [Point3, Point3]) =>
      d.site.racks.some((rack) => {
        const r = rackRect(rack);
        return [a, b].every(
          (p) => p[0] >= r.minX - TOL && p[0] <= r.maxX + TOL && p[1] >= r.minY - TOL && p[1] <= r.maxY + TOL,
        );
      });
    for (const k of d.site.keepOut) {
      const r = boxRect(k);
      for (const s of segments(route)) {
        if (entersBox(s, [r.minX, r.minY, -1e9], [r.maxX, r.maxY, 1e9]) && !onRack(s)) say(`enters keep-out ${k.id}`);
      }
    }
  }
  const routed = d.lines.filter((l) => l.route);
  for (let i = 0; i < routed.length; i++) {
    for (let j = i + 1; j < routed.length; j++) {
      const a = routed[i]!;
      const b = routed[j]!;
      const near = junctions(a, b);
      const clash = segments(a.route!).some((s) =>
        segments(b.route!).some((t) => {
          if (!segmentsMeet(s, t)) return false;
          const at = contact(s, t);
          return !near.some((j) => Math.hypot(j[0] - at[0], j[1] - at[1], j[2] - at[2]) <= 1);
        }),
      );
      if (clash) problems.push(`${a.id} and ${b.id} meet at the same elevation`);
    }
  }
  return problems;
}

/** Plan crossing points of two routes' horizontal segments, with each route's elevation there. */
function planCrossings(a: readonly Point3[], b: readonly Point3[]): { za: number; zb: number }[] {
  const out: { za: number; zb: number }[] = [];
  for (const s of segments(a)) {
    for (const t of segments(b)) {
      if (s[0][2] !== s[1][2] || t[0][2] !== t[1][2]) continue;
      const flatS: [Point3, Point3] = [
        [s[0][0], s[0][1], 0],
        [s[1][0], s[1][1], 0],
      ];
      const flatT: [Point3, Point3] = [
        [t[0][0], t[0][1], 0],
        [t[1][0], t[1][1], 0],
      ];
      if (segmentsMeet(flatS, flatT)) out.push({ za: s[0][2], zb: t[0][2] });
    }
  }
  return out;
}

function routeOf(d: Design, id: string): Point3[] {
  const r = d.lines.find((l) => l.id === id)?.route;
  if (!r) throw new Error(`${id} has no route`);
  return r;
}

// ---------------------------------------------------------------------------------------------

describe("routeDesign", () => {
  it("routes every line of a placed design, from nozzle to nozzle, orthogonally and clear", () => {
    const result = routeDesign(tankFarm());
    expect(result.unrouted).toEqual([]);
    expect([...result.routed].sort()).toEqual(["L1", "L2", "L3"]);
    expect(checkRoutes(result.design)).toEqual([]);
    expect(result.stats.totalLength).toBeGreaterThan(0);
    expect(result.stats.bends).toBeGreaterThan(0);
  });

  it("routes the parent before its branch and lands the branch on the parent's route", () => {
    const result = routeDesign(tankFarm());
    expect(result.routed.indexOf("L1")).toBeLessThan(result.routed.indexOf("L3"));
    const tee = routeOf(result.design, "L3")[0]!;
    expect(segments(routeOf(result.design, "L1")).some((s) => onSegment(tee, s))).toBe(true);
  });

  it("leaves the input untouched and returns the same design with routes", () => {
    const input = tankFarm();
    const before = JSON.stringify(input);
    const result = routeDesign(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(result.design.equipment).toBe(input.equipment);
    expect(result.design.lines.map((l) => l.id)).toEqual(input.lines.map((l) => l.id));
  });

  it("is deterministic: same input, same routes", () => {
    const a = routeDesign(tankFarm());
    const b = routeDesign(tankFarm());
    expect(a.design.lines).toEqual(b.design.lines);
    expect(a.routed).toEqual(b.routed);
    const c = routeDesign(grid(6));
    const e = routeDesign(grid(6));
    expect(c.design.lines).toEqual(e.design.lines);
  });

  it("goes around another equipment body in its way", () => {
    const d = design(
      { width: 40, depth: 30 },
      [
        { tag: "P-1", x: 5, y: 15, nozzles: [{ id: "D", dx: 1, dy: 0, dz: 0.5 }] },
        { tag: "V-1", type: "vessel", x: 20, y: 15, w: 6, d: 8, h: 6 },
        { tag: "P-2", x: 35, y: 15, nozzles: [{ id: "S", dx: -1, dy: 0, dz: 0.5 }] },
      ],
      [line("L1", "P-1/D", "P-2/S")],
    );
    const result = routeDesign(d);
    expect(result.unrouted).toEqual([]);
    expect(checkRoutes(result.design)).toEqual([]);
    const route = routeOf(result.design, "L1");
    expect(route.length).toBeGreaterThan(2); // not the straight line through V-1
  });

  it("passes over equipment lower than a level, never through it", () => {
    // A wall of low pumps from edge to edge: only an overhead level (the rack's) gets across.
    const wall: EquipmentInput[] = [];
    for (let y = 1; y < 30; y += 2) wall.push({ tag: `P-${200 + y}`, x: 20, y, w: 2, d: 2, h: 1.5 });
    const d = design(
      { width: 40, depth: 30, racks: [{ id: "R1", x: 0, y: 28, length: 4, width: 2, axis: "x", levels: [4] }] },
      [
        { tag: "P-1", x: 5, y: 15, nozzles: [{ id: "D", dx: 1, dy: 0, dz: 0.5 }] },
        ...wall,
        { tag: "P-2", x: 35, y: 15, nozzles: [{ id: "S", dx: -1, dy: 0, dz: 0.5 }] },
      ],
      [line("L1", "P-1/D", "P-2/S")],
    );
    const result = routeDesign(d);
    expect(result.unrouted).toEqual([]);
    expect(checkRoutes(result.design)).toEqual([]);
    expect(Math.max(...routeOf(result.design, "L1").map((p) => p[2]))).toBe(4);
  });

  it("keeps out of keep-outs, using the gap between them", () => {
    const d = design(
      {
        width: 40,
        depth: 30,
        keepOut: [
          { id: "B-1", kind: "building", x: 18, y: 0, width: 4, depth: 12 },
          { id: "B-2", kind: "building", x: 18, y: 15, width: 4, depth: 15 },
        ],
      },
      [
        { tag: "P-1", x: 5, y: 25, nozzles: [{ id: "D", dx: 1, dy: 0, dz: 0.5 }] },
        { tag: "P-2", x: 35, y: 25, nozzles: [{ id: "S", dx: -1, dy: 0, dz: 0.5 }] },
      ],
      [line("L1", "P-1/D", "P-2/S")],
    );
    const result = routeDesign(d);
    expect(result.unrouted).toEqual([]);
    expect(checkRoutes(result.design)).toEqual([]);
    expect(routeOf(result.design, "L1").some((p) => p[1] > 12 && p[1] < 15)).toBe(true);
  });

  it("puts two lines that would cross at one elevation at different elevations", () => {
    const d = design(
      { width: 40, depth: 40 },
      [
        { tag: "P-1", x: 3, y: 20, nozzles: [{ id: "D", dx: 1, dy: 0, dz: 0.5 }] },
        { tag: "P-2", x: 37, y: 20, nozzles: [{ id: "S", dx: -1, dy: 0, dz: 0.5 }] },
        { tag: "P-3", x: 20, y: 3, nozzles: [{ id: "D", dx: 0, dy: 1, dz: 0.5 }] },
        { tag: "P-4", x: 20, y: 37, nozzles: [{ id: "S", dx: 0, dy: -1, dz: 0.5 }] },
      ],
      [line("EW", "P-1/D", "P-2/S"), line("NS", "P-3/D", "P-4/S")],
    );
    // Two ground levels with no direction preference: both lines want the lower one.
    const result = routeDesign(d, { groundLevels: [metres(0.5), metres(1)], costs: { offDirection: 1 } });
    expect(result.unrouted).toEqual([]);
    expect(checkRoutes(result.design)).toEqual([]);
    const crossings = planCrossings(routeOf(result.design, "EW"), routeOf(result.design, "NS"));
    expect(crossings.length).toBeGreaterThan(0);
    for (const c of crossings) expect(c.za).not.toBe(c.zb);
  });

  it("runs along a rack when that is cheaper, and not for a short local line", () => {
    const d = design(
      { width: 200, depth: 40, racks: [{ id: "R1", x: 10, y: 18, length: 180, width: 4, axis: "x", levels: [5, 7] }] },
      [
        { tag: "P-1", x: 10, y: 10, nozzles: [{ id: "D", dx: 0, dy: 1, dz: 0.5 }] },
        { tag: "P-2", x: 190, y: 30, nozzles: [{ id: "S", dx: 0, dy: -1, dz: 0.5 }] },
        { tag: "P-3", x: 100, y: 5, nozzles: [{ id: "D", dx: 1, dy: 0, dz: 0.5 }] },
        { tag: "P-4", x: 110, y: 5, nozzles: [{ id: "S", dx: -1, dy: 0, dz: 0.5 }] },
      ],
      [line("LONG", "P-1/D", "P-2/S"), line("SHORT", "P-3/D", "P-4/S")],
    );
    const result = routeDesign(d);
    expect(result.unrouted).toEqual([]);
    expect(checkRoutes(result.design)).toEqual([]);
    expect(result.stats.rackLength).toBeGreaterThan(100);
    expect(routeOf(result.design, "LONG").some((p) => p[2] === 5 || p[2] === 7)).toBe(true);
    expect(Math.max(...routeOf(result.design, "SHORT").map((p) => p[2]))).toBeLessThan(2);

    // With racks made dearer than the ground, the long line stays on the ground.
    const noRack = routeDesign(d, { costs: { rackDiscount: 2 } });
    expect(noRack.stats.rackLength).toBe(0);
  });

  it("reports a nozzle walled in by keep-outs, and still routes the rest", () => {
    const d = design(
      {
        width: 40,
        depth: 30,
        keepOut: [
          { id: "K-S", x: 26, y: 10, width: 10, depth: 1 },
          { id: "K-N", x: 26, y: 19, width: 10, depth: 1 },
          { id: "K-W", x: 26, y: 10, width: 1, depth: 10 },
          { id: "K-E", x: 35, y: 10, width: 1, depth: 10 },
        ],
      },
      [
        { tag: "P-1", x: 5, y: 15, nozzles: [{ id: "D", dx: 1, dy: 0, dz: 0.5 }] },
        { tag: "P-2", x: 31, y: 15, nozzles: [{ id: "S", dx: -1, dy: 0, dz: 0.5 }] },
        { tag: "P-3", x: 5, y: 5, nozzles: [{ id: "D", dx: 1, dy: 0, dz: 0.5 }] },
        { tag: "P-4", x: 20, y: 5, nozzles: [{ id: "S", dx: -1, dy: 0, dz: 0.5 }] },
      ],
      [line("WALLED", "P-1/D", "P-2/S"), line("FREE", "P-3/D", "P-4/S")],
    );
    const result = routeDesign(d);
    expect(result.routed).toEqual(["FREE"]);
    expect(result.unrouted).toHaveLength(1);
    expect(result.unrouted[0]).toMatchObject({ line: "WALLED", code: "blocked_nozzle" });
    expect(result.unrouted[0]!.reason).toContain("P-2/S");
    expect(result.design.lines.find((l) => l.id === "WALLED")!.route).toBeUndefined();
    expect(checkRoutes(result.design)).toEqual([]);
  });

  it("reports a nozzle inside a keep-out, unknown ends, unplaced ends and orphaned branches by code", () => {
    const d = design(
      { width: 40, depth: 30, keepOut: [{ id: "K-1", x: 30, y: 0, width: 10, depth: 30 }] },
      [
        { tag: "P-1", x: 5, y: 15, nozzles: [{ id: "D", dx: 1, dy: 0, dz: 0.5 }] },
        { tag: "P-2", x: 35, y: 15, nozzles: [{ id: "S", dx: -1, dy: 0, dz: 0.5 }] },
        { tag: "P-3", nozzles: [{ id: "S", dx: -1, dy: 0, dz: 0.5 }] },
      ],
      [
        line("IN-KEEPOUT", "P-1/D", "P-2/S"),
        line("NO-TAG", "P-1/D", "P-9/S"),
        line("NO-NOZZLE", "P-1/D", "P-2/X"),
        line("UNPLACED", "P-1/D", "P-3/S"),
        line("NO-PARENT", { line: "L-404" }, "P-1/D"),
        line("ORPHAN", { line: "IN-KEEPOUT" }, "P-1/D"),
      ],
    );
    const result = routeDesign(d);
    const codes = Object.fromEntries(result.unrouted.map((u) => [u.line, u.code]));
    expect(codes).toEqual({
      "IN-KEEPOUT": "blocked_nozzle",
      "NO-TAG": "unknown_end",
      "NO-NOZZLE": "unknown_end",
      UNPLACED: "unplaced_end",
      "NO-PARENT": "unknown_end",
      ORPHAN: "parent_unrouted",
    });
    expect(result.unrouted.find((u) => u.line === "IN-KEEPOUT")!.reason).toContain("K-1");
    expect(result.routed).toEqual([]);
  });

  it("reports branch ends that form a loop", () => {
    const d = design(
      { width: 20, depth: 20 },
      [{ tag: "P-1", x: 5, y: 5, nozzles: [{ id: "D", dx: 1, dy: 0, dz: 0.5 }] }],
      [line("A", { line: "B" }, "P-1/D"), line("B", { line: "A" }, "P-1/D")],
    );
    const result = routeDesign(d);
    expect(result.unrouted.map((u) => u.code)).toEqual(["branch_cycle", "branch_cycle"]);
  });

  it("reports topology-only designs instead of routing them", () => {
    const d = design(
      { width: 20, depth: 20 },
      [{ tag: "P-1", nozzles: [{ id: "D", dx: 1, dy: 0, dz: 0.5 }] }, { tag: "P-2" }],
      [line("L1", "P-1/D", "P-2/S")],
    );
    const result = routeDesign(d);
    expect(result.unrouted).toEqual([expect.objectContaining({ line: "L1", code: "unplaced_end" })]);
  });

  it("keeps existing routes, routes only what is unrouted, and keeps clear of them", () => {
    const first = routeDesign(tankFarm());
    const withNew = design(
      first.design.site,
      [
        ...tankFarm().equipment.map((e) => ({
          tag: e.tag,
          type: e.type,
          x: e.x!,
          y: e.y!,
          rotation: e.rotation,
          w: e.footprint.width,
          d: e.footprint.depth,
          h: e.footprint.height,
          nozzles: e.nozzles.map((n) => ({ id: n.id, dx: n.dx!, dy: n.dy!, dz: n.dz! })),
        })),
        { tag: "P-102", x: 20, y: 35, nozzles: [{ id: "D", dx: 1, dy: 0, dz: 0.5 }] },
        { tag: "P-103", x: 40, y: 2, nozzles: [{ id: "S", dx: 0, dy: 1, dz: 0.5 }] },
      ],
      [...first.design.lines, line("L4", "P-102/D", "P-103/S")],
    );
    const second = routeDesign(withNew);
    expect(second.routed).toEqual(["L4"]);
    for (const id of ["L1", "L2", "L3"]) expect(routeOf(second.design, id)).toEqual(routeOf(first.design, id));
    expect(checkRoutes(second.design)).toEqual([]);

    const again = routeDesign(second.design, { lines: ["L1"], reroute: true });
    expect([...again.routed].sort()).toEqual(["L1", "L3"]); // a rerouted parent takes its branch along
    expect(checkRoutes(again.design)).toEqual([]);
  });

  it("throws on options no caller should pass", () => {
    expect(() => routeDesign(tankFarm(), { costs: { bendPenalty: -1 } })).toThrow(RangeError);
    expect(() => routeDesign(tankFarm(), { groundLevels: [] })).toThrow(RangeError);
    expect(() => routeDesign(tankFarm(), { heuristicWeight: 0.5 })).toThrow(RangeError);
  });

  it("reports a grid too large for the state limit", () => {
    const result = routeDesign(tankFarm(), { maxStates: 1000 });
    expect(result.unrouted.map((u) => u.code)).toEqual(["grid_too_large", "grid_too_large", "grid_too_large"]);
  });

  it("has a checker that catches each kind of violation", () => {
    const routed = routeDesign(tankFarm()).design;
    const withRoute = (id: string, route: Point3[]): Design => ({
      ...routed,
      lines: routed.lines.map((l) => (l.id === id ? { ...l, route: route as [Point3, Point3, ...Point3[]] } : l)),
    });
    const t: Point3 = [14, 8, 0.5]; // T-101/OUT
    const s: Point3 = [59, 8, 0.4]; // P-101/S
    expect(checkRoutes(withRoute("L1", [t, [59, 8, 0.5], s])).join()).toContain("passes through V-101");
    expect(checkRoutes(withRoute("L1", [t, s])).join()).toContain("not axis-aligned");
    expect(checkRoutes(withRoute("L1", [t, [14, 46, 0.5], [59, 46, 0.5], [59, 8, 0.5], s])).join()).toContain(
      "enters keep-out road-N",
    );
    expect(
      checkRoutes(withRoute("L1", [t, [14, 3, 0.5], [20, 3, 0.5], [59, 3, 0.5], [59, 8, 0.5], s])).join(),
    ).toContain("collinear");
    expect(checkRoutes(withRoute("L1", [[14, 8, 0.6], [59, 8, 0.6], s])).join()).toContain("is not nozzle");
    const [px, py, pz] = routeOf(routed, "L1")[2]!;
    const through: Point3[] = [
      [61, 8, 0.4],
      [61, 8, pz],
      [px, 8, pz],
      [px, py, pz],
      [px, py, 1],
      [60, py, 1],
      [60, 39, 1],
    ];
    expect(checkRoutes(withRoute("L2", through)).join()).toContain("L1 and L2 meet at the same elevation");
  });

  it("crosses a road only on the pipe rack bridging it", () => {
    const d = design(
      {
        width: 60,
        depth: 40,
        keepOut: [{ id: "road-1", kind: "road", x: 28, y: 0, width: 6, depth: 40 }],
        racks: [{ id: "R1", x: 10, y: 30, length: 40, width: 2, axis: "x", levels: [5] }],
      },
      [
        { tag: "P-1", x: 10, y: 10, nozzles: [{ id: "D", dx: 1, dy: 0, dz: 0.5 }] },
        { tag: "P-2", x: 50, y: 10, nozzles: [{ id: "S", dx: -1, dy: 0, dz: 0.5 }] },
      ],
      [line("L1", "P-1/D", "P-2/S")],
    );
    const result = routeDesign(d);
    expect(result.unrouted).toEqual([]);
    expect(checkRoutes(result.design)).toEqual([]);
    const overRoad = segments(routeOf(result.design, "L1")).filter(
      ([a, b]) => Math.min(a[0], b[0]) < 34 && Math.max(a[0], b[0]) > 28,
    );
    expect(overRoad.every(([a, b]) => a[2] === 5 && b[2] === 5 && a[1] >= 30 && a[1] <= 32)).toBe(true);
  });

  it("tolerates lines sharing a nozzle (contact only at it) and routes branch-to-branch lines", () => {
    const d = design(
      { width: 60, depth: 40 },
      [
        { tag: "T-1", type: "tank", x: 10, y: 20, w: 8, d: 8, h: 8, nozzles: [{ id: "OUT", dx: 4, dy: 0, dz: 0.5 }] },
        { tag: "P-1", x: 40, y: 10, nozzles: [{ id: "S", dx: -1, dy: 0, dz: 0.5 }] },
        { tag: "P-2", x: 40, y: 30, nozzles: [{ id: "S", dx: -1, dy: 0, dz: 0.5 }] },
      ],
      [
        line("A", "T-1/OUT", "P-1/S"),
        line("B", "T-1/OUT", "P-2/S"),
        line("BYPASS", { line: "A" }, { line: "B" }, { size: 50 }),
      ],
    );
    const result = routeDesign(d);
    expect(result.unrouted).toEqual([]);
    expect(checkRoutes(result.design)).toEqual([]);
    const bypass = routeOf(result.design, "BYPASS");
    expect(segments(routeOf(result.design, "A")).some((s) => onSegment(bypass[0]!, s))).toBe(true);
    expect(segments(routeOf(result.design, "B")).some((s) => onSegment(bypass[bypass.length - 1]!, s))).toBe(true);
  });

  it("starts and ends exactly at off-grid nozzles on coarse and fine grids", () => {
    for (const gridSize of [0.5, 2]) {
      const d = design(
        { width: 40, depth: 30, gridSize },
        [
          { tag: "P-1", x: 5.3, y: 10.7, rotation: 90, nozzles: [{ id: "D", dx: 1, dy: 0.25, dz: 0.45 }] },
          { tag: "V-1", type: "vessel", x: 20.2, y: 11.1, w: 5, d: 5, h: 6 },
          { tag: "P-2", x: 34.9, y: 9.4, nozzles: [{ id: "S", dx: -1, dy: 0.3, dz: 2.1 }] },
        ],
        [line("L1", "P-1/D", "P-2/S")],
      );
      const result = routeDesign(d);
      expect(result.unrouted).toEqual([]);
      expect(checkRoutes(result.design)).toEqual([]);
    }
  });

  it("tees a row of spared pumps into common suction and discharge headers", () => {
    // Sparing as the topology generator draws it: the first pump's suction and discharge lines are
    // the headers, each spare tees into both.
    const pumps = ["A", "B", "C", "D"].map((s, k) => ({
      tag: `P-1${s}`,
      x: 20 + 4 * k,
      y: 10,
      nozzles: [
        { id: "S", dx: -1, dy: 0, dz: 0.4 },
        { id: "D", dx: 0, dy: 0, dz: 1.5 },
      ],
    }));
    const d = design(
      { width: 60, depth: 40 },
      [
        { tag: "T-1", type: "tank", x: 8, y: 25, w: 8, d: 8, h: 8, nozzles: [{ id: "OUT", dx: 4, dy: 0, dz: 0.5 }] },
        { tag: "V-1", type: "vessel", x: 48, y: 25, w: 3, d: 3, h: 5, nozzles: [{ id: "IN", dx: -1.5, dy: 0, dz: 4 }] },
        ...pumps,
      ],
      [
        line("SUC", "T-1/OUT", "P-1A/S"),
        line("DIS", "P-1A/D", "V-1/IN"),
        ...["B", "C", "D"].flatMap((s) => [
          line(`SUC-${s}`, { line: "SUC" }, `P-1${s}/S`),
          line(`DIS-${s}`, `P-1${s}/D`, { line: "DIS" }),
        ]),
      ],
    );
    const result = routeDesign(d);
    expect(result.unrouted).toEqual([]);
    expect(result.routed).toHaveLength(8);
    expect(checkRoutes(result.design)).toEqual([]);
  });

  it("keeps a nozzle's only grid node free of a neighbouring nozzle's stub", () => {
    // TOP sits over a grid node, so that node is its only way onto the grid; LOW's nearest
    // corner is the same node. LOW's line is shorter and goes first: its stub must take another
    // corner, or TOP is walled in (blocked_nozzle).
    const d = design(
      { width: 40, depth: 30 },
      [
        {
          tag: "V-1",
          type: "vessel",
          x: 10,
          y: 15,
          w: 3,
          d: 3,
          h: 3,
          nozzles: [
            { id: "TOP", dx: 0, dy: 0, dz: 3 },
            { id: "LOW", dx: 0.3, dy: 0.3, dz: 0.3 },
          ],
        },
        { tag: "P-1", x: 4, y: 15, nozzles: [{ id: "S", dx: 1, dy: 0, dz: 0.5 }] },
        { tag: "P-2", x: 30, y: 15, nozzles: [{ id: "S", dx: -1, dy: 0, dz: 0.5 }] },
      ],
      [line("NEAR", "V-1/LOW", "P-1/S"), line("FAR", "V-1/TOP", "P-2/S", { service: "vent" })],
    );
    const result = routeDesign(d);
    expect(result.routed).toEqual(["NEAR", "FAR"]);
    expect(result.unrouted).toEqual([]);
    expect(checkRoutes(result.design)).toEqual([]);
    const stubFoot = routeOf(result.design, "NEAR")[1]!;
    expect([stubFoot[0], stubFoot[1]]).not.toEqual([10, 15]);
  });

  it("names the other nozzle whose stub holds a nozzle's only grid node", () => {
    // Two nozzles over one grid node at different heights: one gets the node, the other is walled
    // in, and its reason names the nozzle that holds the node, not itself.
    const d = design(
      { width: 40, depth: 30 },
      [
        {
          tag: "V-1",
          type: "vessel",
          x: 10,
          y: 15,
          w: 3,
          d: 3,
          h: 3,
          nozzles: [
            { id: "HIGH", dx: 0, dy: 0, dz: 3 },
            { id: "LOW", dx: 0, dy: 0, dz: 0.3 },
          ],
        },
        { tag: "P-1", x: 4, y: 15, nozzles: [{ id: "S", dx: 1, dy: 0, dz: 0.5 }] },
        { tag: "P-2", x: 30, y: 15, nozzles: [{ id: "S", dx: -1, dy: 0, dz: 0.5 }] },
      ],
      [line("NEAR", "V-1/LOW", "P-1/S"), line("FAR", "V-1/HIGH", "P-2/S", { service: "vent" })],
    );
    const result = routeDesign(d);
    expect(result.routed).toEqual(["NEAR"]);
    expect(result.unrouted).toEqual([
      {
        line: "FAR",
        code: "blocked_nozzle",
        reason: "every grid point next to nozzle V-1/HIGH is taken by the connection of nozzle V-1/LOW",
      },
    ]);
  });

  it("keeps every convention on random plots, deterministically (property)", () => {
    const codes = new Set(["unknown_end", "unplaced_end", "parent_unrouted", "blocked_nozzle", "no_path"]);
    fc.assert(
      fc.property(randomPlot(), (d) => {
        const result = routeDesign(d);
        expect(checkRoutes(result.design)).toEqual([]);
        expect(result.routed.length + result.unrouted.length).toBe(d.lines.length);
        for (const u of result.unrouted) expect(codes).toContain(u.code);
        expect(routeDesign(d).design.lines).toEqual(result.design.lines);
      }),
      { numRuns: 60, seed: 20240611 },
    );
  });

  it("keeps every convention on a crowded plot", () => {
    const result = routeDesign(grid(8));
    expect(result.routed.length).toBeGreaterThan(0);
    expect(checkRoutes(result.design)).toEqual([]);
    for (const u of result.unrouted) expect(["no_path", "blocked_nozzle"]).toContain(u.code);
  });
});

describe("routeDesign: relief and flare lines drain (API Std 520 Part II, API Std 521 5.5)", () => {
  /** Two vessels 28 m apart with relief nozzles at 1.8 m, between the 1.2 m sleeper and a 4.5 m rack. */
  function reliefPair(service: string): Design {
    return design(
      { width: 40, depth: 60, racks: [{ id: "R1", x: 30, y: 5, length: 4, width: 50, axis: "y", levels: [4.5, 6.5] }] },
      [
        {
          tag: "V-101",
          type: "vessel",
          x: 17,
          y: 29,
          w: 1.6,
          d: 1.6,
          h: 2.4,
          nozzles: [{ id: "RV", dx: 0, dy: 0.8, dz: 1.8 }],
        },
        {
          tag: "V-103",
          type: "vessel",
          x: 24,
          y: 57.8,
          w: 1.6,
          d: 1.6,
          h: 2.4,
          nozzles: [{ id: "RI", dx: -0.8, dy: 0, dz: 1.8 }],
        },
      ],
      [line("RL-1", "V-101/RV", "V-103/RI", { service })],
    );
  }

  it("routes a relief line without the pocket the same ends get as a process line", () => {
    // The process line is routed as before: down to the 1.2 m sleeper and back up into the inlet,
    // a 0.6 m pocket. The relief line runs above both nozzles and drops into the inlet.
    const process = routeDesign(reliefPair("process"));
    expect(process.unrouted).toEqual([]);
    expect(deepestPocket(routeOf(process.design, "RL-1"), 0.01)?.depth).toBeCloseTo(0.6);
    const relief = routeDesign(reliefPair("relief"));
    expect(relief.unrouted).toEqual([]);
    expect(checkRoutes(relief.design)).toEqual([]);
    const route = routeOf(relief.design, "RL-1");
    expect(deepestPocket(route, 0)).toBeUndefined();
    expect(Math.max(...route.map((p) => p[2]))).toBe(4.5);
    const flare = routeDesign(reliefPair("flare"));
    expect(deepestPocket(routeOf(flare.design, "RL-1"), 0)).toBeUndefined();
  });

  it("adds a drain level for an inlet above every level, which only relief lines use", () => {
    // No rack: the levels are the sleepers at 0.5 and 1.2 m, and the drum's inlet is at 2.1 m.
    const d = design(
      { width: 60, depth: 40 },
      [
        {
          tag: "F-101",
          type: "filter",
          x: 37,
          y: 17,
          w: 2,
          d: 2.1,
          h: 3.3,
          nozzles: [
            { id: "RV", dx: 0, dy: 1.05, dz: 2.7 },
            { id: "OUT", dx: 1, dy: 0, dz: 2.2 },
          ],
        },
        {
          tag: "V-101",
          type: "vessel",
          x: 58 - 3,
          y: 26.95,
          w: 3,
          d: 1.9,
          h: 2.7,
          nozzles: [
            { id: "RI", dx: 0, dy: -0.95, dz: 2.1 },
            { id: "IN", dx: -1.5, dy: 0, dz: 2.2 },
          ],
        },
      ],
      [line("RL-1", "F-101/RV", "V-101/RI", { service: "relief" }), line("P-1", "F-101/OUT", "V-101/IN")],
    );
    const result = routeDesign(d);
    expect(result.unrouted).toEqual([]);
    expect(checkRoutes(result.design)).toEqual([]);
    const relief = routeOf(result.design, "RL-1");
    expect(deepestPocket(relief, 0)).toBeUndefined();
    expect(relief.map((p) => p[2])).toContain(2.1);
    // The process line keeps to the sleepers (and its nozzles' heights): as routed without relief lines.
    const process = routeOf(result.design, "P-1");
    expect(process).toEqual(routeOf(routeDesign({ ...d, lines: [d.lines[1]!] }).design, "P-1"));
    expect(new Set(process.slice(1, -1).map((p) => p[2]))).not.toContain(2.1);
  });

  it("keeps a drain level for an inlet just above the sleepers a pipe's width clear of them", () => {
    // The disposal's inlet is at 1.25 m, 0.05 m above the 1.2 m sleeper. A drain level at the
    // inlet's height would let the relief line pass 0.05 m over a line on the sleeper, which DN 100
    // pipes cannot (piping.route-clash): the level goes a pipe diameter and more above the sleeper.
    const d = design(
      { width: 60, depth: 40 },
      [
        { tag: "F-101", type: "filter", x: 10, y: 20, w: 2, d: 2, h: 3, nozzles: [{ id: "RV", dx: 0, dy: 0, dz: 3 }] },
        {
          tag: "V-101",
          type: "vessel",
          x: 50,
          y: 20,
          w: 3,
          d: 2,
          h: 2.5,
          nozzles: [{ id: "RI", dx: -1.5, dy: 0, dz: 1.25 }],
        },
        { tag: "P-1", x: 30, y: 5, nozzles: [{ id: "D", dx: 0, dy: 1, dz: 1.2 }] },
        { tag: "P-2", x: 30, y: 35, nozzles: [{ id: "S", dx: 0, dy: -1, dz: 1.2 }] },
      ],
      [line("RL-1", "F-101/RV", "V-101/RI", { service: "relief" }), line("P-1", "P-1/D", "P-2/S")],
    );
    const result = routeDesign(d);
    expect(result.unrouted).toEqual([]);
    expect(checkRoutes(result.design)).toEqual([]);
    const relief = routeOf(result.design, "RL-1");
    expect(deepestPocket(relief, 0)).toBeUndefined();
    const runs = segments(relief).filter(([a, b]) => a[2] === b[2]);
    for (const [a] of runs) expect(a[2] === 1.25 || a[2] >= 1.2 + 0.1).toBe(true);
    const clashes = validateDesign(result.design).violations.filter((v) => v.rule === "piping.route-clash");
    expect(clashes).toEqual([]);
  });

  it("routes every relief and flare line of the designer's plants without a pocket", () => {
    // Before drainage searches, 653 of the 986 relief and flare lines of 20 seeds × 7 classes
    // pocketed (bench/relief-drain.bench.ts); one seed per class here.
    let drained = 0;
    for (const processClass of PROCESS_CLASSES) {
      const plant = designPlantDetailed({ processClass, seed: 1 }).design;
      const result = routeDesign(plant, { reroute: true });
      expect(result.unrouted, processClass).toEqual([]);
      for (const l of result.design.lines) {
        if (l.service !== "relief" && l.service !== "flare") continue;
        drained++;
        expect(deepestPocket(l.route!, 0), `${processClass} ${l.id}`).toBeUndefined();
      }
    }
    expect(drained).toBeGreaterThan(PROCESS_CLASSES.length);
  });

  it("drains relief lines on random plots, both ways round, deterministically (property)", () => {
    fc.assert(
      fc.property(randomPlot(), fc.boolean(), (plot, flip) => {
        const lines = plot.lines.map((l) => {
          const reversed = flip && isNozzleEnd(l.from) && isNozzleEnd(l.to) ? { ...l, from: l.to, to: l.from } : l;
          return { ...reversed, service: "relief" as const };
        });
        const d = { ...plot, lines };
        const result = routeDesign(d);
        expect(checkRoutes(result.design)).toEqual([]);
        expect(result.routed.length + result.unrouted.length).toBe(d.lines.length);
        for (const l of result.design.lines) if (l.route) expect(deepestPocket(l.route, 1e-9)).toBeUndefined();
        expect(routeDesign(d).design.lines).toEqual(result.design.lines);
      }),
      { numRuns: 40, seed: 20261206 },
    );
  });
});

/**
 * A plot of n × n pumps on a 10 m pitch, each line from one pump to the pump diagonally across
 * (so lines cross each other), with a rack through the middle and a branch on every fifth line.
 */
function grid(n: number): Design {
  const items: EquipmentInput[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      items.push({
        tag: `P-${100 + i * n + j}`,
        x: 6 + i * 10,
        y: 6 + j * 10,
        w: 3,
        d: 2,
        h: 1.5,
        nozzles: [
          { id: "S", dx: -1.5, dy: 0, dz: 0.4 },
          { id: "D", dx: 1.5, dy: 0, dz: 0.4 },
          { id: "N", dx: 0, dy: 1, dz: 0.8 },
        ],
      });
    }
  }
  const lines: object[] = [];
  for (let k = 0; k < n * n; k++) {
    const i = Math.floor(k / n);
    const j = k % n;
    const other = (n - 1 - i) * n + (n - 1 - j);
    if (other <= k) continue;
    lines.push(line(`L${k}`, `P-${100 + k}/D`, `P-${100 + other}/S`));
    if (k % 5 === 0) lines.push(line(`B${k}`, { line: `L${k}` }, `P-${100 + ((k + 1) % (n * n))}/N`, { size: 50 }));
  }
  const size = n * 10 + 2;
  const mid = Math.floor(n / 2) * 10;
  return design(
    {
      width: size,
      depth: size,
      racks: [{ id: "R1", x: 0, y: mid, length: size, width: 2, axis: "x", levels: [4, 6] }],
    },
    items,
    lines,
  );
}

/**
 * Random plots: equipment in the cells of a 12 m lattice (so bodies never overlap), turned at
 * random, with nozzles on footprint edges at off-grid offsets and heights; keep-outs in free
 * cells; sometimes a rack; lines between random nozzles and a branch or two; grid 0.5, 1 or 2 m.
 */
function randomPlot(): fc.Arbitrary<Design> {
  const kind = fc.record({
    w: fc.integer({ min: 2, max: 8 }),
    d: fc.integer({ min: 2, max: 8 }),
    h: fc.constantFrom(1.5, 3, 8),
    rotation: fc.constantFrom(0, 90, 180, 270),
    jx: fc.double({ min: -1, max: 1, noNaN: true }),
    jy: fc.double({ min: -1, max: 1, noNaN: true }),
    nozzles: fc.array(
      fc.record({
        side: fc.integer({ min: 0, max: 3 }),
        at: fc.double({ min: -0.4, max: 0.4, noNaN: true }),
        dz: fc.constantFrom(0.3, 0.5, 0.9, 1.2, 2.5),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  });
  return fc
    .record({
      cols: fc.integer({ min: 3, max: 6 }),
      rows: fc.integer({ min: 2, max: 4 }),
      gridSize: fc.constantFrom(0.5, 1, 2),
      cells: fc.array(fc.option(kind, { freq: 3 }), { minLength: 24, maxLength: 24 }),
      keepOuts: fc.array(fc.integer({ min: 0, max: 23 }), { maxLength: 2 }),
      rack: fc.boolean(),
      pairs: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 8 }),
      branches: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 2 }),
    })
    .map((p) => {
      const items: EquipmentInput[] = [];
      const keepOut: object[] = [];
      const width = p.cols * 12 + 4;
      const depth = p.rows * 12 + 4;
      for (let c = 0; c < p.cols * p.rows; c++) {
        const x0 = 2 + (c % p.cols) * 12;
        const y0 = 2 + Math.floor(c / p.cols) * 12;
        if (p.keepOuts.includes(c)) {
          keepOut.push({ id: `K-${c}`, x: x0 + 2, y: y0 + 2, width: 7, depth: 7 });
          continue;
        }
        const k = p.cells[c];
        if (!k) continue;
        const nozzles = k.nozzles.map((n, i) => {
          const along = n.side % 2 === 0 ? k.w : k.d;
          const offset = Math.round(n.at * along * 10) / 10;
          const [dx, dy] = [
            [k.w / 2, offset],
            [offset, k.d / 2],
            [-k.w / 2, offset],
            [offset, -k.d / 2],
          ][n.side]!;
          return { id: `N${i + 1}`, dx: dx!, dy: dy!, dz: Math.min(n.dz, k.h - 0.2) };
        });
        // Keep nozzles of one item at least 1.5 m apart: closer ones would share a grid cell.
        const spaced = nozzles.filter((n, i) =>
          nozzles.slice(0, i).every((m) => Math.abs(m.dx - n.dx) + Math.abs(m.dy - n.dy) >= 1.5),
        );
        items.push({
          tag: `P-${100 + c}`,
          x: x0 + 6 + Math.round(k.jx * 10) / 10,
          y: y0 + 6 + Math.round(k.jy * 10) / 10,
          rotation: k.rotation,
          w: k.w,
          d: k.d,
          h: k.h,
          nozzles: spaced,
        });
      }
      // A nozzle takes one line (the validator's rule): ends are drawn without replacement.
      const free = items.flatMap((e) => (e.nozzles ?? []).map((n) => `${e.tag}/${n.id}`));
      const take = (n: number) => free.splice(n % free.length, 1)[0]!;
      const lines: object[] = [];
      p.pairs.forEach(([a, b], k) => {
        if (free.length >= 2) lines.push(line(`L${k}`, take(a), take(b)));
      });
      p.branches.forEach(([parent, to], k) => {
        if (lines.length === 0 || free.length === 0) return;
        const id = (lines[parent % lines.length] as { id: string }).id;
        lines.push(line(`B${k}`, { line: id }, take(to), { size: 50 }));
      });
      const racks = p.rack ? [{ id: "R1", x: 0, y: 13, length: width, width: 1, axis: "x", levels: [5, 7] }] : [];
      return design({ width, depth, gridSize: p.gridSize, keepOut, racks }, items, lines);
    });
}
