import { describe, expect, it } from "vitest";
import { footprintRect, rectDistance } from "../design/geometry.js";
import type { Design, Equipment } from "../design/types.js";
import { metres } from "../design/units.js";
import { DEFAULT_RULE_PACK, validateDesign } from "../validate/index.js";
import { hazardousAreaDistance, legaliseDesign, propertyLineDistance } from "./index.js";

/**
 * Siting the legaliser owes the rule pack beyond item pairs: a flammable tank's distance to the
 * property line (NFPA 30 Table 22.4.1.1(a), pack tankSiting) and flammable equipment's distance to
 * a substation (API RP 505 classified area, pack hazardousArea), as the validator's
 * geometry.tank-property-line and geometry.hazardous-area rules read them.
 */

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

function design(equipment: Equipment[], keepOut: Design["site"]["keepOut"] = []): Design {
  return {
    schemaVersion: "1.0",
    id: "siting",
    processClass: "tank_farm",
    site: { width: 100, depth: 80, gridSize: 1, keepOut, racks: [] },
    equipment,
    lines: [],
    instruments: [],
    control: { loops: [], interlocks: [] },
  };
}

const tank = (tag: string, x: number, y: number, diameter: number, hazard: Equipment["hazard"] = "flammable") =>
  item(tag, x, y, { type: "tank", hazard, footprint: { width: diameter, depth: diameter, height: 12 } });

const errorsOf = (d: Design, rule: string) =>
  validateDesign(d, { ...DEFAULT_RULE_PACK, disabledRules: [] }).violations.filter((v) => v.rule === rule);

const placed = (d: Design, tag: string) =>
  d.equipment.find((e) => e.tag === tag)! as Equipment & { x: number; y: number };

describe("legaliser siting distances from the pack", () => {
  it("reads the distances as the rules do: half a flammable tank's diameter, capped; 7.5 m around flammables", () => {
    expect(propertyLineDistance(DEFAULT_RULE_PACK, tank("TK-1", 0, 0, 20))).toBe(10);
    expect(propertyLineDistance(DEFAULT_RULE_PACK, tank("TK-1", 0, 0, 2))).toBe(1.5);
    expect(propertyLineDistance(DEFAULT_RULE_PACK, tank("TK-1", 0, 0, 120))).toBe(53);
    expect(propertyLineDistance(DEFAULT_RULE_PACK, tank("TK-1", 0, 0, 20, "none"))).toBe(0);
    expect(propertyLineDistance(DEFAULT_RULE_PACK, item("V-1", 0, 0, { hazard: "flammable" }))).toBe(0);
    expect(hazardousAreaDistance(DEFAULT_RULE_PACK, item("V-1", 0, 0, { hazard: "flammable" }), "substation")).toBe(
      7.5,
    );
    expect(hazardousAreaDistance(DEFAULT_RULE_PACK, item("V-1", 0, 0, { hazard: "flammable" }), "building")).toBe(0);
    expect(hazardousAreaDistance(DEFAULT_RULE_PACK, item("V-1", 0, 0), "substation")).toBe(0);
  });

  it("moves a flammable tank at the plot edge inward until the property-line rule passes", () => {
    // A 20 m tank whose west shell stands 2 m from the boundary: NFPA 30 asks 10 m.
    const before = design([tank("TK-101", 12, 40, 20)]);
    expect(errorsOf(before, "geometry.tank-property-line")).toHaveLength(1);
    const r = legaliseDesign(before, DEFAULT_RULE_PACK, { margin: metres(0.5) });
    expect(r.unresolved).toEqual([]);
    expect(r.moves).toEqual([expect.objectContaining({ tag: "TK-101", reason: "boundary", against: "site" })]);
    expect(footprintRect(placed(r.design, "TK-101")).minX).toBeGreaterThanOrEqual(10.5);
    expect(errorsOf(r.design, "geometry.tank-property-line")).toEqual([]);
  });

  it("leaves a water tank at the edge where it stands", () => {
    const r = legaliseDesign(design([tank("TK-101", 12, 40, 20, "none")]));
    expect(r.moves).toEqual([]);
  });

  it("moves flammable equipment out of a substation's classified area, and leaves other items by it", () => {
    const substation = { id: "SUB-1", kind: "substation" as const, x: 40, y: 0, width: 12, depth: 8 };
    const before = design(
      [item("P-101", 46, 11, { type: "pump", hazard: "flammable" }), item("V-102", 56, 11)],
      [substation],
    );
    expect(errorsOf(before, "geometry.hazardous-area")).toHaveLength(1);
    const r = legaliseDesign(before, DEFAULT_RULE_PACK, { margin: metres(0.5) });
    expect(r.unresolved).toEqual([]);
    expect(r.moves).toEqual([expect.objectContaining({ tag: "P-101", reason: "keep_out", against: "SUB-1" })]);
    const sub = { minX: 40, minY: 0, maxX: 52, maxY: 8 };
    expect(rectDistance(footprintRect(placed(r.design, "P-101")), sub)).toBeGreaterThanOrEqual(8);
    expect(placed(r.design, "V-102")).toMatchObject({ x: 56, y: 11 });
    expect(errorsOf(r.design, "geometry.hazardous-area")).toEqual([]);
  });

  it("keeps a fired heater out of a flammable drum's classified area where the spacing table sets nothing", () => {
    const pack = { ...DEFAULT_RULE_PACK, spacing: [] };
    const before = design([
      item("H-1", 40, 40, { type: "furnace", hazard: "fired" }),
      item("V-2", 45, 40, { hazard: "flammable" }),
    ]);
    expect(errorsOf(before, "geometry.hazardous-area")).toEqual([]); // the default pack's spacing table governs
    const { violations } = validateDesign(before, pack);
    expect(violations.filter((v) => v.rule === "geometry.hazardous-area")).toHaveLength(1);
    const r = legaliseDesign(before, pack, { margin: metres(0.5) });
    expect(r.unresolved).toEqual([]);
    const gap = rectDistance(footprintRect(placed(r.design, "H-1")), footprintRect(placed(r.design, "V-2")));
    expect(gap).toBeGreaterThanOrEqual(7.5);
    expect(validateDesign(r.design, pack).violations.filter((v) => v.rule === "geometry.hazardous-area")).toEqual([]);
  });

  it("asks nothing of a pack without the siting sections", () => {
    const { tankSiting: _t, hazardousArea: _h, ...bare } = DEFAULT_RULE_PACK;
    const r = legaliseDesign(design([tank("TK-101", 12, 40, 20)]), bare, { margin: metres(0.5) });
    expect(r.moves).toEqual([]);
  });
});
