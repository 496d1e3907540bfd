import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArrayLease } from "./array-pool.js";
import { StringTable } from "./string-table.js";

describe("StringTable", () => {
  it("numbers keys in order of first appearance, as a Map would, through growth, near a guess or not", () => {
    fc.assert(
      fc.property(
        // Few distinct letters, so keys repeat and collide; a small expected size, so the table grows.
        fc.array(fc.string({ unit: fc.constantFrom("A", "B", "-", "1", "é"), maxLength: 4 }), {
          minLength: 30,
          maxLength: 300,
        }),
        fc.nat({ max: 8 }),
        fc.array(fc.string({ maxLength: 5 }), { maxLength: 20 }),
        fc.integer({ min: -2, max: 400 }),
        (keys, expected, probes, guess) => {
          const table = new StringTable(expected, new ArrayLease());
          const reference = new Map<string, number>();
          for (const key of keys) {
            if (!reference.has(key)) reference.set(key, reference.size);
            expect(table.add(key)).toBe(reference.get(key));
            expect(table.size).toBe(reference.size);
          }
          for (const [key, id] of reference) {
            expect(table.get(key)).toBe(id);
            expect(table.getNear(key, guess)).toBe(id);
            expect(table.getNear(key, id - 1)).toBe(id);
            expect(table.keys[id]).toBe(key);
          }
          for (const probe of probes) {
            expect(table.get(probe)).toBe(reference.get(probe) ?? -1);
            expect(table.getNear(probe, guess)).toBe(reference.get(probe) ?? -1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
