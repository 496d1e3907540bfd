import type { Rule } from "../../types.js";

const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/**
 * The loop number of an ISA tag: the digits after the dash ("101" of "LIC-101A"), as /-(\d+)/
 * finds them (the first dash followed by a digit). By character codes: the expression's match
 * arrays were most of what the rule allocated.
 */
function loopNumber(tag: string): string | undefined {
  for (let dash = tag.indexOf("-"); dash >= 0; dash = tag.indexOf("-", dash + 1)) {
    let end = dash + 1;
    while (end < tag.length && isDigit(tag.charCodeAt(end))) end++;
    if (end > dash + 1) return tag.slice(dash + 1, end);
  }
  return undefined;
}

/**
 * A loop's controller, transmitter and valve carry one loop number (LIC-101, LT-101, LV-101). A
 * speed-driven pump or compressor keeps its equipment number.
 */
/** Where `loopNumber(tag)` sits in the tag: its start (−1 for none), its end in `numberEnd`. */
let numberEnd = 0;
function numberStart(tag: string): number {
  for (let dash = tag.indexOf("-"); dash >= 0; dash = tag.indexOf("-", dash + 1)) {
    let end = dash + 1;
    while (end < tag.length && isDigit(tag.charCodeAt(end))) end++;
    if (end > dash + 1) {
      numberEnd = end;
      return dash + 1;
    }
  }
  return -1;
}

/** True when `tag` has a loop number other than `own[start .. end]`, read in place (no strings cut out). */
function numberedOtherwise(tag: string, own: string, start: number, end: number): boolean {
  const at = numberStart(tag);
  if (at < 0) return false;
  if (numberEnd - at !== end - start) return true;
  for (let i = 0; i < end - start; i++) if (tag.charCodeAt(at + i) !== own.charCodeAt(start + i)) return true;
  return false;
}

export const rule: Rule = {
  id: "control.loop-numbering",
  category: "control",
  severity: "error",
  appliesTo: "all",
  description: "A loop's controller, measurement and final element valve share one loop number.",
  source: "ISA-5.1-2009 4.2 (loop identification: every instrument and valve of a loop carries the loop number).",
  fix: "Renumber the transmitter or valve to the controller's loop number.",
  check({ design, index }, emit) {
    const loops = design.control.loops;
    const { loopFinal } = index.control;
    for (let l = 0; l < loops.length; l++) {
      const loop = loops[l]!;
      // Settled in place for the usual loop, whose members carry its number; cut out for a finding.
      const start = numberStart(loop.tag);
      if (start < 0) continue;
      const end = numberEnd;
      const measurementOff =
        loop.measurement !== undefined && numberedOtherwise(loop.measurement, loop.tag, start, end);
      const finalOff =
        index.tagEquipment[loopFinal[l]!]! < 0 && numberedOtherwise(loop.finalElement, loop.tag, start, end);
      if (!measurementOff && !finalOff) continue;
      const own = loopNumber(loop.tag)!;
      const members = loop.measurement === undefined ? [] : [loop.measurement];
      if (index.tagEquipment[loopFinal[l]!]! < 0) members.push(loop.finalElement);
      const off = members.filter((t) => {
        const n = loopNumber(t);
        return n !== undefined && n !== own;
      });
      if (off.length === 0) continue;
      emit({
        message: `Loop ${loop.tag} is loop ${own}, but ${off.map((t) => `${t} is ${loopNumber(t)}`).join(" and ")} (ISA-5.1 4.2: one loop, one number).`,
        tags: [loop.tag, ...off],
      });
    }
  },
};
