import { componentCode, PART_CONTROL } from "../../context.js";
import type { Rule } from "../../types.js";

/** A control valve is the final element of some loop or interlock; one that nothing drives is a hand valve drawn wrong. */
export const rule: Rule = {
  id: "control.valve-controller",
  category: "control",
  severity: "error",
  appliesTo: "all",
  description: "Every control valve is a loop's final element or an interlock's target.",
  source:
    "ISA-5.1-2009 (a control valve is the final element of a loop, tagged with the loop's number); PlantGAN design contract (DESIGN.md).",
  fix: "Add the loop that drives the valve (controller, transmitter), or draw it as a hand valve.",
  check({ design, index }, emit) {
    // Tag numbers named by a loop's final element or an interlock's effect.
    const { loopFinal, effectTarget, tags } = index.control;
    const driven = new Uint8Array(tags);
    for (const id of loopFinal) driven[id] = 1;
    for (const id of effectTarget) driven[id] = 1;
    const lines = design.lines;
    const { lineParts, componentStart, componentType, componentTag } = index;
    const valve = componentCode("control_valve");
    for (let i = 0; i < lines.length; i++) {
      if (!(lineParts[i]! & PART_CONTROL)) continue;
      // The index's component columns: a line's components are read for a finding only.
      for (let p = componentStart[i]!; p < componentStart[i + 1]!; p++) {
        if (componentType[p] !== valve) continue;
        const id = componentTag[p]!;
        if (id >= 0 && driven[id] === 1) continue;
        const line = lines[i]!;
        const c = line.components[p - componentStart[i]!]!;
        emit({
          message: `Control valve ${c.tag ?? "(untagged)"} on line ${line.id} has no controller: no loop or interlock names it (ISA-5.1).`,
          tags: c.tag !== undefined ? [c.tag] : [],
          lines: [line.id],
        });
      }
    }
  },
};
