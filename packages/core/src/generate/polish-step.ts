/**
 * The polish (polish/) on a legalised, routed candidate, with the margin its legalisation kept;
 * then its cost. A candidate the legaliser left unresolved is priced but not polished.
 */
import { type CostBreakdown, designCost } from "../cost/index.js";
import type { Design, RulePack, ValidationReport } from "../design/types.js";
import { loadedSolver, type PolishReport, polishCandidate } from "../polish/index.js";

export function polished<
  R extends {
    design: Design;
    report: ValidationReport;
    unrouted: readonly { line: string; code: string; reason: string }[];
    unresolved: readonly string[];
    margin: number;
  },
>(r: R, pack: RulePack, fixed: readonly string[], on: boolean): R & { cost?: CostBreakdown; polish?: PolishReport } {
  const priced = (x: R, polish?: PolishReport) => {
    const cost = designCost(x.design, pack);
    return { ...x, ...(cost ? { cost } : {}), ...(polish ? { polish } : {}) };
  };
  if (!on) return priced(r);
  const solver = loadedSolver();
  const skipped = (reason: string): PolishReport => ({ applied: false, reason, lpMs: 0, rounds: 0, checkMs: 0 });
  if (!solver) return priced(r, skipped("HiGHS is not loaded: await loadSolver() before generating"));
  if (r.unresolved.length > 0) return priced(r, skipped("the legaliser left items unresolved"));
  const out = polishCandidate(r.design, r.report, r.unrouted, pack, solver, { margin: r.margin, fixed });
  return {
    ...r,
    design: out.design,
    report: out.report,
    unrouted: out.unrouted,
    ...(out.cost ? { cost: out.cost } : {}),
    polish: out.polish,
  };
}
