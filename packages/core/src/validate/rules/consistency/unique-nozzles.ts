import { centre, listOf } from "../../describe.js";
import type { Rule } from "../../types.js";

/** Nozzle marks are unique on their equipment, so a line end names one nozzle. */
export const rule: Rule = {
  id: "consistency.unique-nozzles",
  category: "consistency",
  severity: "error",
  appliesTo: "all",
  description: "Nozzle ids are unique on each equipment item.",
  source: "PlantGAN design contract (plant-design schema): a nozzle mark is unique on its equipment.",
  fix: "Give each nozzle on the item its own mark (N1, N2...).",
  check({ design, index }, emit) {
    for (const e of design.equipment) {
      const seen = new Set<string>();
      const repeated = new Set<string>();
      for (const n of e.nozzles) {
        if (seen.has(n.id)) repeated.add(n.id);
        seen.add(n.id);
      }
      if (repeated.size === 0) continue;
      const item = index.placedByTag.get(e.tag);
      emit({
        message: `${e.tag} has more than one nozzle marked ${listOf([...repeated])}.`,
        tags: [e.tag],
        ...(item ? { location: centre(item) } : {}),
      });
    }
  },
};
