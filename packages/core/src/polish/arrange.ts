import type { LinearModel } from "./lp.js";
import { type Gap, gapValue, gridCeil, separations } from "./model.js";
import type { PlacementProblem } from "./problem.js";

/**
 * Keeps each pair's arrangement while the positions move: of the four one-axis gaps, the larger of
 * the two along x and the larger along y are the sides the pair stands on now. Then
 * - one of them positive, the other not (the pair is separated along one axis): that gap ≥ d;
 * - both positive (the pair stands diagonally): the tangent of the circle of radius d at the current
 *   gaps, u·(gx, gy) ≥ d with u their unit vector. A point on its far side is at least d away in
 *   plan (|g| ≥ u·g), so the row is safe, and the current layout satisfies it;
 * - both ≤ 0 (an overlap the legaliser left): the larger gap may not shrink.
 * d is the pair's required distance, or the current distance where it is already short (an invalid
 * candidate is made no worse). Returns the rows written.
 *
 * The legaliser snaps the result to the site's grid (each centre moves up to half a step per axis),
 * and a layout the snap pushes a hair too close gets resolved by moves of metres (an item next to a
 * rack goes round it): so a one-axis row bounds its centre difference (or an item's centre against
 * an obstacle) by a multiple of the step, which the snap keeps (gridCeil), and a diagonal row keeps
 * room for the snap, one step on each axis. A current layout on the grid meets both.
 */
export function writeArrangement(
  lp: LinearModel,
  p: PlacementProblem,
  x: readonly number[],
  y: readonly number[],
): number {
  let rows = 0;
  for (const s of separations(p)) {
    const [east, west, north, south] = s.gaps.map((g) => ({ g, v: gapValue(g, x, y) })) as {
      g: Gap;
      v: number;
    }[];
    const gx = east!.v >= west!.v ? east! : west!;
    const gy = north!.v >= south!.v ? north! : south!;
    if (gx.v > 0 && gy.v > 0) {
      const r = Math.hypot(gx.v, gy.v);
      const ux = gx.v / r;
      const uy = gy.v / r;
      const terms = [
        ...gx.g.terms.map(([n, c]) => [n, c * ux] as const),
        ...gy.g.terms.map(([n, c]) => [n, c * uy] as const),
      ];
      lp.row(terms, ">=", Math.min(s.need + p.grid * (ux + uy), r) - ux * gx.g.constant - uy * gy.g.constant);
    } else {
      const g = gx.v >= gy.v ? gx : gy;
      // terms · positions ≥ need − constant, on the grid; never beyond where the pair stands now.
      lp.row(g.g.terms, ">=", Math.min(gridCeil(s.need - g.g.constant, p.grid), g.v - g.g.constant));
    }
    rows++;
  }
  return rows;
}
