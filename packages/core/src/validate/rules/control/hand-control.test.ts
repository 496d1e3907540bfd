// Hand control loops: a hand controller (HC, HIC) is set by the operator and measures nothing, so its
// loop names no measurement. The schema allows that for hand controllers only; the validator's
// control rules take such a loop as it is and still catch a measuring loop without a measurement.
import { cleanDesign, cleanDesignInput, lineIn, modifiedDesign } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import { parseDesign } from "../../../design/parse.js";
import type { Design } from "../../../design/types.js";
import { validateDesign } from "../../index.js";

/** The clean pump station with a remotely operated valve HV-9001 that hand controller `tag` drives. */
const withHandLoop = (tag: string) =>
  modifiedDesign("pump_station", (d) => {
    lineIn(d, "150-P-1008-C1").components!.push({ tag: "HV-9001", type: "control_valve", failPosition: "FC" });
    d.control!.loops!.push({ tag, finalElement: "HV-9001" });
  });

describe("hand control loops", () => {
  it.each(["HC-9001", "HIC-9001"])("%s drives HV-9001 with no measurement: no finding names it", (tag) => {
    const found = validateDesign(withHandLoop(tag)).violations.filter((v) => v.tags.includes(tag));
    expect(found).toEqual([]);
  });

  it("the schema lets only a hand controller go without a measurement", () => {
    const input = cleanDesignInput("pump_station");
    delete input.control!.loops![0]!.measurement;
    const parsed = parseDesign(input);
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(JSON.stringify(parsed.issues)).toMatch(/measurement/);
  });

  it("control.loop-references still finds a measuring loop without a measurement given past the schema", () => {
    const d = cleanDesign("pump_station");
    const broken: Design = {
      ...d,
      control: {
        ...d.control,
        loops: d.control.loops.map((l, i) => {
          if (i !== 0) return l;
          const { measurement: _, ...rest } = l;
          return rest;
        }),
      },
    };
    const found = validateDesign(broken).violations.filter((v) => v.rule === "control.loop-references");
    expect(found.map((v) => v.message)).toEqual([
      "Loop LIC-101 has no measurement; only a hand controller (HC, HIC) measures nothing.",
    ]);
  });
});
