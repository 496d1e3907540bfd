import type { LinearModel } from "./lp.js";
import type { PlacementProblem } from "./problem.js";

/** A plan box width × depth, m: the point the land term's area W·D is linearised around. */
export interface BoxSize {
  readonly width: number;
  readonly depth: number;
}

export const xv = (i: number) => `x${i}`;
export const yv = (i: number) => `y${i}`;

/** A signed clearance along one axis, linear in the positions: Σ terms + constant, m (negative: overlap). */
export interface Gap {
  readonly terms: readonly (readonly [string, number])[];
  readonly constant: number;
}

/**
 * The four one-axis gaps between items i and j: j east of i, j west, j north, j south. The pair is
 * clear by d when one of them is at least d (the plan distance is then at least d too).
 */
export function pairGaps(p: PlacementProblem, i: number, j: number): [Gap, Gap, Gap, Gap] {
  const sx = p.hw[i]! + p.hw[j]!;
  const sy = p.hd[i]! + p.hd[j]!;
  return [
    {
      terms: [
        [xv(j), 1],
        [xv(i), -1],
      ],
      constant: -sx,
    },
    {
      terms: [
        [xv(i), 1],
        [xv(j), -1],
      ],
      constant: -sx,
    },
    {
      terms: [
        [yv(j), 1],
        [yv(i), -1],
      ],
      constant: -sy,
    },
    {
      terms: [
        [yv(i), 1],
        [yv(j), -1],
      ],
      constant: -sy,
    },
  ];
}

/** The four gaps between item i and a fixed rectangle: the rectangle east, west, north, south of it. */
export function obstacleGaps(
  p: PlacementProblem,
  i: number,
  r: { minX: number; minY: number; maxX: number; maxY: number },
): [Gap, Gap, Gap, Gap] {
  return [
    { terms: [[xv(i), -1]], constant: r.minX - p.hw[i]! },
    { terms: [[xv(i), 1]], constant: -p.hw[i]! - r.maxX },
    { terms: [[yv(i), -1]], constant: r.minY - p.hd[i]! },
    { terms: [[yv(i), 1]], constant: -p.hd[i]! - r.maxY },
  ];
}

export function gapValue(g: Gap, x: readonly number[], y: readonly number[]): number {
  let v = g.constant;
  for (const [name, c] of g.terms) v += c * (name[0] === "x" ? x : y)[Number(name.slice(1))]!;
  return v;
}

/**
 * The least multiple of the grid step at or above `value` (the value itself without a grid). A bound
 * on a centre, or on a difference of two centres, that is a multiple of the step survives the
 * legaliser's snap to the nearest node: rounding is monotone and moves a multiple of the step by
 * nothing, so x ≥ k·g gives round(x) ≥ k·g, and xj − xi ≥ k·g gives round(xj) − round(xi) ≥ k·g.
 */
export function gridCeil(value: number, grid: number): number {
  return grid > 0 ? Math.ceil(value / grid - 1e-9) * grid : value;
}

/**
 * Positions (site bounds; fixed items pinned), the piping term (Σ over lines of the line's cost per
 * metre × the Manhattan distance between its nozzles, |d| ≤ t by two rows per axis) and the land
 * term: the area of the equipment box W·D, linearised around `ref` as D_ref·W + W_ref·D (its
 * first-order Taylor expansion less a constant), times the land price. With `grid` (the polish),
 * the site bounds sit on grid nodes so that the legaliser's snap cannot push an item out.
 */
