/**
 * The vapour-space and free-draining relief rules: what stays silent next to a planted fault. Every
 * check here runs with every rule on, so that a rule a pack turns off is still tested; one test pins
 * the free-draining rule as on in the default pack.
 */
import { cleanDesign, equipmentIn, lineIn, modifiedDesign } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import type { Design, PlantDesignInput, Point3, RulePack } from "../../../design/types.js";
import { PROCESS_CLASSES } from "../../../design/vocabulary.js";
import { DEFAULT_RULE_PACK, validateDesign } from "../../index.js";
import { deepestPocket } from "./relief-free-draining.js";

const EVERY_RULE_ON: RulePack = { ...DEFAULT_RULE_PACK, disabledRules: [] };
const ofRule = (d: Design, rule: string, pack: RulePack = EVERY_RULE_ON) =>
  validateDesign(d, pack).violations.filter((v) => v.rule === rule);

/** V-101's relief line (PSV nozzle at 3.5 m) to drum V-103 (IN1 at 1.5 m) along a given profile. */
const reliefRoute = (route: Point3[]) =>
  modifiedDesign("pump_station", (d) => {
    lineIn(d, "50-RV-1009-A1").route = route as [Point3, Point3, ...Point3[]];
  });
const UP_OVER_DOWN: Point3[] = [
  [16, 27.5, 3.5],
  [16, 27.5, 6.5],
  [16, 30.875, 6.5],
  [83, 30.875, 6.5],
  [83, 36.5, 6.5],
  [83, 36.5, 1.5],
];

describe("relief valves on the vapour space", () => {
  it("every clean design's relief lines leave from the vapour space", () => {
    for (const pc of PROCESS_CLASSES) expect(ofRule(cleanDesign(pc), "piping.relief-vapour-space"), pc).toEqual([]);
  });

  it("a relief nozzle at exactly the pack's fraction passes, one just below does not", () => {
    const at = (dz: number) =>
      modifiedDesign("pump_station", (d) => {
        equipmentIn(d, "V-101").nozzles!.find((n) => n.id === "PSV")!.dz = dz;
      });
    const height = cleanDesign("pump_station").equipment.find((e) => e.tag === "V-101")!.footprint.height;
    const limit = DEFAULT_RULE_PACK.reliefSystems!.vapourSpaceFraction * height;
    expect(ofRule(at(limit), "piping.relief-vapour-space")).toEqual([]);
    const below = ofRule(at(limit - 0.1), "piping.relief-vapour-space");
    expect(below.map((v) => v.message)).toEqual([
      expect.stringMatching(/nozzle PSV at 1\.65 m of its 3\.5 m .*at least 1\.75 m, 50 %/),
    ]);
    expect(below[0]!.location).toBeDefined();
  });

  it("a relief valve on a process line leaving a drum's bottom is the line's own thermal relief", () => {
    // The clean distillation plant holds PSV on reflux drum V-301's liquid outlet (0.5 m of 2.5 m).
    const d = cleanDesign("distillation");
    const line = d.lines.find((l) => l.id === "150-P-4001-B1")!;
    expect(line.components.map((c) => c.type)).toContain("relief_valve");
    expect(ofRule(d, "piping.relief-vapour-space")).toEqual([]);
  });

  it("items without a liquid level, and nozzles without a height, are left alone", () => {
    const low = (change: (d: PlantDesignInput) => void) =>
      modifiedDesign("pump_station", (d) => {
        equipmentIn(d, "V-101").nozzles!.find((n) => n.id === "PSV")!.dz = 0.5;
        change(d);
      });
    expect(
      ofRule(
        low(() => {}),
        "piping.relief-vapour-space",
      ),
    ).toHaveLength(1);
    expect(
      ofRule(
        low((d) => {
          equipmentIn(d, "V-101").type = "filter";
        }),
        "piping.relief-vapour-space",
      ),
    ).toEqual([]);
    const noHeight = low((d) => void delete equipmentIn(d, "V-101").nozzles!.find((n) => n.id === "PSV")!.dz);
    expect(ofRule(noHeight, "piping.relief-vapour-space")).toEqual([]);
    const vesselsOff: RulePack = {
      ...EVERY_RULE_ON,
      reliefSystems: { ...DEFAULT_RULE_PACK.reliefSystems!, vapourSpaceTypes: ["column", "tank"] },
    };
    expect(
      ofRule(
        low(() => {}),
        "piping.relief-vapour-space",
        vesselsOff,
      ),
    ).toEqual([]);
  });
});

