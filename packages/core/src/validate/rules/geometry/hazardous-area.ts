import { boxRect, rectDistance } from "../../../design/geometry.js";
import type { Rule } from "../../types.js";

/**
 * Substations hold non-classified electrical equipment, an ignition source: they stay outside the
 * classified area around flammable equipment (the pack's extent, plan distance from its edge).
 */
export const rule: Rule = {
  id: "geometry.hazardous-area",
  category: "geometry",
  severity: "error",
  appliesTo: "placed",
  description: "No substation keep-out lies within hazardousArea.extent of flammable equipment.",
  source: "Rule pack hazardousArea (default: API RP 505 (2018) Zone 2 extents; IEC 60079-10-1:2020).",
  fix: "Move the substation (or the flammable equipment) apart, beyond the classified area.",
  skipReason: ({ pack }) => (pack.hazardousArea ? undefined : "the rule pack has no hazardousArea section"),
  check({ design, index, pack }, emit) {
    const extent = pack.hazardousArea!.extent;
    for (const k of design.site.keepOut) {
      if (k.kind !== "substation") continue;
      const r = boxRect(k);
      const near = index.footprints.search({
        minX: r.minX - extent,
        minY: r.minY - extent,
        maxX: r.maxX + extent,
        maxY: r.maxY + extent,
      });
      for (const item of near) {
        if (item.equipment.hazard !== "flammable") continue;
        const gap = rectDistance(item, r);
        if (gap >= extent) continue;
        emit({
          message: `Substation ${k.id} is ${Math.round(gap * 100) / 100} m from flammable ${item.equipment.tag}, inside its ${extent} m classified area (API RP 505).`,
          tags: [item.equipment.tag, k.id],
          location: [item.equipment.x, item.equipment.y, 0],
        });
      }
    }
  },
};
