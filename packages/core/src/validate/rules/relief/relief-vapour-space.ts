import { isNozzleEnd } from "../../../design/types.js";
import { PART_RELIEF, PART_RELIEF_SERVICE } from "../../context.js";
import { reliefValveAt } from "../../relief.js";
import type { Rule } from "../../types.js";

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * A vessel's relief valve takes vapour: its relief or flare line leaves the item it protects from a
 * nozzle in the vapour space, above the liquid. A valve fed from below the liquid level relieves
 * liquid, which it is not sized for, and the vessel stays overpressured. Only items that hold a
 * liquid level (pack reliefSystems.vapourSpaceTypes) are checked, and only dedicated relief and
 * flare lines: a relief valve on a process line relieves that line (thermal relief of blocked-in
 * liquid) and sits in liquid by design. Nozzles without a height (topology only) pass.
 */
export const rule: Rule = {
  id: "piping.relief-vapour-space",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description:
    "A relief or flare line with a relief valve leaves a liquid-holding item (reliefSystems.vapourSpaceTypes) from its vapour space: nozzle height at least reliefSystems.vapourSpaceFraction of the item's height.",
  source:
    "API Std 520 Part II (2020), inlet piping (the pressure-relief valve connects to the vapour space of the protected vessel, above the liquid); API Std 521 (7th ed., 2020) 4 (vapour relief loads); rule pack reliefSystems.",
  fix: "Connect the relief line to a nozzle on the top of the item (in its vapour space), above the highest liquid level.",
  skipReason: ({ pack }) => (pack.reliefSystems ? undefined : "the rule pack has no reliefSystems section"),
  check({ design, index, pack }, emit) {
    const { vapourSpaceFraction, vapourSpaceTypes } = pack.reliefSystems!;
    const liquidHolding = new Set<string>(vapourSpaceTypes);
    const lines = design.lines;
    for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
      // A relief or flare line holding a relief valve, from the index's flags: others are not read.
      const parts = index.lineParts[lineIndex]!;
      if (!(parts & PART_RELIEF) || !(parts & PART_RELIEF_SERVICE)) continue;
      const line = lines[lineIndex]!;
      const at = reliefValveAt(line);
      if (at < 0 || !isNozzleEnd(line.from)) continue;
      const item = index.equipmentByTag.get(line.from.tag);
      if (!item || !liquidHolding.has(item.type)) continue;
      const nozzle = index.nozzle(item.tag, line.from.nozzle);
      const height = item.footprint.height;
      if (nozzle?.dz === undefined || !(height > 0)) continue;
      const lowest = vapourSpaceFraction * height;
      if (nozzle.dz >= lowest) continue;
      const psv = line.components[at]!.tag;
      const point = index.nozzlePoint(item.tag, nozzle.id);
      emit({
        message: `${psv ? `Relief valve ${psv}` : "The relief valve"} on line ${line.id} takes ${item.tag} (${item.type.replace(/_/g, " ")}) from nozzle ${nozzle.id} at ${nozzle.dz} m of its ${height} m (${Math.round((100 * nozzle.dz) / height)} %), below the vapour space (at least ${round2(lowest)} m, ${Math.round(100 * vapourSpaceFraction)} %): it would relieve liquid (API 520 Part II, inlet piping).`,
        tags: [item.tag, ...(psv ? [psv] : [])],
        lines: [line.id],
        ...(point ? { location: point } : {}),
      });
    }
  },
};
