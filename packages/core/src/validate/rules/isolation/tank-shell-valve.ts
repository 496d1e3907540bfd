import { BLOCK_VALVES } from "../../relief.js";
import type { Rule } from "../../types.js";

/** Services that carry vapour or relief flow, not liquid: the shell-valve rule leaves them alone. */
const NOT_LIQUID = new Set(["vent", "relief", "flare", "instrument_air", "steam", "fuel"]);

/**
 * A tank's liquid connections can be shut at the shell: the first component of a line leaving a
 * tank, or the last of a line entering it, is a shut-off valve, so a broken pipe does not empty
 * the tank into the dike.
 */
export const rule: Rule = {
  id: "piping.tank-shell-valve",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description:
    "Every liquid line at a tank nozzle has a shut-off valve next to the tank (first component leaving it, last entering it).",
  source:
    "NFPA 30 (2021) 22.13.1: connections of aboveground tanks through which liquid can normally flow have a valve as close as practical to the shell; API Std 2610 (2018) 8.5.",
  fix: "Put a gate or ball valve on the line next to the tank nozzle (first component leaving the tank, last entering it).",
  check({ design, index }, emit) {
    const equipment = design.equipment;
    for (let i = 0; i < equipment.length; i++) {
      const tank = equipment[i]!;
      if (tank.type !== "tank") continue;
      for (const ref of index.endsAt(index.equipmentKey[i]!)) {
        const line = ref.line;
        if (NOT_LIQUID.has(line.service)) continue;
        const next = ref.end === "from" ? line.components[0] : line.components[line.components.length - 1];
        if (next && BLOCK_VALVES.has(next.type) && next.type !== "control_valve") continue;
        const nozzle = (line[ref.end] as { nozzle: string }).nozzle;
        const point = index.nozzlePoint(tank.tag, nozzle);
        emit({
          message: `Line ${line.id} ${ref.end === "from" ? "leaves" : "enters"} tank ${tank.tag} at nozzle ${nozzle} with ${next ? `a ${next.type.replace(/_/g, " ")}` : "no component"} next to the shell, where a shut-off valve belongs (NFPA 30 22.13.1).`,
          tags: [tank.tag],
          lines: [line.id],
          ...(point ? { location: point } : {}),
        });
      }
    }
  },
};
