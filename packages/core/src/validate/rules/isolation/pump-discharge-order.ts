import { COMPONENT_TYPES } from "../../../design/vocabulary.js";
import { componentCode, PART_BLOCK, PART_CHECK, typeCode } from "../../context.js";
import { BLOCK_VALVES } from "../../relief.js";
import type { Rule } from "../../types.js";

/**
 * A pump discharge runs nozzle → check valve → block valve: the check valve next to the pump keeps
 * reverse flow off it, and the block valve after the check valve isolates both for maintenance.
 * A block valve between the nozzle and the check valve leaves the check valve unisolable. Lines
 * with no check valve are piping.pump-check-valve's finding.
 */
const PUMP = typeCode("pump");
const CHECK = componentCode("check_valve");
/** Per component type code: 1 for a block valve other than a control valve (the types PART_BLOCK flags). */
const blockType = new Uint8Array(256);
for (const type of COMPONENT_TYPES)
  if (BLOCK_VALVES.has(type) && type !== "control_valve") blockType[componentCode(type)] = 1;

export const rule: Rule = {
  id: "piping.pump-discharge-order",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description: "On a pump discharge the check valve comes before the first block valve.",
  source:
    "ANSI/HI 9.6.6-2016 (check valve then isolation valve on the discharge); PIP RESP73H (2011) pump piping; ISO 10628 flow order of inline components.",
  fix: "Order the discharge components nozzle → check valve → block valve.",
  check({ design, index }, emit) {
    const { uniqueEquipment, uniqueTypes, endsStart, endsList, lineParts, componentStart, componentType } = index;
    for (let k = 0; k < uniqueEquipment.length; k++) {
      if (uniqueTypes[k] !== PUMP) continue;
      const pump = uniqueEquipment[k]!;
      const tag = pump.tag;
      for (let p = endsStart[k]!; p < endsStart[k + 1]!; p++) {
        const code = endsList[p]!;
        // A discharge (from-end) line with a check valve and a block valve (PART_BLOCK: the block
        // valves other than a control valve); the rest have nothing to order.
        if (code & 1 || (lineParts[code >> 1]! & (PART_CHECK | PART_BLOCK)) !== (PART_CHECK | PART_BLOCK)) continue;
        // The first check valve and the first block valve, from the index's component columns.
        const from = componentStart[code >> 1]!;
        const to = componentStart[(code >> 1) + 1]!;
        let check = from;
        while (check < to && componentType[check] !== CHECK) check++;
        if (check === to) continue;
        let block = from;
        while (block < to && blockType[componentType[block]!] !== 1) block++;
        if (block === to || block > check) continue;
        const line = design.lines[code >> 1]!;
        const parts = line.components;
        block -= from;
        emit({
          message: `Pump ${tag} discharge ${line.id} has ${parts[block]!.tag ?? `a ${parts[block]!.type.replace(/_/g, " ")}`} before its check valve; the order is nozzle → check valve → block valve (ANSI/HI 9.6.6).`,
          tags: [tag],
          lines: [line.id],
        });
      }
    }
  },
};
