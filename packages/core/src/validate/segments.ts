/**
 * Route segments as flat typed arrays, with a uniform grid over them.
 *
 * A 10,000-equipment plant has some 70,000 route segments. As objects in an R-tree they cost more
 * to allocate and index than every rule's checking together; as columns of numbers in a grid
 * (cells of about the mean segment spacing, a counting sort into compressed rows) they index in
 * linear time, and the clash rule enumerates candidate pairs cell by cell with no query at all.
 * Footprints stay in the R-tree (rbush): they vary in size and there are far fewer of them.
 */
import type { Line } from "../design/types.js";
import type { ArrayLease } from "./array-pool.js";

export interface Segments {
  readonly count: number;
  readonly ax: Float64Array;
  readonly ay: Float64Array;
  readonly az: Float64Array;
  readonly bx: Float64Array;
  readonly by: Float64Array;
  readonly bz: Float64Array;
  /** Index of the segment's line in `design.lines`. */
  readonly line: Int32Array;
  /** Segment number along its route (0 = first). */
  readonly k: Int32Array;
  /** Per line (in `design.lines` order): its route's point count, 0 without a route. */
  readonly routeLength: Int32Array;
  /** Per line with two or more route points: its first segment; the others follow in route order. */
  readonly firstSegment: Int32Array;
}

export function buildSegments(lines: readonly Line[], arrays: ArrayLease): Segments {
  let count = 0;
  const routeLength = arrays.int32(lines.length);
  const firstSegment = arrays.int32(lines.length);
  for (let li = 0; li < lines.length; li++) {
    const route = lines[li]!.route;
    if (!route) continue;
    routeLength[li] = route.length;
    firstSegment[li] = count;
    if (route.length > 1) count += route.length - 1;
  }
  const s = {
    routeLength,
    firstSegment,
    count,
    ax: arrays.float64(count),
    ay: arrays.float64(count),
    az: arrays.float64(count),
    bx: arrays.float64(count),
    by: arrays.float64(count),
    bz: arrays.float64(count),
    line: arrays.int32(count),
    k: arrays.int32(count),
  };
  let i = 0;
  for (let li = 0; li < lines.length; li++) {
    const route = lines[li]!.route;
    if (!route || route.length < 2) continue;
    let p = route[0]!;
    for (let k = 1; k < route.length; k++) {
      const q = route[k]!;
      s.ax[i] = p[0];
      s.ay[i] = p[1];
      s.az[i] = p[2];
      s.bx[i] = q[0];
      s.by[i] = q[1];
      s.bz[i] = q[2];
      s.line[i] = li;
      s.k[i] = k - 1;
      i++;
      p = q;
    }
  }
  return s;
}

/** Most cells a grid may have; beyond it cells grow. */
const MAX_CELLS = 4_000_000;
/** Most (segment, cell) memberships beyond 16 per segment; beyond it cells grow (very long segments). */
const MAX_EXTRA_MEMBERSHIPS = 8_000_000;

/**
 * A uniform grid over segment bounding boxes, each widened by `pad` (half the largest distance a
 * pair query will ask about), stored as compressed rows: the segments of cell c are
 * `items[start[c] .. start[c + 1]]`.
 */
export class SegmentGrid {
  readonly pad: number;
  readonly cell: number;
  readonly nx: number;
  readonly ny: number;
  private readonly x0: number;
  private readonly y0: number;
  readonly start: Int32Array;
  readonly items: Int32Array;
  // The padded boxes are not stored: min(a, b) − pad and max(a, b) + pad are recomputed from the
  // segment ends where needed (the same numbers), which saves six arrays as long as the segments
  // (40 MB at 100,000 equipment, each array a garbage-collector trigger).
  private readonly stamp: Int32Array;
  private query = 0;

