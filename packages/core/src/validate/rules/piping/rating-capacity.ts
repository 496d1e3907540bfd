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
    const describeLimit = (rating: Rating, t: number, p: number | undefined) =>
      p === undefined
        ? `${rating} has no rating above ${classes[rating]!.at(-1)![0]} °C`
        : `${rating} holds ${round1(p)} bar at ${t} °C`;
    const equipment = design.equipment;
    for (let i = 0; i < equipment.length; i++) {
      const e = equipment[i]!;
      const p = e.designPressure;
      if (p === undefined) continue;
      const t = e.designTemperature ?? AMBIENT_TEMPERATURE;
      const nozzles = e.nozzles;
      for (let j = 0; j < nozzles.length; j++) {
        const n = nozzles[j]!;
        if (n.rating === undefined) continue;
        const table = classes[n.rating];
        if (!table) continue;
        const limit = allowedWorkingPressure(table, t);
        if (limit !== undefined && p <= limit) continue;
        const item = index.placedByTag.get(e.tag);
        emit({
          message: `${describeLimit(n.rating, t, limit)}; ${e.tag} nozzle ${n.id} design ${p} barg (ASME B16.5 Table 2-1.1).`,
          tags: [e.tag],
          ...(item ? { location: centre(item) } : {}),
        });
      }
    }
    const lines = design.lines;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const p = line.designPressure;
      if (p === undefined || line.rating === undefined) continue;
      const t = line.designTemperature ?? AMBIENT_TEMPERATURE;
      const table = classes[line.rating];
      if (!table) continue;
      const limit = allowedWorkingPressure(table, t);
      if (limit !== undefined && p <= limit) continue;
      emit({
        message: `${describeLimit(line.rating, t, limit)}; line ${line.id} design ${p} barg (ASME B16.5 Table 2-1.1; B31.3 302.2.1).`,
        lines: [line.id],
      });
    }
  },
};
