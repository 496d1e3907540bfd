import { isBranchEnd, isNozzleEnd } from "../../../design/types.js";
import { type DesignIndex, END_NOZZLE, END_OPEN } from "../../context.js";
import { centre, listOf } from "../../describe.js";
import type { Rule } from "../../types.js";

const SIDES = ["from", "to"] as const;

/**
 * True when the line end (side 0 from, 1 to) is fine by the index's resolution alone: an existing
 * nozzle, open, or a branch off an existing line other than itself (its first line with that id
 * is not the line's own id's first line).
 */
function endFine(index: DesignIndex, lineIndex: number, side: 0 | 1): boolean {
  const code = 2 * lineIndex + side;
  const kind = index.endKind[code];
  if (kind === END_NOZZLE) return index.hasEndNozzle(lineIndex, side === 0 ? "from" : "to");
  const parent = index.endTarget[code]!;
  return kind === END_OPEN || (parent >= 0 && parent !== index.lineFirst[lineIndex]);
}

/** True when both ends of the line are on nozzles of one item (or of tags no item has). */
function sameItem(index: DesignIndex, lineIndex: number): boolean {
  const { endKind, endTarget } = index;
  const code = 2 * lineIndex;
  return endKind[code] === END_NOZZLE && endKind[code + 1] === END_NOZZLE && endTarget[code] === endTarget[code + 1];
}
/**
 * Every line end names something that exists: an equipment item and one of its nozzles, or
 * another line to branch off (never the line itself). A line does not start and end on one nozzle.
 * An open end (battery limit) names nothing in the design; piping.open-end says where it goes.
 */
export const rule: Rule = {
  id: "piping.line-ends",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description:
    "Every line end names an existing equipment nozzle, an existing other line for a branch, or is open (a battery limit).",
  source:
    "PlantGAN design contract (DESIGN.md): a line end is { tag, nozzle }, { line } (a tee on another line) or { open } (a battery limit).",
  fix: "Point the end at an existing nozzle of an existing item, or at another existing line for a tee.",
  check({ design, index }, emit) {
    const lines = design.lines;
    for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
      // Most lines pass on the index's resolved ends alone, without reading the line.
      if (endFine(index, lineIndex, 0) && endFine(index, lineIndex, 1) && !sameItem(index, lineIndex)) continue;
      const line = lines[lineIndex]!;
      for (const side of SIDES) {
        const end = line[side];
        if (isNozzleEnd(end)) {
          // The shared resolution finds the nozzle for almost every end; the rest are looked up again to say why.
          if (index.hasEndNozzle(lineIndex, side)) continue;
          const equipment = index.equipmentByTag.get(end.tag);
          if (!equipment) {
            emit({
              message: `Line ${line.id} ${side === "from" ? "starts" : "ends"} at ${end.tag}/${end.nozzle}, but there is no equipment ${end.tag}.`,
              tags: [end.tag],
              lines: [line.id],
            });
          } else if (!equipment.nozzles.some((n) => n.id === end.nozzle)) {
            const ids = equipment.nozzles.map((n) => n.id);
            const item = index.placedByTag.get(end.tag);
            emit({
              message: `Line ${line.id} ${side === "from" ? "starts" : "ends"} at nozzle ${end.nozzle} of ${end.tag}, which ${ids.length === 0 ? "has no nozzles" : `has only ${listOf(ids)}`}.`,
              tags: [end.tag],
              lines: [line.id],
              ...(item ? { location: centre(item) } : {}),
            });
          }
        } else if (!isBranchEnd(end)) {
          // An open end names nothing in the design to check.
        } else if (end.line === line.id) {
          emit({ message: `Line ${line.id} branches off itself at its ${side}-end.`, lines: [line.id] });
        } else if (!index.lineById.has(end.line)) {
          emit({
            message: `Line ${line.id} ${side === "from" ? "branches off" : "tees into"} line ${end.line}, which is not in the design.`,
            lines: [line.id, end.line],
          });
        }
      }
      const { from, to } = line;
      if (isNozzleEnd(from) && isNozzleEnd(to) && from.tag === to.tag && from.nozzle === to.nozzle) {
        emit({
          message: `Line ${line.id} starts and ends at the same nozzle ${from.tag}/${from.nozzle}.`,
          tags: [from.tag],
          lines: [line.id],
        });
      }
    }
  },
};