  constructor(
    readonly segments: Segments,
    pad: number,
    arrays: ArrayLease,
  ) {
    const n = segments.count;
    this.pad = pad;
    const { ax, ay, bx, by } = segments;
    let x0 = Number.POSITIVE_INFINITY;
    let y0 = Number.POSITIVE_INFINITY;
    let x1 = Number.NEGATIVE_INFINITY;
    let y1 = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const lx = Math.min(ax[i]!, bx[i]!) - pad;
      const hx = Math.max(ax[i]!, bx[i]!) + pad;
      const ly = Math.min(ay[i]!, by[i]!) - pad;
      const hy = Math.max(ay[i]!, by[i]!) + pad;
      if (lx < x0) x0 = lx;
      if (ly < y0) y0 = ly;
      if (hx > x1) x1 = hx;
      if (hy > y1) y1 = hy;
    }
    if (n === 0) {
      x0 = y0 = 0;
      x1 = y1 = 1;
    }
    const w = Math.max(x1 - x0, 1e-9);
    const h = Math.max(y1 - y0, 1e-9);
    // About one segment per cell on average; never below 1 m, and never more than MAX_CELLS cells.
    let cell = Math.max(1, Math.sqrt((w * h) / Math.max(n, 1)));
    while (Math.ceil(w / cell) * Math.ceil(h / cell) > MAX_CELLS) cell *= 1.5;
    this.x0 = x0;
    this.y0 = y0;
    // Counting sort of (segment, cell) memberships into compressed rows. The counting pass also
    // totals the memberships; past the cap (very long segments) the cells double and it recounts.
    let start: Int32Array;
    for (;;) {
      this.cell = cell;
      this.nx = Math.max(1, Math.ceil(w / cell));
      this.ny = Math.max(1, Math.ceil(h / cell));
      start = arrays.int32(this.nx * this.ny + 1);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const i0 = this.cx(Math.min(ax[i]!, bx[i]!) - pad);
        const i1 = this.cx(Math.max(ax[i]!, bx[i]!) + pad);
        const j0 = this.cy(Math.min(ay[i]!, by[i]!) - pad);
        const j1 = this.cy(Math.max(ay[i]!, by[i]!) + pad);
        total += (i1 - i0 + 1) * (j1 - j0 + 1);
        for (let j = j0; j <= j1; j++)
          for (let c = j * this.nx + i0, e = j * this.nx + i1; c <= e; c++) start[c + 1]!++;
      }
      if (total <= 16 * n + MAX_EXTRA_MEMBERSHIPS) break;
      cell *= 2;
    }
    for (let c = 0; c < this.nx * this.ny; c++) start[c + 1]! += start[c]!;
    const fill = arrays.int32(this.nx * this.ny);
    fill.set(start.subarray(0, this.nx * this.ny));
    const items = arrays.int32(start[this.nx * this.ny]!);
    for (let i = 0; i < n; i++) {
      const i0 = this.cx(Math.min(ax[i]!, bx[i]!) - pad);
      const i1 = this.cx(Math.max(ax[i]!, bx[i]!) + pad);
      const j0 = this.cy(Math.min(ay[i]!, by[i]!) - pad);
      const j1 = this.cy(Math.max(ay[i]!, by[i]!) + pad);
      for (let j = j0; j <= j1; j++) {
        for (let c = j * this.nx + i0, e = j * this.nx + i1; c <= e; c++) items[fill[c]!++] = i;
      }
    }
    this.start = start;
    this.items = items;
    this.stamp = arrays.int32(n);
  }

  cx(x: number): number {
    const i = Math.floor((x - this.x0) / this.cell);
    return i < 0 ? 0 : i >= this.nx ? this.nx - 1 : i;
  }

  cy(y: number): number {
    const j = Math.floor((y - this.y0) / this.cell);
    return j < 0 ? 0 : j >= this.ny ? this.ny - 1 : j;
  }

  /** Calls `fn` once for each segment whose padded box meets the plan box, until `fn` returns true. */
  forEachNear(minX: number, minY: number, maxX: number, maxY: number, fn: (s: number) => boolean | undefined): void {
    const q = ++this.query;
    const i0 = this.cx(minX);
    const i1 = this.cx(maxX);
    const j0 = this.cy(minY);
    const j1 = this.cy(maxY);
    const { start, items, stamp, pad } = this;
    const { ax, ay, bx, by } = this.segments;
    for (let j = j0; j <= j1; j++) {
      for (let c = j * this.nx + i0, e = j * this.nx + i1; c <= e; c++) {
        for (let p = start[c]!, end = start[c + 1]!; p < end; p++) {
          const s = items[p]!;
          if (stamp[s] === q) continue;
          stamp[s] = q;
          if (
            Math.max(ax[s]!, bx[s]!) + pad < minX ||
            Math.min(ax[s]!, bx[s]!) - pad > maxX ||
            Math.max(ay[s]!, by[s]!) + pad < minY ||
            Math.min(ay[s]!, by[s]!) - pad > maxY
          )
            continue;
          if (fn(s) === true) return;
        }
      }
    }
  }

  /**
   * Calls `fn(a, b)` (a < b) once for each pair of segments whose padded boxes overlap in 3-D
   * (and, with `group`, that lie in different groups).
   * A pair is handled only in the cell holding the low corner of the two boxes' overlap, which
   * both boxes cover, so no pair is seen twice. Stops after `budget` candidate pairs and returns
   * false (a degenerate layout with thousands of segments on one spot); true when all were seen.
   */
  forEachPair(
    fn: (a: number, b: number) => void,
    budget = Number.POSITIVE_INFINITY,
    /** When given, pairs of segments in one group (e.g. of one line) are skipped before any test. */
    group?: Int32Array,
  ): boolean {
    let seen = 0;
    const { start, items, nx, pad } = this;
    const { ax, ay, az, bx, by, bz } = this.segments;
    const minX = (i: number) => Math.min(ax[i]!, bx[i]!) - pad;
    const maxX = (i: number) => Math.max(ax[i]!, bx[i]!) + pad;
    const minY = (i: number) => Math.min(ay[i]!, by[i]!) - pad;
    const maxY = (i: number) => Math.max(ay[i]!, by[i]!) + pad;
    const minZ = (i: number) => Math.min(az[i]!, bz[i]!) - pad;
    const maxZ = (i: number) => Math.max(az[i]!, bz[i]!) + pad;
    for (let c = 0; c < nx * this.ny; c++) {
      const s0 = start[c]!;
      const s1 = start[c + 1]!;
      if (s1 - s0 < 2) continue;
      for (let p = s0; p < s1; p++) {
        const a = items[p]!;
        for (let r = p + 1; r < s1; r++) {
          if (++seen > budget) return false;
          const b = items[r]!;
          if (group !== undefined && group[a] === group[b]) continue;
          if (maxX(a) < minX(b) || maxX(b) < minX(a)) continue;
          if (maxY(a) < minY(b) || maxY(b) < minY(a)) continue;
          if (maxZ(a) < minZ(b) || maxZ(b) < minZ(a)) continue;
          const lx = Math.max(minX(a), minX(b));
          const ly = Math.max(minY(a), minY(b));
          if (this.cy(ly) * nx + this.cx(lx) !== c) continue;
          if (a < b) fn(a, b);
          else fn(b, a);
        }
      }
    }
    return true;
  }
}

