import { isPlaced } from "../../../design/types.js";
import type { Rule } from "../../types.js";

/**
 * Says when only part of a design is placed: geometric rules then checked the placed items only,
 * and a person reading a clean report should know what it did not cover.
 */
export const rule: Rule = {
  id: "consistency.partial-placement",
  category: "consistency",
  severity: "info",
  appliesTo: "all",
  description:
    "Reports equipment without a plan position when other equipment is placed (geometry was checked for the placed items only).",
  source:
    "PlantGAN design contract (DESIGN.md): x/y may be absent (topology only); the validator says what it skipped.",
  fix: "Give every equipment item x and y, or remove positions from all of them for a topology-only design.",
  check({ design, index }, emit) {
    if (!index.geometryChecked || index.unplacedCount === 0) return;
    const tags = design.equipment.filter((e) => !isPlaced(e)).map((e) => e.tag);
    emit({
      message: `${tags.length} of ${design.equipment.length} equipment items are not placed; geometric rules checked the ${design.equipment.length - tags.length} placed ones only.`,
      tags,
    });
  },
};