describe("relief lines drain without pockets", () => {
  it("finds the deepest point that sits below both sides of a profile", () => {
    const z = (...zs: number[]): Point3[] => zs.map((h, i) => [i, 0, h]);
    expect(deepestPocket(z(3, 6, 6, 1.5), 0.01)).toBeUndefined();
    expect(deepestPocket(z(3, 6, 5, 6.2, 1.5), 0.01)).toEqual({ at: 2, depth: expect.closeTo(1, 9) });
    expect(deepestPocket(z(3, 6, 5.5, 6, 0.5, 2, 1), 0.01)).toEqual({ at: 4, depth: expect.closeTo(1.5, 9) });
    expect(deepestPocket(z(3, 6, 5.995, 6, 1.5), 0.01)).toBeUndefined();
    // the inlet rising from a low nozzle drains back to the item: no pocket
    expect(deepestPocket(z(0.5, 0.5, 6, 1.5), 0.01)).toBeUndefined();
  });

  it("a route up to its high point and down to the drum passes; a dip on the way does not", () => {
    expect(ofRule(reliefRoute(UP_OVER_DOWN), "piping.relief-free-draining")).toEqual([]);
    const dipped = [...UP_OVER_DOWN];
    dipped.splice(3, 0, [50, 30.875, 6.5], [50, 30.875, 5], [60, 30.875, 5], [60, 30.875, 6.5]);
    const found = ofRule(reliefRoute(dipped), "piping.relief-free-draining");
    expect(found.map((v) => [v.lines, v.location])).toEqual([[["50-RV-1009-A1"], { x: 50, y: 30.875, z: 5 }]]);
    expect(found[0]!.message).toMatch(/1\.5 m below the route on both sides/);
  });

  it("a rack loop (down onto a rack lane, up over the drum) is a pocket, found by the default pack", () => {
    // the route the fixture builder drew before relief lines got their own tier above the rack
    const rackLoop = reliefRoute([
      [16, 27.5, 3.5],
      [16, 27.5, 5.6],
      [16, 30.875, 5.6],
      [16, 30.875, 5],
      [83, 30.875, 5],
      [83, 30.875, 6.2],
      [83, 36.5, 6.2],
      [83, 36.5, 1.5],
    ]);
    const found = ofRule(rackLoop, "piping.relief-free-draining", DEFAULT_RULE_PACK);
    expect(found.map((v) => [v.lines, v.location])).toEqual([[["50-RV-1009-A1"], { x: 16, y: 30.875, z: 5 }]]);
    expect(found[0]!.message).toMatch(/0\.6 m below the route on both sides/);
  });

  it("every clean design's relief and flare lines drain under the default pack", () => {
    let draining = 0;
    for (const pc of PROCESS_CLASSES) {
      const d = cleanDesign(pc);
      draining += d.lines.filter((l) => l.service === "relief" || l.service === "flare").length;
      expect(ofRule(d, "piping.relief-free-draining", DEFAULT_RULE_PACK), pc).toEqual([]);
    }
    // five plants hold relief or flare lines (tank farm and utilities hold none)
    expect(draining).toBeGreaterThanOrEqual(7);
  });

  it("a process line carrying a relief valve on a tee keeps its own profile", () => {
    const d = modifiedDesign("pump_station", (input) => {
      const line = lineIn(input, "200-P-1002-A1");
      const [a, b] = [line.route![0]!, line.route!.at(-1)!];
      line.route = [a, [a[0], a[1], 8], [a[0], a[1], 0.2], [b[0], b[1], 0.2], b] as never;
    });
    expect(ofRule(d, "piping.relief-free-draining").flatMap((v) => v.lines)).not.toContain("200-P-1002-A1");
  });
});
