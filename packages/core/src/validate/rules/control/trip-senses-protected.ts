import { describeNode, hopsBetween, nodeOfInstrumentAt, nodeOfTagId } from "../../flow-graph.js";
import type { Rule } from "../../types.js";

/**
 * A trip senses the equipment it protects: each item an interlock acts on is within the pack's
 * number of steps through the pipe network from the initiating instrument. A low-level trip on one
 * drum stopping a pump that draws from another protects nothing.
 */
export const rule: Rule = {
  id: "control.trip-senses-protected",
  category: "control",
  severity: "error",
  appliesTo: "all",
  description:
    "Every interlock target is within control.maxPathHops of its initiating instrument through the pipe network.",
  source:
    "Rule pack control (default: IEC 61511-1:2016 10.3.2 and 11.2: the sensor measures the hazardous condition of the equipment under control).",
  fix: "Trip on a transmitter of the equipment the interlock protects, or act on the equipment the sensor watches.",
  skipReason: ({ pack }) => (pack.control ? undefined : "the rule pack has no control section"),
  check({ design, index, pack }, emit) {
    const maxHops = pack.control!.maxPathHops;
    const interlocks = design.control.interlocks;
    const { interlockCause, effectStart, effectTarget } = index.control;
    for (let i = 0; i < interlocks.length; i++) {
      const at = index.tagInstrument[interlockCause[i]!]!;
      if (at < 0) continue; // interlock-references reports it
      const sensed = nodeOfInstrumentAt(index, at);
      if (sensed === undefined) continue; // unmounted: nowhere in the pipe network to measure hops from
      for (let e = effectStart[i]!; e < effectStart[i + 1]!; e++) {
        const target = nodeOfTagId(index, effectTarget[e]!);
        if (target === undefined || hopsBetween(index, sensed, target, maxHops) !== undefined) continue;
        const interlock = interlocks[i]!;
        const instrument = design.instruments[at]!;
        const effect = interlock.effects[e - effectStart[i]!]!;
        emit({
          message: `Interlock ${interlock.tag} senses ${instrument.tag} on ${describeNode(index, sensed)} but acts on ${effect.target} (${describeNode(index, target)}), more than ${maxHops} steps away: the trip does not sense the equipment it protects (IEC 61511-1 10.3.2).`,
          tags: [interlock.tag, effect.target, instrument.tag],
        });
      }
    }
  },
};
