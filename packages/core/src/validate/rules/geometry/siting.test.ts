/**
 * The siting rules' neighbours: designs one step from a planted fault that must stay silent, and
 * the faulty twin that must not.
 */
import { cleanDesign, equipmentIn, modifiedDesign } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import type { Design, RulePack } from "../../../design/types.js";
import { PROCESS_CLASSES } from "../../../design/vocabulary.js";
import { DEFAULT_RULE_PACK, validateDesign } from "../../index.js";

const NO_SPACING_TABLE: RulePack = { ...DEFAULT_RULE_PACK, spacing: [] };
const ofRule = (d: Design, rule: string, pack: RulePack = DEFAULT_RULE_PACK) =>
  validateDesign(d, pack).violations.filter((v) => v.rule === rule);

/**
 * The distillation plant with fuel-gas drum V-305 moved next to heater H-301: (22, 37.5) is 9.85 m
 * from it, (17, 36) 7.5 m, (17, 33.35) 4.85 m (the drum then stands on the rack: other rules' business).
 */
const drumAt = (x: number, y: number) =>
  modifiedDesign("distillation", (d) => {
    equipmentIn(d, "V-305").x = x;
    equipmentIn(d, "V-305").y = y;
  });

describe("tanks keep their distance to the property line", () => {
  const tankAt = (edgeGap: number, hazard: "flammable" | "none") =>
    modifiedDesign("tank_farm", (d) => {
      const tank = equipmentIn(d, "TK-101");
      tank.hazard = hazard;
      tank.x = tank.footprint.width / 2 + edgeGap;
    });

  it("a flammable 15 m tank passes at half its diameter from the boundary, not 0.1 m closer", () => {
    expect(ofRule(tankAt(7.5, "flammable"), "geometry.tank-property-line")).toEqual([]);
    expect(ofRule(tankAt(7.4, "flammable"), "geometry.tank-property-line").map((v) => v.message)).toEqual([
      expect.stringMatching(/stands 7\.4 m from the property line; NFPA 30 Table 22\.4\.1\.1\(a\) asks 7\.5 m/),
    ]);
  });

  it("a water tank may stand at the boundary", () => {
    expect(ofRule(tankAt(1, "none"), "geometry.tank-property-line")).toEqual([]);
  });
});

describe("ignition sources stay outside the hazardous area", () => {
  it("every clean design passes, with the spacing table or without it", () => {
    for (const pc of PROCESS_CLASSES) {
      expect(ofRule(cleanDesign(pc), "geometry.hazardous-area"), pc).toEqual([]);
      expect(ofRule(cleanDesign(pc), "geometry.hazardous-area", NO_SPACING_TABLE), pc).toEqual([]);
    }
  });

  it("a heater inside the extent is the spacing table's finding when the table keeps the pair further apart", () => {
    expect(ofRule(drumAt(17, 33.35), "geometry.hazardous-area")).toEqual([]);
    expect(ofRule(drumAt(17, 33.35), "geometry.spacing").map((v) => v.tags)).toEqual([["H-301", "V-305"]]);
  });

  it("without a spacing entry, a heater inside the pack's extent is found and one just outside is not", () => {
    const found = ofRule(drumAt(17, 33.35), "geometry.hazardous-area", NO_SPACING_TABLE);
    expect(found.map((v) => v.message)).toEqual([
      expect.stringMatching(
        /^H-301 \(furnace, fired\) is 4\.85 m from flammable V-305, inside its 7\.5 m classified area/,
      ),
    ]);
    expect(found[0]!.suggestion).toMatch(/beyond the classified area/);
    expect(ofRule(drumAt(17, 36), "geometry.hazardous-area", NO_SPACING_TABLE)).toEqual([]);
  });

  it("the extent comes from the pack", () => {
    const wider: RulePack = { ...NO_SPACING_TABLE, hazardousArea: { ...DEFAULT_RULE_PACK.hazardousArea!, extent: 12 } };
    expect(ofRule(drumAt(22, 37.5), "geometry.hazardous-area", NO_SPACING_TABLE)).toEqual([]);
    expect(ofRule(drumAt(22, 37.5), "geometry.hazardous-area", wider).map((v) => v.tags)).toEqual([["V-305", "H-301"]]);
  });
});
