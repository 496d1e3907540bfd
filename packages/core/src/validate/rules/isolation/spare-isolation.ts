import { PART_BLOCK, typeCode } from "../../context.js";
import type { Rule } from "../../types.js";

/** "P-101" for P-101A / P-101B; undefined for a tag without a trailing set letter. */
const setOf = (tag: string): string | undefined => (/^(.*\d)[A-Z]$/.test(tag) ? tag.slice(0, -1) : undefined);

/** Line end sides (0 from, 1 to) in the order checked. */
const SIDES = [
  [1, "to", "suction"],
  [0, "from", "discharge"],
] as const;

/**
 * Installed spares are maintained while the plant runs: each pump of a set (P-101A, P-101B...) has
 * a block valve on its own suction line and its own discharge line, so it can be isolated alone.
 */
const PUMP = typeCode("pump");

export const rule: Rule = {
  id: "piping.spare-isolation",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description: "Each pump of an A/B set has a block valve on its own suction and its own discharge line.",
  source:
    "API Std 610 (12th ed., 2021) and PIP RESP73H (pump piping: suction and discharge block valves on each pump so a spare is isolated for maintenance while its twin runs); ANSI/HI 9.6.6.",
  fix: "Add a gate valve on the pump's own suction line and on its own discharge line (after the check valve).",
  check({ design, index }, emit) {
    const { uniqueEquipment, uniqueTypes, endsStart, endsList, lineParts } = index;
    // Set name → positions in uniqueEquipment of its pumps.
    const sets = new Map<string, number[]>();
    for (let k = 0; k < uniqueEquipment.length; k++) {
      if (uniqueTypes[k] !== PUMP) continue;
      const set = setOf(uniqueEquipment[k]!.tag);
      if (!set) continue;
      const members = sets.get(set);
      if (members) members.push(k);
      else sets.set(set, [k]);
    }
    for (const members of sets.values()) {
      if (members.length < 2) continue;
      for (const k of members) {
        const pump = uniqueEquipment[k]!;
        const p0 = endsStart[k]!;
        const p1 = endsStart[k + 1]!;
        if (p0 === p1) continue;
        for (const [bit, end, side] of SIDES) {
          // Most pumps pass: decided in one scan, the line lists written for a finding only.
          let own = 0;
          let isolated = false;
          for (let p = p0; p < p1; p++) {
            const code = endsList[p]!;
            if ((code & 1) !== bit) continue;
            own++;
            if (lineParts[code >> 1]! & PART_BLOCK) isolated = true;
          }
          if (own === 0 || isolated) continue;
          const lines = [];
          for (let p = p0; p < p1; p++) if ((endsList[p]! & 1) === bit) lines.push(design.lines[endsList[p]! >> 1]!);
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
