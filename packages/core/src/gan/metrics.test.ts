import { fixtureParsed } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import { conditionMatch, designSignature, designStats, evaluateSamples, mmd, requestFromDesign } from "./metrics.js";

describe("metrics", () => {
  const designs = fixtureParsed(12, 3);

  it("MMD² is near zero for the same distribution and grows with a shift", () => {
    const rows = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(i * 1.3), (i % 7) / 7]);
    const same = mmd(rows.slice(0, 20), rows.slice(20));
    const shifted = mmd(
      rows.slice(0, 20).map((r) => r.map((v) => v + 2)),
      rows.slice(20),
    );
    expect(Math.abs(same)).toBeLessThan(0.1);
    expect(shifted).toBeGreaterThan(same + 0.2);
  });

  it("signatures tell layouts apart and ignore tag names", () => {
    const d = designs[0]!;
    const renamed = { ...d, equipment: d.equipment.map((e) => ({ ...e, tag: `${e.tag}X` })) };
    expect(designSignature(renamed)).not.toEqual(""); // lines name tags, signature uses types
    const moved = { ...d, equipment: d.equipment.map((e, i) => (i === 0 ? { ...e, x: (e.x ?? 0) + 3 } : e)) };
    expect(designSignature(moved)).not.toEqual(designSignature(d));
    expect(designStats(d)).toHaveLength(6);
  });

  it("a design matches the request derived from it; the table has an overall row", () => {
    const samples = designs.map((design, k) => ({
      processClass: design.processClass,
      request: requestFromDesign(design, k),
      design,
      rawValid: true,
      valid: k % 2 === 0,
      attempts: 1,
      seconds: 0.1,
    }));
    for (const s of samples) expect(conditionMatch(s.request, s.design)).toBe(true);
    const rows = evaluateSamples(samples, designs, new Set([designSignature(designs[0]!)]));
    const all = rows.at(-1)!;
    expect(all.group).toBe("all");
    expect(all.n).toBe(designs.length);
    expect(all.validity).toBeCloseTo(0.5, 5);
    expect(all.novelty).toBeLessThan(1);
  });
});
