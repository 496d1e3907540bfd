import type { EquipmentType, ProcessClass } from "../../design/types.js";
import type { PlantBuilder } from "../builder.js";
import type { Rng } from "../rng.js";

/** What a template reads: the builder to draw with, its random stream, and the requested counts. */
export interface TemplateContext {
  readonly b: PlantBuilder;
  readonly rng: Rng;
  /** The count a request asks for of a type, or undefined when it does not name the type. */
  want(type: EquipmentType): number | undefined;
}

/**
 * A parametric P&ID for one process class: draws the items, lines, instruments and control of one
 * plant from its random stream (sizes, counts, trains, options), honouring requested counts where
 * the process allows. Returns a one-line name for the design.
 */
export interface Template {
  readonly processClass: ProcessClass;
  draw(ctx: TemplateContext): string;
}

/** A count: the requested one when given (clamped to what the template can draw), else drawn. */
export function countOf(ctx: TemplateContext, type: EquipmentType, per: number, lo: number, hi: number): number {
  const asked = ctx.want(type);
  if (asked === undefined) return ctx.rng.int(lo, hi);
  return Math.min(hi, Math.max(lo, Math.round(asked / per)));
}
