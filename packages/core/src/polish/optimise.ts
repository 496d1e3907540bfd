import { LinearModel } from "./lp.js";
import { type BoxSize, boxOf, gapValue, separations, writePlacement, xv, yv } from "./model.js";
import { placementCost } from "./polish.js";
import type { PlacementProblem } from "./problem.js";
import { type Solver, solveModel } from "./solver.js";

export interface OptimiseOptions {
  /** Wall-clock limit, s. Default 30. */
  readonly timeLimit?: number;
  /** Box the land term is linearised around (default: the problem's current layout's box). */
  readonly reference?: BoxSize;
  /** Stop as soon as an incumbent reaches this value of the linear objective (HiGHS objective_target). */
  readonly target?: number;
  /**
   * Local branching (Fischetti & Lodi 2003) around the problem's current layout: at most this many
   * of the pair-order binaries may differ from the current arrangement's. Default: no limit.
   */
  readonly maxFlips?: number;
}

export interface OptimiseResult {
  /** HiGHS model status by its constant's name ("optimal", "timeLimit", "objectiveTarget", ...). */
  readonly status: string;
  /** Positions of the best layout found; undefined when none was found in time. */
  readonly x?: number[];
  readonly y?: number[];
  /** Its linear objective (the one `writePlacement` states) and its cost as the polish measures it. */
  readonly objective?: number;
  readonly cost?: number;
  /** With `maxFlips`: the pair-order binaries the solution changed from the current arrangement. */
  readonly flipped?: number;
  readonly ms: number;
  /**
   * Each new incumbent as the branch and bound found it: ms since the call began (model building
   * included) and its linear objective. Lets a caller read how long the optimiser took to reach a
   * given cost from one run.
   */
  readonly incumbents: readonly { readonly ms: number; readonly objective: number }[];
}

/**
 * The optimisation baseline of the layout literature (Papageorgiou & Rotstein 1998; Patsiatzis &
 * Papageorgiou 2002; Xu & Papageorgiou 2009): the same positions, piping and land terms, site,
 * rotations and required distances as the polish, but free pair orders: each pair of items (and each
 * item and keep-out or rack) is separated along one of four directions picked by two binaries,
 * big-M disjunctions. Solved by HiGHS branch and bound within a time limit. Separation is along one
 * axis, which is what the spacing rules ask for at least (a plan distance is never less than an axis gap).
 */
export function optimisePlacement(p: PlacementProblem, solver: Solver, options: OptimiseOptions = {}): OptimiseResult {
  const started = performance.now();
  const ref = options.reference ?? boxOf(p, p.x, p.y);
  const lp = new LinearModel();
  writePlacement(lp, p, ref);
  let largest = 0;
  for (const s of separations(p)) largest = Math.max(largest, s.need);
  let span = 0;
  for (let i = 0; i < p.tags.length; i++) span = Math.max(span, 2 * p.hw[i]!, 2 * p.hd[i]!);
  for (const o of p.obstacles) span = Math.max(span, o.rect.maxX - o.rect.minX, o.rect.maxY - o.rect.minY);
  // Large enough to switch any row off: no gap on the site is below −(site + widest thing).
  const M = p.site.width + p.site.depth + largest + 2 * span;
  const flips: [string, number][] = [];
  const start: [string, number][] = [];
  let flipRhs = options.maxFlips ?? 0;
  for (const s of separations(p)) {
    const a = `a${s.key}`;
    const b = `b${s.key}`;
    lp.binary(a);
    lp.binary(b);
    lp.bound(a, 0, 1);
    lp.bound(b, 0, 1);
    // (a, b) = (0,0) east, (1,0) west, (0,1) north, (1,1) south: the chosen gap ≥ need.
    const off: [number, number, number][] = [
      [1, 1, 0],
      [-1, 1, 1],
      [1, -1, 1],
      [-1, -1, 2],
    ];
    if (options.maxFlips !== undefined) {
      // The current direction: the largest of the four gaps; Hamming distance of (a, b) from it.
      const values = s.gaps.map((g) => gapValue(g, p.x, p.y));
      const k0 = values.indexOf(Math.max(...values));
      const a0 = k0 === 1 || k0 === 3 ? 1 : 0;
      const b0 = k0 >= 2 ? 1 : 0;
      flips.push([a, a0 ? -1 : 1], [b, b0 ? -1 : 1]);
      start.push([a, a0], [b, b0]);
      flipRhs -= a0 + b0;
    }
    s.gaps.forEach((g, k) => {
      const [ca, cb, c0] = off[k]!;
      // gap + M·(c0 + ca·a + cb·b) ≥ need, where the bracket is 0 for the chosen direction, ≥ 1 otherwise.
      lp.row([...g.terms, [a, M * ca], [b, M * cb]], ">=", s.need - g.constant - M * c0);
    });
  }
  if (options.maxFlips !== undefined && flips.length > 0) lp.row(flips, "<=", flipRhs);
  const incumbents: { ms: number; objective: number }[] = [];
  const s = solveModel(
    solver,
    lp.data(solver.infinity),
    {
      time_limit: options.timeLimit ?? 30,
      primal_feasibility_tolerance: 1e-9,
      mip_feasibility_tolerance: 1e-9,
      ...(options.target !== undefined ? { objective_target: options.target } : {}),
    },
    {
      callbacks: {
        [solver.constants.callbackType.mipImprovingSolution]: (event) => {
          const objective = event.data.objective_function_value;
          if (objective !== undefined) incumbents.push({ ms: performance.now() - started, objective });
        },
      },
    },
  );
  const ms = performance.now() - started;
  const values = s.values;
  if (!values) return { status: s.status, ms, incumbents };
  const x = p.tags.map((_, i) => values[lp.column(xv(i))]);
  const y = p.tags.map((_, i) => values[lp.column(yv(i))]);
  if (x.some((v) => v === undefined || !Number.isFinite(v)) || y.some((v) => v === undefined || !Number.isFinite(v))) {
    return { status: s.status, ms, incumbents };
  }
  const px = x as number[];
  const py = y as number[];
  const flipped =
    options.maxFlips === undefined
      ? undefined
      : start.reduce((n, [v, v0]) => n + (Math.round(values[lp.column(v)] ?? v0) === v0 ? 0 : 1), 0);
  return {
    status: s.status,
    x: px,
    y: py,
    objective: s.objective!,
    cost: placementCost(p, px, py),
    ...(flipped !== undefined ? { flipped } : {}),
    ms,
    incumbents,
  };
}
