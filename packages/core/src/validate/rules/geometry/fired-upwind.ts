import { hazardCode, typeCode } from "../../context.js";
import { centre, label, listOf } from "../../describe.js";
import { metres } from "../../geometry3d.js";
import type { Rule } from "../../types.js";

/**
 * With a prevailing wind (site.windFrom, degrees clockwise from north, the direction it blows
 * from), fired equipment should stand upwind of flammable equipment: a release then drifts away
 * from the flame. Flags flammable items within the pack's radius of a fired item and inside the
 * pack's sector about the upwind direction.
 */
export const rule: Rule = {
  id: "geometry.fired-upwind",
  category: "geometry",
  severity: "warning",
  appliesTo: "placed",
  description:
    "When windFrom is given, no flammable equipment stands upwind of fired equipment within the pack's wind radius.",
  source: "Rule pack wind (default: CCPS Guidelines for Siting and Layout of Facilities, IPS-E-PR-190).",
  fix: "Move the fired item upwind of the hydrocarbon equipment, or outside the wind sector's radius.",
  skipReason({ design, pack }) {
    if (design.site.windFrom === undefined) return "the site gives no prevailing wind (site.windFrom)";
    if (!pack.wind) return "the rule pack has no wind section";
    return undefined;
  },
  check({ design, pack, index }, emit) {
    const windFrom = design.site.windFrom;
    const wind = pack.wind;
    if (windFrom === undefined || !wind) return;
    const rad = (windFrom * Math.PI) / 180;
    // Unit vector pointing to where the wind comes from (x east, y north).
    const ux = Math.sin(rad);
    const uy = Math.cos(rad);
    const cosLimit = Math.cos((wind.halfAngle * Math.PI) / 180);
    const r = wind.radius;
    const tree = index.footprints;
    // Types and hazards from the index's columns: the other items are not read.
    const { placed, placedType, placedHazard } = index;
    const fired = hazardCode("fired");
    const flammable = hazardCode("flammable");
    const furnace = typeCode("furnace");
    for (let slot = 0; slot < placed.length; slot++) {
      if (placedHazard[slot] !== fired && placedType[slot] !== furnace) continue;
      const f = placed[slot]!;
      const fe = f.equipment;
      const upwind: { tag: string; d: number }[] = [];
      for (const c of tree.search({ minX: fe.x - r, minY: fe.y - r, maxX: fe.x + r, maxY: fe.y + r })) {
        if (c.index === f.index || placedHazard[c.slot] !== flammable) continue;
        const vx = c.equipment.x - fe.x;
        const vy = c.equipment.y - fe.y;
        const d = Math.hypot(vx, vy);
        if (d === 0 || d > r) continue;
        if ((vx * ux + vy * uy) / d >= cosLimit) upwind.push({ tag: c.equipment.tag, d });
      }
      if (upwind.length === 0) continue;
      upwind.sort((p, q) => p.d - q.d || (p.tag < q.tag ? -1 : 1));
      const nearest = upwind[0]!;
      emit({
        message: `${label(fe)} is fired but flammable ${listOf(upwind.map((u) => u.tag))} stand${upwind.length === 1 ? "s" : ""} upwind of it (wind from ${windFrom}°; nearest ${nearest.tag} at ${metres(nearest.d)}, inside the pack's ${metres(r)} radius and ±${wind.halfAngle}° sector); a release would drift onto the flame (CCPS Guidelines for Siting and Layout of Facilities, ch. 5; IPS-E-PR-190).`,
        tags: [fe.tag, ...upwind.map((u) => u.tag)],
        location: centre(f),
      });
    }
  },
};
