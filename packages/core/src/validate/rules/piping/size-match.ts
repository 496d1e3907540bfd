import type { Component, Line, NozzleEnd } from "../../../design/types.js";
import { END_BRANCH, END_NOZZLE, PART_REDUCER } from "../../context.js";
import type { Emit, Rule, RuleContext } from "../../types.js";

/**
 * A line's DN agrees with the nozzle at each end (within the pack's tolerance): its own DN at the
 * from-end, and the DN its reducers leave (in flow order) at the to-end, so a reducer arrives at
 * the size of the nozzle it meets. A reducer naming no size leaves the line unchecked. A branch is
 * never larger than the line it tees onto.
 */
const NONE: readonly Component[] = [];

export const rule: Rule = {
  id: "piping.size-match",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description:
    "Line size matches its from-nozzle; after its reducers (in flow order) it arrives at its to-nozzle's size; a branch is not larger than its parent.",
  source: "Rule pack sizes (default: ASME B36.10M nominal sizes; a size change needs a reducer, ASME B16.9).",
  fix: "Give the line the nozzle's size, or put a reducer on it that arrives at the nozzle's size.",
  check(ctx, emit) {
    const lines = ctx.design.lines;
    for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
      const line = lines[lineIndex]!;
      let sizes: number[] | undefined;
      let open = false;
      // Only a line with a reducer (its index flag) has its components read.
      const components = ctx.index.lineParts[lineIndex]! & PART_REDUCER ? line.components : NONE;
      for (let p = 0; p < components.length; p++) {
        const c = components[p]!;
        if (c.type !== "reducer") continue;
        if (c.size === undefined) open = true;
        else if (sizes) sizes.push(c.size);
        else sizes = [line.size, c.size];
      }
      if (open) continue;
      // The line is its own size at the from-end; reducers change it in flow order, so the size
      // that reaches the to-end is the last reducer's.
      checkEnd(ctx, emit, line, lineIndex, "from", sizes, line.size);
      checkEnd(ctx, emit, line, lineIndex, "to", sizes, sizes ? sizes[sizes.length - 1]! : line.size);
    }
  },
};

function checkEnd(
  { pack, index }: RuleContext,
  emit: Emit,
  line: Line,
  /** Position of `line` in `design.lines`. */
  lineIndex: number,
  side: "from" | "to",
  reducerSizes: number[] | undefined,
  sizeAtEnd: number,
): void {
  const tol = pack.sizes.tolerance;
  // The end's kind from the index: the line's end object is read for a finding only.
  const kind = index.endKind[2 * lineIndex + (side === "from" ? 0 : 1)];
  if (kind === END_NOZZLE) {
    const end = line[side] as NozzleEnd;
    const size = index.endNozzleSize(lineIndex, side);
    if (size === undefined) return;
    if (Math.abs(sizeAtEnd - size) <= tol) return;
    const point = index.endNozzlePoint(lineIndex, side);
    const arrives = reducerSizes?.some((s) => Math.abs(s - size) <= tol);
    emit({
      message: arrives
        ? `Line ${line.id} reaches its ${side}-nozzle ${end.tag}/${end.nozzle} (DN ${size}) at DN ${sizeAtEnd}: its reducers (DN ${reducerSizes!.join(" → ")}) change size in the wrong order for this end (ASME B16.9).`
        : `Line ${line.id} is DN ${(reducerSizes ?? [line.size]).join("/")} but its ${side}-nozzle ${end.tag}/${end.nozzle} is DN ${size}, with no reducer for the difference (ASME B16.9).`,
      tags: [end.tag],
      lines: [line.id],
      ...(point ? { location: point } : {}),
    });
    return;
  }
  if (reducerSizes || kind !== END_BRANCH) return;
  const parent = index.endParent(2 * lineIndex + (side === "from" ? 0 : 1));
  if (!parent || parent === line || line.size <= parent.size + tol) return;
  emit({
    message: `Branch ${line.id} (DN ${line.size}) is larger than line ${parent.id} (DN ${parent.size}) it ${side === "from" ? "branches off" : "tees into"}; a tee's branch is at most its run's size (ASME B16.9 reducing tees).`,
    lines: [line.id, parent.id],
  });
}
