import type { Rating, RulePack } from "./types.js";

/**
 * Flange classes from the rule pack's pressure–temperature tables (default: ASME B16.5 Table 2-1.1,
 * group 1.1): what a class holds at a temperature, and the lowest class that holds a design
 * pressure there. The designer rates its nozzles and lines with it; the legaliser and the GAN
 * pipeline can rate what they add the same way, so the rating-capacity rule holds by construction.
 */

/** Design temperature assumed when none is stated, °C (the ambient column of ASME B16.5). */
export const AMBIENT_TEMPERATURE = 38;

/**
 * Allowed working pressure, barg, of a [temperature, pressure] table at `t` °C: linear between
 * points (ASME B16.5 2.4), the first point's pressure below it, undefined above the last point.
 */
export function allowedWorkingPressure(points: readonly (readonly number[])[], t: number): number | undefined {
  const first = points[0];
  if (!first) return undefined;
  if (t <= first[0]!) return first[1]!;
  for (let i = 1; i < points.length; i++) {
    const [t1, p1] = points[i] as [number, number];
    if (t <= t1) {
      const [t0, p0] = points[i - 1] as [number, number];
      return p0 + ((p1 - p0) * (t - t0)) / (t1 - t0);
    }
  }
  return undefined;
}

/** The pack's rated classes, weakest first (by what each holds at ambient temperature). */
export function ratedClasses(pack: RulePack): readonly { rating: Rating; points: readonly (readonly number[])[] }[] {
  const out: { rating: Rating; points: readonly (readonly number[])[] }[] = [];
  for (const [rating, points] of Object.entries(pack.flangeRatings?.classes ?? {})) {
    if (points !== undefined && points.length > 0) out.push({ rating: rating as Rating, points });
  }
  const atAmbient = (c: (typeof out)[number]) => allowedWorkingPressure(c.points, AMBIENT_TEMPERATURE) ?? 0;
  return out.sort((a, b) => atAmbient(a) - atAmbient(b));
}

/**
 * Fallback without pressure–temperature tables: ASME B16.5 group 1.1 class limits at 38–200 °C,
 * reduced to one screening margin.
 */
function screeningClass(p: number): Rating {
  if (p <= 13) return "CL150";
  if (p <= 40) return "CL300";
  if (p <= 85) return "CL600";
  if (p <= 125) return "CL900";
  return "CL1500";
}

/**
 * The lowest flange class of the pack that holds `designPressure` (barg) at `designTemperature`
 * (°C; ambient when absent). No pressure stated: the lowest class. Nothing holds it: the strongest
 * class (the rating-capacity rule then reports it). A pack without tables: the screening classes.
 */
export function flangeRatingFor(
  pack: RulePack,
  designPressure: number | undefined,
  designTemperature: number | undefined = AMBIENT_TEMPERATURE,
): Rating {
  const classes = ratedClasses(pack);
  const p = designPressure ?? 0;
  if (classes.length === 0) return screeningClass(p);
  for (const c of classes) {
    const allowed = allowedWorkingPressure(c.points, designTemperature);
    if (allowed !== undefined && p <= allowed) return c.rating;
  }
  return classes[classes.length - 1]!.rating;
}
