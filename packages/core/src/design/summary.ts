import type { Design } from "./types.js";
import { isPlaced } from "./types.js";

/** The figures a person wants first when handed a design. */
export interface DesignSummary {
  readonly id: string;
  readonly name?: string;
  readonly processClass: string;
  readonly site: {
    readonly width: number;
    readonly depth: number;
    readonly gridSize: number;
    readonly racks: number;
    readonly keepOut: number;
  };
  /** "placed": every equipment has x/y; "topology": none has; "partial": some have. */
  readonly placement: "placed" | "topology" | "partial";
  readonly equipment: { readonly total: number; readonly byType: Readonly<Record<string, number>> };
  readonly nozzles: number;
  readonly lines: {
    readonly total: number;
    readonly byService: Readonly<Record<string, number>>;
    readonly branches: number;
    readonly routed: number;
    /** Sum of routed polyline lengths, m. */
    readonly routedLength: number;
  };
  readonly components: { readonly total: number; readonly byType: Readonly<Record<string, number>> };
  readonly instruments: number;
  readonly loops: number;
  readonly interlocks: number;
  /** Share of the plot covered by equipment footprints (placed designs), 0..1. */
  readonly footprintUse?: number;
}

function count<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    out[k] = (out[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function polylineLength(route: readonly (readonly number[])[]): number {
  let length = 0;
  for (let i = 1; i < route.length; i++) {
    const a = route[i - 1]!;
    const b = route[i]!;
    length += Math.hypot(b[0]! - a[0]!, b[1]! - a[1]!, b[2]! - a[2]!);
  }
  return length;
}

export function summariseDesign(design: Design): DesignSummary {
  const placed = design.equipment.filter(isPlaced).length;
  const placement = placed === design.equipment.length ? "placed" : placed === 0 ? "topology" : "partial";
  const components = design.lines.flatMap((l) => l.components);
  const routedLines = design.lines.filter((l) => l.route !== undefined);
  const footprintArea = design.equipment
    .filter(isPlaced)
    .reduce((sum, e) => sum + e.footprint.width * e.footprint.depth, 0);
  return {
    id: design.id,
    ...(design.name !== undefined ? { name: design.name } : {}),
    processClass: design.processClass,
    site: {
      width: design.site.width,
      depth: design.site.depth,
      gridSize: design.site.gridSize,
      racks: design.site.racks.length,
      keepOut: design.site.keepOut.length,
    },
    placement: design.equipment.length === 0 ? "topology" : placement,
    equipment: { total: design.equipment.length, byType: count(design.equipment, (e) => e.type) },
    nozzles: design.equipment.reduce((n, e) => n + e.nozzles.length, 0),
    lines: {
      total: design.lines.length,
      byService: count(design.lines, (l) => l.service),
      branches: design.lines.filter((l) => "line" in l.from || "line" in l.to).length,
      routed: routedLines.length,
      routedLength: Math.round(routedLines.reduce((s, l) => s + polylineLength(l.route!), 0) * 10) / 10,
    },
    components: { total: components.length, byType: count(components, (c) => c.type) },
    instruments: design.instruments.length,
    loops: design.control.loops.length,
    interlocks: design.control.interlocks.length,
    ...(placed > 0
      ? { footprintUse: Math.round((footprintArea / (design.site.width * design.site.depth)) * 1e4) / 1e4 }
      : {}),
  };
}
