import { branchLine, isNozzleEnd, type LineEnd } from "../../../design/types.js";
import type { Rule } from "../../types.js";

/** An end as a person reads it: `P-101/N2`, `branch of L-7`, or `open end (to unit 200)`. */
function endLabel(end: LineEnd): string {
  if (isNozzleEnd(end)) return `${end.tag}/${end.nozzle}`;
  if ("line" in end) return `branch of ${end.line}`;
  return end.label ? `open end (${end.label})` : "open end";
}

/**
 * Every line of a generated layout is routed. Only the router knows why it could not route a line
 * (a nozzle walled in, no free path), so the findings come from the pipeline's outcome; a design
 * validated without one (a file written by hand) is not held to it.
 */
export const rule: Rule = {
  id: "piping.routed",
  category: "piping",
  severity: "error",
  appliesTo: "placed",
  description:
    "Every line of a generated layout has a route; the router's reason is given for each one it could not route.",
  source: "PlantGAN generation pipeline (DESIGN.md): a candidate is valid only with every line routed.",
  fix: "Move the blocking item or keep-out away from the nozzle, or give the plant more room, then route again.",
  check({ index, outcome }, emit) {
    for (const u of outcome?.unrouted ?? []) {
      const line = index.lineById.get(u.line);
      if (!line) {
        emit({ message: `Line ${u.line} is not routed: ${u.reason} (${u.code}).`, lines: [u.line] });
        continue;
      }
      const ends = [line.from, line.to];
      const tags = ends.flatMap((e) => (isNozzleEnd(e) ? [e.tag] : []));
      const from = line.from;
      const at = isNozzleEnd(from) ? index.nozzlePoint(from.tag, from.nozzle) : undefined;
      emit({
        message: `Line ${line.id} (${endLabel(line.from)} → ${endLabel(line.to)}) is not routed: ${u.reason} (${u.code}).`,
        tags,
        lines: [line.id, ...ends.flatMap((e) => branchLine(e) ?? [])],
        ...(at ? { location: at } : {}),
      });
    }
  },
};
