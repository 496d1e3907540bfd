/**
 * The condition vector c of the conditional GAN (DESIGN.md "Generation pipeline": request →
 * condition vector → generator (z, c)). Built the same way from a generation request (what is
 * asked for) and from a design (what a training example holds), so the generator learns
 * p(design | c) and is asked with a c of the same form.
 *
 * Layout (CONDITION_SIZE = 21): process class one-hot (7) | site width, depth ÷ SITE_SCALE (2) |
 * equipment count per type ÷ COUNT_SCALE, in EQUIPMENT_TYPES order (12).
 */
import type { Design, EquipmentType, GenerationRequest, PlantDesignInput, ProcessClass } from "../design/types.js";
import { EQUIPMENT_TYPES, PROCESS_CLASSES } from "../design/vocabulary.js";

export { PROCESS_CLASSES } from "../design/vocabulary.js";

/** Site sides are divided by this, m: typical plots (40–400 m) land in 0.1–0.8. */
export const SITE_SCALE = 500;
/** Equipment counts are divided by this. */
export const COUNT_SCALE = 10;

/** Offsets of the blocks of c. */
export const CONDITION_LAYOUT = {
  processClass: 0,
  siteWidth: PROCESS_CLASSES.length,
  siteDepth: PROCESS_CLASSES.length + 1,
  counts: PROCESS_CLASSES.length + 2,
} as const;

export const CONDITION_SIZE = PROCESS_CLASSES.length + 2 + EQUIPMENT_TYPES.length;

/** The plain facts a condition is made of. */
export interface ConditionSpec {
  readonly processClass: ProcessClass;
  readonly site: { readonly width: number; readonly depth: number };
  /** Required equipment per type; absent types count 0. */
  readonly counts: Readonly<Partial<Record<EquipmentType, number>>>;
}

/** The condition a request or design stands for, before it becomes numbers. */
export function conditionSpec(source: GenerationRequest | Design | PlantDesignInput): ConditionSpec {
  const counts: Partial<Record<EquipmentType, number>> = {};
  const add = (type: EquipmentType, n: number): void => {
    counts[type] = (counts[type] ?? 0) + n;
  };
  if (isRequest(source)) {
    if (source.mode === "topology" && source.topology) {
      for (const e of source.topology.equipment) add(e.type, 1);
    } else {
      for (const item of source.equipment ?? []) add(item.type, item.count);
      // Fixed items hold equipment too: a type asked for only through them counts them.
      const fixed: Partial<Record<EquipmentType, number>> = {};
      for (const e of source.fixed ?? []) fixed[e.type] = (fixed[e.type] ?? 0) + 1;
      for (const [type, n] of Object.entries(fixed) as [EquipmentType, number][]) {
        counts[type] = Math.max(counts[type] ?? 0, n);
      }
    }
  } else {
    for (const e of source.equipment) add(e.type, 1);
  }
  return { processClass: source.processClass, site: { width: source.site.width, depth: source.site.depth }, counts };
}

/** c for a request (what to generate) or a design (what it is). Length CONDITION_SIZE. */
export function conditionVector(source: GenerationRequest | Design | PlantDesignInput | ConditionSpec): Float32Array {
  const spec = "counts" in source ? source : conditionSpec(source);
  const c = new Float32Array(CONDITION_SIZE);
  const k = PROCESS_CLASSES.indexOf(spec.processClass);
  if (k >= 0) c[CONDITION_LAYOUT.processClass + k] = 1;
  c[CONDITION_LAYOUT.siteWidth] = spec.site.width / SITE_SCALE;
  c[CONDITION_LAYOUT.siteDepth] = spec.site.depth / SITE_SCALE;
  EQUIPMENT_TYPES.forEach((t, i) => {
    c[CONDITION_LAYOUT.counts + i] = (spec.counts[t] ?? 0) / COUNT_SCALE;
  });
  return c;
}

function isRequest(source: GenerationRequest | Design | PlantDesignInput): source is GenerationRequest {
  return !Array.isArray((source as { lines?: unknown }).lines);
}
