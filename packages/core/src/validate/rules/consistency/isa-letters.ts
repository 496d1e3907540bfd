import type { Equipment } from "../../../design/types.js";
import { letters, variableOf } from "../../isa.js";
import type { Rule } from "../../types.js";

const [L, F, S, V] = ["L", "F", "S", "V"].map((c) => c.charCodeAt(0));

/** Equipment holding no liquid inventory to measure a level in. */
const NO_LEVEL = new Set<Equipment["type"]>(["pump", "compressor", "air_cooler", "furnace", "flare"]);
/** Rotating machines, where speed (S) and vibration (V) are measured. */
const ROTATING = new Set<Equipment["type"]>(["pump", "compressor", "air_cooler", "cooling_tower"]);

/**
 * ISA-5.1 letter meaning: an instrument's first letter is what it measures, so a loop measures its
 * own variable (LIC with an LT) and drives a valve of that variable (LV); a level instrument sits
 * on a vessel, a flow instrument on a line, speed and vibration on a machine.
 */
export const rule: Rule = {
  id: "consistency.isa-letters",
  category: "consistency",
  severity: "warning",
  appliesTo: "all",
  description:
    "Tag letters agree with what the item does: loops measure and act on their own variable; L on vessels, F on lines, S/V on machines.",
  source: "ISA-5.1-2009 Instrumentation Symbols and Identification, Table 4.1 (first letter = measured variable).",
  fix: "Use ISA-5.1 letters: a first letter for the measured variable and succeeding letters for the functions (e.g. LT, PIC, FV).",
  check({ design, index }, emit) {
    const loops = design.control.loops;
    const { loopMeasurement, loopFinal, instrumentOn } = index.control;
    // First letters as code units (−1: an empty tag) from the index's tag numbers: the measurement,
    // valve and instrument tags are not read unless a finding needs them.
    const { tagLetter, tagInstrument, instrumentTag } = index;
    for (let l = 0; l < loops.length; l++) {
      const loop = loops[l]!;
      const v = loop.tag.charAt(0);
      const letter = v === "" ? -1 : v.charCodeAt(0);
      const m = loopMeasurement[l]!;
      if (m >= 0 && tagInstrument[m]! >= 0 && tagLetter[m] !== letter) {
        const measurement = loop.measurement!;
        emit({
          message: `Loop ${loop.tag} controls ${variableOf(loop.tag)} but measures with ${measurement}, which measures ${variableOf(measurement)} (ISA-5.1 Table 4.1: the first letter is the measured variable).`,
          tags: [loop.tag, measurement],
        });
      }
      const valve = index.tagComponent[loopFinal[l]!];
      if (valve && tagLetter[loopFinal[l]!] !== letter) {
        emit({
          message: `Loop ${loop.tag} controls ${variableOf(loop.tag)} through ${loop.finalElement}, tagged as a ${variableOf(loop.finalElement)} valve (ISA-5.1 Table 4.1: a loop's tags share their first letter).`,
          tags: [loop.tag, loop.finalElement],
          lines: [valve.line.id],
        });
      }
    }
    const instruments = design.instruments;
    for (let n = 0; n < instruments.length; n++) {
      // Only level, flow, speed and vibration instruments can sit in the wrong place.
      const first = tagLetter[instrumentTag[n]!]!;
      if (first !== L && first !== F && first !== S && first !== V) continue;
      const i = instruments[n]!;
      const v = i.tag.charAt(0);
      const on = i.on;
      if (!on) continue; // unmounted: no place to judge the measured variable against
      const k = instrumentOn[n]!;
      const equipment = "tag" in on && k >= 0 ? index.uniqueEquipment[k] : undefined;
      let wrong: string | undefined;
      if (v === "L" && ("line" in on || (equipment && NO_LEVEL.has(equipment.type)))) {
        wrong = "a level is measured in a vessel, column, tank or reactor";
      } else if (v === "F" && "tag" in on) {
        wrong = "a flow is measured in a line";
      } else if ((v === "S" || v === "V") && ("line" in on || (equipment && !ROTATING.has(equipment.type)))) {
        wrong = `${variableOf(i.tag)} is measured on a rotating machine`;
      }
      if (!wrong) continue;
      const where =
        "tag" in on ? `${on.tag}${equipment ? ` (${equipment.type.replace(/_/g, " ")})` : ""}` : `line ${on.line}`;
      emit({
        message: `${letters(i.tag)} instrument ${i.tag} measures ${variableOf(i.tag)} but sits on ${where}; ${wrong} (ISA-5.1 Table 4.1).`,
        tags: [i.tag],
        lines: "line" in on ? [on.line] : [],
      });
    }
  },
};
