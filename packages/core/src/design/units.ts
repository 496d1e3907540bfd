/**
 * Lengths in metres and counts of grid steps are both plain numbers at run time; these brands keep
 * them apart at compile time, so a cell index cannot be passed where a distance is expected (or the
 * reverse) without going through one of the conversions below, which say how they round.
 */
declare const unit: unique symbol;

/** A length or coordinate in metres (the contract's unit). */
export type Metres = number & { readonly [unit]: "m" };
/** A whole number of grid steps: an index along an axis, a count of nodes, an offset in steps. */
export type Cells = number & { readonly [unit]: "cells" };

/** Float noise tolerated where a length lands on a grid line (0.3 / 0.1 = 2.9999999999999996). */
const EPS = 1e-9;

/** Marks a number as metres (a value read from a design, an option, a constant). */
export function metres(value: number): Metres {
  return value as Metres;
}

/** Marks a whole number as a count of grid steps. */
export function cells(value: number): Cells {
  return value as Cells;
}

/** The grid line at or below `length`, counting a length within float noise of a line as on it. */
export function cellsBelow(length: Metres, grid: Metres): Cells {
  return Math.floor(length / grid + EPS) as Cells;
}

/** The grid line at or above `length`, counting a length within float noise of a line as on it. */
export function cellsAbove(length: Metres, grid: Metres): Cells {
  return Math.ceil(length / grid - EPS) as Cells;
}

/** The nearest grid line to `length`. */
export function nearestCells(length: Metres, grid: Metres): Cells {
  return Math.round(length / grid) as Cells;
}

/** How many whole steps it takes to cover `length` (no tolerance: 10.000001 m at 1 m is 11). */
export function stepsToCover(length: Metres, grid: Metres): Cells {
  return Math.ceil(length / grid) as Cells;
}

/** The length of `steps` grid steps. */
export function cellsToMetres(steps: Cells, grid: Metres): Metres {
  return (steps * grid) as Metres;
}
