import { formatPoint } from "../../geometry3d.js";
import { segmentEnd, segmentStart } from "../../segments.js";
import type { Rule } from "../../types.js";

/**
 * Routes are orthogonal: each segment runs east–west, north–south or vertically (elbows at the
 * points), as pipes are laid. A segment may stray from its axis by the pack's maxSegmentGap.
 * Read from the index's segment columns (each route's segments in order, line by line), not from
 * the route points: at 100,000 equipment those are 800,000 small arrays spread over the heap.
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
  check({ design, pack, index }, emit) {
    const tol = pack.routing.maxSegmentGap;
    const s = index.segments;
    const { ax, ay, az, bx, by, bz } = s;
    // A line is reported at its first stray segment only.
    let reported = -1;
    for (let i = 0; i < s.count; i++) {
      const li = s.line[i]!;
      if (li === reported) continue;
      let moves = 0;
      if (Math.abs(bx[i]! - ax[i]!) > tol) moves++;
      if (Math.abs(by[i]! - ay[i]!) > tol) moves++;
      if (Math.abs(bz[i]! - az[i]!) > tol) moves++;
      if (moves <= 1) continue;
      reported = li;
      const a = segmentStart(s, i);
      const id = design.lines[li]!.id;
      emit({
        message: `Segment ${s.k[i]! + 1} of line ${id}'s route, ${formatPoint(a)} to ${formatPoint(segmentEnd(s, i))}, runs along more than one axis; routes run east–west, north–south or vertically.`,
        lines: [id],
        location: a,
      });
    }
  },
};
