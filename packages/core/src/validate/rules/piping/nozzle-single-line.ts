import { isNozzleEnd } from "../../../design/types.js";
import type { LineEndRef } from "../../context.js";
import { listOf } from "../../describe.js";
import type { Rule } from "../../types.js";

/** True when no two of these line ends sit on one nozzle (the usual case, settled without a map). */
function distinctNozzles(refs: readonly LineEndRef[]): boolean {
  for (let i = 1; i < refs.length; i++) {
    const a = refs[i]!.line[refs[i]!.end];
    if (!isNozzleEnd(a)) continue;
    for (let j = 0; j < i; j++) {
      const b = refs[j]!.line[refs[j]!.end];
      if (isNozzleEnd(b) && b.nozzle === a.nozzle) return false;
    }
  }
  return true;
}

/** A nozzle is one flange: it takes one line. Several lines meet at a tee (a branch end) instead. */
export const rule: Rule = {
  id: "piping.nozzle-single-line",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description: "A nozzle takes at most one line; further connections branch off that line.",
  source: "A nozzle ends in one flange (ASME B16.5 / EN 1092-1); tees are modelled as branch ends (DESIGN.md).",
  fix: "Keep one line on the nozzle and tee the others off it.",
  check({ index }, emit) {
    // forEach rather than for-of: no entry array per tag.
    index.endsAtEquipment.forEach((refs, tag) => {
      if (refs.length < 2) return;
      if (refs.length <= 16 && distinctNozzles(refs)) return;
      // Equipment carries a handful of lines; group them by nozzle in first-seen order.
      const byNozzle = new Map<string, string[]>();
      for (const r of refs) {
        const end = r.line[r.end];
        if (!isNozzleEnd(end)) continue;
        const ids = byNozzle.get(end.nozzle);
        if (!ids) byNozzle.set(end.nozzle, [r.line.id]);
        else if (ids[ids.length - 1] !== r.line.id) ids.push(r.line.id);
      }
      if (byNozzle.size === refs.length) return;
      for (const [nozzle, ids] of byNozzle) {
        if (ids.length < 2) continue;
        const point = index.nozzlePoint(tag, nozzle);
        emit({
          message: `Nozzle ${tag}/${nozzle} takes ${ids.length} lines (${listOf(ids)}); a nozzle ends in one flange (ASME B16.5), so it takes one line and the others branch off it.`,
          tags: [tag],
          lines: ids,
          ...(point ? { location: point } : {}),
        });
      }
    });
  },
};
