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
    const equipment = design.equipment;
    for (let i = 0; i < equipment.length; i++) {
      const e = equipment[i]!;
      const repeated = repeatedIds(e.nozzles);
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

const NO_REPEATS: ReadonlySet<string> = new Set();

/** Nozzle ids that occur more than once, in order of their second occurrence. */
function repeatedIds(nozzles: readonly { id: string }[]): ReadonlySet<string> {
  // Most items have a handful of nozzles: compare pairs, and build sets only for a long list or a repeat.
  if (nozzles.length <= 16) {
    let clash = false;
    for (let i = 1; i < nozzles.length && !clash; i++) {
      for (let j = 0; j < i; j++) {
        if (nozzles[j]!.id === nozzles[i]!.id) {
          clash = true;
          break;
        }
      }
    }
    if (!clash) return NO_REPEATS;
  }
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const n of nozzles) {
    if (seen.has(n.id)) repeated.add(n.id);
    seen.add(n.id);
  }
  return repeated;
}
