import { type CostBreakdown, type CostModel, priceDesign } from "../cost/index.js";
import type { Design, Line, RulePack, ValidationReport } from "../design/types.js";
import { metres } from "../design/units.js";
import { legaliseDesign } from "../legalise/index.js";
import { routeDesign } from "../route/router.js";
import { validateDesign } from "../validate/validate.js";
import { polishPlacement } from "./polish.js";
import { placementProblem } from "./problem.js";
import type { Solver } from "./solver.js";

export interface PolishOptions {
  /** Metres added to the pack's distances, as the legaliser added them (the pipeline's 1.5). */
  readonly margin: number;
  /** Tags that must not move. */
  readonly fixed?: readonly string[];
  /** LP rounds (see polishPlacement). Default 4. */
  readonly rounds?: number;
}

/** What the polish did to one candidate (the pipeline records it in the candidate's report). */
export interface PolishReport {
  /** true: the polished layout was kept; false: the original (see `reason`). */
  readonly applied: boolean;
  readonly reason: string;
  /** Cost of the routed candidate before and of the kept one after (equal when not applied). */
  readonly costBefore?: number;
  readonly costAfter?: number;
  /** Total of the polished layout that was tried, when it was routed (kept or not). */
  readonly costTried?: number;
  /** LP time, ms, and the rounds solved. */
  readonly lpMs: number;
  readonly rounds: number;
  /** Re-route and re-validate time, ms. */
  readonly checkMs: number;
}

export interface PolishOutcome {
  readonly design: Design;
  readonly report: ValidationReport;
  readonly unrouted: readonly { readonly line: string; readonly code: string; readonly reason: string }[];
  readonly cost?: CostBreakdown;
  readonly polish: PolishReport;
}

/** Farthest the snap after the polish may move an item, in grid steps. */
const SNAP_REACH = 4;

function faults(report: ValidationReport, unrouted: number): number {
  return report.summary.errors + unrouted;
}

function withoutRoute(line: Line): Line {
  const { route: _dropped, ...rest } = line;
  return rest;
}

/**
 * Polishes a legalised, routed candidate: solves the placement LP with its arrangement kept, moves
 * the items, routes every line again and validates. The polished layout is kept only when it has no
 * more faults (validator errors + unrouted lines) than the original and costs less; otherwise the
 * original comes back unchanged. Needs the pack's cost model (without it nothing is polished).
 */
export function polishCandidate(
  design: Design,
  report: ValidationReport,
  unrouted: PolishOutcome["unrouted"],
  pack: RulePack,
  solver: Solver,
  options: PolishOptions,
): PolishOutcome {
  const keep = (reason: string, extra: Partial<PolishReport> = {}): PolishOutcome => {
    const cost = pack.cost ? priceDesign(design, pack.cost) : undefined;
    return {
      design,
      report,
      unrouted,
      ...(cost ? { cost } : {}),
      polish: {
        applied: false,
        reason,
        ...(cost ? { costBefore: cost.total, costAfter: cost.total } : {}),
        lpMs: 0,
        rounds: 0,
        checkMs: 0,
        ...extra,
      },
    };
  };
  if (!pack.cost) return keep("the rule pack has no cost model");
  if (design.equipment.some((e) => e.x === undefined || e.y === undefined)) return keep("an item is not placed");
  const before = priceDesign(design, pack.cost);
  const problem = placementProblem(design, pack, options.margin, options.fixed);
  const placed = polishPlacement(problem, solver, options.rounds);
  const lp = { lpMs: placed.ms, rounds: placed.rounds };
  if (placed.after >= placed.before) return keep("the LP found no cheaper placement", lp);
  const started = performance.now();
  // The LP's layout first; when routing it brings faults (items packed too tight for the pipes),
  // the midpoint between it and the candidate: every row of the LP is linear and both layouts meet
  // them all, so the midpoint keeps the arrangement and the distances, with half the gain and room.
  let tried: ReturnType<typeof realise> | undefined;
  for (const share of [1, 0.5]) {
    const x = problem.x.map((v, i) => v + share * (placed.x[i]! - v));
    const y = problem.y.map((v, i) => v + share * (placed.y[i]! - v));
    tried = realise(design, x, y, pack, pack.cost, options);
    // A layout that does not snap (an invalid candidate's conflict the legaliser cannot clear) will
    // not snap halfway either.
    if (!tried.ok || faults(tried.report, tried.unrouted.length) <= faults(report, unrouted.length)) break;
  }
  const checkMs = performance.now() - started;
  if (!tried?.ok) return keep("the polished layout does not snap to the grid", { ...lp, checkMs });
  const { routed, report: polishedReport, after } = tried;
  const attempt = { ...lp, checkMs, costTried: after.total };
  if (faults(polishedReport, routed.unrouted.length) > faults(report, unrouted.length)) {
    return keep("the polished layout has more faults after routing", attempt);
  }
  if (after.total >= before.total) return keep("the polished layout costs more once routed", attempt);
  return {
    design: routed.design,
    report: polishedReport,
    unrouted: routed.unrouted.map((u) => ({ line: u.line, code: u.code, reason: u.reason })),
    cost: after,
    polish: {
      applied: true,
      reason: "cheaper and no less valid",
      costBefore: before.total,
      costAfter: after.total,
      ...attempt,
    },
  };
}

/** Moves the items to (x, y), back onto the grid (legalise), routes every line again and validates. */
function realise(
  design: Design,
  x: readonly number[],
  y: readonly number[],
  pack: RulePack,
  cost: CostModel,
  options: PolishOptions,
) {
  const moved: Design = {
    ...design,
    equipment: design.equipment.map((e, i) => ({ ...e, x: x[i]!, y: y[i]! })),
    lines: design.lines.map(withoutRoute),
  };
  // Back onto the site grid (the router's lattice: nozzles between grid lines give stubs that
  // clash), clearing with the legaliser's small moves whatever rounding brought too close. The LP's
  // rows survive the snap (arrange.ts), so only a few steps are ever needed: a search bounded to
  // them fails fast where the legaliser cannot clear a conflict the candidate brought with it.
  const snapped = legaliseDesign(moved, pack, {
    margin: metres(options.margin),
    fixed: options.fixed ?? [],
    maxDistance: metres(SNAP_REACH * design.site.gridSize),
  });
  if (snapped.unresolved.length > 0) return { ok: false as const };
  const routed = routeDesign(snapped.design);
  const report = validateDesign(routed.design, pack);
  return { ok: true as const, routed, report, unrouted: routed.unrouted, after: priceDesign(routed.design, cost) };
}
