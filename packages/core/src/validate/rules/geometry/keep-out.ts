import { overlapArea } from "../../../design/geometry.js";
import { AREA_EPS, between, label } from "../../describe.js";
import type { Rule } from "../../types.js";

/** Keep-out zones (roads, buildings, exclusion areas...) hold no equipment. */
export const rule: Rule = {
  id: "geometry.keep-out",
  category: "geometry",
  severity: "error",
  appliesTo: "placed",
  description: "No placed equipment footprint overlaps a keep-out zone (road, building, exclusion area).",
  source: "PlantGAN design contract (DESIGN.md): site.keepOut are areas no equipment or pipe may occupy.",
  fix: "Move the item off the keep-out (road, building or exclusion zone).",
  check({ index }, emit) {
    if (index.design.site.keepOut.length === 0) return;
    index.forEachItemNear(index.keepOutAreas, 0, (item, zone) => {
      const area = overlapArea(item, zone);
      if (area <= AREA_EPS) return;
      emit({
        message: `${label(item.equipment)} stands in keep-out ${zone.id} (${zone.keepOut?.kind ?? "other"}): ${Math.round(area * 100) / 100} m² of its footprint.`,
        tags: [item.equipment.tag],
        location: between(item, zone, item.minZ),
      });
    });
  },
};
