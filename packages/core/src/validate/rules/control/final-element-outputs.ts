import type { Rule } from "../../types.js";

/**
 * One final element takes one controller output. Where two loops drive it (override, split range)
 * every one of them declares how (`sharedFinalElement`), or the outputs fight.
 */
export const rule: Rule = {
  id: "control.final-element-outputs",
  category: "control",
  severity: "error",
  appliesTo: "all",
  description: "A final element is driven by one loop unless each loop driving it declares a selector or split range.",
  source:
    "ISA-5.1-2009 5.3 (one loop, one final element; selectors and split range drawn as function blocks); ISA-TR5.1 override control.",
  fix: "Give each loop its own final element, or declare sharedFinalElement (selector or split_range) on every loop that shares it.",
  check({ design, index }, emit) {
    const all = design.control.loops;
    const { loopFinal } = index.control;
    // Loops by final element's tag number; each element once, in the order of its first loop.
    const { start, items } = index.groupByTag(loopFinal);
    for (let l = 0; l < all.length; l++) {
      const id = loopFinal[l]!;
      if (start[id + 1]! - start[id]! < 2 || items[start[id]!] !== l) continue;
      const element = all[l]!.finalElement;
      const loops = Array.from(items.subarray(start[id]!, start[id + 1]!), (p) => all[p]!);
      const undeclared = loops.filter((l) => l.sharedFinalElement === undefined).map((l) => l.tag);
      if (undeclared.length === 0) continue;
      emit({
        message: `${element} takes ${loops.length} controller outputs (${loops.map((l) => l.tag).join(", ")}); limit 1 unless a selector or split range is declared, and ${undeclared.join(", ")} declare none (ISA-5.1).`,
        tags: [element, ...loops.map((l) => l.tag)],
      });
    }
  },
};
