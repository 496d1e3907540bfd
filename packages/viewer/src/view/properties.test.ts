import { tankFarm } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import { describeTarget } from "./properties.js";

describe("describeTarget", () => {
  const design = tankFarm();

  it("describes equipment with the contract's fields and units", () => {
    const p = describeTarget(design, { kind: "equipment", id: "P-101B" })!;
    expect(p.title).toBe("P-101B");
    const rows = Object.fromEntries(p.rows);
    expect(rows.rotation).toBe("90°");
    expect(rows["footprint w × d × h"]).toBe("2 × 1 × 1.2 m");
    expect(rows.lines).toBe("100-CW-2001");
  });

  it("describes lines, components, instruments, loops and interlocks", () => {
    expect(Object.fromEntries(describeTarget(design, { kind: "line", id: "100-CW-2001" })!.rows).to).toBe(
      "tee on 100-P-1002-A1",
    );
    expect(
      Object.fromEntries(describeTarget(design, { kind: "component", id: "FV-101" })!.rows)["final element of"],
    ).toBe("LIC-101");
    expect(describeTarget(design, { kind: "component", id: "100-P-1002-A1#0" })!.subtitle).toBe("check valve");
    expect(Object.fromEntries(describeTarget(design, { kind: "instrument", id: "LT-101" })!.rows).interlocks).toBe(
      "I-101 (LL)",
    );
    expect(describeTarget(design, { kind: "interlock", id: "I-101" })!.rows[1]).toEqual(["effects", "stop P-101A"]);
    expect(describeTarget(design, { kind: "rack", id: "R1" })!.rows[2]).toEqual(["levels", "5 m, 7 m"]);
  });

  it("answers null for an unknown id", () => {
    expect(describeTarget(design, { kind: "equipment", id: "X-1" })).toBeNull();
  });
});
