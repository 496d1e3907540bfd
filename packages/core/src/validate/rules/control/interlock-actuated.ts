import type { Rule } from "../../types.js";

/** Valve kinds that can be actuated; check valves, relief valves and fittings cannot be commanded. */
const VALVES = new Set([
  "gate_valve",
  "globe_valve",
  "ball_valve",
  "butterfly_valve",
  "control_valve",
  "plug_valve",
  "needle_valve",
]);

/**
 * An interlock acts on a remotely actuated element. A valve tagged with ISA first letter H is a hand
 * valve: nothing in the safety function can move it.
 */
export const rule: Rule = {
  id: "control.interlock-actuated",
  category: "control",
  severity: "error",
  appliesTo: "all",
  description:
    "An interlock's valve targets are actuated valves, never hand valves (tag H...) or non-operable components.",
  source:
    "IEC 61511-1:2016 3.2.24 and 11.5 (the final element of a safety function is an actuated device); ISA-5.1-2009 Table 4.1 (H: hand).",
  fix: "Make the target an actuated shutdown valve (e.g. XV-…) with its own tag, or act on the pump or compressor instead.",
  check({ design, index }, emit) {
    const interlocks = design.control.interlocks;
    const { effectStart, effectTarget } = index.control;
    for (let i = 0; i < interlocks.length; i++) {
      for (let e = effectStart[i]!; e < effectStart[i + 1]!; e++) {
        const found = index.tagComponent[effectTarget[e]!];
        if (!found) continue;
        const interlock = interlocks[i]!;
        const effect = interlock.effects[e - effectStart[i]!]!;
        const type = found.component.type;
        const hand = effect.target.startsWith("H");
        if (VALVES.has(type) && !hand) continue;
        emit({
          message: `Interlock ${interlock.tag} would ${effect.action} ${effect.target}, ${hand ? "a hand valve" : `a ${type.replace(/_/g, " ")}`} on line ${found.line.id}; a safety function's final element is remotely actuated (IEC 61511-1 11.5).`,
          tags: [interlock.tag, effect.target],
          lines: [found.line.id],
        });
      }
    }
  },
};
