import { type CostBreakdown, priceDesign } from "../cost/index.js";
import type { Design, RulePack, ValidationReport } from "../design/types.js";
import { metres } from "../design/units.js";
import { legaliseDesign } from "../legalise/index.js";
import { routeDesign } from "../route/router.js";
import { validateDesign } from "../validate/validate.js";

export interface RealisedLayout {
  readonly design: Design;
  readonly report: ValidationReport;
  /** Nothing unresolved by the grid snap, every line routed, no validator error. */
  readonly valid: boolean;
  readonly cost?: CostBreakdown;
}

/**
 * Puts solver positions (the MILP optimiser's, say) through the pipeline's own checks: the
 * legaliser's grid snap (clearing what rounding brings too close), the router on every line, the
 * validator. An optimiser layout counts in a comparison only when this finds it valid.
 */
export function realisePlacement(
  design: Design,
  x: readonly number[],
  y: readonly number[],
  pack: RulePack,
  margin: number,
  fixed: readonly string[] = [],
): RealisedLayout {
  const moved: Design = {
    ...design,
    equipment: design.equipment.map((e, i) => ({ ...e, x: x[i]!, y: y[i]! })),
    lines: design.lines.map(({ route: _dropped, ...line }) => line),
  };
  const legal = legaliseDesign(moved, pack, { margin: metres(margin), fixed });
  const routed = routeDesign(legal.design);
  const report = validateDesign(routed.design, pack);
  const valid = legal.unresolved.length === 0 && routed.unrouted.length === 0 && report.summary.errors === 0;
  const cost = pack.cost ? priceDesign(routed.design, pack.cost) : undefined;
  return { design: routed.design, report, valid, ...(cost ? { cost } : {}) };
}
