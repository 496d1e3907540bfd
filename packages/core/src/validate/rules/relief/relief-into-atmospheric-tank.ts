import { isAtmosphericTank, isReliefLine, landsOn } from "../../relief.js";
import type { Rule } from "../../types.js";

/**
 * Relief flow goes to a closed system or a flare, never into atmospheric storage: a tank built for
 * a few kPa would be burst by a relief valve's full flow and vent flammable vapour at grade. Water
 * and other hazard-free services are left alone (a thermal relief of a water vessel into its own
 * storage is common practice).
 */
export const rule: Rule = {
  id: "piping.relief-into-atmospheric-tank",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description:
    "A relief or flare line (or a header it joins) does not end on an atmospheric tank, unless neither side is flammable or toxic.",
  source:
    "API Std 521 (7th ed., 2020) 5.4 and 5.5 (relief discharges to a closed system or flare); API Std 650 (2020) Annex F and API Std 2000 (2014) (atmospheric tanks are built for 18 kPa at most); rule pack reliefSystems.",
  fix: "Route the relief line to a knock-out drum and flare, or to a closed vessel rated for it.",
  skipReason: ({ pack }) => (pack.reliefSystems ? undefined : "the rule pack has no reliefSystems section"),
  check({ design, index, pack }, emit) {
    const limit = pack.reliefSystems!.atmosphericTankPressure;
    const lines = design.lines;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!isReliefLine(line, index.lineParts[i]!)) continue;
      const landing = landsOn(index, i);
      if (!landing || !isAtmosphericTank(landing.equipment, limit)) continue;
      const tank = landing.equipment;
      const source = index.endEquipment(2 * i);
      const hazardous = (h: string | undefined) => h === "flammable" || h === "toxic";
      if (!hazardous(tank.hazard) && !hazardous(source?.hazard)) continue;
      emit({
        message: `Relief line ${line.id}${source ? ` from ${source.tag}` : ""} discharges into atmospheric tank ${tank.tag} (design ${tank.designPressure ?? "not stated"}${tank.designPressure === undefined ? "" : " barg"}, at most ${limit} barg); relief goes to a flare or closed system (API 521 5.4).`,
        tags: [tank.tag, ...(source ? [source.tag] : [])],
        lines: landing.via === line ? [line.id] : [line.id, landing.via.id],
      });
    }
  },
};
