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
  check({ design }, emit) {
    const byElement = new Map<string, (typeof design.control.loops)[number][]>();
    for (const loop of design.control.loops) {
      const list = byElement.get(loop.finalElement);
      if (list) list.push(loop);
      else byElement.set(loop.finalElement, [loop]);
    }
    for (const [element, loops] of byElement) {
      if (loops.length < 2) continue;
      const undeclared = loops.filter((l) => l.sharedFinalElement === undefined).map((l) => l.tag);
      if (undeclared.length === 0) continue;
      emit({
        message: `${element} takes ${loops.length} controller outputs (${loops.map((l) => l.tag).join(", ")}); limit 1 unless a selector or split range is declared, and ${undeclared.join(", ")} declare none (ISA-5.1).`,
        tags: [element, ...loops.map((l) => l.tag)],
      });
    }
  },
};
