import type { DesignSummary } from "@plantgan/core/design";

/** min / max / mean of a figure over a dataset's designs (absent when there is no design). */
export interface Spread {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

export interface DatasetStats {
  readonly designs: number;
  readonly byProcessClass: Record<string, number>;
  readonly placement: Record<"placed" | "partial" | "topology", number>;
  readonly equipment: { readonly total: number; readonly perDesign?: Spread; readonly byType: Record<string, number> };
  readonly lines: {
    readonly total: number;
    readonly perDesign?: Spread;
    readonly byService: Record<string, number>;
    readonly branches: number;
    readonly routed: number;
    /** Sum of routed lengths, m. */
    readonly routedLength: number;
  };
  readonly components: { readonly total: number; readonly byType: Record<string, number> };
  readonly nozzles: number;
  readonly instruments: number;
  readonly loops: number;
  readonly interlocks: number;
  /** Plot area, m², over the designs. */
  readonly siteArea?: Spread;
  /** Share of the plot covered by footprints, over placed designs. */
  readonly footprintUse?: Spread;
}

function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  return { min, max, mean: Math.round((sum / values.length) * 1000) / 1000 };
}

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function sorted(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** Aggregates the stored `summariseDesign` figures of a dataset's designs. */
export function datasetStats(summaries: readonly DesignSummary[]): DatasetStats {
  const byProcessClass: Record<string, number> = {};
  const placement = { placed: 0, partial: 0, topology: 0 };
  const equipmentByType: Record<string, number> = {};
  const byService: Record<string, number> = {};
  const componentsByType: Record<string, number> = {};
  let branches = 0;
  let routed = 0;
  let routedLength = 0;
  let nozzles = 0;
  let instruments = 0;
  let loops = 0;
  let interlocks = 0;
  let components = 0;
  for (const s of summaries) {
    byProcessClass[s.processClass] = (byProcessClass[s.processClass] ?? 0) + 1;
    placement[s.placement] += 1;
    addCounts(equipmentByType, s.equipment.byType);
    addCounts(byService, s.lines.byService);
    addCounts(componentsByType, s.components.byType);
    branches += s.lines.branches;
    routed += s.lines.routed;
    routedLength += s.lines.routedLength;
    nozzles += s.nozzles;
    instruments += s.instruments;
    loops += s.loops;
    interlocks += s.interlocks;
    components += s.components.total;
  }
  const perDesignEquipment = spread(summaries.map((s) => s.equipment.total));
  const perDesignLines = spread(summaries.map((s) => s.lines.total));
  const siteArea = spread(summaries.map((s) => s.site.width * s.site.depth));
  const footprintUse = spread(summaries.flatMap((s) => (s.footprintUse !== undefined ? [s.footprintUse] : [])));
  return {
    designs: summaries.length,
    byProcessClass: sorted(byProcessClass),
    placement,
    equipment: {
      total: summaries.reduce((n, s) => n + s.equipment.total, 0),
      ...(perDesignEquipment ? { perDesign: perDesignEquipment } : {}),
      byType: sorted(equipmentByType),
    },
    lines: {
      total: summaries.reduce((n, s) => n + s.lines.total, 0),
      ...(perDesignLines ? { perDesign: perDesignLines } : {}),
      byService: sorted(byService),
      branches,
      routed,
      routedLength: Math.round(routedLength * 10) / 10,
    },
    components: { total: components, byType: sorted(componentsByType) },
    nozzles,
    instruments,
    loops,
    interlocks,
    ...(siteArea ? { siteArea } : {}),
    ...(footprintUse ? { footprintUse } : {}),
  };
}
