import { isNozzleEnd } from "../../../design/types.js";
import { PART_BLOCK, PART_CONTROL, PART_RELIEF } from "../../context.js";
import { BLOCK_VALVES, lockedOpen, reliefValveAt } from "../../relief.js";
import type { Rule } from "../../types.js";

/**
 * Nothing can shut a relief valve off from what it protects: between the protected equipment (the
 * line's from-nozzle) and the relief valve, and on a relief or flare line's discharge after it,
 * every block valve is locked or car-sealed open. Valves after a relief valve on a process line
 * are the process line's own (the relief valve sits on a tee of it).
 */
export const rule: Rule = {
  id: "piping.relief-block-valve",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description:
    "No unlocked block valve between protected equipment and its relief valve, nor on the relief discharge (lock LO or CSO allowed).",
  source:
    "ASME BPVC VIII-1 (2023) UG-135(b)(1), UG-135(e) and Nonmandatory Appendix M-5 (stop valves in relief paths only when locked or car-sealed open); API Std 520 Part II (2020) 6.3.",
  fix: "Lock or car-seal the valve open (lock LO or CSO), or remove it from the relief path.",
  check({ design, index }, emit) {
    const lines = design.lines;
    for (let i = 0; i < lines.length; i++) {
      // A finding needs a block or control valve beside the relief valve: other lines are not read.
      const parts = index.lineParts[i]!;
      if (!(parts & PART_RELIEF) || !(parts & (PART_BLOCK | PART_CONTROL))) continue;
      const line = lines[i]!;
      const at = reliefValveAt(line);
      if (at < 0) continue;
      const psv = line.components[at]!;
      const discharge = line.service === "relief" || line.service === "flare";
      line.components.forEach((c, i) => {
        if (i === at || !BLOCK_VALVES.has(c.type) || lockedOpen(c)) return;
        const inlet = i < at && isNozzleEnd(line.from);
        if (!inlet && !(i > at && discharge)) return;
        const what = c.tag ?? c.type.replace(/_/g, " ");
        const psvName = psv.tag ? `relief valve ${psv.tag}` : "the relief valve";
        const where =
          isNozzleEnd(line.from) && inlet
            ? `between ${line.from.tag} and ${psvName}`
            : `on the discharge of ${psvName}`;
        emit({
          message: `${what} on line ${line.id} sits ${where} and is ${c.lock ? `locked ${c.lock === "LC" ? "closed" : "car-sealed closed"}` : "not locked open"}: shut, it would isolate the relief path (ASME VIII-1 UG-135(e), Appendix M-5).`,
          tags: [
            ...(isNozzleEnd(line.from) ? [line.from.tag] : []),
            ...(psv.tag ? [psv.tag] : []),
            ...(c.tag ? [c.tag] : []),
          ],
          lines: [line.id],
        });
      });
    }
  },
};
