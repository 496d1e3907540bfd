import { describe, expect, it } from "vitest";
import { allowedWorkingPressure, flangeRatingFor, ratedClasses } from "./flange-rating.js";
import { DEFAULT_RULE_PACK } from "./rule-pack.js";

describe("flange classes from the pack's pressure-temperature tables (ASME B16.5 Table 2-1.1)", () => {
  it("orders the pack's classes weakest first", () => {
    expect(ratedClasses(DEFAULT_RULE_PACK).map((c) => c.rating)).toEqual([
      "CL150",
      "CL300",
      "CL600",
      "CL900",
      "CL1500",
      "CL2500",
    ]);
  });

  it("interpolates between table temperatures and has no rating above the last", () => {
    const cl150 = DEFAULT_RULE_PACK.flangeRatings!.classes.CL150!;
    expect(allowedWorkingPressure(cl150, 20)).toBe(19.6);
    expect(allowedWorkingPressure(cl150, 275)).toBeCloseTo(11.15, 6);
    expect(allowedWorkingPressure(cl150, 600)).toBeUndefined();
  });

  it("picks the lowest class holding the design pressure at the design temperature", () => {
    expect(flangeRatingFor(DEFAULT_RULE_PACK, undefined)).toBe("CL150");
    expect(flangeRatingFor(DEFAULT_RULE_PACK, 19.6)).toBe("CL150");
    expect(flangeRatingFor(DEFAULT_RULE_PACK, 19.7)).toBe("CL300");
    // 12 barg holds in CL150 cold, not at 300 °C (10.2 bar): the designer's old fixed limit missed this.
    expect(flangeRatingFor(DEFAULT_RULE_PACK, 12, 38)).toBe("CL150");
    expect(flangeRatingFor(DEFAULT_RULE_PACK, 12, 300)).toBe("CL300");
    expect(flangeRatingFor(DEFAULT_RULE_PACK, 60, 60)).toBe("CL600");
    expect(flangeRatingFor(DEFAULT_RULE_PACK, 500)).toBe("CL2500");
  });

  it("falls back to screening classes when the pack has no tables", () => {
    const { flangeRatings: _f, ...bare } = DEFAULT_RULE_PACK;
    expect(flangeRatingFor(bare, 12, 300)).toBe("CL150");
    expect(flangeRatingFor(bare, 60)).toBe("CL600");
  });
});
