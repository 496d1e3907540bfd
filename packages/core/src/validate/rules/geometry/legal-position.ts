import type { Rule } from "../../types.js";

/**
 * Every item of a generated layout has a legal position. The legaliser says which items it could
 * not place clear of the others, the site edge and keep-outs; the findings come from the pipeline's
 * outcome, so a design validated without one is not held to it (the geometry rules still are).
 */
export const rule: Rule = {
  id: "geometry.legal-position",
  category: "geometry",
  severity: "error",
  appliesTo: "placed",
  description: "The legaliser found a legal position for every item of a generated layout.",
  source: "PlantGAN generation pipeline (DESIGN.md): a candidate is valid only when the legaliser resolved every item.",
  fix: "Give the plant more room (a larger site, fewer keep-outs) or fewer items, then generate again.",
  check({ outcome }, emit) {
    for (const u of outcome?.unresolved ?? []) {
      emit({ message: `No legal position: ${u.message} (${u.code}).`, tags: u.tags });
    }
  },
};
