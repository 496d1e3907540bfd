import { overlapArea, rectDistance } from "../../../design/geometry.js";
import { AREA_EPS, between, EPS, label } from "../../describe.js";
import { metres } from "../../geometry3d.js";
import type { Rule } from "../../types.js";

/**
 * Pipe racks stay free: no equipment on a rack's footprint or within the pack's clearance of it.
 * Equipment standing on the rack structure (base at or above its top level, e.g. air coolers on
 * the rack) is what racks are built for and is not flagged.
 */
export const rule: Rule = {
  id: "geometry.rack-keep-free",
  category: "geometry",
  severity: "error",
  appliesTo: "placed",
  description: "Equipment keeps off pipe racks and at least rackKeepFree.clearance away from their footprints.",
  source: "Rule pack rackKeepFree (default: PIP PNE00003, CCPS Guidelines for Siting and Layout of Facilities).",
  fix: "Move the item off the rack footprint and its access strip.",
  check({ pack, index }, emit) {
    if (index.design.site.racks.length === 0) return;
    const clearance = pack.rackKeepFree.clearance;
    // Items within the clearance of a rack: the rack grown by the clearance meets the footprint.
    index.forEachItemNear(index.rackAreas, clearance, (item, zone) => {
      const rack = zone.rack;
      if (!rack) return;
      if (item.minZ >= Math.max(...rack.levels) - EPS) return;
      const on = overlapArea(item, zone) > AREA_EPS;
      const gap = rectDistance(item, zone);
      if (!on && gap >= clearance - EPS) return;
      emit({
        message: on
          ? `${label(item.equipment)} stands on pipe rack ${rack.id}; racks are kept free of equipment.`
          : `${label(item.equipment)} is ${metres(gap)} from pipe rack ${rack.id}; the pack keeps ${metres(clearance)} free along racks.`,
        tags: [item.equipment.tag],
        location: between(item, zone, item.minZ),
      });
    });
  },
};
