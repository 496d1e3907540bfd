/**
 * The relief-system rules' neighbours: designs one step from a planted fault that must stay silent,
 * and the faulty twin that must not. Every check here runs with every rule on, whatever the default
 * pack disables.
 */
import { cleanDesign, cleanDesignInput, equipmentIn, lineIn, modifiedDesign } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import type { Design, RulePack } from "../../../design/types.js";
import { PROCESS_CLASSES } from "../../../design/vocabulary.js";
import { DEFAULT_RULE_PACK, validateDesign } from "../../index.js";

const EVERY_RULE_ON: RulePack = { ...DEFAULT_RULE_PACK, disabledRules: [] };
const RELIEF_RULES = [
  "piping.relief-block-valve",
  "piping.relief-discharge-size",
  "piping.relief-into-atmospheric-tank",
  "piping.flare-knock-out",
  "piping.tank-vent",
  "piping.gas-blow-by",
];
const ofRule = (d: Design, rule: string) => validateDesign(d, EVERY_RULE_ON).violations.filter((v) => v.rule === rule);

describe("relief systems: what stays silent next to a fault", () => {
  it("every clean design passes every relief rule", () => {
    for (const pc of PROCESS_CLASSES) {
      const found = validateDesign(cleanDesign(pc), EVERY_RULE_ON).violations.filter((v) =>
        RELIEF_RULES.includes(v.rule),
      );
      expect(found, pc).toEqual([]);
    }
  });

  it("a block valve at a relief valve passes locked or car-sealed open, not locked closed", () => {
    const gate = (lock?: "LO" | "CSO" | "LC") =>
      modifiedDesign("pump_station", (d) => {
        lineIn(d, "50-RV-1009-A1").components!.unshift({ type: "gate_valve", ...(lock ? { lock } : {}) });
        lineIn(d, "50-RV-1009-A1").components!.push({ type: "gate_valve", ...(lock ? { lock } : {}) });
      });
    expect(ofRule(gate("LO"), "piping.relief-block-valve")).toEqual([]);
    expect(ofRule(gate("CSO"), "piping.relief-block-valve")).toEqual([]);
    const closed = ofRule(gate("LC"), "piping.relief-block-valve");
    expect(closed.map((v) => v.message.match(/between|discharge/)![0])).toEqual(["between", "discharge"]);
    expect(closed[0]!.message).toMatch(/locked closed/);
  });

  it("a process valve after a relief valve on a process line is the line's own", () => {
    // 200-P-1002-A1 holds PSV-102 then a gate valve: the gate is on the process run, not the relief path.
    expect(lineIn(cleanDesignInput("pump_station"), "200-P-1002-A1").components!.map((c) => c.type)).toEqual([
      "relief_valve",
      "gate_valve",
    ]);
    expect(ofRule(cleanDesign("pump_station"), "piping.relief-block-valve")).toEqual([]);
  });

  it("a discharge may widen after the relief valve; a reducer before the valve does not count", () => {
    const reducers = (before: number | undefined, after: number | undefined) =>
      modifiedDesign("pump_station", (d) => {
        const c = lineIn(d, "50-RV-1009-A1").components!;
        if (before !== undefined) c.unshift({ type: "reducer", size: before });
        if (after !== undefined) c.push({ type: "reducer", size: after });
      });
    expect(ofRule(reducers(undefined, 80), "piping.relief-discharge-size")).toEqual([]);
    expect(ofRule(reducers(40, 40), "piping.relief-discharge-size")).toEqual([]);
    expect(ofRule(reducers(40, 25), "piping.relief-discharge-size").map((v) => v.message)).toEqual([
      expect.stringContaining("from DN 40 at the inlet of relief valve PSV-101 to DN 25"),
    ]);
  });

  it("water relieved into its own water tank is fine; so is relief into a tank built for pressure", () => {
    expect(ofRule(cleanDesign("water_treatment"), "piping.relief-into-atmospheric-tank")).toEqual([]);
    const pressureTank = modifiedDesign("water_treatment", (d) => {
      equipmentIn(d, "TK-502").hazard = "flammable";
      equipmentIn(d, "TK-502").designPressure = 0.5;
    });
    expect(ofRule(pressureTank, "piping.relief-into-atmospheric-tank")).toEqual([]);
  });

  it("relief reaching a tank through a header is found, naming the header", () => {
    const d = modifiedDesign("gas_compression", (input) => {
      equipmentIn(input, "V-203").type = "tank";
      equipmentIn(input, "V-203").designPressure = 0.1;
    });
    const found = ofRule(d, "piping.relief-into-atmospheric-tank");
    expect(found.map((v) => v.lines)).toContainEqual(["100-FL-3006-A1", "100-FL-3005-A1"]);
  });

  it("a knock-out drum's own relief valve may go to the flare; a relief line from another vessel may not", () => {
    const psvToFlare = (from: string) =>
      modifiedDesign("gas_compression", (d) => {
        lineIn(d, "300-FL-3010-A1").to = { tag: "FL-201", nozzle: "IN" };
        d.lines.push({
          id: "100-FL-3099-A1",
          from: { tag: from, nozzle: "PSV" },
          to: { line: "300-FL-3010-A1" },
          size: 100,
          service: "flare",
          components: [{ tag: "PSV-299", type: "relief_valve" }],
        });
      });
    // Teeing in after the drum is a finding whichever vessel it comes from.
    expect(ofRule(psvToFlare("V-201"), "piping.flare-knock-out").map((v) => v.lines)).toEqual([
      ["100-FL-3099-A1", "300-FL-3010-A1"],
    ]);
    const direct = modifiedDesign("gas_compression", (d) => {
      lineIn(d, "100-FL-3007-A1").to = { tag: "FL-201", nozzle: "IN" };
    });
    expect(ofRule(direct, "piping.flare-knock-out").map((v) => v.tags)).toEqual([["FL-201", "V-204"]]);
  });

  it("a vent nozzle counts only while no process line takes it; a vent line counts too", () => {
    const taken = modifiedDesign("tank_farm", (d) => {
      lineIn(d, "300-P-2001-A1").from = { tag: "TK-101", nozzle: "VENT" };
    });
    expect(ofRule(taken, "piping.tank-vent").map((v) => v.tags)).toEqual([["TK-101"]]);
    const ventLine = modifiedDesign("tank_farm", (d) => {
      const tank = equipmentIn(d, "TK-101");
      tank.nozzles = tank.nozzles!.filter((n) => n.id !== "VENT");
      lineIn(d, "300-P-2001-A1").service = "vent";
    });
    expect(ofRule(ventLine, "piping.tank-vent")).toEqual([]);
  });

  it("blow-by needs a vessel upstream, a lower receiver and no relief on the receiver", () => {
    const lowFilter = (keepPsv: boolean) =>
      modifiedDesign("pump_station", (d) => {
        equipmentIn(d, "F-101").designPressure = 5;
        if (!keepPsv) {
          const line = lineIn(d, "200-P-1002-A1");
          line.components = line.components!.filter((c) => c.type !== "relief_valve");
        }
      });
    expect(ofRule(lowFilter(true), "piping.gas-blow-by")).toEqual([]);
    expect(ofRule(lowFilter(false), "piping.gas-blow-by")[0]!.severity).toBe("warning");
    // The clean gas plant lets drum liquid down to its flare knock-out drum, which the flare relieves.
    expect(ofRule(cleanDesign("gas_compression"), "piping.gas-blow-by")).toEqual([]);
  });
});
