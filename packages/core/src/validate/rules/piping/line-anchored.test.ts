import { modifiedDesign } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import type { Design } from "../../../design/types.js";
import { validateDesign } from "../../index.js";

const ofRule = (d: Design, rule: string) => validateDesign(d).violations.filter((v) => v.rule === rule);

describe("piping.line-anchored: what stays silent next to a floating pair", () => {
  it("a pair that tees off each other floats until one of them tees onto an anchored line", () => {
    const pair = (anchor: boolean) =>
      modifiedDesign("pump_station", (d) => {
        d.lines.push(
          { id: "50-P-9001-A1", from: { line: "50-P-9002-A1" }, to: { line: "50-P-9002-A1" }, size: 50 },
          {
            id: "50-P-9002-A1",
            from: { line: "50-P-9001-A1" },
            to: { line: anchor ? "200-P-1002-A1" : "50-P-9001-A1" },
            size: 50,
          },
        );
      });
    expect(ofRule(pair(true), "piping.line-anchored")).toEqual([]);
    const found = ofRule(pair(false), "piping.line-anchored");
    expect(found.map((v) => v.lines)).toEqual([["50-P-9001-A1", "50-P-9002-A1"]]);
    expect(found[0]!.suggestion).toMatch(/nozzle/);
  });

  it("a branch off a missing line is piping.line-ends' finding, not a second one here", () => {
    const d = modifiedDesign("pump_station", (input) => {
      input.lines.push({ id: "50-P-9001-A1", from: { line: "999-X-1" }, to: { line: "999-X-1" }, size: 50 });
    });
    expect(ofRule(d, "piping.line-anchored")).toEqual([]);
    expect(ofRule(d, "piping.line-ends").length).toBeGreaterThan(0);
  });
});
