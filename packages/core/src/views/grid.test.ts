import { fc, test } from "@fast-check/vitest";
import { parsedDesignArbitrary, TANK_FARM } from "@plantgan/testing";
import { describe, expect } from "vitest";
import {
  boxRect,
  type Design,
  expandRect,
  footprintRect,
  isPlaced,
  type PlantDesignInput,
  parseDesign,
  type Rect,
  rackRect,
} from "../design/index.js";
import { cellRange, GRID_CHANNELS, rasteriseDesign, ViewError } from "./index.js";

function parse(input: PlantDesignInput): Design {
  const parsed = parseDesign(input);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  return parsed.data;
}

function channelCount(data: Float32Array, channel: number, cells: number): number {
  let n = 0;
  for (let k = channel * cells; k < (channel + 1) * cells; k++) n += data[k]!;
  return n;
}

/**
 * The slow oracle: tests the centre of every cell near the rectangle (cells off the plot count
 * too, then are cut away), with the one-cell rule for rectangles thinner than a cell.
 */
function oracleCells(rect: Rect, g: number, W: number, H: number): Set<number> {
  const out = new Set<number>();
  const axis = (min: number, max: number, n: number): number[] => {
    const hit: number[] = [];
    for (let c = Math.floor(min / g) - 2; c <= Math.ceil(max / g) + 2; c++) {
      if ((c + 0.5) * g >= min && (c + 0.5) * g < max) hit.push(c);
    }
    if (hit.length === 0) hit.push(Math.floor((min + max) / 2 / g));
    return hit.filter((c) => c >= 0 && c < n);
  };
  for (const r of axis(rect.minY, rect.maxY, H)) for (const c of axis(rect.minX, rect.maxX, W)) out.add(r * W + c);
  return out;
}

describe("rasteriseDesign", () => {
  const design = parse(TANK_FARM);
  const grid = rasteriseDesign(design);
  const cells = grid.width * grid.height;

  test("is C×H×W with named channels", () => {
    expect(grid.channels).toEqual(GRID_CHANNELS);
    expect(GRID_CHANNELS).toHaveLength(17);
    expect([grid.width, grid.height, grid.layout]).toEqual([60, 40, "CHW"]);
    expect(grid.data.length).toBe(17 * 40 * 60);
  });

  test("fills footprints, racks and keep-outs cell for cell", () => {
    const tank = GRID_CHANNELS.indexOf("equipment:tank");
    expect(channelCount(grid.data, tank, cells)).toBe(12 * 12 + 8 * 8);
    // T-101 spans x 4..16, y 4..16: row 4 (south edge) is in, row 16 is out.
    expect(grid.data[tank * cells + 4 * 60 + 4]).toBe(1);
    expect(grid.data[tank * cells + 16 * 60 + 4]).toBe(0);
    // The pump turned 90°: 1 m along x, 2 m along y, centre (30.6, 10.2).
    const pump = GRID_CHANNELS.indexOf("equipment:pump");
    expect(channelCount(grid.data, pump, cells)).toBe(2);
    expect(grid.data[pump * cells + 9 * 60 + 30]).toBe(1);
    expect(grid.data[pump * cells + 10 * 60 + 30]).toBe(1);
    expect(channelCount(grid.data, GRID_CHANNELS.indexOf("rack"), cells)).toBe(50 * 4);
    expect(channelCount(grid.data, GRID_CHANNELS.indexOf("keep_out"), cells)).toBe(60 * 4);
    // V-103 is not placed.
    expect(channelCount(grid.data, GRID_CHANNELS.indexOf("equipment:vessel"), cells)).toBe(0);
  });

  test("marks hazard zones, grown by a margin", () => {
    const flammable = GRID_CHANNELS.indexOf("hazard:flammable");
    expect(channelCount(grid.data, flammable, cells)).toBe(144 + 2);
    const grown = rasteriseDesign(design, { hazardMargin: { flammable: 2 } });
    expect(channelCount(grown.data, flammable, cells)).toBe(16 * 16 + 5 * 6);
    expect(channelCount(grown.data, GRID_CHANNELS.indexOf("hazard:toxic"), cells)).toBe(0);
  });

  test("keeps a thing thinner than a cell as one cell, and ignores what lies off the plot", () => {
    expect(cellRange({ minX: 3.1, minY: 3.1, maxX: 3.3, maxY: 3.3 }, 1, 10, 10)).toEqual({
      c0: 3,
      c1: 4,
      r0: 3,
      r1: 4,
    });
    const off = cellRange({ minX: -5, minY: 2, maxX: -4, maxY: 3 }, 1, 10, 10);
    expect(off.c1 <= off.c0).toBe(true);
  });

  test("refuses grids past maxValues and bad margins", () => {
    expect(() => rasteriseDesign(design, { maxValues: 1000 })).toThrow(
      expect.objectContaining({ code: "grid_too_large" }),
    );
    expect(() => rasteriseDesign(design, { hazardMargin: -1 })).toThrowError(ViewError);
  });
});

describe("rasteriseDesign on generated designs", () => {
  test.prop([parsedDesignArbitrary({ placement: "mixed" }), fc.constantFrom(0, 1.5)], { numRuns: 100 })(
    "every channel equals the per-cell oracle, and footprints hold about area / g² cells",
    (d, margin) => {
      const grid = rasteriseDesign(d, { hazardMargin: margin });
      const g = d.site.gridSize;
      const W = grid.width;
      const H = grid.height;
      const expected = GRID_CHANNELS.map(() => new Set<number>());
      const add = (channel: string, rect: Rect): void => {
        for (const k of oracleCells(rect, g, W, H)) expected[GRID_CHANNELS.indexOf(channel)]!.add(k);
      };
      for (const e of d.equipment.filter(isPlaced)) {
        const rect = footprintRect(e);
        add(`equipment:${e.type}`, rect);
        const zone = e.hazard === "ignition_source" ? "fired" : e.hazard;
        if (zone !== "none") add(`hazard:${zone}`, expandRect(rect, margin));
        // Area check for footprints wholly on the plot.
        if (rect.minX >= 0 && rect.minY >= 0 && rect.maxX <= W * g && rect.maxY <= H * g) {
          const { c0, c1, r0, r1 } = cellRange(rect, g, W, H);
          const count = (c1 - c0) * (r1 - r0);
          const w = rect.maxX - rect.minX;
          const h = rect.maxY - rect.minY;
          expect(Math.abs(count - (w * h) / g ** 2)).toBeLessThanOrEqual((w + h) / g + 1);
        }
      }
      for (const r of d.site.racks) add("rack", rackRect(r));
      for (const k of d.site.keepOut) add("keep_out", boxRect(k));
      GRID_CHANNELS.forEach((_name, channel) => {
        const base = channel * H * W;
        const got: number[] = [];
        for (let k = 0; k < H * W; k++) if (grid.data[base + k] === 1) got.push(k);
        expect(got).toEqual([...expected[channel]!].sort((a, b) => a - b));
      });
    },
  );
});
