import type { Line, RulePack } from "../design/types.js";

/** The pack's cost section (schemas/rule-pack.schema.json "cost"). */
export type CostModel = NonNullable<RulePack["cost"]>;

/**
 * A base-class rate at DN `size`: linear between the two table entries around it, extrapolated from
 * the last two beyond the table (a DN 600 line must not cost what a DN 500 does), never below zero.
 */
function interpolate(model: CostModel, size: number, pick: (r: CostModel["pipe"]["rates"][number]) => number): number {
  const rates = [...model.pipe.rates].sort((a, b) => a.size - b.size);
  if (rates.length === 1) return pick(rates[0]!);
  let k = rates.findIndex((r) => r.size >= size);
  if (k === 0) return pick(rates[0]!);
  if (k < 0) k = rates.length - 1;
  const lo = rates[k - 1]!;
  const hi = rates[k]!;
  const t = (size - lo.size) / (hi.size - lo.size);
  return Math.max(0, pick(lo) + t * (pick(hi) - pick(lo)));
}

/** The rating-class multiplier of a line (the pack's default when it has no rating or an unlisted one). */
export function classFactor(model: CostModel, line: Pick<Line, "rating">): number {
  const f = line.rating === undefined ? undefined : model.classFactors.factors[line.rating];
  return f ?? model.classFactors.default;
}

/** Installed cost of one metre of this line's pipe off any rack, currency/m. */
export function pipeRate(model: CostModel, line: Pick<Line, "size" | "rating">): number {
  return interpolate(model, line.size, (r) => r.perMetre) * classFactor(model, line);
}

/** Installed cost of one elbow on this line, currency. */
export function bendRate(model: CostModel, line: Pick<Line, "size" | "rating">): number {
  return interpolate(model, line.size, (r) => r.perBend) * classFactor(model, line);
}
