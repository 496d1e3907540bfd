import { describe, expect, it } from "vitest";
import { conventionalNozzleOffsets, withConventionalNozzles } from "./nozzle-convention.js";
import type { PlantDesignInput } from "./types.js";

/** A topology-only P&ID as the learned generator's expansion writes it: nozzles named, not placed. */
const pid = {
  schemaVersion: "1.0",
  id: "t",
  processClass: "pump_station",
  site: { width: 60, depth: 40 },
  equipment: [
    {
      tag: "V-101",
      type: "vessel",
      footprint: { width: 3, depth: 3, height: 5 },
      nozzles: [{ id: "IN" }, { id: "OUT" }, { id: "RV" }, { id: "N1" }],
    },
    { tag: "P-101", type: "pump", footprint: { width: 2, depth: 1, height: 1.2 }, nozzles: [{ id: "S" }, { id: "D" }] },
    {
      tag: "FL-101",
      type: "flare",
      footprint: { width: 3, depth: 3, height: 40 },
      nozzles: [{ id: "IN", dx: 1, dy: 0, dz: 0 }],
    },
  ],
  lines: [
    { id: "L1", from: { tag: "V-101", nozzle: "OUT" }, to: { tag: "P-101", nozzle: "S" }, size: 100 },
    { id: "L2", from: { tag: "P-101", nozzle: "D" }, to: { tag: "V-101", nozzle: "IN" }, size: 80 },
    { id: "L3", from: { tag: "V-101", nozzle: "RV" }, to: { tag: "FL-101", nozzle: "IN" }, size: 50, service: "flare" },
  ],
} as unknown as PlantDesignInput;

describe("conventional nozzle places", () => {
  const placed = withConventionalNozzles(pid);
  const nozzle = (tag: string, id: string) =>
    placed.equipment.find((e) => e.tag === tag)!.nozzles!.find((n) => n.id === id)!;

  it("gives every unplaced nozzle a place on its shell, and no two nozzles of an item the same one", () => {
    for (const e of placed.equipment) {
      const at = e.nozzles!.map((n) => `${n.dx},${n.dy},${n.dz}`);
      expect(at.every((p) => !p.includes("undefined"))).toBe(true);
      expect(new Set(at).size).toBe(at.length);
      for (const n of e.nozzles!) {
        expect(Math.abs(n.dx!)).toBeLessThanOrEqual(e.footprint.width / 2);
        expect(Math.abs(n.dy!)).toBeLessThanOrEqual(e.footprint.depth / 2);
        expect(n.dz!).toBeGreaterThanOrEqual(0);
        expect(n.dz!).toBeLessThanOrEqual(e.footprint.height);
      }
    }
  });

  it("puts a vessel's inlet high, its outlet low and its relief line's nozzle on top", () => {
    expect(nozzle("V-101", "IN").dz).toBeGreaterThan(nozzle("V-101", "OUT").dz!);
    expect(nozzle("V-101", "RV").dz).toBe(5);
    expect(nozzle("P-101", "S")).toMatchObject({ dx: -1, dz: 0.6 });
    expect(nozzle("P-101", "D")).toMatchObject({ dx: 0, dz: 1.2 });
  });

  it("keeps a nozzle that has a place, and leaves the input unchanged", () => {
    expect(nozzle("FL-101", "IN")).toEqual({ id: "IN", dx: 1, dy: 0, dz: 0 });
    expect(pid.equipment[0]!.nozzles![0]).toEqual({ id: "IN" });
  });

  it("spreads several nozzles of one face across it", () => {
    const three = conventionalNozzleOffsets("tank", ["in", "in", "in"], { width: 15, depth: 15, height: 12 });
    expect(three.map((o) => o.dy)).toEqual([-3, 0, 3]);
    expect(new Set(three.map((o) => o.dx))).toEqual(new Set([-7.5]));
    // On the site's grid (1 m), each on its own grid line as far apart as the face allows.
    expect(
      conventionalNozzleOffsets("tank", ["in", "in", "in"], { width: 15, depth: 15, height: 12 }, 1).map((o) => o.dy),
    ).toEqual([-7, 0, 7]);
    // Without a grid (a DEXPI import), a face too short for two grid lines spreads them evenly.
    expect(
      conventionalNozzleOffsets("pump", ["out", "out"], { width: 2, depth: 1, height: 1.2 }).map((o) => o.dy),
    ).toEqual([-0.133, 0.133]);
  });

  it("on a grid, gives each nozzle a grid node of its own where the faces are too short", () => {
    // A learned P&ID's small knock-out drum: an inlet, five vapour-space lines off its top and two
    // outlets, on a shell 1.42 m deep (one grid line across each end on a 1 m grid).
    const roles = ["in", "vapour", "out", "vapour", "out", "vapour", "vapour", "vapour"] as const;
    const fp = { width: 4.87, depth: 1.42, height: 2.56 };
    const places = conventionalNozzleOffsets("vessel", roles, fp, 1);
    const node = (v: number) => Math.round(v);
    expect(new Set(places.map((o) => `${node(o.dx)},${node(o.dy)}`)).size).toBe(roles.length);
    for (const o of places) {
      const onSide = Math.abs(Math.abs(o.dx) - fp.width / 2) < 1e-9;
      const onFrontOrBack = Math.abs(Math.abs(o.dy) - fp.depth / 2) < 1e-9;
      // On a grid line across its face (1 m apart: clear for pipes up to DN 900).
      if (!onFrontOrBack) expect(Math.abs(o.dy % 1)).toBe(0);
      if (!onSide) expect(Math.abs(o.dx % 1)).toBe(0);
    }
    // The outlets stay low, the vapour lines high.
    roles.forEach((r, i) => {
      if (r === "out") expect(places[i]!.dz).toBeLessThan(fp.height / 2);
      if (r === "vapour") expect(places[i]!.dz).toBe(fp.height);
    });
    // Nozzles no line reaches ("other") take what the others leave, wherever they stand in the list.
    const drum = [
      "other",
      "other",
      "out",
      "out",
      "vapour",
      "vapour",
      "out",
      "out",
      "vapour",
      "out",
      "in",
      "in",
    ] as const;
    const drumPlaces = conventionalNozzleOffsets("vessel", drum, { width: 4.35, depth: 1.24, height: 2.83 }, 1);
    const reached = drumPlaces.filter((_, i) => drum[i] !== "other");
    expect(new Set(reached.map((o) => `${node(o.dx)},${node(o.dy)}`)).size).toBe(reached.length);
    // Without the grid the five top nozzles stand 0.19 m apart, all nearest one grid node.
    const loose = conventionalNozzleOffsets("vessel", roles, fp);
    expect(new Set(loose.map((o) => `${node(o.dx)},${node(o.dy)}`)).size).toBeLessThan(4);
  });
});
