import { overlapArea } from "../../../design/geometry.js";
import { MAX_NEIGHBOUR_PAIRS } from "../../context.js";
import { AREA_EPS, between, EPS, label } from "../../describe.js";
import { metres } from "../../geometry3d.js";
import type { Rule } from "../../types.js";

/**
 * No two equipment bodies share space: plan rectangles overlap AND their vertical extents
 * (base to base + height) overlap. Equipment stacked on a structure above another does not clash.
 */
export const rule: Rule = {
  id: "geometry.overlap",
  category: "geometry",
  severity: "error",
  appliesTo: "placed",
  description: "No two placed equipment bodies overlap in 3-D (plan footprint and height).",
  source: "Physical constraint: two solid bodies cannot occupy the same space.",
  fix: "Move one item until the footprints no longer overlap, or stack them at different heights.",
  check({ index }, emit) {
    const pairs = index.neighbours;
    if (index.neighboursTruncated) {
      emit({
        message: `More than ${MAX_NEIGHBOUR_PAIRS} pairs of footprints lie next to each other: far denser than a plant; only the first were checked.`,
      });
    }
    for (let p = 0; p < pairs.length; p += 2) {
      const a = index.placed[pairs[p]!]!;
      const b = index.placed[pairs[p + 1]!]!;
      const area = overlapArea(a, b);
      if (area <= AREA_EPS) continue;
      const zLo = Math.max(a.minZ, b.minZ);
      const zHi = Math.min(a.maxZ, b.maxZ);
      if (zHi - zLo <= EPS) continue;
      emit({
        message: `${label(a.equipment)} and ${label(b.equipment)} overlap: ${Math.round(area * 100) / 100} m² in plan over ${metres(zHi - zLo)} of height.`,
        tags: [a.equipment.tag, b.equipment.tag],
        location: between(a, b, zLo),
      });
    }
  },
};
