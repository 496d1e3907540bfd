import { isAtmosphericTank } from "../../relief.js";
import type { Rule } from "../../types.js";

/** A nozzle marked as a vent (VENT, V, V1, VENT2...): open to air through its vent device. */
const VENT_MARK = /^V(ENT)?\d*$/i;

/**
 * An atmospheric tank breathes: pumping in, pumping out and the weather move vapour in and out of
 * it, and a fire needs emergency venting. It shows a vent: a nozzle marked VENT (or V, V1...) that
 * no process line takes, or a vent line at one of its nozzles, or a relief or flare line leaving it.
 */
export const rule: Rule = {
  id: "piping.tank-vent",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description:
    "Every atmospheric tank (design pressure at most reliefSystems.atmosphericTankPressure, or none stated) has a vent nozzle or a vent line.",
  source:
    "API Std 2000 (7th ed., 2014) 4.3 (normal and emergency venting of atmospheric storage tanks); NFPA 30 (2021) 22.7 and 22.8; rule pack reliefSystems.",
  fix: "Give the tank a vent nozzle (id VENT) with its vent or pressure-vacuum valve, or a vent line to vapour recovery.",
  skipReason: ({ pack }) => (pack.reliefSystems ? undefined : "the rule pack has no reliefSystems section"),
  check({ design, index, pack }, emit) {
    const limit = pack.reliefSystems!.atmosphericTankPressure;
    const equipment = design.equipment;
    for (let i = 0; i < equipment.length; i++) {
      const tank = equipment[i]!;
      if (!isAtmosphericTank(tank, limit)) continue;
      const refs = index.endsAt(index.equipmentKey[i]!);
      const venting = refs.some(
        (r) =>
          r.line.service === "vent" ||
          (r.end === "from" && (r.line.service === "relief" || r.line.service === "flare")),
      );
      if (venting) continue;
      const taken = new Set(refs.map((r) => (r.line[r.end] as { nozzle: string }).nozzle));
      if (tank.nozzles.some((n) => VENT_MARK.test(n.id) && !taken.has(n.id))) continue;
      emit({
        message: `Atmospheric tank ${tank.tag} (design ${tank.designPressure === undefined ? "not stated" : `${tank.designPressure} barg`}) shows no vent: no free VENT nozzle and no vent line (API 2000 4.3).`,
        tags: [tank.tag],
      });
    }
  },
};
