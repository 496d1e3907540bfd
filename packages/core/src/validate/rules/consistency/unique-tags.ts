import type { Design } from "../../../design/types.js";
import type { DesignIndex } from "../../context.js";
import { centre, listOf } from "../../describe.js";
import { StringTable } from "../../string-table.js";
import type { Rule } from "../../types.js";

/**
 * True when the check below would find no repeated tag, decided from the index's tag map (built
 * anyway, with its counts) instead of counting every tag into a fresh map: as many distinct tags of
 * each kind as the kind has items, no tag naming two kinds, and interlock and loop tags looked up
 * once each. When this says false the full count runs, so the findings never depend on it.
 */
function noTagRepeats(design: Design, index: DesignIndex): boolean {
  const { equipment, instruments, control } = design;
  if (
    index.uniqueEquipment.length !== equipment.length ||
    index.instrumentTags !== instruments.length ||
    index.componentTags !== index.taggedComponents ||
    index.sharedTags > 0
  )
    return false;
  // Interlock tags, then loop tags: a tag added twice repeats an interlock's or a loop's.
  const seen = new StringTable(control.interlocks.length + control.loops.length, index.arrays);
  for (const il of control.interlocks) {
    const tag = il.tag;
    const id = index.tagNumber(tag);
    const known = seen.size;
    if (seen.add(tag) !== known || (id >= 0 && index.namesAny(id))) return false;
  }
  // A loop tag may repeat an instrument's (a controller listed as an instrument), nothing else.
  for (const loop of control.loops) {
    const tag = loop.tag;
    const id = index.tagNumber(tag);
    const known = seen.size;
    if (seen.add(tag) !== known || (id >= 0 && (index.tagEquipment[id]! >= 0 || index.tagComponent[id] !== undefined)))
      return false;
  }
  return true;
}

/**
 * Tags identify one thing each: equipment, instruments, tagged inline components and interlocks
 * share one tag space. Loop (controller) tags are unique among loops and may repeat an instrument's
 * tag (a controller listed as an instrument), but no equipment, component or interlock tag.
 * Counts first; the descriptions are written for the repeated tags only.
 */
export const rule: Rule = {
  id: "consistency.unique-tags",
  category: "consistency",
  severity: "error",
  appliesTo: "all",
  description: "Every equipment, instrument, component, loop and interlock tag names one thing.",
  source: "ISA-5.1-2009 identification: a tag identifies one instrument, loop or item uniquely within the plant.",
  fix: "Retag one of the items so each tag names one thing (e.g. P-101A and P-101B).",
  check({ design, index }, emit) {
    if (noTagRepeats(design, index)) return;
    const { equipment, instruments, lines, control } = design;
    const uses = new Map<string, number>();
    const instrumentOnly = new Set<string>();
    const repeated = new Set<string>();
    const count = (tag: string, isInstrument: boolean) => {
      const n = uses.get(tag) ?? 0;
      uses.set(tag, n + 1);
      if (n > 0) repeated.add(tag);
      if (n === 0 && isInstrument) instrumentOnly.add(tag);
      else if (!isInstrument) instrumentOnly.delete(tag);
    };
    for (const e of equipment) count(e.tag, false);
    for (const i of instruments) count(i.tag, true);
    for (const line of lines) for (const c of line.components) if (c.tag !== undefined) count(c.tag, false);
    for (const il of control.interlocks) count(il.tag, false);
    const loops = new Map<string, number>();
    for (const loop of control.loops) {
      const n = loops.get(loop.tag) ?? 0;
      loops.set(loop.tag, n + 1);
      // A controller listed as an instrument too is one thing, not two.
      if (n > 0 || (uses.has(loop.tag) && !instrumentOnly.has(loop.tag))) repeated.add(loop.tag);
    }
    if (repeated.size === 0) return;

    const what = new Map<string, string[]>();
    const add = (tag: string, description: string) => {
      if (!repeated.has(tag)) return;
      const list = what.get(tag);
      if (list) list.push(description);
      else what.set(tag, [description]);
    };
    for (const e of equipment) add(e.tag, `equipment (${e.type.replace(/_/g, " ")})`);
    for (const i of instruments) add(i.tag, "instrument");
    for (const line of lines) {
      for (const c of line.components)
        if (c.tag !== undefined) add(c.tag, `${c.type.replace(/_/g, " ")} on line ${line.id}`);
    }
    for (const il of control.interlocks) add(il.tag, "interlock");
    for (const loop of control.loops) add(loop.tag, "control loop");
    for (const [tag, list] of what) {
      const item = index.placedByTag.get(tag);
      emit({
        message: `Tag ${tag} is used ${list.length} times: as ${listOf(list)} (ISA-5.1: a tag identifies one thing).`,
        tags: [tag],
        ...(item ? { location: centre(item) } : {}),
      });
    }
  },
};
