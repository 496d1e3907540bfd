import type { Design, RulePack } from "../design/types.js";
import { boxOf } from "./model.js";
import { optimisePlacement } from "./optimise.js";
import { placementProblem } from "./problem.js";
import { type RealisedLayout, realisePlacement } from "./realise.js";
import type { Solver } from "./solver.js";

/**
 * The optimiser baseline on one design's equipment, lines and spacing: the MILP with free pair
 * orders and a time limit, its positions put through the pipeline's snap, route and validate.
 * Undefined when the solver found no layout in time; the result says whether it is valid.
 */
export function optimiserLayout(
  design: Design,
  pack: RulePack,
  solver: Solver,
  options: { readonly timeLimit: number; readonly margin: number },
): RealisedLayout | undefined {
  const p = placementProblem(design, pack, options.margin);
  const opt = optimisePlacement(p, solver, { timeLimit: options.timeLimit, reference: boxOf(p, p.x, p.y) });
  if (!opt.x || !opt.y) return undefined;
  return realisePlacement(design, opt.x, opt.y, pack, options.margin);
}
