import { typeCode } from "../../context.js";
import { centre } from "../../describe.js";
import type { Rule } from "../../types.js";

/**
 * Tanks of flammable or combustible liquid keep their distance from the property line (taken as
 * the site boundary): a fraction of the diameter, never less than the pack's minimum, capped.
 */
export const rule: Rule = {
  id: "geometry.tank-property-line",
  category: "geometry",
  severity: "error",
  appliesTo: "placed",
  description: "A flammable (or NFPA-classed) tank stands at least tankSiting's distance from the site boundary.",
  source: "Rule pack tankSiting (default: NFPA 30 (2021) Table 22.4.1.1(a) and (b)).",
  fix: "Move the tank inward from the boundary, or use a smaller tank.",
  skipReason: ({ pack }) => (pack.tankSiting ? undefined : "the rule pack has no tankSiting section"),
  check({ design, index, pack }, emit) {
    const { fractionOfDiameter, minimum, maximum } = pack.tankSiting!;
    // Types from the index's column: only tanks are read.
    const { placed, placedType } = index;
    const tank = typeCode("tank");
    for (let slot = 0; slot < placed.length; slot++) {
      if (placedType[slot] !== tank) continue;
      const item = placed[slot]!;
      const e = item.equipment;
      if (e.hazard !== "flammable" && e.liquidClass === undefined) continue;
      const diameter = Math.max(e.footprint.width, e.footprint.depth);
      const need = Math.min(Math.max(fractionOfDiameter * diameter, minimum), maximum ?? Number.POSITIVE_INFINITY);
      const gap = Math.min(item.minX, item.minY, design.site.width - item.maxX, design.site.depth - item.maxY);
      if (gap >= need - 1e-6) continue;
      emit({
        message: `Tank ${e.tag} (${diameter} m diameter) stands ${Math.max(0, Math.round(gap * 100) / 100)} m from the property line; NFPA 30 Table 22.4.1.1(a) asks ${Math.round(need * 100) / 100} m.`,
        tags: [e.tag],
        location: centre(item),
      });
    }
  },
};
