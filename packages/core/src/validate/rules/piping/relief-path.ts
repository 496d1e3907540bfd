import { PART_RELIEF } from "../../context.js";
import { centre } from "../../describe.js";
import type { Rule } from "../../types.js";

/**
 * Equipment designed above the pack's pressure threshold needs a relief path: a relief valve on a
 * line attached to one of its nozzles (the contract: "a relief_valve on a line leaving the
 * equipment it protects"). Types the pack exempts are protected by the system they sit in.
 */
export const rule: Rule = {
  id: "piping.relief-path",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description:
    "Equipment with designPressure above relief.pressureThreshold has a relief valve on a line at one of its nozzles.",
  source: "Rule pack relief (default: ASME BPVC VIII-1 U-1(c)(2)(h) and UG-150; API Std 520/521).",
  fix: "Add a line at one of the item's nozzles with a relief valve (PSV) to a flare or closed drum.",
  check({ design, pack, index }, emit) {
    const { pressureThreshold, exemptTypes } = pack.relief;
    const exempt = new Set<string>(exemptTypes);
    const { uniqueEquipment, endsStart, endsList, lineParts } = index;
    for (let k = 0; k < uniqueEquipment.length; k++) {
      const equipment = uniqueEquipment[k]!;
      const p = equipment.designPressure;
      if (p === undefined || p <= pressureThreshold || exempt.has(equipment.type)) continue;
      let relieved = false;
      for (let p = endsStart[k]!; p < endsStart[k + 1]! && !relieved; p++)
        relieved = (lineParts[endsList[p]! >> 1]! & PART_RELIEF) !== 0;
      if (relieved) continue;
      const refs = endsList.subarray(endsStart[k]!, endsStart[k + 1]!);
      const tag = equipment.tag;
      const item = index.placedByTag.get(tag);
      emit({
        message: `${tag} (${equipment.type.replace(/_/g, " ")}) is designed for ${p} barg, above ${pressureThreshold} barg, but no line on its nozzles holds a relief valve (ASME VIII-1 UG-150; API Std 521).`,
        tags: [tag],
        lines: Array.from(refs, (code) => design.lines[code >> 1]!.id),
        ...(item ? { location: centre(item) } : {}),
      });
    }
  },
};
