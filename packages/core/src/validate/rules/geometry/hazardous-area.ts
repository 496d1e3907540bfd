import { boxRect, rectDistance } from "../../../design/geometry.js";
import { hazardCode } from "../../context.js";
import { between, EPS, labelWithHazard } from "../../describe.js";
import { metres } from "../../geometry3d.js";
import { governingDistance } from "../../spacing-table.js";
import type { Rule } from "../../types.js";

/** Hazard classes of equipment that is itself an ignition source (a flame, hot surfaces). */
const IGNITING = ["fired", "ignition_source"] as const;

/**
 * Ignition sources stay outside the classified area around flammable equipment (the pack's extent,
 * plan distance from its edge): substations (non-classified electrical equipment) and fired or
 * otherwise igniting equipment. A pair the spacing table already keeps at least the extent apart is
 * geometry.spacing's finding, not a second one here.
 */
export const rule: Rule = {
  id: "geometry.hazardous-area",
  category: "geometry",
  severity: "error",
  appliesTo: "placed",
  description:
    "No substation keep-out and no fired or igniting equipment lies within hazardousArea.extent of flammable equipment.",
  source: "Rule pack hazardousArea (default: API RP 505 (2018) Zone 2 extents; IEC 60079-10-1:2020).",
  fix: "Move the ignition source (substation, fired heater, flare) or the flammable equipment apart, beyond the classified area.",
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
    // Hazards from the index's column: the items that ignite nothing are not read.
    const { placed, placedHazard } = index;
    const igniting = new Uint8Array(256);
    for (const h of IGNITING) igniting[hazardCode(h)] = 1;
    const flammable = hazardCode("flammable");
    for (let slot = 0; slot < placed.length; slot++) {
      if (igniting[placedHazard[slot]!] !== 1) continue;
      const source = placed[slot]!;
      const near = index.footprints.search({
        minX: source.minX - extent,
        minY: source.minY - extent,
        maxX: source.maxX + extent,
        maxY: source.maxY + extent,
      });
      for (const item of near) {
        if (item === source || placedHazard[item.slot] !== flammable) continue;
        const gap = rectDistance(item, source);
        if (gap >= extent - EPS) continue;
        if (governingDistance(pack.spacing, source.equipment, item.equipment) >= extent) continue;
        emit({
          message: `${labelWithHazard(source.equipment)} is ${metres(gap)} from flammable ${item.equipment.tag}, inside its ${extent} m classified area; no spacing-table entry keeps the pair that far apart (API RP 505; IEC 60079-10-1).`,
          tags: [item.equipment.tag, source.equipment.tag],
          location: between(item, source, Math.max(item.minZ, source.minZ)),
        });
      }
    }
  },
};
