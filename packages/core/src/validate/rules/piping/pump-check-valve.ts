import { isNozzleEnd } from "../../../design/types.js";
import { PART_CHECK, typeCode } from "../../context.js";
import type { Rule } from "../../types.js";

/**
 * Every pump discharge holds a check valve, so a stopped pump is not driven backwards by the
 * system and a spare pump does not recirculate through it. Lines run from-end → to-end in the flow
 * direction, so a line whose from-end is on the pump is a discharge (suction lines end at the pump).
 */
const PUMP = typeCode("pump");

export const rule: Rule = {
  id: "piping.pump-check-valve",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description: "Every line leaving a pump (its from-end on the pump: the discharge) holds a check valve.",
  source:
    "Pump piping practice (ANSI/HI 9.6.6 Rotodynamic Pumps for Pump Piping): a check valve on each discharge, essential for pumps in parallel.",
  fix: "Put a check valve on the discharge, next to the pump and before its block valve.",
  check({ design, index }, emit) {
    const { uniqueEquipment, uniqueTypes, endsStart, endsList, lineParts } = index;
    for (let k = 0; k < uniqueEquipment.length; k++) {
      if (uniqueTypes[k] !== PUMP) continue;
      const equipment = uniqueEquipment[k]!;
      const tag = equipment.tag;
      for (let p = endsStart[k]!; p < endsStart[k + 1]!; p++) {
        const code = endsList[p]!;
        if (code & 1 || lineParts[code >> 1]! & PART_CHECK) continue;
        const line = design.lines[code >> 1]!;
        const end = line.from;
        const nozzle = isNozzleEnd(end) ? end.nozzle : "";
        const point = index.nozzlePoint(tag, nozzle);
        emit({
          message: `Pump ${tag} discharges through line ${line.id} (from nozzle ${nozzle}) with no check valve; flow would run back through the pump when it stops (ANSI/HI 9.6.6).`,
          tags: [tag],
          lines: [line.id],
          ...(point ? { location: point } : {}),
        });
      }
    }
  },
};
