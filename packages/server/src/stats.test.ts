import { parseDesign, summariseDesign } from "@plantgan/core/design";
import { describe, expect, it } from "vitest";
import { datasetStats } from "./stats.js";

describe("datasetStats", () => {
  it("aggregates summaries: counts by class, per-design spreads, sums", () => {
    const make = (id: string, processClass: string, pumps: number) => {
      const r = parseDesign({
        schemaVersion: "1.0",
        id,
        processClass,
        site: { width: 10, depth: 10 },
        equipment: Array.from({ length: pumps }, (_, i) => ({
          tag: `P-${100 + i}`,
          type: "pump",
          x: 1 + i,
          y: 1,
          footprint: { width: 1, depth: 1, height: 1 },
        })),
        lines: [],
      });
      if (!r.success) throw new Error(JSON.stringify(r.issues));
      return summariseDesign(r.data);
    };
    const stats = datasetStats([make("a", "pump_station", 1), make("b", "pump_station", 3), make("c", "tank_farm", 2)]);
    expect(stats.designs).toBe(3);
    expect(stats.byProcessClass).toEqual({ pump_station: 2, tank_farm: 1 });
    expect(stats.equipment).toEqual({ total: 6, perDesign: { min: 1, max: 3, mean: 2 }, byType: { pump: 6 } });
    expect(stats.placement.placed).toBe(3);
    expect(datasetStats([])).toMatchObject({ designs: 0, equipment: { total: 0 } });
    expect(datasetStats([]).equipment.perDesign).toBeUndefined();
  });
});
