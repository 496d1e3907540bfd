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
  check({ design }, emit) {
    const count = new Map<string, number>();
    for (const line of design.lines) count.set(line.id, (count.get(line.id) ?? 0) + 1);
    for (const [id, n] of count) {
      if (n < 2) continue;
      emit({ message: `Line id ${id} is used by ${n} lines.`, lines: [id] });
    }
  },
};
