/**
 * Grid view: the plot rasterised at `site.gridSize` into occupancy channels, for the
 * discriminator's convolutional branch and for the pipe router.
 *
 * Layout: one Float32Array in C×H×W order (channel-major), value 1 where occupied, else 0.
 * Cell (row r, column c) covers x ∈ [c·g, (c+1)·g) and y ∈ [r·g, (r+1)·g) from the plot's
 * south-west origin, so row 0 is the southern edge and rows grow north; flat index
 * `ch·H·W + r·W + c`. W = ceil(width / g), H = ceil(depth / g).
 *
 * A rectangle covers the cells whose centre lies in [min, max) on each axis; an axis on which
 * it covers no centre (a thing thinner than a cell) still takes the one cell holding its centre,
 * so small filters and narrow racks never vanish. Cells are filled by index ranges (one
 * `fill` per row), never by testing cells one at a time. Unplaced equipment is skipped.
 */
import { boxRect, expandRect, footprintRect, type Rect, rackRect } from "../design/geometry.js";
import type { Design } from "../design/types.js";
import { isPlaced } from "../design/types.js";
import { ViewError } from "./errors.js";
import { EQUIPMENT_TYPES } from "./vocabulary.js";

/** Hazard zone channels: fired equipment and ignition sources share one. */
export const HAZARD_ZONES = ["flammable", "fired", "toxic"] as const;
export type HazardZone = (typeof HAZARD_ZONES)[number];

/** Channel names in order: 12 equipment types, rack, keep-out, then the hazard zones (17). */
export const GRID_CHANNELS: readonly string[] = [
  ...EQUIPMENT_TYPES.map((t) => `equipment:${t}`),
  "rack",
  "keep_out",
  ...HAZARD_ZONES.map((h) => `hazard:${h}`),
];

export interface GridOptions {
  /** Grows each hazard footprint by this much on every side, m (one number for all, or per zone). Default 0. */
  readonly hazardMargin?: number | Readonly<Partial<Record<HazardZone, number>>>;
  /** Refuse grids with more than this many values (C·H·W). Default 2^25 (128 MiB). */
  readonly maxValues?: number;
}

export interface DesignGrid {
  /** C×H×W occupancy, 0 or 1. */
  readonly data: Float32Array;
  readonly channels: readonly string[];
  /** Cells along x (W). */
  readonly width: number;
  /** Cells along y (H). */
  readonly height: number;
  /** Metres per cell. */
  readonly gridSize: number;
  readonly layout: "CHW";
}

/** Half-open cell ranges [c0, c1) × [r0, r1) a rectangle covers on a W×H grid of cell g. */
export interface CellRange {
  readonly c0: number;
  readonly c1: number;
  readonly r0: number;
  readonly r1: number;
}

/** Cells per side of the plot: ceil(extent / g), tolerant of float noise (100.0000001 → 100). */
export function gridShape(design: Design): { width: number; height: number } {
  const g = design.site.gridSize;
  return {
    width: Math.max(1, Math.ceil(design.site.width / g - 1e-9)),
    height: Math.max(1, Math.ceil(design.site.depth / g - 1e-9)),
  };
}

function axisRange(min: number, max: number, g: number, n: number): [number, number] {
  let a = Math.ceil(min / g - 0.5);
  let b = Math.ceil(max / g - 0.5);
  if (b <= a) {
    a = Math.floor((min + max) / 2 / g);
    b = a + 1;
  }
  return [Math.max(0, a), Math.min(n, b)];
}

/** The cells a plot rectangle covers (empty ranges when it lies off the plot). */
export function cellRange(rect: Rect, g: number, width: number, height: number): CellRange {
  const [c0, c1] = axisRange(rect.minX, rect.maxX, g, width);
  const [r0, r1] = axisRange(rect.minY, rect.maxY, g, height);
  return { c0, c1, r0, r1 };
}

function marginFor(options: GridOptions, zone: HazardZone): number {
  const m = options.hazardMargin;
  const value = typeof m === "number" ? m : (m?.[zone] ?? 0);
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new ViewError("bad_spec", `hazardMargin must be a finite number >= 0; got ${value}`);
  }
  return value;
}

function zoneOf(hazard: string): HazardZone | undefined {
  if (hazard === "flammable" || hazard === "toxic") return hazard;
  if (hazard === "fired" || hazard === "ignition_source") return "fired";
  return undefined;
}

/** Rasterises the placed parts of a design. Throws ViewError "grid_too_large" past maxValues. */
export function rasteriseDesign(design: Design, options: GridOptions = {}): DesignGrid {
  const g = design.site.gridSize;
  const { width: W, height: H } = gridShape(design);
  const C = GRID_CHANNELS.length;
  const maxValues = options.maxValues ?? 2 ** 25;
  if (C * H * W > maxValues) {
    throw new ViewError("grid_too_large", `a ${C}×${H}×${W} grid exceeds ${maxValues} values; use a larger gridSize`);
  }
  const margins = Object.fromEntries(HAZARD_ZONES.map((z) => [z, marginFor(options, z)])) as Record<HazardZone, number>;
  const data = new Float32Array(C * H * W);
  const paint = (channel: number, rect: Rect): void => {
    const { c0, c1, r0, r1 } = cellRange(rect, g, W, H);
    if (c1 <= c0) return;
    const base = channel * H * W;
    for (let r = r0; r < r1; r++) data.fill(1, base + r * W + c0, base + r * W + c1);
  };

  const rackChannel = EQUIPMENT_TYPES.length;
  const keepOutChannel = rackChannel + 1;
  const hazardChannel = (z: HazardZone): number => keepOutChannel + 1 + HAZARD_ZONES.indexOf(z);

  for (const e of design.equipment) {
    if (!isPlaced(e)) continue;
    const rect = footprintRect(e);
    paint(EQUIPMENT_TYPES.indexOf(e.type), rect);
    const zone = zoneOf(e.hazard);
    if (zone) paint(hazardChannel(zone), expandRect(rect, margins[zone]));
  }
  for (const rack of design.site.racks) paint(rackChannel, rackRect(rack));
  for (const k of design.site.keepOut) paint(keepOutChannel, boxRect(k));

  return { data, channels: GRID_CHANNELS, width: W, height: H, gridSize: g, layout: "CHW" };
}
