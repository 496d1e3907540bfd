import { describe, expect, it } from "vitest";
import type { LegaliseOptions } from "../legalise/types.js";
import { gridDimensions } from "../route/grid.js";
import type { RouteOptions } from "../route/types.js";
import {
  type Cells,
  cells,
  cellsAbove,
  cellsBelow,
  cellsToMetres,
  type Metres,
  metres,
  nearestCells,
  stepsToCover,
} from "./units.js";

describe("grid conversions", () => {
  const g = metres(0.1);

  it("count a length within float noise of a grid line as on it", () => {
    // 0.3 / 0.1 is 2.9999999999999996 in binary floating point.
    expect(cellsBelow(metres(0.3), g)).toBe(3);
    expect(cellsAbove(metres(0.3), g)).toBe(3);
    expect(cellsBelow(metres(0.35), g)).toBe(3);
    expect(cellsAbove(metres(0.35), g)).toBe(4);
  });

  it("round to the nearest line, cover a length with whole steps, and convert back", () => {
    expect(nearestCells(metres(0.26), g)).toBe(3);
    expect(stepsToCover(metres(10.5), metres(1))).toBe(11);
    expect(cellsToMetres(cells(4), metres(2.5))).toBe(10);
  });

  it("give a plot's node counts, both edges included", () => {
    expect(gridDimensions(metres(120), metres(80.5), metres(2))).toEqual({ nx: 61, ny: 41 });
  });
});

describe("units at the signatures (checked by `tsc -p tests`)", () => {
  it("refuse a cell count where metres are expected, and a bare number", () => {
    const steps: Cells = cells(3);
    // @ts-expect-error a count of grid steps is not a distance
    const wrongGrid = gridDimensions(metres(100), metres(100), steps);
    // @ts-expect-error a bare number says nothing of its unit
    const bare: LegaliseOptions = { maxDistance: 12 };
    // @ts-expect-error metres are not cells either
    const back: Cells = metres(3);
    const fine: RouteOptions = { clearance: metres(0.3), groundLevels: [metres(0.5)] };
    const distance: Metres = cellsToMetres(steps, metres(2));
    expect([wrongGrid.nx, bare.maxDistance, back, fine.clearance, distance]).toEqual([34, 12, 3, 0.3, 6]);
  });
});
