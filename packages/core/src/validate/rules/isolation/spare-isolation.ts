import type { Equipment } from "../../../design/types.js";
import { BLOCK_VALVES } from "../../relief.js";
import type { Rule } from "../../types.js";

/** "P-101" for P-101A / P-101B; undefined for a tag without a trailing set letter. */
const setOf = (tag: string): string | undefined => (/^(.*\d)[A-Z]$/.test(tag) ? tag.slice(0, -1) : undefined);

const SIDES = [
  ["to", "suction"],
  ["from", "discharge"],
] as const;

/**
 * Installed spares are maintained while the plant runs: each pump of a set (P-101A, P-101B...) has
 * a block valve on its own suction line and its own discharge line, so it can be isolated alone.
 */
export const rule: Rule = {
  id: "piping.spare-isolation",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description: "Each pump of an A/B set has a block valve on its own suction and its own discharge line.",
  source:
    "API Std 610 (12th ed., 2021) and PIP RESP73H (pump piping: suction and discharge block valves on each pump so a spare is isolated for maintenance while its twin runs); ANSI/HI 9.6.6.",
  fix: "Add a gate valve on the pump's own suction line and on its own discharge line (after the check valve).",
  check({ index }, emit) {
    const sets = new Map<string, Equipment[]>();
    for (const e of index.uniqueEquipment) {
      const set = e.type === "pump" ? setOf(e.tag) : undefined;
      if (!set) continue;
      const members = sets.get(set);
      if (members) members.push(e);
      else sets.set(set, [e]);
    }
    for (const members of sets.values()) {
      if (members.length < 2) continue;
      for (const pump of members) {
        const refs = index.endsAtEquipment.get(pump.tag);
        if (!refs) continue;
        for (const [end, side] of SIDES) {
          // Most pumps pass: decided in one scan, the line lists written for a finding only.
          let own = 0;
          let isolated = false;
          for (const r of refs) {
            if (r.end !== end) continue;
            own++;
            if (!isolated && r.line.components.some((c) => BLOCK_VALVES.has(c.type) && c.type !== "control_valve"))
              isolated = true;
          }
          if (own === 0 || isolated) continue;
          const lines = refs.filter((r) => r.end === end).map((r) => r.line);
          const point = index.nozzlePoint(pump.tag, (lines[0]![end] as { nozzle: string }).nozzle);
          emit({
            message: `Spare pump ${pump.tag} has no block valve on its own ${side} line ${lines.map((l) => l.id).join(", ")}: it cannot be isolated while its twin runs (API Std 610; PIP RESP73H).`,
            tags: [pump.tag],
            lines: lines.map((l) => l.id),
            ...(point ? { location: point } : {}),
          });
        }
      }
    }
  },
};
