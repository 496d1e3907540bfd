import { describe, expect, it } from "vitest";
import { parseDesign } from "../design/index.js";
import type { Design, ProcessClass } from "../design/types.js";
import { DEFAULT_RULE_PACK } from "../validate/index.js";
import { DesignerError, designPlant, designPlantDetailed, mixSeed, Rng, TEMPLATES } from "./index.js";

const CLASSES = Object.keys(TEMPLATES) as ProcessClass[];

const equipmentOf = (d: Design, type: string) => d.equipment.filter((e) => e.type === type);

describe("designPlant", () => {
  it("covers every process class of the contract", () => {
    expect(CLASSES.sort()).toEqual(
      [
        "distillation",
        "gas_compression",
        "pump_station",
        "reactor_section",
        "tank_farm",
        "utilities",
        "water_treatment",
      ].sort(),
    );
  });

  for (const processClass of CLASSES) {
    it(`${processClass}: placed, routed, zero validator errors, schema-valid`, () => {
      for (const seed of [1, 2, 3]) {
        const out = designPlantDetailed({ processClass, seed });
        const d = out.design;
        expect(out.report.summary.errors).toBe(0);
        expect(d.processClass).toBe(processClass);
        expect(d.equipment.every((e) => e.x !== undefined && e.y !== undefined)).toBe(true);
        expect(d.lines.every((l) => l.route !== undefined)).toBe(true);
        expect(parseDesign(JSON.parse(JSON.stringify(d))).success).toBe(true);
        expect(d.metadata).toMatchObject({ generator: "plantgan-designer", seed });
      }
    });
  }

  it("is reproducible: the same request gives the same design, another seed another one", () => {
    const a = JSON.stringify(designPlant({ processClass: "distillation", seed: 42 }));
    const b = JSON.stringify(designPlant({ processClass: "distillation", seed: 42 }));
    const c = JSON.stringify(designPlant({ processClass: "distillation", seed: 43 }));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it("draws the P&ID patterns: A/B pumps with check valves, level loops on drums and columns, relief, trips", () => {
    const d = designPlant({ processClass: "distillation", seed: 5 });
    const pumps = equipmentOf(d, "pump");
    expect(pumps.some((p) => p.tag.endsWith("A")) && pumps.some((p) => p.tag.endsWith("B"))).toBe(true);
    for (const p of pumps) {
      const discharge = d.lines.filter((l) => "tag" in l.from && l.from.tag === p.tag);
      expect(discharge.length).toBeGreaterThan(0);
      for (const l of discharge) expect(l.components.some((c) => c.type === "check_valve")).toBe(true);
    }
    const levelOn = new Set(
      d.control.loops
        .filter((l) => l.tag.startsWith("LIC"))
        .map((l) => d.instruments.find((i) => i.tag === l.measurement)?.on)
        .flatMap((on) => (on && "tag" in on ? [on.tag] : [])),
    );
    for (const column of equipmentOf(d, "column")) expect(levelOn.has(column.tag)).toBe(true);
    expect(d.control.loops.some((l) => l.tag.startsWith("PIC"))).toBe(true);
    expect(d.control.loops.some((l) => l.tag.startsWith("TIC"))).toBe(true);
    expect(d.control.loops.some((l) => l.tag.startsWith("FIC"))).toBe(true);
    const threshold = DEFAULT_RULE_PACK.relief.pressureThreshold;
    const exempt: readonly string[] = DEFAULT_RULE_PACK.relief.exemptTypes ?? [];
    const needing = d.equipment.filter((e) => (e.designPressure ?? 0) > threshold && !exempt.includes(e.type));
    expect(needing.length).toBeGreaterThan(0);
    for (const e of needing) {
      const psv = d.lines.some(
        (l) => "tag" in l.from && l.from.tag === e.tag && l.components.some((c) => c.type === "relief_valve"),
      );
      expect(psv).toBe(true);
    }
    const trips = d.control.interlocks;
    expect(trips.some((i) => i.cause.trip === "LL" && i.effects.some((e) => e.action === "stop"))).toBe(true);
    expect(trips.some((i) => i.cause.trip === "HH" && i.effects.some((e) => e.action === "trip"))).toBe(true);
  });

  it("puts fired equipment upwind and clear of flammables, and the flare farther still", () => {
    for (const processClass of ["distillation", "reactor_section"] as const) {
      const out = designPlantDetailed({ processClass, seed: 11 });
      expect(out.design.site.windFrom).toBeDefined();
      expect(out.report.violations.filter((v) => v.rule === "geometry.fired-upwind")).toEqual([]);
      expect(equipmentOf(out.design, "furnace").length).toBe(1);
      expect(equipmentOf(out.design, "flare").length).toBe(1);
    }
  });

  it("varies sizes, counts, sites and arrangements over seeds", () => {
    const designs = Array.from({ length: 12 }, (_, k) =>
      designPlant({ processClass: "gas_compression", seed: 100 + k }),
    );
    expect(new Set(designs.map((d) => d.equipment.length)).size).toBeGreaterThan(2);
    expect(new Set(designs.map((d) => `${d.site.width}x${d.site.depth}`)).size).toBeGreaterThan(8);
    expect(new Set(designs.map((d) => d.metadata?.arrangement)).size).toBeGreaterThan(1);
    expect(new Set(designs.map((d) => d.site.racks[0]?.axis ?? "none")).size).toBeGreaterThan(1);
  });

  it("holds the equipment a request asks for", () => {
    const out = designPlantDetailed({
      processClass: "tank_farm",
      seed: 3,
      equipment: [
        { type: "tank", count: 7 },
        { type: "compressor", count: 1 },
        { type: "heat_exchanger", count: 2 },
      ],
    });
    expect(out.report.summary.errors).toBe(0);
    expect(equipmentOf(out.design, "tank").length).toBeGreaterThanOrEqual(7);
    expect(equipmentOf(out.design, "compressor").length).toBeGreaterThanOrEqual(1);
    expect(equipmentOf(out.design, "heat_exchanger").length).toBeGreaterThanOrEqual(2);
    const columns = designPlant({ processClass: "distillation", seed: 3, equipment: [{ type: "column", count: 3 }] });
    expect(equipmentOf(columns, "column").length).toBe(3);
  });

  it("honours forced layout choices", () => {
    const d = designPlant({ processClass: "pump_station", seed: 9, style: { arrangement: "no_rack" } });
    expect(d.site.racks).toEqual([]);
    const l = designPlant({ processClass: "tank_farm", seed: 9, style: { arrangement: "two_sides", yardSide: 1 } });
    expect(l.site.racks.length).toBeGreaterThanOrEqual(1);
  });

  it("never returns a failing design: with no attempts allowed it throws", () => {
    expect(() => designPlant({ processClass: "utilities", seed: 1, maxAttempts: 0 })).toThrow(DesignerError);
  });
});

describe("Rng", () => {
  it("is seeded and forks independent streams", () => {
    const a = new Rng(7);
    const b = new Rng(7);
    expect(Array.from({ length: 5 }, () => a.int(0, 1000))).toEqual(Array.from({ length: 5 }, () => b.int(0, 1000)));
    expect(new Rng(7).fork("x").float()).not.toBe(new Rng(7).fork("y").float());
    expect(mixSeed(1, "a")).not.toBe(mixSeed(1, "b"));
    expect(new Rng(3).step(1, 4, 0.5) % 0.5).toBe(0);
  });
});
