import type { Rule } from "../../types.js";
import { whatIs } from "./loop-references.js";

/**
 * An interlock's cause is an existing instrument and each effect acts on existing equipment or a
 * tagged valve (an inline component).
 */
export const rule: Rule = {
  id: "control.interlock-references",
  category: "control",
  severity: "error",
  appliesTo: "all",
  description:
    "Each interlock's cause instrument exists, and each effect targets existing equipment or a tagged inline component.",
  source:
    "IEC 61511-1 safety requirements specification: each safety function names its initiating sensor and its final elements; PlantGAN design contract.",
  fix: "Point the interlock at an existing instrument and at existing valves, pumps or compressors.",
  check({ design, index }, emit) {
    const interlocks = design.control.interlocks;
    const { interlockCause, effectStart, effectTarget } = index.control;
    for (let i = 0; i < interlocks.length; i++) {
      // Most interlocks pass on their tag numbers alone.
      let fine = index.tagInstrument[interlockCause[i]!]! >= 0;
      for (let e = effectStart[i]!; e < effectStart[i + 1]! && fine; e++) {
        const t = effectTarget[e]!;
        fine = index.tagEquipment[t]! >= 0 || index.tagComponent[t] !== undefined;
      }
      if (fine) continue;
      const il = interlocks[i]!;
      const cause = il.cause.instrument;
      if (!index.instrumentByTag.has(cause)) {
        const is = whatIs(index, cause);
        emit({
          message: `Interlock ${il.tag} trips on ${cause}, which ${is ? `is ${is}, not an instrument` : "is not in the design"}.`,
          tags: [il.tag, cause],
        });
      }
      for (const effect of il.effects) {
        const t = effect.target;
        const named = index.tagged(t);
        if (named && (named.equipment >= 0 || named.component)) continue;
        const is = whatIs(index, t);
        emit({
          message: `Interlock ${il.tag} would ${effect.action} ${t}, which ${is ? `is ${is}; an interlock acts on equipment or valves` : "is not in the design"}.`,
          tags: [il.tag, t],
        });
      }
    }
  },
};
