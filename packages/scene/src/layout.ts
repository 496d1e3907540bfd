import {
  type Design,
  type Equipment,
  isNozzleEnd,
  isPlaced,
  type Line,
  nozzlePosition,
  planSize,
} from "@plantgan/core/design";

export type Vec3 = [number, number, number];

/** Equipment with a position to draw it at; `schematic` when the design gave none. */
export type PlacedEquipment = Equipment & { readonly x: number; readonly y: number; readonly schematic: boolean };

/**
 * Positions for every equipment item. Placed items keep theirs. Unplaced ones (topology-only
 * designs, e.g. DEXPI imports) get schematic positions in rows: inside the plot when nothing is
 * placed, in a strip south of the plot otherwise, so they never sit on placed equipment.
 */
export function placeEquipment(design: Design, placeUnplaced: boolean): PlacedEquipment[] {
  const out: PlacedEquipment[] = [];
  const unplaced: Equipment[] = [];
  for (const e of design.equipment) {
    if (isPlaced(e)) out.push({ ...e, schematic: false });
    else unplaced.push(e);
  }
  if (!placeUnplaced || unplaced.length === 0) return out;
  const gap = 3;
  const rowWidth = Math.max(design.site.width, 20);
  const inside = out.length === 0;
  let cx = 0;
  let rowY = inside ? gap : -gap;
  let rowDepth = 0;
  for (const e of unplaced) {
    const { width, depth } = planSize(e);
    if (cx > 0 && cx + width + gap > rowWidth) {
      rowY += inside ? rowDepth + gap : -(rowDepth + gap);
      cx = 0;
      rowDepth = 0;
    }
    const x = cx + gap + width / 2;
    const y = inside ? rowY + depth / 2 : rowY - depth / 2;
    out.push({ ...e, x, y, schematic: true });
    cx += width + gap;
    rowDepth = Math.max(rowDepth, depth);
  }
  return out;
}

/** A polyline with cumulative lengths, for placing things along a pipe. */
export class Path {
  readonly points: readonly Vec3[];
  readonly cumulative: Float64Array;
  readonly length: number;

  constructor(points: readonly Vec3[]) {
    this.points = points;
    this.cumulative = new Float64Array(points.length);
    let total = 0;
    for (let i = 1; i < points.length; i++) {
      const a = points[i - 1]!;
      const b = points[i]!;
      total += Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
      this.cumulative[i] = total;
    }
    this.length = total;
  }

  /** Point and unit direction at a fraction (0..1) of the length. */
  at(fraction: number): { point: Vec3; direction: Vec3 } {
    const n = this.points.length;
    const first = this.points[0]!;
    if (n < 2 || this.length === 0) return { point: [...first], direction: [1, 0, 0] };
    const s = Math.min(Math.max(fraction, 0), 1) * this.length;
    let i = 1;
    while (i < n - 1 && (this.cumulative[i] ?? 0) < s) i++;
    const a = this.points[i - 1]!;
    const b = this.points[i]!;
    const seg = (this.cumulative[i] ?? 0) - (this.cumulative[i - 1] ?? 0);
    const t = seg > 0 ? (s - (this.cumulative[i - 1] ?? 0)) / seg : 0;
    const d: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const len = Math.hypot(d[0], d[1], d[2]) || 1;
    return {
      point: [a[0] + d[0] * t, a[1] + d[1] * t, a[2] + d[2] * t],
      direction: [d[0] / len, d[1] / len, d[2] / len],
    };
  }
}

/**
 * Where lines start and end: nozzle positions (turned with their equipment, via core's
 * `nozzlePosition`), or for a branch end the middle of the line it tees off.
 */
export class LineEnds {
  private readonly equipment: Map<string, PlacedEquipment>;
  private readonly lines: Map<string, Line>;
  private readonly paths = new Map<string, Path | null>();

  constructor(placed: readonly PlacedEquipment[], lines: readonly Line[]) {
    this.equipment = new Map(placed.map((e) => [e.tag, e]));
    this.lines = new Map(lines.map((l) => [l.id, l]));
  }

  equipmentByTag(tag: string): PlacedEquipment | undefined {
    return this.equipment.get(tag);
  }

  endPoint(end: Line["from"], depth = 0): Vec3 | undefined {
    if (isNozzleEnd(end)) {
      const e = this.equipment.get(end.tag);
      if (!e) return undefined;
      const nozzle = e.nozzles.find((n) => n.id === end.nozzle);
      if (!nozzle) return [e.x, e.y, e.z + e.footprint.height / 2];
      return nozzlePosition(e, nozzle);
    }
    // An open end (battery limit) has no point of its own: only its route says where it is.
    if ("open" in end || depth > 8) return undefined;
    const path = this.path(end.line, depth + 1);
    return path ? path.at(0.5).point : undefined;
  }

  /** The drawn path of a line: its route, else the straight chord between its ends; null when neither end resolves. */
  path(lineId: string, depth = 0): Path | null {
    const cached = this.paths.get(lineId);
    if (cached !== undefined) return cached;
    const line = this.lines.get(lineId);
    if (!line) return null;
    // Guard against branch cycles (a tees off b tees off a): mark as unresolved while resolving.
    this.paths.set(lineId, null);
    let path: Path | null = null;
    if (line.route && line.route.length >= 2) {
      path = new Path(line.route.map((p) => [p[0], p[1], p[2]] as Vec3));
    } else {
      const a = this.endPoint(line.from, depth);
      const b = this.endPoint(line.to, depth);
      if (a && b) path = new Path([a, b]);
    }
    this.paths.set(lineId, path);
    return path;
  }
}
