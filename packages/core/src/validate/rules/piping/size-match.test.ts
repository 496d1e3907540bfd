import { lineIn, modifiedDesign } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import type { Design } from "../../../design/types.js";
import { validateDesign } from "../../index.js";

const ofRule = (d: Design) => validateDesign(d).violations.filter((v) => v.rule === "piping.size-match");

describe("piping.size-match: reducers arrive at the nozzle they meet", () => {
  it("a reducer to the to-nozzle's size passes; one more reducer after it does not", () => {
    // 100-FL-3005-A1 runs DN 100 from V-201/PSV and widens to DN 200 for V-203/IN1.
    const extra = (size: number | undefined) =>
      modifiedDesign("gas_compression", (d) => {
        if (size !== undefined) lineIn(d, "100-FL-3005-A1").components!.push({ type: "reducer", size });
      });
    expect(ofRule(extra(undefined))).toEqual([]);
    expect(ofRule(extra(200))).toEqual([]);
    const found = ofRule(extra(100));
    expect(found.map((v) => v.message)).toEqual([
      expect.stringMatching(/reaches its to-nozzle V-203\/IN1 \(DN 200\) at DN 100/),
    ]);
  });

  it("the from-end keeps the line's own size: a reducer's size does not excuse it", () => {
    const d = modifiedDesign("gas_compression", (input) => {
      const line = lineIn(input, "100-FL-3005-A1");
      line.size = 200;
      line.components = [{ type: "reducer", size: 100 }, ...line.components!, { type: "reducer", size: 200 }];
    });
    expect(ofRule(d).map((v) => v.message)).toEqual([expect.stringContaining("from-nozzle V-201/PSV")]);
  });

  it("a reducer with no size leaves the line unchecked", () => {
    const d = modifiedDesign("gas_compression", (input) => {
      lineIn(input, "100-FL-3005-A1").components!.push({ type: "reducer" });
    });
    expect(ofRule(d)).toEqual([]);
  });
});
