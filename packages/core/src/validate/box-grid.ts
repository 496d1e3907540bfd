/**
 * A uniform grid over axis-aligned plan boxes (equipment footprints), stored as compressed rows:
 * the boxes of cell c are `items[start[c] .. start[c + 1]]`.
 *
 * Built with two counting passes and no per-box objects, it indexes 10,000 footprints in a fraction
 * of what an R-tree's bulk load costs, and a query allocates nothing (a visit stamp removes the
 * duplicates of boxes that span several cells). Every geometry rule that looks for equipment near
 * something shares one of these per validation (DesignIndex.footprints).
 */

import type { ArrayLease } from "./array-pool.js";

/** Most cells a grid may have; beyond it cells grow. */
const MAX_CELLS = 4_000_000;
/** Most (box, cell) memberships beyond 16 per box; beyond it cells grow (huge boxes). */
const MAX_EXTRA_MEMBERSHIPS = 8_000_000;

export interface Boxes {
  readonly minX: Float64Array;
  readonly minY: Float64Array;
  readonly maxX: Float64Array;
  readonly maxY: Float64Array;
}

export class BoxGrid {
  readonly cell: number;
  readonly nx: number;
  readonly ny: number;
  private readonly x0: number;
  private readonly y0: number;
  private readonly start: Int32Array;
  private readonly items: Int32Array;
  private readonly stamp: Int32Array;
  private query = 0;

  constructor(
    readonly boxes: Boxes,
    arrays: ArrayLease,
  ) {
    const { minX, minY, maxX, maxY } = boxes;
    const n = minX.length;
    let x0 = Number.POSITIVE_INFINITY;
    let y0 = Number.POSITIVE_INFINITY;
    let x1 = Number.NEGATIVE_INFINITY;
    let y1 = Number.NEGATIVE_INFINITY;
    let extent = 0;
    for (let i = 0; i < n; i++) {
      if (minX[i]! < x0) x0 = minX[i]!;
      if (minY[i]! < y0) y0 = minY[i]!;
      if (maxX[i]! > x1) x1 = maxX[i]!;
      if (maxY[i]! > y1) y1 = maxY[i]!;
      extent += maxX[i]! - minX[i]! + maxY[i]! - minY[i]!;
    }
    if (n === 0 || !Number.isFinite(x1 - x0) || !Number.isFinite(y1 - y0)) {
      x0 = y0 = 0;
      x1 = y1 = 1;
    }
    const w = Math.max(x1 - x0, 1e-9);
    const h = Math.max(y1 - y0, 1e-9);
    // About one box per cell, and cells no smaller than the mean box side (never below 1 m).
    let cell = Math.max(1, Math.sqrt((w * h) / Math.max(n, 1)), extent / Math.max(2 * n, 1));
    while (Math.ceil(w / cell) * Math.ceil(h / cell) > MAX_CELLS) cell *= 1.5;
    this.x0 = x0;
    this.y0 = y0;
    this.cell = cell;
    this.nx = Math.max(1, Math.ceil(w / cell));
    this.ny = Math.max(1, Math.ceil(h / cell));
    while (this.memberships() > 16 * n + MAX_EXTRA_MEMBERSHIPS) {
      this.cell *= 2;
      this.nx = Math.max(1, Math.ceil(w / this.cell));
      this.ny = Math.max(1, Math.ceil(h / this.cell));
    }

    const cells = this.nx * this.ny;
    const start = arrays.int32(cells + 1);
    for (let i = 0; i < n; i++) {
      const i0 = this.cx(minX[i]!);
      const i1 = this.cx(maxX[i]!);
      const j0 = this.cy(minY[i]!);
      const j1 = this.cy(maxY[i]!);
      for (let j = j0; j <= j1; j++) for (let c = j * this.nx + i0, e = j * this.nx + i1; c <= e; c++) start[c + 1]!++;
    }
    for (let c = 0; c < cells; c++) start[c + 1]! += start[c]!;
    const fill = arrays.int32(cells);
    fill.set(start.subarray(0, cells));
    const items = arrays.int32(start[cells]!);
    for (let i = 0; i < n; i++) {
      const i0 = this.cx(minX[i]!);
      const i1 = this.cx(maxX[i]!);
      const j0 = this.cy(minY[i]!);
      const j1 = this.cy(maxY[i]!);
      for (let j = j0; j <= j1; j++) {
        for (let c = j * this.nx + i0, e = j * this.nx + i1; c <= e; c++) items[fill[c]!++] = i;
      }
    }
    this.start = start;
    this.items = items;
    this.stamp = arrays.int32(n);
  }

  private memberships(): number {
    const { minX, minY, maxX, maxY } = this.boxes;
    let total = 0;
    for (let i = 0; i < minX.length; i++) {
      total += (this.cx(maxX[i]!) - this.cx(minX[i]!) + 1) * (this.cy(maxY[i]!) - this.cy(minY[i]!) + 1);
    }
    return total;
  }

  private cx(x: number): number {
    const i = Math.floor((x - this.x0) / this.cell);
    return i < 0 ? 0 : i >= this.nx ? this.nx - 1 : i;
  }

  private cy(y: number): number {
    const j = Math.floor((y - this.y0) / this.cell);
    return j < 0 ? 0 : j >= this.ny ? this.ny - 1 : j;
  }

  /**
   * Calls `fn` once for each box that meets the query box (touching counts, as in an R-tree
   * search), until `fn` returns true. The order is the grid's, not the boxes'.
   */
  forEachNear(minX: number, minY: number, maxX: number, maxY: number, fn: (i: number) => boolean | undefined): void {
    // NaN bounds match nothing, as an R-tree search with them does.
    if (!(minX <= maxX && minY <= maxY)) return;
    if (++this.query === 0x7fffffff) {
      this.stamp.fill(0);
      this.query = 1;
    }
    const q = this.query;
    const i0 = this.cx(minX);
    const i1 = this.cx(maxX);
    const j0 = this.cy(minY);
    const j1 = this.cy(maxY);
    const { start, items, stamp } = this;
    const b = this.boxes;
    for (let j = j0; j <= j1; j++) {
      for (let c = j * this.nx + i0, e = j * this.nx + i1; c <= e; c++) {
        for (let p = start[c]!, end = start[c + 1]!; p < end; p++) {
          const s = items[p]!;
          if (stamp[s] === q) continue;
          stamp[s] = q;
          if (b.maxX[s]! < minX || b.minX[s]! > maxX || b.maxY[s]! < minY || b.minY[s]! > maxY) continue;
          if (fn(s) === true) return;
        }
      }
    }
  }

  /** The boxes that meet the query box, in ascending index order. */
  search(box: { minX: number; minY: number; maxX: number; maxY: number }): number[] {
    const out: number[] = [];
    this.forEachNear(box.minX, box.minY, box.maxX, box.maxY, (i) => {
      out.push(i);
      return undefined;
    });
    return out.sort((a, b) => a - b);
  }
}
