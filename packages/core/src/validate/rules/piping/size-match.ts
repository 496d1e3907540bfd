import type { Line, LineEnd } from "../../../design/types.js";
import { isNozzleEnd } from "../../../design/types.js";
import type { Emit, Rule, RuleContext } from "../../types.js";

/**
 * A line's DN agrees with the nozzle at each end (within the pack's tolerance) unless a reducer on
 * the line names the other size (or names none, leaving the size after it open). A branch is never
 * larger than the line it tees onto.
 */
export const rule: Rule = {
  id: "piping.size-match",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description:
    "Line size matches each end's nozzle size unless a reducer accounts for it; a branch is not larger than its parent.",
  source: "Rule pack sizes (default: ASME B36.10M nominal sizes; a size change needs a reducer, ASME B16.9).",
  check(ctx, emit) {
    for (const line of ctx.design.lines) {
      let sizes: number[] | undefined;
      let open = false;
      for (const c of line.components) {
        if (c.type !== "reducer") continue;
        if (c.size === undefined) open = true;
        else if (sizes) sizes.push(c.size);
        else sizes = [line.size, c.size];
      }
      if (open) continue;
      checkEnd(ctx, emit, line, "from", line.from, sizes);
      checkEnd(ctx, emit, line, "to", line.to, sizes);
    }
  },
};

function checkEnd(
  { pack, index }: RuleContext,
  emit: Emit,
  line: Line,
  side: "from" | "to",
  end: LineEnd,
  reducerSizes: number[] | undefined,
): void {
  const tol = pack.sizes.tolerance;
  if (isNozzleEnd(end)) {
    const size = index.nozzle(end.tag, end.nozzle)?.size;
    if (size === undefined) return;
    if (Math.abs(line.size - size) <= tol) return;
    if (reducerSizes?.some((s) => Math.abs(s - size) <= tol)) return;
    const point = index.nozzlePoint(end.tag, end.nozzle);
    emit({
      message: `Line ${line.id} is DN ${(reducerSizes ?? [line.size]).join("/")} but its ${side}-nozzle ${end.tag}/${end.nozzle} is DN ${size}, with no reducer for the difference.`,
      tags: [end.tag],
      lines: [line.id],
      ...(point ? { location: point } : {}),
    });
    return;
  }
  if (reducerSizes) return;
  const parent = index.lineById.get(end.line);
  if (!parent || parent === line || line.size <= parent.size + tol) return;
  emit({
    message: `Branch ${line.id} (DN ${line.size}) is larger than line ${parent.id} (DN ${parent.size}) it ${side === "from" ? "branches off" : "tees into"}.`,
    lines: [line.id, parent.id],
  });
}
