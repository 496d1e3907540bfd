import type { Point3 } from "../design/types.js";
import { cells, cellsToMetres } from "../design/units.js";
import type { RouteGrid } from "./grid.js";

/** The world point of a cell: grid node in plan, level elevation in height. */
export function cellPoint(grid: RouteGrid, cell: number): Point3 {
  const level = cell % grid.nl;
  const node = (cell - level) / grid.nl;
  const i = node % grid.nx;
  const j = (node - i) / grid.nx;
  return [cellsToMetres(cells(i), grid.g), cellsToMetres(cells(j), grid.g), grid.levels.z[level]!];
}

/**
 * Nozzle → cell stub, one coordinate at a time (x, then y, then z), so every segment is
 * axis-aligned. Reverse it for the stub at a route's far end.
 */
export function stub(nozzle: Point3, at: Point3): Point3[] {
  const [x, y, z] = nozzle;
  return [[x, y, z], [at[0], y, z], [at[0], at[1], z], at];
}

/** Index of the one coordinate in which a and b differ, -1 when equal, 3 when more than one. */
function axis(a: Point3, b: Point3): number {
  let found = -1;
  for (let k = 0; k < 3; k++) {
    if (a[k] !== b[k]) {
      if (found >= 0) return 3;
      found = k;
    }
  }
  return found;
}

/**
 * Drops repeated points and collapses runs along one axis into one segment, so that consecutive
 * points differ in exactly one coordinate and no segment has zero length. A run that doubles back
 * (a stub going west, the route then east) collapses too: the pipe is the union of its segments.
 * The first and last points are never moved.
 */
export function simplify(points: readonly Point3[]): Point3[] {
  const out: Point3[] = [];
  for (const p of points) {
    while (out.length >= 2) {
      const a = out[out.length - 2]!;
      const b = out[out.length - 1]!;
      const ab = axis(a, b);
      if (ab < 0 || ab > 2 || ab !== axis(b, p)) break;
      out.pop();
    }
    const last = out[out.length - 1];
    if (last !== undefined && axis(last, p) === -1) continue;
    out.push([p[0], p[1], p[2]]);
  }
  return out;
}

export function routeLength(route: readonly Point3[]): number {
  let length = 0;
  for (let k = 0; k + 1 < route.length; k++) {
    const a = route[k]!;
    const b = route[k + 1]!;
    length += Math.abs(b[0] - a[0]) + Math.abs(b[1] - a[1]) + Math.abs(b[2] - a[2]);
  }
  return length;
}
