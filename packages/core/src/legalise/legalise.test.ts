import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { footprintRect, rectDistance } from "../design/geometry.js";
import type { Design, Equipment, Line } from "../design/types.js";
import { metres } from "../design/units.js";
import { DEFAULT_RULE_PACK, validateDesign } from "../validate/index.js";
import { legaliseDesign } from "./index.js";

function item(tag: string, x: number, y: number, extra: Partial<Equipment> = {}): Equipment {
  return {
    tag,
    type: "vessel",
    x,
    y,
    z: 0,
    rotation: 0,
    footprint: { width: 2, depth: 2, height: 3 },
    hazard: "none",
    nozzles: [{ id: "N1", dx: 1, dy: 0, dz: 1 }],
    ...extra,
  };
}

function design(equipment: Equipment[], site: Partial<Design["site"]> = {}, lines: Line[] = []): Design {
  return {
    schemaVersion: "1.0",
    id: "t",
    processClass: "utilities",
    site: { width: 60, depth: 40, gridSize: 1, keepOut: [], racks: [], ...site },
    equipment,
    lines,
    instruments: [],
    control: { loops: [], interlocks: [] },
  };
}

const gap = (d: Design, a: string, b: string) => {
  const ea = d.equipment.find((e) => e.tag === a)! as Equipment & { x: number; y: number };
  const eb = d.equipment.find((e) => e.tag === b)! as Equipment & { x: number; y: number };
  return rectDistance(footprintRect(ea), footprintRect(eb));
};

describe("legaliseDesign", () => {
  it("snaps centres to the grid and reports snap moves", () => {
    const r = legaliseDesign(design([item("V-101", 10.4, 10.6)]));
    expect(r.design.equipment[0]).toMatchObject({ x: 10, y: 11 });
    expect(r.moves).toEqual([{ tag: "V-101", from: [10.4, 10.6], to: [10, 11], distance: 0.566, reason: "snap" }]);
    expect(r.unresolved).toEqual([]);
  });

  it("clears an overlap by moving one item the least distance that gives access clearance", () => {
    const r = legaliseDesign(design([item("V-101", 10, 10), item("V-102", 11, 10)]), undefined, { margin: metres(0) });
    expect(r.moves).toHaveLength(1);
    // 2 m footprints and 0.9 m clearance: centres 2.9 m apart, 3 m on the grid.
    expect(r.moves[0]).toMatchObject({ reason: "overlap", distance: 2 });
    expect(gap(r.design, "V-101", "V-102")).toBeGreaterThanOrEqual(DEFAULT_RULE_PACK.access.clearance);
    expect(r.stats.conflictsBefore).toBe(2);
  });

  it("keeps the default 0.5 m margin over the pack's distances", () => {
    const r = legaliseDesign(design([item("V-101", 10, 10), item("V-102", 11, 10)]));
    expect(r.moves[0]).toMatchObject({ reason: "overlap", distance: 3 });
    expect(gap(r.design, "V-101", "V-102")).toBeGreaterThanOrEqual(DEFAULT_RULE_PACK.access.clearance + 0.5);
  });

  it("never moves fixed items", () => {
    const r = legaliseDesign(design([item("V-101", 10, 10), item("V-102", 11, 10)]), undefined, { fixed: ["V-102"] });
    expect(r.design.equipment[1]).toMatchObject({ x: 11, y: 10 });
    expect(r.moves.map((m) => m.tag)).toEqual(["V-101"]);
  });

  it("reports two fixed items that clash, and unknown fixed tags", () => {
    const r = legaliseDesign(design([item("V-101", 10, 10), item("V-102", 11, 10)]), undefined, {
      fixed: ["V-101", "V-102", "X-999"],
    });
    expect(r.moves).toEqual([]);
    expect(r.unresolved.map((u) => u.code).sort()).toEqual(["fixed_conflict", "unknown_fixed"]);
  });

  it("pulls items back inside the site and out of keep-outs and rack clearances", () => {
    const d = design([item("V-101", 0, 5), item("V-102", 30, 20), item("V-103", 45, 10)], {
      keepOut: [{ id: "road", kind: "road", x: 25, y: 15, width: 10, depth: 10 }],
      racks: [{ id: "R1", x: 40, y: 5, length: 15, width: 6, axis: "x", levels: [5] }],
    });
    const r = legaliseDesign(d);
    const reasons = Object.fromEntries(r.moves.map((m) => [m.tag, m.reason]));
    expect(reasons).toEqual({ "V-101": "boundary", "V-102": "keep_out", "V-103": "rack_clearance" });
    expect(r.design.equipment[0]).toMatchObject({ x: 1, y: 5 });
  });

  it("applies the spacing table: a fired heater ends 15 m from a flammable pump", () => {
    const furnace = item("H-101", 20, 20, {
      type: "furnace",
      hazard: "fired",
      footprint: { width: 8, depth: 6, height: 20 },
    });
    const pump = item("P-101", 30, 20, { type: "pump", hazard: "flammable" });
    const r = legaliseDesign(design([furnace, pump]));
    expect(r.moves[0]).toMatchObject({ reason: "spacing", against: "H-101" });
    expect(gap(r.design, "H-101", "P-101")).toBeGreaterThanOrEqual(15);
  });

  it("applies tank spacing from the diameters", () => {
    const t = (tag: string, x: number) =>
      item(tag, x, 20, { type: "tank", footprint: { width: 12, depth: 12, height: 10 } });
    const r = legaliseDesign(design([t("TK-101", 15), t("TK-102", 28)]));
    expect(r.moves[0]?.reason).toBe("tank_spacing");
    expect(gap(r.design, "TK-101", "TK-102")).toBeGreaterThanOrEqual((12 + 12) / 6);
  });

  it("drops the routes of lines whose ends moved", () => {
    const line: Line = {
      id: "L1",
      service: "process",
      from: { tag: "V-101", nozzle: "N1" },
      to: { tag: "V-103", nozzle: "N1" },
      size: 50,
      components: [],
      route: [
        [11, 10, 1],
        [40, 10, 1],
      ],
    };
    const r = legaliseDesign(design([item("V-101", 10, 10), item("V-102", 11, 10), item("V-103", 39, 30)], {}, [line]));
    const moved = r.moves[0]!.tag;
    expect(r.staleRoutes).toEqual(moved === "V-101" ? ["L1"] : ["L1"]);
    expect(r.design.lines[0]!.route).toBeUndefined();
  });

  it("says when an item has no legal position", () => {
    const big = item("V-101", 5, 5, { footprint: { width: 20, depth: 20, height: 3 } });
    const r = legaliseDesign(design([big], { width: 10, depth: 10 }));
    expect(r.unresolved.map((u) => u.code)).toEqual(["no_position"]);
  });

  it("is deterministic", () => {
    const make = () =>
      design(
        Array.from({ length: 40 }, (_, k) => item(`V-${100 + k}`, 20 + (k % 7) * 1.3, 15 + Math.floor(k / 7) * 1.1)),
      );
    expect(legaliseDesign(make())).toEqual(legaliseDesign(make()));
  });

  it("handles a big plant through the spatial index", () => {
    // 2,500 items on a legal lattice; every tenth is pushed onto a neighbour.
    const equipment = Array.from({ length: 2500 }, (_, k) => {
      const x = 10 + (k % 50) * 5;
      const y = 10 + Math.floor(k / 50) * 5;
      return item(`V-${1000 + k}`, k % 10 === 3 ? x + 3.2 : x, k % 10 === 7 ? y - 3.4 : y);
    });
    const started = performance.now();
    const r = legaliseDesign(design(equipment, { width: 270, depth: 270 }));
    const ms = performance.now() - started;
    expect(r.unresolved).toEqual([]);
    expect(r.stats.conflictsBefore).toBeGreaterThan(400);
    expect(ms).toBeLessThan(20_000);
  });
});

