/**
 * The plan (top) view's geometry, in design coordinates (m; x east, y north): what the screen
 * plan and the printed SVG both draw. Pure: no DOM, no three.js.
 */
import { type Design, type Equipment, isPlaced } from "@plantgan/core/design";

export interface Rect {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

export interface PlanEquipment {
  readonly tag: string;
  readonly type: Equipment["type"];
  readonly x: number;
  readonly y: number;
  readonly rect: Rect;
}

export interface PlanLine {
  readonly id: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface Plan {
  readonly site: Rect;
  readonly equipment: readonly PlanEquipment[];
  readonly keepOuts: readonly (Rect & { readonly id: string; readonly kind: string })[];
  readonly racks: readonly (Rect & { readonly id: string })[];
  readonly lines: readonly PlanLine[];
}

/** The footprint's plan rectangle: width along x at rotation 0, swapped at 90° and 270°. */
export function footprintRect(e: Equipment & { x: number; y: number }): Rect {
  const turned = e.rotation === 90 || e.rotation === 270;
  const hw = (turned ? e.footprint.depth : e.footprint.width) / 2;
  const hd = (turned ? e.footprint.width : e.footprint.depth) / 2;
  return { x0: e.x - hw, y0: e.y - hd, x1: e.x + hw, y1: e.y + hd };
}

export function planOf(design: Design): Plan {
  const equipment = design.equipment.filter(isPlaced).map((e) => ({
    tag: e.tag,
    type: e.type,
    x: e.x,
    y: e.y,
    rect: footprintRect(e),
  }));
  return {
    site: { x0: 0, y0: 0, x1: design.site.width, y1: design.site.depth },
    equipment,
    keepOuts: design.site.keepOut.map((k) => ({
      id: k.id,
      kind: k.kind,
      x0: k.x,
      y0: k.y,
      x1: k.x + k.width,
      y1: k.y + k.depth,
    })),
    racks: design.site.racks.map((r) => ({
      id: r.id,
      x0: r.x,
      y0: r.y,
      x1: r.x + (r.axis === "x" ? r.length : r.width),
      y1: r.y + (r.axis === "x" ? r.width : r.length),
    })),
    lines: design.lines.flatMap((l) =>
      l.route ? [{ id: l.id, points: l.route.map((p) => [p[0], p[1]] as const) }] : [],
    ),
  };
}

/** A round step (1, 2 or 5 × 10^n) no smaller than `atLeast`. */
export function niceStep(atLeast: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(atLeast, 1e-9)));
  for (const m of [1, 2, 5, 10]) if (m * p >= atLeast) return m * p;
  return 10 * p;
}

/** Grid positions, multiples of `step` from `from` to `to`. */
export function ticks(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = Math.ceil(from / step) * step; v <= to + 1e-9; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

export function distance(a: readonly [number, number], b: readonly [number, number]): number {
  return Math.hypot(b[0] - a[0], b[1] - a[1]);
}

/** Metres with two decimals: "30.00 m". */
export function metres(v: number): string {
  return `${v.toFixed(2)} m`;
}

export type FoundKind = "equipment" | "instrument" | "line";

export interface Found {
  readonly kind: FoundKind;
  readonly id: string;
  /** Where it is in plan, when it has a place. */
  readonly at?: readonly [number, number];
}

function lineMiddle(design: Design, id: string): [number, number] | undefined {
  const route = design.lines.find((l) => l.id === id)?.route;
  if (!route) return undefined;
  const p = route[Math.floor(route.length / 2)]!;
  const q = route[Math.max(0, Math.floor(route.length / 2) - 1)]!;
  return [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2];
}

/** Every searchable tag of a design: equipment, instruments, lines, in that order. */
export function searchableTags(design: Design): string[] {
  return [
    ...design.equipment.map((e) => e.tag),
    ...design.instruments.map((i) => i.tag),
    ...design.lines.map((l) => l.id),
  ];
}

/**
 * The item a typed tag names: an exact match (case-insensitive) first, else the first tag that
 * starts with it. Instruments are found where they are mounted (their equipment or their line).
 */
export function findTag(design: Design, query: string): Found | undefined {
  const q = query.trim().toUpperCase();
  if (!q) return undefined;
  const placeOf = (tag: string): [number, number] | undefined => {
    const e = design.equipment.find((x) => x.tag === tag);
    return e && isPlaced(e) ? [e.x, e.y] : undefined;
  };
  const candidates: Found[] = [];
  for (const e of design.equipment) {
    const at = placeOf(e.tag);
    candidates.push({ kind: "equipment", id: e.tag, ...(at ? { at } : {}) });
  }
  for (const i of design.instruments) {
    const at = !i.on ? undefined : "tag" in i.on ? placeOf(i.on.tag) : lineMiddle(design, i.on.line);
    candidates.push({ kind: "instrument", id: i.tag, ...(at ? { at } : {}) });
  }
  for (const l of design.lines) {
    const at = lineMiddle(design, l.id);
    candidates.push({ kind: "line", id: l.id, ...(at ? { at } : {}) });
  }
  return candidates.find((c) => c.id.toUpperCase() === q) ?? candidates.find((c) => c.id.toUpperCase().startsWith(q));
}

/** True when no equipment has a position: a P&ID without a layout (a DEXPI import, a topology). */
export function isTopologyOnly(design: Design): boolean {
  return design.equipment.length > 0 && !design.equipment.some(isPlaced);
}
