import { describeNode, hopsBetween, nodeOfTagId } from "../../flow-graph.js";
import type { Rule } from "../../types.js";

/**
 * A loop measures the flow path it manipulates: its transmitter and its final element are within
 * the pack's number of steps through the pipe network (a flow transmitter and its valve on one
 * line, a level transmitter on a drum and the valve on a line at that drum).
 */
export const rule: Rule = {
  id: "control.loop-path",
  category: "control",
  severity: "error",
  appliesTo: "all",
  description: "A loop's measurement and final element sit on one flow path (within control.maxPathHops).",
  source: "Rule pack control (default: ISA-5.1-2009 loop identification; IEC 61511-1:2016 11.2).",
  fix: "Move the transmitter or the valve onto the path the loop controls, or name the right final element.",
  skipReason: ({ pack }) => (pack.control ? undefined : "the rule pack has no control section"),
  check({ design, index, pack }, emit) {
    const maxHops = pack.control!.maxPathHops;
    const loops = design.control.loops;
    const { loopMeasurement, loopFinal } = index.control;
    for (let l = 0; l < loops.length; l++) {
      // A hand controller (HC, HIC) measures nothing: the operator closes the loop, no path to check.
      const m = loopMeasurement[l]!;
      if (m < 0) continue;
      const measured = index.tagInstrument[m]! >= 0 ? nodeOfTagId(index, m) : undefined;
      const acted = nodeOfTagId(index, loopFinal[l]!);
      if (measured === undefined || acted === undefined) continue; // missing references are control.loop-references' business
      if (hopsBetween(index, measured, acted, maxHops) !== undefined) continue;
      const loop = loops[l]!;
      emit({
        message: `Loop ${loop.tag} measures ${loop.measurement} on ${describeNode(index, measured)} but acts on ${loop.finalElement} on ${describeNode(index, acted)}, more than ${maxHops} steps apart through the pipe network: it does not manipulate the path it measures (ISA-5.1; IEC 61511-1 11.2).`,
        tags: [loop.tag, loop.measurement!, loop.finalElement],
      });
    }
  },
};
