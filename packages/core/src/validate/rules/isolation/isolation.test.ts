/**
 * The isolation and pump-piping rules' neighbours: designs one step from a planted fault that must
 * stay silent, and the faulty twin that must not.
 */
import { cleanDesign, lineIn, modifiedDesign } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import type { Design, RulePack } from "../../../design/types.js";
import { PROCESS_CLASSES } from "../../../design/vocabulary.js";
import { DEFAULT_RULE_PACK, validateDesign } from "../../index.js";

const EVERY_RULE_ON: RulePack = { ...DEFAULT_RULE_PACK, disabledRules: [] };
const RULES = [
  "piping.tank-shell-valve",
  "piping.spare-isolation",
  "piping.pump-discharge-order",
  "control.pump-deadhead",
];
const ofRule = (d: Design, rule: string) => validateDesign(d, EVERY_RULE_ON).violations.filter((v) => v.rule === rule);

describe("isolation and pump piping: what stays silent next to a fault", () => {
  it("every clean design passes every isolation rule", () => {
    for (const pc of PROCESS_CLASSES) {
      const found = validateDesign(cleanDesign(pc), EVERY_RULE_ON).violations.filter((v) => RULES.includes(v.rule));
      expect(found, pc).toEqual([]);
    }
  });

  it("a shell valve is a shut-off valve next to the tank: a control valve there is not; a vent line needs none", () => {
    const first = (type: "control_valve" | "gate_valve") =>
      modifiedDesign("tank_farm", (d) => {
        lineIn(d, "300-P-2002-A1").components = [{ type, ...(type === "control_valve" ? { tag: "LV-199" } : {}) }];
      });
    expect(ofRule(first("gate_valve"), "piping.tank-shell-valve")).toEqual([]);
    expect(ofRule(first("control_valve"), "piping.tank-shell-valve").map((v) => v.message)).toEqual([
      expect.stringContaining("with a control valve next to the shell"),
    ]);
    const vent = modifiedDesign("tank_farm", (d) => {
      lineIn(d, "300-P-2002-A1").components = [];
      lineIn(d, "300-P-2002-A1").service = "vent";
    });
    expect(ofRule(vent, "piping.tank-shell-valve")).toEqual([]);
  });

  it("a spare is isolable by a ball valve as well as a gate valve, not by a control valve", () => {
    const suction = (type: "ball_valve" | "control_valve") =>
      modifiedDesign("pump_station", (d) => {
        lineIn(d, "200-P-1003-A1").components = [{ type, tag: "XV-199" }];
      });
    expect(ofRule(suction("ball_valve"), "piping.spare-isolation")).toEqual([]);
    expect(ofRule(suction("control_valve"), "piping.spare-isolation").map((v) => v.tags)).toEqual([["P-101A"]]);
  });

  it("a discharge without a check valve is pump-check-valve's finding, not a second one", () => {
    const d = modifiedDesign("pump_station", (input) => {
      lineIn(input, "150-P-1005-B1").components = [{ type: "gate_valve" }];
    });
    expect(ofRule(d, "piping.pump-discharge-order")).toEqual([]);
    expect(ofRule(d, "piping.pump-check-valve").length).toBe(1);
  });

  it("a trip that closes the discharge passes when it stops the pump or the pump has a minimum-flow line", () => {
    const trip = (stop: boolean, minimumFlow: boolean) =>
      modifiedDesign("pump_station", (d) => {
        d.control!.interlocks![1]!.effects = [
          { target: "PV-102", action: "close" },
          ...(stop ? [{ target: "P-102B", action: "stop" as const }] : []),
        ];
        if (minimumFlow)
          d.lines.push({
            id: "50-P-9003-C1",
            from: { line: "150-P-1007-C1" },
            to: { line: "150-P-1004-B1" },
            size: 50,
            rating: "CL600",
            minimumFlow: true,
          });
      });
    expect(ofRule(trip(false, false), "control.pump-deadhead").map((v) => v.tags[1])).toEqual(["P-102A", "P-102B"]);
    expect(ofRule(trip(true, false), "control.pump-deadhead").map((v) => v.tags[1])).toEqual(["P-102A"]);
    expect(ofRule(trip(true, true), "control.pump-deadhead")).toEqual([]);
  });

  it("closing a valve on one of two discharge paths leaves the pump a way out", () => {
    const d = modifiedDesign("pump_station", (input) => {
      lineIn(input, "150-P-1005-B1").components!.push({ tag: "XV-105", type: "ball_valve" });
      input.control!.interlocks![0]!.effects.push({ target: "XV-105", action: "close" });
      const interlock = input.control!.interlocks![0]!;
      const [first, ...rest] = interlock.effects.filter((e) => e.target !== "P-101B");
      interlock.effects = [first!, ...rest];
    });
    // P-101B's only discharge is closed and it keeps running: found. P-101A's discharge stays open.
    expect(ofRule(d, "control.pump-deadhead").map((v) => v.tags[1])).toEqual(["P-101B"]);
  });
});
