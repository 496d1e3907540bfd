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
    for (const e of index.uniqueEquipment) {
      const tag = e.tag;
      if (index.endsAtEquipment.has(tag)) continue;
      const item = index.placedByTag.get(tag);
      emit({
        message: `${label(e)} has no line on any of its ${e.nozzles.length === 0 ? "nozzles (it has none)" : `${e.nozzles.length} nozzles`}.`,
        tags: [tag],
        ...(item ? { location: centre(item) } : {}),
      });
    }
  },
};
