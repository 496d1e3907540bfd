import { describe, expect, it } from "vitest";
import type { Design, Equipment } from "../design/types.js";
import { metres } from "../design/units.js";
import { designPlant } from "../designer/index.js";
import { validateDesign } from "../validate/index.js";
import { legaliseDesign } from "./index.js";

// Dense clusters as the shipped generator proposes them (issue #5): real designer plants (the
// generator of datasets/synthetic-v1) squeezed about their centroid, the flare in the middle.

/** Every centre pulled towards the centroid by `factor`; with `flareAtCentre` the flare on it. */
function squeeze(d: Design, factor: number, flareAtCentre = false): Design {
  const placed = d.equipment.filter((e) => e.x !== undefined && e.y !== undefined);
  const cx = placed.reduce((s, e) => s + e.x!, 0) / placed.length;
  const cy = placed.reduce((s, e) => s + e.y!, 0) / placed.length;
  const equipment = d.equipment.map((e) =>
    flareAtCentre && e.type === "flare"
      ? { ...e, x: cx, y: cy }
      : { ...e, x: cx + factor * (e.x! - cx), y: cy + factor * (e.y! - cy) },
  );
  return { ...d, equipment, lines: d.lines.map(({ route: _r, ...l }) => l) };
}

const geometryErrors = (d: Design) =>
  validateDesign(d)
    .violations.filter((v) => v.severity === "error" && v.category === "geometry")
    .map((v) => v.rule);

describe("legaliseDesign on dense clusters", () => {
  it("clears a real distillation plant squeezed around its flare, moving the flare out", () => {
    const dense = squeeze(designPlant({ processClass: "distillation", seed: 2 }), 0.3, true);
    expect(geometryErrors(dense)).toContain("geometry.spacing");
    const r = legaliseDesign(dense, undefined, { margin: metres(1.5) });
    expect(r.unresolved).toEqual([]);
    expect(geometryErrors(r.design)).toEqual([]);
    // The flare goes to the edge of the site; the plant is not pushed off a flare left in its middle.
    expect(r.moves.find((m) => m.tag === "FLR-901")?.distance).toBeGreaterThan(30);
    // Single moves alone left the flare unresolved after moving the plant 1,752 m in all.
    expect(r.stats.totalDisplacement).toBeLessThan(1000);
  });

  for (const processClass of ["gas_compression", "reactor_section"] as const) {
    it(`clears real ${processClass} plants with the flare at the centre of the cluster`, () => {
      for (const seed of [1, 2, 3]) {
        const r = legaliseDesign(squeeze(designPlant({ processClass, seed }), 0.3, true), undefined, {
          margin: metres(1.5),
        });
        expect(r.unresolved).toEqual([]);
        expect(geometryErrors(r.design)).toEqual([]);
      }
    });
  }

  it("packs a real tank farm squeezed to a tenth of its spread", () => {
    const dense = squeeze(designPlant({ processClass: "tank_farm", seed: 36 }), 0.1);
    expect(geometryErrors(dense)).toContain("geometry.tank-spacing");
    const r = legaliseDesign(dense, undefined, { margin: metres(1.5) });
    expect(r.unresolved).toEqual([]);
    expect(geometryErrors(r.design)).toEqual([]);
  });

  it("does not report an item whose own search failed once a neighbour's move cleared it", () => {
    // A tank with no room of its own while its neighbours still stood close: they moved instead.
    const r = legaliseDesign(squeeze(designPlant({ processClass: "tank_farm", seed: 1 }), 0.2), undefined, {
      margin: metres(1.5),
    });
    expect(r.unresolved).toEqual([]);
    expect(geometryErrors(r.design)).toEqual([]);
    // v1 (the designer, for dataset reproducibility) still reports it, and does not spread.
    const v1 = legaliseDesign(squeeze(designPlant({ processClass: "tank_farm", seed: 1 }), 0.2), undefined, {
      margin: metres(1.5),
      v1: true,
    });
    expect(v1.unresolved.map((u) => u.code)).toEqual(["no_position"]);
    expect(v1.moves.map((m) => m.reason)).not.toContain("spread");
  });

  it("moves a flare standing in a row of vessels to the site's edge rather than the row away from it", () => {
    const vessel = (tag: string, x: number, extra: Partial<Equipment> = {}): Equipment => ({
      tag,
      type: "vessel",
      x,
      y: 20,
      z: 0,
      rotation: 0,
      footprint: { width: 2, depth: 2, height: 3 },
      hazard: "flammable",
      nozzles: [{ id: "N1", dx: 1, dy: 0, dz: 1 }],
      ...extra,
    });
    const equipment = [
      ...Array.from({ length: 9 }, (_, k) => vessel(`V-${101 + k}`, 60 + 10 * k)),
      vessel("FLR-901", 100, {
        type: "flare",
        hazard: "ignition_source",
        footprint: { width: 3, depth: 3, height: 30 },
      }),
    ];
    const d: Design = {
      schemaVersion: "1.0",
      id: "row",
      processClass: "gas_compression",
      site: { width: 200, depth: 40, gridSize: 1, keepOut: [], racks: [] },
      equipment,
      lines: [],
      instruments: [],
      control: { loops: [], interlocks: [] },
    };
    const r = legaliseDesign(d);
    expect(r.unresolved).toEqual([]);
    expect(geometryErrors(r.design)).toEqual([]);
    const flare = r.design.equipment.find((e) => e.tag === "FLR-901")!;
    expect(Math.min(flare.x!, 200 - flare.x!)).toBeLessThan(10);
    // Single moves alone pushed all nine vessels ≥ 62.5 m off the flare (376 m in all).
    expect(r.moves.filter((m) => m.tag !== "FLR-901").length).toBeLessThanOrEqual(2);
    expect(r.stats.totalDisplacement).toBeLessThan(150);
    expect(r.stats.conflictsBefore).toBe(10);
  });

  it("never moves fixed items while spreading", () => {
    const dense = squeeze(designPlant({ processClass: "gas_compression", seed: 2 }), 0.3, true);
    const fixed = dense.equipment.find((e) => e.type === "compressor")!;
    const r = legaliseDesign(dense, undefined, { margin: metres(1.5), fixed: [fixed.tag] });
    expect(r.moves.map((m) => m.tag)).not.toContain(fixed.tag);
    expect(r.unresolved).toEqual([]);
    expect(geometryErrors(r.design)).toEqual([]);
  });

  it("is deterministic", () => {
    const make = () => squeeze(designPlant({ processClass: "distillation", seed: 4 }), 0.3, true);
    expect(legaliseDesign(make(), undefined, { margin: metres(1.5) })).toEqual(
      legaliseDesign(make(), undefined, { margin: metres(1.5) }),
    );
  });
});
