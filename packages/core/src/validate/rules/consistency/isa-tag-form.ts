import { componentCode, PART_TAGGED } from "../../context.js";
import { letters, VARIABLE_MODIFIERS } from "../../isa.js";
import type { Rule } from "../../types.js";

/** Most function letters an instrument tag should carry (ISA-5.1: keep to four; one more after a variable modifier). */
const MAX_LETTERS = 4;

/** The length of `letters(tag)`, without cutting it out. */
function letterCount(tag: string): number {
  const dash = tag.indexOf("-");
  return dash < 0 ? tag.length : dash;
}

/** True when `letters(tag)` (of length `count`) is PSV, PRV, TSV or TRV: /^[PT][SR]V$/. */
function isSafetyValveLetters(tag: string, count: number): boolean {
  const first = tag.charAt(0);
  const second = tag.charAt(1);
  return count === 3 && (first === "P" || first === "T") && (second === "S" || second === "R") && tag.charAt(2) === "V";
}

/**
 * ISA-5.1 tag form beyond the schema's pattern: an instrument tag has a first letter and at least
 * one function letter (LT, PIT), and not too many; a controller (loop) tag holds the control
 * function C; a control valve's tag ends in V (LV, FCV); a relief valve is a PSV/PRV (or TSV).
 */
export const rule: Rule = {
  id: "consistency.isa-tag-form",
  category: "consistency",
  severity: "warning",
  appliesTo: "all",
  description:
    "Instrument, controller and valve tags follow ISA-5.1 functional identification (e.g. LT, LIC, LV, PSV).",
  source: "ISA-5.1-2009 Instrumentation Symbols and Identification, §4.2 and Table 4.1.",
  fix: "Write the tag as ISA-5.1 letters, a hyphen and the loop number (e.g. LIC-101); equipment tags take their type's prefix (P-101A).",
  check({ design, index }, emit) {
    for (const i of design.instruments) {
      // The letters' count and second letter read off the tag: the letters are cut out for a finding only.
      const count = letterCount(i.tag);
      const max = count > 1 && VARIABLE_MODIFIERS.has(i.tag.charAt(1)) ? MAX_LETTERS + 1 : MAX_LETTERS;
      if (count >= 2 && count <= max) continue;
      const l = letters(i.tag);
      if (l.length < 2) {
        emit({
          message: `Instrument ${i.tag} has only the letter ${l}; an ISA-5.1 instrument tag is a variable letter and at least one function letter (e.g. ${l}T, ${l}I).`,
          tags: [i.tag],
        });
      } else if (l.length > max) {
        emit({
          message: `Instrument ${i.tag} carries ${l.length} function letters (${l}); ISA-5.1 keeps identifiers to ${max}.`,
          tags: [i.tag],
        });
      }
    }
    for (const loop of design.control.loops) {
      const tag = loop.tag;
      const count = letterCount(tag);
      if (count >= 2 && tag.indexOf("C", 1) >= 1 && tag.indexOf("C", 1) < count) continue;
      const l = letters(tag);
      emit({
        message: `Loop ${loop.tag} has no control letter C in ${l}; ISA-5.1 controllers read like ${l.charAt(0)}IC or ${l.charAt(0)}C.`,
        tags: [loop.tag],
      });
    }
    const lines = design.lines;
    const { lineParts, componentStart, componentType, componentTag } = index;
    const controlValve = componentCode("control_valve");
    const reliefValve = componentCode("relief_valve");
    for (let i = 0; i < lines.length; i++) {
      if (!(lineParts[i]! & PART_TAGGED)) continue;
      // From the index's component columns and tag map: the components are read for a finding only.
      for (let p = componentStart[i]!; p < componentStart[i + 1]!; p++) {
        const id = componentTag[p]!;
        const type = componentType[p];
        if (id < 0 || (type !== controlValve && type !== reliefValve)) continue;
        // Read off the tag in place; the letters are cut out for a finding only.
        const tag = index.tagOf(id);
        const count = letterCount(tag);
        if (type === controlValve ? tag.charAt(count - 1) === "V" : isSafetyValveLetters(tag, count)) continue;
        const line = lines[i]!;
        const c = line.components[p - componentStart[i]!]!;
        const l = letters(tag);
        if (c.type === "control_valve" && !l.endsWith("V")) {
          emit({
            message: `Control valve ${c.tag} on line ${line.id} should end its letters in V (ISA-5.1 final element, e.g. ${l.charAt(0)}V or ${l.charAt(0)}CV).`,
            tags: [tag],
            lines: [line.id],
          });
        } else if (c.type === "relief_valve" && !/^[PT][SR]V$/.test(l)) {
          emit({
            message: `Relief valve ${c.tag} on line ${line.id} should be tagged PSV, PRV or TSV (ISA-5.1 safety valve).`,
            tags: [tag],
            lines: [line.id],
          });
        }
      }
    }
  },
};
