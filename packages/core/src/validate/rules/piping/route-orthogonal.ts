import { changedAxes, formatPoint } from "../../geometry3d.js";
import type { Rule } from "../../types.js";

/**
 * Routes are orthogonal: each segment runs east–west, north–south or vertically (elbows at the
 * points), as pipes are laid. A segment may stray from its axis by the pack's maxSegmentGap.
 */
export const rule: Rule = {
  id: "piping.route-orthogonal",
  category: "piping",
  severity: "error",
  appliesTo: "placed",
  description: "Consecutive route points differ along one axis only: routes are continuous orthogonal polylines.",
  source:
    "Orthogonal piping practice (pipes run along plant axes with 90° elbows, ASME B16.9 fittings); tolerance from rule pack routing.maxSegmentGap.",
  fix: "Split the diagonal segment into orthogonal runs with elbows.",
  check({ design, pack }, emit) {
    const tol = pack.routing.maxSegmentGap;
    for (const line of design.lines) {
      const route = line.route;
      if (!route) continue;
      for (let k = 0; k + 1 < route.length; k++) {
        const a = route[k]!;
        const b = route[k + 1]!;
        if (changedAxes(a, b, tol) <= 1) continue;
        emit({
          message: `Segment ${k + 1} of line ${line.id}'s route, ${formatPoint(a)} to ${formatPoint(b)}, runs along more than one axis; routes run east–west, north–south or vertically.`,
          lines: [line.id],
          location: a,
        });
        break;
      }
    }
  },
};
