import { isNozzleEnd } from "../../../design/types.js";
import type { Rule } from "../../types.js";

/**
 * Every pump discharge holds a check valve, so a stopped pump is not driven backwards by the
 * system and a spare pump does not recirculate through it. Lines run from-end → to-end in the flow
 * direction, so a line whose from-end is on the pump is a discharge (suction lines end at the pump).
 */
export const rule: Rule = {
  id: "piping.pump-check-valve",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description: "Every line leaving a pump (its from-end on the pump: the discharge) holds a check valve.",
  source:
    "Pump piping practice (ANSI/HI 9.6.6 Rotodynamic Pumps for Pump Piping): a check valve on each discharge, essential for pumps in parallel.",
  fix: "Put a check valve on the discharge, next to the pump and before its block valve.",
  check({ index }, emit) {
    for (const equipment of index.uniqueEquipment) {
      const tag = equipment.tag;
      if (equipment.type !== "pump") continue;
      for (const ref of index.endsAtEquipment.get(tag) ?? []) {
        if (ref.end !== "from") continue;
        const line = ref.line;
        if (line.components.some((c) => c.type === "check_valve")) continue;
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
