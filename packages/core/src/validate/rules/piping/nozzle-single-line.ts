import type { Line, NozzleEnd } from "../../../design/types.js";
import { isNozzleEnd } from "../../../design/types.js";
import { type DesignIndex, END_NOZZLE, type LineEndRef } from "../../context.js";
import { listOf } from "../../describe.js";
import type { Rule } from "../../types.js";

/** True when no two of these line ends sit on one nozzle (the usual case, settled without a map). */
/** The nozzle a line end names (line end numbers as in `DesignIndex.endTarget`; a nozzle end). */
function nozzleOf(lines: readonly Line[], code: number): string {
  const line = lines[code >> 1]!;
  return ((code & 1 ? line.to : line.from) as NozzleEnd).nozzle;
}

/**
 * True when the line ends `codes[from .. to]` (on one equipment tag) name distinct nozzles: by the
 * index's nozzle positions where both nozzles exist (one id, one first position), by the ids where
 * neither does; one that exists and one that does not are distinct.
 */
function distinctNozzles(index: DesignIndex, codes: Int32Array, from: number, to: number): boolean {
  const lines = index.design.lines;
  for (let i = from + 1; i < to; i++) {
    const a = index.endNozzlePosition(codes[i]!);
    for (let j = from; j < i; j++) {
      const b = index.endNozzlePosition(codes[j]!);
      if (a >= 0 ? a === b : b < 0 && nozzleOf(lines, codes[j]!) === nozzleOf(lines, codes[i]!)) return false;
    }
  }
  return true;
}

export const rule: Rule = {
  id: "piping.nozzle-single-line",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description: "A nozzle takes at most one line; further connections branch off that line.",
  source: "A nozzle ends in one flange (ASME B16.5 / EN 1092-1); tees are modelled as branch ends (DESIGN.md).",
  fix: "Keep one line on the nozzle and tee the others off it.",
  check({ design, index }, emit) {
    const lines = design.lines;
    const { endKind, endTarget, endsStart, endsList } = index;
    // Ends on tags no equipment has (rare) by tag, for the message all the same.
    let unknown: Map<string, LineEndRef[]> | undefined;
    for (let code = 0; code < 2 * lines.length; code++) {
      if (endKind[code] !== END_NOZZLE || endTarget[code]! >= 0) continue;
      const line = lines[code >> 1]!;
      const end = code & 1 ? "to" : "from";
      const tag = (line[end] as NozzleEnd).tag;
      unknown ??= new Map();
      const ref = { line, lineIndex: code >> 1, end } as const;
      const refs = unknown.get(tag);
      if (refs) refs.push(ref);
      else unknown.set(tag, [ref]);
    }
    // Each tag once, in the order of its first line end.
    const visited = new Uint8Array(index.uniqueEquipment.length);
    for (let code = 0; code < 2 * lines.length; code++) {
      if (endKind[code] !== END_NOZZLE) continue;
      const k = endTarget[code]!;
      let tag: string;
      let refs: readonly LineEndRef[];
      if (k >= 0) {
        if (visited[k]) continue;
        visited[k] = 1;
        const p0 = endsStart[k]!;
        const p1 = endsStart[k + 1]!;
        if (p1 - p0 < 2 || (p1 - p0 <= 16 && distinctNozzles(index, endsList, p0, p1))) continue;
        tag = index.uniqueEquipment[k]!.tag;
        refs = index.endsAt(k);
      } else {
        const line = lines[code >> 1]!;
        tag = ((code & 1 ? line.to : line.from) as NozzleEnd).tag;
        const group = unknown!.get(tag)!;
        if (2 * group[0]!.lineIndex + (group[0]!.end === "to" ? 1 : 0) !== code || group.length < 2) continue;
        refs = group;
      }
      const byNozzle = new Map<string, string[]>();
      for (const r of refs) {
        const end = r.line[r.end];
        if (!isNozzleEnd(end)) continue;
        const ids = byNozzle.get(end.nozzle);
        if (!ids) byNozzle.set(end.nozzle, [r.line.id]);
        else if (ids[ids.length - 1] !== r.line.id) ids.push(r.line.id);
      }
      if (byNozzle.size === refs.length) continue;
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
    }
  },
};
