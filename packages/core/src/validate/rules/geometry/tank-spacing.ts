import { rectDistance } from "../../../design/geometry.js";
import { type PlacedItem, typeCode } from "../../context.js";
import { between, EPS } from "../../describe.js";
import { metres } from "../../geometry3d.js";
import type { ResolvedRulePack, Rule } from "../../types.js";

/** A tank's diameter: the larger side of its footprint (round tanks have square footprints). */
function diameter(t: PlacedItem): number {
  return Math.max(t.maxX - t.minX, t.maxY - t.minY);
}

function isRound(t: PlacedItem): boolean {
  return Math.abs(t.maxX - t.minX - (t.maxY - t.minY)) <= EPS;
}

/** Shell-to-shell distance between two tanks: circle to circle when both are round, else edge to edge. */
function shellGap(a: PlacedItem, b: PlacedItem): number {
  if (isRound(a) && isRound(b)) {
    const d = Math.hypot(a.equipment.x - b.equipment.x, a.equipment.y - b.equipment.y);
    return Math.max(0, d - (diameter(a) + diameter(b)) / 2);
  }
  return rectDistance(a, b);
}

/** Required shell-to-shell distance: a fraction of the sum of diameters, never under the minimum. */
function requiredTankGap(pack: ResolvedRulePack, da: number, db: number): number {
  const t = pack.tankSpacing;
  const large = t.largeTankDiameter !== undefined && Math.max(da, db) > t.largeTankDiameter;
  const fraction = large && t.largeTankFraction !== undefined ? t.largeTankFraction : t.fractionOfSumOfDiameters;
  return Math.max(t.minimum, fraction * (da + db));
}

/**
 * Tank-to-tank shell spacing by diameter (NFPA 30 Table 22.4.2.1 style): a fraction of the sum of
 * the two diameters (a larger fraction above the large-tank diameter), never under the minimum.
 */
export const rule: Rule = {
  id: "geometry.tank-spacing",
  category: "geometry",
  severity: "error",
  appliesTo: "placed",
  description: "Storage tanks keep the shell-to-shell distance the pack derives from their diameters.",
  source: "Rule pack tankSpacing (default: NFPA 30 (2021) Table 22.4.2.1).",
  fix: "Move the tanks apart to the shell-to-shell distance the pack asks.",
  check({ pack, index }, emit) {
    const tank = typeCode("tank");
    const tanks = index.placed.filter((p) => index.placedType[p.slot] === tank);
    if (tanks.length < 2) return;
    const largest = Math.max(...tanks.map(diameter));
    const tree = index.footprints;
    for (const a of tanks) {
      const da = diameter(a);
      // Circle gaps are never smaller than rectangle gaps, so the rectangle search radius suffices.
      const reach = requiredTankGap(pack, da, largest);
      const box = { minX: a.minX - reach, minY: a.minY - reach, maxX: a.maxX + reach, maxY: a.maxY + reach };
      for (const b of tree.search(box)) {
        if (b.index <= a.index || b.equipment.type !== "tank") continue;
        const need = requiredTankGap(pack, da, diameter(b));
        const gap = shellGap(a, b);
        if (gap >= need - EPS) continue;
        emit({
          message: `Tanks ${a.equipment.tag} (${metres(da)} across) and ${b.equipment.tag} (${metres(diameter(b))} across) are ${metres(gap)} apart shell to shell; the pack asks for at least ${metres(need)} (${pack.tankSpacing.source}).`,
          tags: [a.equipment.tag, b.equipment.tag],
          location: between(a, b, Math.max(a.minZ, b.minZ)),
        });
      }
    }
  },
};
