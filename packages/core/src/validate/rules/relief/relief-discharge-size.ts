import { PART_REDUCER, PART_RELIEF } from "../../context.js";
import type { Rule } from "../../types.js";

/**
 * A relief valve's discharge is never smaller than its inlet: the line size after the valve
 * (reducers after it included) is at least the size before it (reducers before it included), so
 * the built-up back pressure stays within what the valve was sized for.
 */
export const rule: Rule = {
  id: "piping.relief-discharge-size",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description: "The pipe after a relief valve is not smaller than the pipe before it.",
  source:
    "API Std 520 Part II (2020) 7.3.1 (discharge piping at least the size of the valve outlet; built-up back pressure); ASME BPVC VIII-1 (2023) Appendix M-8.",
  fix: "Remove the reducer after the relief valve, or enlarge the discharge to at least the inlet size.",
  check({ design, index }, emit) {
    const lines = design.lines;
    for (let i = 0; i < lines.length; i++) {
      // Nothing to compare on a line without a relief valve: its components are not read.
      // Without a reducer nothing narrows: those are not read either.
      if ((index.lineParts[i]! & (PART_RELIEF | PART_REDUCER)) !== (PART_RELIEF | PART_REDUCER)) continue;
      const line = lines[i]!;
      let size = line.size;
      let inlet: number | undefined;
      let psv: string | undefined;
      for (const c of line.components) {
        if (c.type === "relief_valve" && inlet === undefined) {
          inlet = size;
          psv = c.tag;
        } else if (c.type === "reducer" && c.size !== undefined) {
          size = c.size;
          if (inlet === undefined || size >= inlet) continue;
          emit({
            message: `Line ${line.id} narrows from DN ${inlet} at the inlet of ${psv ? `relief valve ${psv}` : "its relief valve"} to DN ${size} on its discharge; the discharge is never smaller than the inlet (API 520 Part II 7.3.1).`,
            tags: psv ? [psv] : [],
            lines: [line.id],
          });
        }
      }
    }
  },
};
