import { AMBIENT_TEMPERATURE, allowedWorkingPressure } from "../../../design/flange-rating.js";
import type { Rating } from "../../../design/types.js";
import { centre } from "../../describe.js";
import type { Rule } from "../../types.js";

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * A flange class holds the pressure it meets: each rated nozzle holds its equipment's design
 * pressure at the design temperature, and each rated line its own design pressure, read from the
 * pack's pressure-temperature tables (interpolated). Ratings the pack has no table for pass.
 */
export const rule: Rule = {
  id: "piping.rating-capacity",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description:
    "Nozzle and line flange ratings hold the design pressure at the design temperature (pack flangeRatings).",
  source: "Rule pack flangeRatings (default: ASME B16.5-2020 Table 2-1.1, group 1.1; ASME B31.3 302.2.1).",
  fix: "Raise the flange class until its rating at the design temperature covers the design pressure, or lower the design conditions.",
  skipReason: ({ pack }) => (pack.flangeRatings ? undefined : "the rule pack has no flangeRatings section"),
  check({ design, index, pack }, emit) {
    const classes = pack.flangeRatings!.classes as Partial<Record<Rating, number[][]>>;
    const limitOf = (rating: Rating, t: number) => {
      const table = classes[rating];
      return table ? { found: true, p: allowedWorkingPressure(table, t) } : { found: false, p: undefined };
    };
    const describeLimit = (rating: Rating, t: number, p: number | undefined) =>
      p === undefined
        ? `${rating} has no rating above ${classes[rating]!.at(-1)![0]} °C`
        : `${rating} holds ${round1(p)} bar at ${t} °C`;
    for (const e of design.equipment) {
      const p = e.designPressure;
      if (p === undefined) continue;
      const t = e.designTemperature ?? AMBIENT_TEMPERATURE;
      for (const n of e.nozzles) {
        if (n.rating === undefined) continue;
        const limit = limitOf(n.rating, t);
        if (!limit.found || (limit.p !== undefined && p <= limit.p)) continue;
        const item = index.placedByTag.get(e.tag);
        emit({
          message: `${describeLimit(n.rating, t, limit.p)}; ${e.tag} nozzle ${n.id} design ${p} barg (ASME B16.5 Table 2-1.1).`,
          tags: [e.tag],
          ...(item ? { location: centre(item) } : {}),
        });
      }
    }
    for (const line of design.lines) {
      const p = line.designPressure;
      if (p === undefined || line.rating === undefined) continue;
      const t = line.designTemperature ?? AMBIENT_TEMPERATURE;
      const limit = limitOf(line.rating, t);
      if (!limit.found || (limit.p !== undefined && p <= limit.p)) continue;
      emit({
        message: `${describeLimit(line.rating, t, limit.p)}; line ${line.id} design ${p} barg (ASME B16.5 Table 2-1.1; B31.3 302.2.1).`,
        lines: [line.id],
      });
    }
  },
};
