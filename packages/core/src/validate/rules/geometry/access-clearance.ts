import { overlapArea, rectDistance } from "../../../design/geometry.js";
import { MAX_NEIGHBOUR_PAIRS } from "../../context.js";
import { AREA_EPS, between, EPS, label } from "../../describe.js";
import { metres } from "../../geometry3d.js";
import type { Rule } from "../../types.js";

/**
 * Operation and maintenance access: every pair of placed equipment at overlapping elevations keeps
 * the pack's clearance between footprints. Overlapping pairs are the overlap rule's business.
 */
export const rule: Rule = {
  id: "geometry.access-clearance",
  category: "geometry",
  severity: "warning",
  appliesTo: "placed",
  description:
    "Equipment at overlapping elevations keeps access.clearance between footprints for operation and maintenance.",
  source: "Rule pack access (default: PIP PNE00003 access clearances, OSHA 29 CFR 1910.22).",
  fix: "Move the items apart until the access clearance is free between them.",
  check({ pack, index }, emit) {
    const clearance = pack.access.clearance;
    if (clearance <= 0) return;
    const pairs = index.neighbours;
    if (index.neighboursTruncated) {
      emit({
        message: `More than ${MAX_NEIGHBOUR_PAIRS} pairs of footprints lie next to each other: far denser than a plant; only the first were checked.`,
      });
    }
    for (let p = 0; p < pairs.length; p += 2) {
      const a = index.placed[pairs[p]!]!;
      const b = index.placed[pairs[p + 1]!]!;
      if (Math.min(a.maxZ, b.maxZ) - Math.max(a.minZ, b.minZ) <= EPS) continue;
      if (overlapArea(a, b) > AREA_EPS) continue;
      const gap = rectDistance(a, b);
      if (gap >= clearance - EPS) continue;
      emit({
        message: `${label(a.equipment)} and ${label(b.equipment)} are ${metres(gap)} apart; the pack keeps ${metres(clearance)} clear around equipment for access (PIP PNE00003; OSHA 29 CFR 1910.22).`,
        tags: [a.equipment.tag, b.equipment.tag],
        location: between(a, b, Math.max(a.minZ, b.minZ)),
      });
    }
  },
};