/** Distance from point (x, y, z) to segment i, m. */
export function pointToSegment(s: Segments, i: number, x: number, y: number, z: number): number {
  const ax = s.ax[i]!;
  const ay = s.ay[i]!;
  const az = s.az[i]!;
  const dx = s.bx[i]! - ax;
  const dy = s.by[i]! - ay;
  const dz = s.bz[i]! - az;
  const len2 = dx * dx + dy * dy + dz * dz;
  let t = len2 === 0 ? 0 : ((x - ax) * dx + (y - ay) * dy + (z - az) * dz) / len2;
  t = t < 0 ? 0 : Math.min(t, 1);
  const ex = ax + dx * t - x;
  const ey = ay + dy * t - y;
  const ez = az + dz * t - z;
  return Math.sqrt(ex * ex + ey * ey + ez * ez);
}

/** True when segment i runs along one axis (or is a point). */
export function isAxisAligned(s: Segments, i: number): boolean {
  let moves = 0;
  if (s.ax[i] !== s.bx[i]) moves++;
  if (s.ay[i] !== s.by[i]) moves++;
  if (s.az[i] !== s.bz[i]) moves++;
  return moves <= 1;
}

/** Distance between the bounding boxes of segments i and j: exact when both are axis-aligned. */
export function boxGap(s: Segments, i: number, j: number): number {
  const gx = gap(s.ax[i]!, s.bx[i]!, s.ax[j]!, s.bx[j]!);
  const gy = gap(s.ay[i]!, s.by[i]!, s.ay[j]!, s.by[j]!);
  const gz = gap(s.az[i]!, s.bz[i]!, s.az[j]!, s.bz[j]!);
  return Math.sqrt(gx * gx + gy * gy + gz * gz);
}

function gap(a0: number, a1: number, b0: number, b1: number): number {
  const alo = Math.min(a0, a1);
  const ahi = Math.max(a0, a1);
  const blo = Math.min(b0, b1);
  const bhi = Math.max(b0, b1);
  return blo > ahi ? blo - ahi : alo > bhi ? alo - bhi : 0;
}

export function segmentStart(s: Segments, i: number): [number, number, number] {
  return [s.ax[i]!, s.ay[i]!, s.az[i]!];
}

export function segmentEnd(s: Segments, i: number): [number, number, number] {
  return [s.bx[i]!, s.by[i]!, s.bz[i]!];
}
