import { centre, label } from "../../describe.js";
import type { Rule } from "../../types.js";

/** Equipment no line reaches is probably missing its piping (or is not part of this design). */
export const rule: Rule = {
  id: "consistency.unconnected-equipment",
  category: "consistency",
  severity: "warning",
  appliesTo: "all",
  description: "Every equipment item has at least one line on one of its nozzles.",
  source: "P&ID completeness check: process equipment without connections has no function in the process.",
  fix: "Connect the item with a line at one of its nozzles, or remove it from the design.",
  check({ index }, emit) {
    const { uniqueEquipment } = index;
    for (let k = 0; k < uniqueEquipment.length; k++) {
      if (index.hasEnds(k)) continue;
      const e = uniqueEquipment[k]!;
      const tag = e.tag;
      const item = index.placedByTag.get(tag);
      emit({
        message: `${label(e)} has no line on any of its ${e.nozzles.length === 0 ? "nozzles (it has none)" : `${e.nozzles.length} nozzles`}.`,
        tags: [tag],
        ...(item ? { location: centre(item) } : {}),
      });
    }
  },
};