export function writePlacement(lp: LinearModel, p: PlacementProblem, ref: BoxSize, grid = 0): void {
  const n = p.tags.length;
  for (let i = 0; i < n; i++) {
    if (p.fixed[i]) {
      lp.bound(xv(i), p.x[i]!, p.x[i]!);
      lp.bound(yv(i), p.y[i]!, p.y[i]!);
      continue;
    }
    // Inside the site by the item's property-line distance; an item already closer (an invalid
    // candidate) may stay where it is, no farther out. With a grid, bounds on its nodes (gridCeil).
    const e = p.inset[i]!;
    const low = (half: number) => gridCeil(half + e, grid);
    const high = (side: number, half: number) => -gridCeil(half + e - side, grid);
    lp.bound(xv(i), Math.min(low(p.hw[i]!), p.x[i]!), Math.max(high(p.site.width, p.hw[i]!), p.x[i]!));
    lp.bound(yv(i), Math.min(low(p.hd[i]!), p.y[i]!), Math.max(high(p.site.depth, p.hd[i]!), p.y[i]!));
  }
  p.lines.forEach((l, k) => {
    for (const [axis, v, o] of [
      ["x", xv, 0],
      ["y", yv, 1],
    ] as const) {
      const t = `t${axis}${k}`;
      const c = l.oa[o] - l.ob[o];
      // t ≥ (a + oa) − (b + ob) and t ≥ (b + ob) − (a + oa).
      lp.row(
        [
          [t, 1],
          [v(l.a), -1],
          [v(l.b), 1],
        ],
        ">=",
        c,
      );
      lp.row(
        [
          [t, 1],
          [v(l.a), 1],
          [v(l.b), -1],
        ],
        ">=",
        -c,
      );
      lp.bound(t, 0, Number.POSITIVE_INFINITY);
      lp.cost(t, l.weight);
    }
  });
  if (p.landRate > 0 && n > 0) {
    for (let i = 0; i < n; i++) {
      lp.row(
        [
          ["bx0", 1],
          [xv(i), -1],
        ],
        "<=",
        -p.hw[i]!,
      );
      lp.row(
        [
          ["bx1", 1],
          [xv(i), -1],
        ],
        ">=",
        p.hw[i]!,
      );
      lp.row(
        [
          ["by0", 1],
          [yv(i), -1],
        ],
        "<=",
        -p.hd[i]!,
      );
      lp.row(
        [
          ["by1", 1],
          [yv(i), -1],
        ],
        ">=",
        p.hd[i]!,
      );
    }
    for (const b of ["bx0", "bx1", "by0", "by1"]) lp.bound(b, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
    lp.cost("bx1", p.landRate * ref.depth);
    lp.cost("bx0", -p.landRate * ref.depth);
    lp.cost("by1", p.landRate * ref.width);
    lp.cost("by0", -p.landRate * ref.width);
  }
}

/** The linear objective of `writePlacement` at given positions (what the LP and MILP minimise). */
export function placementObjective(
  p: PlacementProblem,
  x: readonly number[],
  y: readonly number[],
  ref: BoxSize,
): number {
  let total = 0;
  for (const l of p.lines) {
    total +=
      l.weight * (Math.abs(x[l.a]! + l.oa[0] - x[l.b]! - l.ob[0]) + Math.abs(y[l.a]! + l.oa[1] - y[l.b]! - l.ob[1]));
  }
  if (p.landRate > 0 && p.tags.length > 0) {
    const box = boxOf(p, x, y);
    total += p.landRate * (ref.depth * box.width + ref.width * box.depth);
  }
  return total;
}

/** The bounding box of the items at given positions. */
export function boxOf(p: PlacementProblem, x: readonly number[], y: readonly number[]): BoxSize {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < p.tags.length; i++) {
    x0 = Math.min(x0, x[i]! - p.hw[i]!);
    x1 = Math.max(x1, x[i]! + p.hw[i]!);
    y0 = Math.min(y0, y[i]! - p.hd[i]!);
    y1 = Math.max(y1, y[i]! + p.hd[i]!);
  }
  return Number.isFinite(x0) ? { width: x1 - x0, depth: y1 - y0 } : { width: 0, depth: 0 };
}

/** Every item pair and item–obstacle pair with its required distance and its four gaps. */
export function separations(p: PlacementProblem): { key: string; need: number; gaps: [Gap, Gap, Gap, Gap] }[] {
  const out: { key: string; need: number; gaps: [Gap, Gap, Gap, Gap] }[] = [];
  const n = p.tags.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (p.fixed[i] && p.fixed[j]) continue;
      out.push({ key: `p${i}_${j}`, need: p.need[i]![j]!, gaps: pairGaps(p, i, j) });
    }
    if (p.fixed[i]) continue;
    p.obstacles.forEach((o, k) => {
      out.push({ key: `o${i}_${k}`, need: o.need[i]!, gaps: obstacleGaps(p, i, o.rect) });
    });
  }
  return out;
}
