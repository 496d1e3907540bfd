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
  check({ pack, index }, emit) {
    const { pressureThreshold, exemptTypes } = pack.relief;
    const exempt = new Set<string>(exemptTypes);
    for (const equipment of index.uniqueEquipment) {
      const tag = equipment.tag;
      const p = equipment.designPressure;
      if (p === undefined || p <= pressureThreshold || exempt.has(equipment.type)) continue;
      const refs = index.endsAtEquipment.get(tag) ?? [];
      if (refs.some((r) => r.line.components.some((c) => c.type === "relief_valve"))) continue;
      const item = index.placedByTag.get(tag);
      emit({
        message: `${tag} (${equipment.type.replace(/_/g, " ")}) is designed for ${p} barg, above ${pressureThreshold} barg, but no line on its nozzles holds a relief valve (ASME VIII-1 UG-150; API Std 521).`,
        tags: [tag],
        lines: refs.map((r) => r.line.id),
        ...(item ? { location: centre(item) } : {}),
      });
    }
  },
};
