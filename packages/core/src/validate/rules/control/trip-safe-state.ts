import type { Line } from "../../../design/types.js";
import { isNozzleEnd } from "../../../design/types.js";
import type { DesignIndex } from "../../context.js";
import type { Rule } from "../../types.js";

/**
 * The equipment an instrument senses (its tag number `id`, as `DesignIndex.control` gives it): its
 * own mount, or the equipment a line-mounted one flows into, from the resolved mounts.
 */
function sensedEquipment(index: DesignIndex, id: number): string | undefined {
  const at = index.tagInstrument[id]!;
  const on = at < 0 ? undefined : index.design.instruments[at]!.on;
  if (!on) return undefined;
  if ("tag" in on) return on.tag;
  // The first line with that id (−2 − its position), or −1 when no line has it.
  const mount = index.control.instrumentOn[at]!;
  const to = mount <= -2 ? index.design.lines[-2 - mount]!.to : undefined;
  return to && isNozzleEnd(to) ? to.tag : undefined;
}

const endsAt = (line: Line, side: "from" | "to", tag: string): boolean => {
  const end = line[side];
  return isNozzleEnd(end) && end.tag === tag;
};

/**
 * A trip drives toward the safe state. On a high pressure or level the safe move is to stop what
 * fills the equipment, so opening a valve on a line into it or starting a pump that discharges into
 * it is a trip that makes things worse; on a low one, opening or starting what empties it.
 */
export const rule: Rule = {
  id: "control.trip-safe-state",
  category: "control",
  severity: "error",
  appliesTo: "all",
  description:
    "A high pressure/level trip never opens or starts a feed to the sensed equipment; a low one never opens or starts its outlet.",
  source:
    "IEC 61511-1:2016 10.3.2 (each safety function's action achieves or maintains a safe state); API RP 14C / ISO 10418 (high pressure shuts in the inflow).",
  fix: "Reverse the action (close or stop instead of open or start), or act on the other side of the equipment.",
  check({ design, index }, emit) {
    // Causes and targets as the index's tag numbers: no tag is looked up.
    const interlocks = design.control.interlocks;
    const { interlockCause, effectStart, effectTarget } = index.control;
    for (let i = 0; i < interlocks.length; i++) {
      const interlock = interlocks[i]!;
      const { instrument, trip } = interlock.cause;
      const variable = instrument.charAt(0);
      if (variable !== "P" && variable !== "L") continue;
      const sensed = sensedEquipment(index, interlockCause[i]!);
      if (!sensed) continue;
      const high = trip === "H" || trip === "HH";
      // high: what fills the item is bad to open; low: what empties it.
      const side = high ? "to" : "from";
      const effects = interlock.effects;
      for (let e = 0; e < effects.length; e++) {
        const effect = effects[e]!;
        const target = effectTarget[effectStart[i]! + e]!;
        const k = index.tagEquipment[target]!;
        let wrong: string | undefined;
        if (effect.action === "open") {
          const found = index.tagComponent[target];
          if (found && endsAt(found.line, side, sensed))
            wrong = `opens ${effect.target} on line ${found.line.id}, which ${high ? "feeds" : "drains"} ${sensed}`;
        } else if (effect.action === "start" && k >= 0 && index.uniqueEquipment[k]!.type === "pump") {
          const refs = index.endsAt(k);
          const pumpSide = high ? "from" : "to";
          const via = refs.find((r) => r.end === pumpSide && endsAt(r.line, side, sensed));
          if (via)
            wrong = `starts pump ${effect.target}, which ${high ? "pumps into" : "draws from"} ${sensed} through line ${via.line.id}`;
        }
        if (!wrong) continue;
        emit({
          message: `Interlock ${interlock.tag} on ${trip} ${variable === "P" ? "pressure" : "level"} (${instrument}) ${wrong}: the trip drives away from the safe state (IEC 61511-1 10.3.2).`,
          tags: [interlock.tag, effect.target, instrument, sensed],
        });
      }
    }
  },
};
