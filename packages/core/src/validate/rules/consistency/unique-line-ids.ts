import type { Rule } from "../../types.js";

/** Line numbers identify one line each. */
export const rule: Rule = {
  id: "consistency.unique-line-ids",
  category: "consistency",
  severity: "error",
  appliesTo: "all",
  description: "Every line id names one line.",
  source: "Line numbering practice (line list): one line number per line (PIP PIC001 P&ID documentation criteria).",
  fix: "Renumber one of the lines (size-service-sequence-spec) so each id appears once.",
  check({ design, index }, emit) {
    // The index keeps each id's first line: a line that is not its id's first repeats it.
    const lines = design.lines;
    const count = new Map<string, number>();
    for (let i = 0; i < lines.length; i++) {
      if (index.lineFirst[i] === i) continue;
      const id = lines[i]!.id;
      count.set(id, (count.get(id) ?? 1) + 1);
    }
    if (count.size === 0) return;
    // Reported in order of each id's first line, as before.
    const first = [...count.keys()].sort((a, b) => index.lineIndexById.get(a)! - index.lineIndexById.get(b)!);
    for (const id of first)
      emit({
        message: `Line id ${id} is used by ${count.get(id)} lines (PIP PIC001: one line number per line).`,
        lines: [id],
      });
  },
};