describe("legaliseDesign, property", () => {
  const TYPES = ["pump", "vessel", "tank", "furnace", "filter", "compressor"] as const;
  const HAZARDS = {
    pump: "flammable",
    vessel: "flammable",
    tank: "flammable",
    furnace: "fired",
    filter: "none",
    compressor: "flammable",
  } as const;
  const itemArb = fc.record({
    type: fc.constantFrom(...TYPES),
    x: fc.double({ min: 0, max: 120, noNaN: true }),
    y: fc.double({ min: 0, max: 120, noNaN: true }),
    w: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 12 }),
    rotation: fc.constantFrom(0, 90, 180, 270),
  });

  it("leaves no geometric error when it reports nothing unresolved", () => {
    let clean = 0;
    fc.assert(
      fc.property(fc.array(itemArb, { minLength: 1, maxLength: 25 }), fc.boolean(), (items, withSite) => {
        const equipment = items.map((it, k) =>
          item(`X-${100 + k}`, it.x, it.y, {
            type: it.type,
            hazard: HAZARDS[it.type],
            rotation: it.rotation as 0 | 90 | 180 | 270,
            footprint:
              it.type === "tank" ? { width: it.w, depth: it.w, height: 8 } : { width: it.w, depth: it.d, height: 3 },
          }),
        );
        const site: Partial<Design["site"]> = withSite
          ? {
              width: 160,
              depth: 160,
              keepOut: [{ id: "road", kind: "road", x: 0, y: 150, width: 160, depth: 10 }],
              racks: [{ id: "R1", x: 10, y: 70, length: 140, width: 6, axis: "x", levels: [5, 7] }],
            }
          : { width: 160, depth: 160 };
        const r = legaliseDesign(design(equipment, site));
        if (r.unresolved.length > 0) return;
        clean++;
        const geometry = validateDesign(r.design).violations.filter(
          (v) => v.category === "geometry" && v.severity === "error",
        );
        expect(geometry).toEqual([]);
        for (const m of r.moves) expect(m.distance).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 60, seed: 20260 },
    );
    // Most random plants fit their plot: the property is not vacuous.
    expect(clean).toBeGreaterThan(40);
  });
});
