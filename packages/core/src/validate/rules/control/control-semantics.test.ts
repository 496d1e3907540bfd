/**
 * The control-semantics rules' neighbours: designs one step from a planted fault that must stay
 * silent (and the closest faulty twin that must not), so each rule fires on its fault only.
 */
import { cleanDesign, lineIn, modifiedDesign } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import type { Design } from "../../../design/types.js";
import { DEFAULT_RULE_PACK, validateDesign } from "../../index.js";

const ofRule = (d: Design, rule: string) => validateDesign(d).violations.filter((v) => v.rule === rule);

describe("control semantics: what stays silent next to a fault", () => {
  it("two loops may share a valve when both declare a selector, not when one does", () => {
    const share = (both: boolean) =>
      modifiedDesign("pump_station", (d) => {
        d.control!.loops![0]!.sharedFinalElement = "selector";
        d.control!.loops!.push({
          tag: "FIC-103",
          measurement: "FT-103",
          finalElement: "LV-101",
          ...(both ? { sharedFinalElement: "selector" as const } : {}),
        });
      });
    expect(ofRule(share(true), "control.final-element-outputs")).toEqual([]);
    const found = ofRule(share(false), "control.final-element-outputs");
    expect(found.map((v) => v.tags)).toEqual([["LV-101", "LIC-101", "FIC-103"]]);
    expect(found[0]!.message).toMatch(/FIC-103 declare none/);
    expect(found[0]!.suggestion).toMatch(/sharedFinalElement/);
  });

  it("a control valve driven only by an interlock has a controller", () => {
    const d = modifiedDesign("pump_station", (input) => {
      input.control!.loops!.splice(1, 1);
      input.control!.interlocks![1]!.effects.push({ target: "PV-102", action: "close" });
    });
    expect(ofRule(d, "control.valve-controller")).toEqual([]);
  });

  it("a trip may close an actuated valve but not a check valve", () => {
    const tagged = (type: "ball_valve" | "check_valve", tag: string) =>
      modifiedDesign("pump_station", (input) => {
        lineIn(input, "200-P-1001-A1").components![0] = { tag, type };
        input.control!.interlocks![0]!.effects.push({ target: tag, action: "close" });
      });
    expect(ofRule(tagged("ball_valve", "XV-101"), "control.interlock-actuated")).toEqual([]);
    expect(ofRule(tagged("check_valve", "XV-101"), "control.interlock-actuated").map((v) => v.tags)).toEqual([
      ["I-101", "XV-101"],
    ]);
  });

  it("a high trip may close its feed; a low trip may open it but not open the outlet", () => {
    const closeFeed = modifiedDesign("pump_station", (d) => {
      d.control!.interlocks![1]!.effects.push({ target: "PV-102", action: "close" });
    });
    expect(ofRule(closeFeed, "control.trip-safe-state")).toEqual([]);
    const lowOpensFeed = modifiedDesign("pump_station", (d) => {
      d.control!.interlocks![1]!.cause.trip = "LL";
      d.control!.interlocks![1]!.effects.push({ target: "PV-102", action: "open" });
    });
    expect(ofRule(lowOpensFeed, "control.trip-safe-state")).toEqual([]);
    const lowOpensOutlet = modifiedDesign("pump_station", (d) => {
      d.control!.interlocks![0]!.effects.push({ target: "LV-101", action: "open" });
    });
    expect(ofRule(lowOpensOutlet, "control.trip-safe-state").map((v) => v.tags)).toEqual([
      ["I-101", "LV-101", "LT-101A", "V-101"],
    ]);
  });

  it("a high-level trip starting a pump that pumps into the drum is against the safe state", () => {
    const d = modifiedDesign("pump_station", (input) => {
      input.control!.interlocks!.push({
        tag: "I-199",
        cause: { instrument: "PT-102A", trip: "HH" },
        effects: [{ target: "P-102A", action: "start" }],
      });
    });
    expect(ofRule(d, "control.trip-safe-state").map((v) => v.tags[1])).toEqual(["P-102A"]);
  });

  it("a shared transmitter passes with a recorded analysis", () => {
    const d = modifiedDesign("pump_station", (input) => {
      input.control!.interlocks![0]!.cause.instrument = "LT-101";
      input.control!.interlocks![0]!.sharedSensorAnalysis = "LOPA-2026-014";
    });
    expect(ofRule(d, "control.shared-transmitter")).toEqual([]);
  });

  it("a speed-driven pump keeps its own number as a loop's final element", () => {
    const d = modifiedDesign("pump_station", (input) => {
      input.control!.loops![0]!.finalElement = "P-101A";
    });
    expect(ofRule(d, "control.loop-numbering")).toEqual([]);
    expect(ofRule(d, "control.loop-path")).toEqual([]);
  });

  it.each(["control.loop-path", "control.trip-senses-protected"])(
    "%s reads its step limit from the pack: the clean plant passes at its own longest path, not one step shorter",
    (rule) => {
      const design = cleanDesign("pump_station");
      const atLimit = (maxPathHops: number) =>
        validateDesign(design, {
          ...DEFAULT_RULE_PACK,
          control: { ...DEFAULT_RULE_PACK.control!, maxPathHops },
        }).violations.filter((v) => v.rule === rule);
      const shortest = [0, 1, 2, 3, 4, 5, 6].find((k) => atLimit(k).length === 0);
      expect(shortest, "the clean plant passes at the default limit").toBeDefined();
      expect(shortest!).toBeGreaterThan(0);
      const found = atLimit(shortest! - 1);
      expect(found.length).toBeGreaterThan(0);
      expect(found[0]!.message).toContain(`more than ${shortest! - 1} steps`);
    },
  );

  it("the path rules say why they did not run without the pack's control section", () => {
    const { control: _, ...pack } = DEFAULT_RULE_PACK;
    const report = validateDesign(cleanDesign("pump_station"), pack);
    for (const rule of ["control.loop-path", "control.trip-senses-protected"])
      expect(report.skipped).toContainEqual({ rule, reason: expect.stringMatching(/control section/) });
  });
});

describe("flange rating capacity (ASME B16.5 Table 2-1.1, group 1.1)", () => {
  const enabled = { ...DEFAULT_RULE_PACK, disabledRules: [] };
  const at = (pressure: number, temperature: number) =>
    validateDesign(
      modifiedDesign("pump_station", (d) => {
        const line = lineIn(d, "200-P-1001-A1");
        line.rating = "CL150";
        line.designPressure = pressure;
        line.designTemperature = temperature;
      }),
      enabled,
    ).violations.filter((v) => v.rule === "piping.rating-capacity");

  it("interpolates between table temperatures: CL150 holds 16.75 bar at 125 °C", () => {
    expect(at(16.7, 125)).toEqual([]);
    expect(at(16.8, 125).map((v) => v.message)).toEqual([expect.stringMatching(/CL150 holds 16.8 bar at 125 °C/)]);
  });

  it("holds 19.6 bar at ambient and nothing above 538 °C", () => {
    expect(at(19.6, 20)).toEqual([]);
    expect(at(1, 600).map((v) => v.message)).toEqual([expect.stringMatching(/no rating above 538/)]);
  });
});
