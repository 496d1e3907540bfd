import { END_BRANCH } from "../../context.js";
import { listOf } from "../../describe.js";
import type { Rule } from "../../types.js";

/**
 * A pipe carries fluid between equipment: every line reaches a nozzle or an open end (a battery
 * limit), itself or through the lines it tees off or into. Lines joined only to each other by branch ends (two lines that tee off each
 * other) float: nothing feeds them and nothing takes their flow. Ends naming a missing line or the
 * line itself are piping.line-ends' findings, so a group holding one is left to that rule.
 */
export const rule: Rule = {
  id: "piping.line-anchored",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description:
    "Every line reaches an equipment nozzle or a battery limit, at its own ends or through the lines it branches off or into.",
  source:
    "PlantGAN design contract (DESIGN.md): a line runs from a nozzle or a tee to a nozzle or a tee, so a network of lines ends on equipment; ISO 10628-2 (flow lines connect equipment).",
  fix: "Connect one end of the group to the nozzle it serves, or remove the lines.",
  check({ design, index }, emit) {
    const lines = design.lines;
    const parent = lines.map((_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) {
        parent[i] = parent[parent[i]!]!;
        i = parent[i]!;
      }
      return i;
    };
    const mark = new Uint8Array(lines.length);
    const { endKind, endTarget, lineFirst } = index;
    for (let i = 0; i < lines.length; i++) {
      for (let side = 0; side < 2; side++) {
        const code = 2 * i + side;
        // A nozzle anchors the line, and so does an open end: the flow comes from or goes to
        // what lies beyond the plot (a battery limit), which the drawing declares.
        if (endKind[code] !== END_BRANCH) {
          mark[i] = mark[i]! | 1;
          continue;
        }
        // The parent's first line; the line's own first line when it branches off its own id.
        const j = endTarget[code]!;
        if (j < 0 || j === lineFirst[i]) mark[i] = mark[i]! | 2;
        else parent[find(i)] = find(j);
      }
    }
    // A group's marks (1: reaches a nozzle, 2: holds a broken end) gathered on its root; only
    // groups with neither get their line ids listed, in order of their first line.
    const groupMark = new Uint8Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const root = find(i);
      groupMark[root] = groupMark[root]! | mark[i]!;
    }
    const floating = new Map<number, string[]>();
    for (let i = 0; i < lines.length; i++) {
      const root = find(i);
      if (groupMark[root] !== 0) continue;
      const ids = floating.get(root);
      if (ids) ids.push(lines[i]!.id);
      else floating.set(root, [lines[i]!.id]);
    }
    for (const ids of floating.values()) {
      emit({
        message: `Lines ${listOf(ids)} only tee off each other: none of them reaches an equipment nozzle, so nothing feeds them or takes their flow (ISO 10628-2: flow lines join equipment).`,
        lines: ids,
      });
    }
  },
};
