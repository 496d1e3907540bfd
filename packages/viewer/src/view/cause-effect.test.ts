import { tankFarm } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import { causeEffectMatrix } from "./cause-effect.js";

describe("causeEffectMatrix", () => {
  it("has a row per interlock and an X where its cause drives an effect", () => {
    const design = tankFarm();
    const m = causeEffectMatrix(design);
    expect(m.rows.map((r) => r.interlock)).toEqual(design.control.interlocks.map((i) => i.tag));
    for (const [i, il] of design.control.interlocks.entries()) {
      const marked = m.columns.filter((_, c) => m.rows[i]!.marks[c]).map((c) => `${c.target} ${c.action}`);
      expect(marked.sort()).toEqual(il.effects.map((e) => `${e.target} ${e.action}`).sort());
    }
    expect(new Set(m.columns.map((c) => `${c.target} ${c.action}`)).size).toBe(m.columns.length);
  });

  it("is empty for a design without interlocks", () => {
    const design = { ...tankFarm(), control: { loops: [], interlocks: [] } };
    expect(causeEffectMatrix(design)).toEqual({ columns: [], rows: [] });
  });
});
