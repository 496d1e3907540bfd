import type { Point3 } from "../../../design/types.js";
import { isNozzleEnd } from "../../../design/types.js";
import { PART_RELIEF_SERVICE } from "../../context.js";
import type { Rule } from "../../types.js";

/** The deepest pocket of a z profile: a point below a higher point before it and one after it. */
export function deepestPocket(route: readonly Point3[], tolerance: number): { at: number; depth: number } | undefined {
  const n = route.length;
  // highest point after each index, so one forward pass finds both sides of every point
  const highestAfter = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  for (let i = n - 2; i >= 0; i--) highestAfter[i] = Math.max(highestAfter[i + 1]!, route[i + 1]![2]);
  let highestBefore = Number.NEGATIVE_INFINITY;
  let deepest: { at: number; depth: number } | undefined;
  for (let i = 0; i < n; i++) {
    const z = route[i]![2];
    const depth = Math.min(highestBefore, highestAfter[i]!) - z;
    if (depth > tolerance && (!deepest || depth > deepest.depth)) deepest = { at: i, depth };
    highestBefore = Math.max(highestBefore, z);
  }
  return deepest;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Relief lines drain: liquid condensed or carried over in a relief or flare line runs off to its
 * disposal, never pooling where the next release would drive it as a slug (hammer, back pressure
 * on the valve). The route's height profile rises from the protected item to its high point, where
 * the relief valve sits (the inlet drains back to the item), and from there falls or stays level to
 * the end: no point lies lower than a point before it and a point after it. Dips within the pack's
 * routing.maxSegmentGap count as level. Only relief and flare lines: a relief valve on a process
 * line sits on a tee of it, and the process route is not its discharge.
 */
export const rule: Rule = {
  id: "piping.relief-free-draining",
  category: "piping",
  severity: "error",
  appliesTo: "placed",
  description:
    "A relief or flare line's route has no pocket: it rises to its high point and then falls or stays level to its disposal (dips within routing.maxSegmentGap are level).",
  source:
    "API Std 520 Part II (2020), discharge piping (free-draining away from the valve, no liquid pockets); API Std 521 (7th ed., 2020) 5.5 (headers and subheaders sloped to the knock-out drum, no pockets).",
  fix: "Route the line so that it falls continuously from the relief valve to its disposal (enter the header or drum from above), or run it higher and drop into the disposal.",
  check({ design, index, pack }, emit) {
    const tolerance = pack.routing.maxSegmentGap;
    const lines = design.lines;
    for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
      // Relief and flare lines from the index's flags: the others are not read.
      if (!(index.lineParts[lineIndex]! & PART_RELIEF_SERVICE)) continue;
      const line = lines[lineIndex]!;
      const route = line.route;
      if (!route || route.length < 3) continue;
      const pocket = deepestPocket(route, tolerance);
      if (!pocket) continue;
      const low = route[pocket.at]!;
      const tags = [line.from, line.to].flatMap((end) => (isNozzleEnd(end) ? [end.tag] : []));
      emit({
        message: `Relief line ${line.id} pockets at [${low.map(round2).join(", ")}]: ${round2(pocket.depth)} m below the route on both sides (level within ${tolerance} m), where liquid collects (API 520 Part II, discharge piping; API 521 5.5).`,
        tags,
        lines: [line.id],
        location: [low[0], low[1], low[2]],
      });
    }
  },
};
