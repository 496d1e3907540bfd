import type { Basis } from "highs";
import { writeArrangement } from "./arrange.js";
import { LinearModel } from "./lp.js";
import { type BoxSize, boxOf, writePlacement, xv, yv } from "./model.js";
import type { PlacementProblem } from "./problem.js";
import { type Solver, solveModel } from "./solver.js";

export interface PolishPlacement {
  readonly x: number[];
  readonly y: number[];
  /** Piping (Σ line rate × nozzle Manhattan distance) + land price × box area, before and after. */
  readonly before: number;
  readonly after: number;
  /** Linear programs solved (each re-linearises the land term and the diagonal pairs at the last result). */
  readonly rounds: number;
  /** Rows of the last LP. */
  readonly rows: number;
  readonly ms: number;
}

/** The measure the polish lowers: piping cost on nozzle Manhattan distances plus land on the true box area. */
export function placementCost(p: PlacementProblem, x: readonly number[], y: readonly number[]): number {
  let piping = 0;
  for (const l of p.lines) {
    piping +=
      l.weight * (Math.abs(x[l.a]! + l.oa[0] - x[l.b]! - l.ob[0]) + Math.abs(y[l.a]! + l.oa[1] - y[l.b]! - l.ob[1]));
  }
  const box = boxOf(p, x, y);
  return piping + p.landRate * box.width * box.depth;
}

/**
 * The exact polish: with every pair's arrangement and every rotation kept, the remaining placement
 * is a linear program, solved by HiGHS (simplex) to optimality. The land term is linear only around
 * a box, and the diagonal pairs' rows only around a layout, so the LP is solved again around its own
 * result while that lowers the cost (at most `rounds` times). Returns the input positions when no
 * round lowers the cost (or the LP fails).
 */
export function polishPlacement(p: PlacementProblem, solver: Solver, rounds = 4): PolishPlacement {
  const started = performance.now();
  let x = [...p.x];
  let y = [...p.y];
  const before = placementCost(p, x, y);
  let best = before;
  let solved = 0;
  let rows = 0;
  // Each round's LP has the same columns and rows as the last, only some coefficients move: the
  // last optimal basis warm-starts it.
  let basis: Basis | undefined;
  for (let round = 0; round < rounds; round++) {
    const ref: BoxSize = boxOf(p, x, y);
    const lp = new LinearModel();
    writePlacement(lp, p, ref, p.grid);
    rows = writeArrangement(lp, p, x, y);
    const model = lp.data(solver.infinity);
    const warm =
      basis && basis.colStatus.length === model.numCols && basis.rowStatus.length === model.numRows ? { basis } : {};
    const s = solveModel(solver, model, { primal_feasibility_tolerance: 1e-9 }, warm);
    solved++;
    if (!s.optimal || !s.values) break;
    basis = s.basis;
    const values = s.values;
    const nx = p.tags.map((_, i) => values[lp.column(xv(i))]!);
    const ny = p.tags.map((_, i) => values[lp.column(yv(i))]!);
    const cost = placementCost(p, nx, ny);
    if (cost >= best - 1e-6 * Math.max(1, best)) break;
    const gain = best - cost;
    best = cost;
    x = nx;
    y = ny;
    // Another round gains less than the last; stop when the last gained under 0.1 %.
    if (gain < 1e-3 * best) break;
  }
  return { x, y, before, after: best, rounds: solved, rows, ms: performance.now() - started };
}
