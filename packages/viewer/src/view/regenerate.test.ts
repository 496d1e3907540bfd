import { parseGenerationRequest } from "@plantgan/core/design";
import { tankFarm } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import { regenerateRequest } from "./regenerate.js";

describe("regenerateRequest", () => {
  it("keeps the pinned equipment as fixed items and asks for the same counts by type", () => {
    const design = tankFarm();
    const request = regenerateRequest(design, new Set(["T-101", "P-101A"]), { count: 3, seed: 5 });
    expect(request.fixed!.map((e) => [e.tag, e.x, e.y])).toEqual([
      ["T-101", 30, 65],
      ["P-101A", 22, 36],
    ]);
    const types = design.equipment.map((e) => e.type);
    for (const { type, count } of request.equipment!) expect(count).toBe(types.filter((t) => t === type).length);
    expect(request).toMatchObject({ processClass: design.processClass, count: 3, seed: 5 });
    // The API reads it.
    const parsed = parseGenerationRequest(request);
    expect(parsed.success, JSON.stringify(parsed)).toBe(true);
  });
});
