import RBush from "rbush";
import { boxRect, overlapArea, planSize, type Rect, rackRect, rectDistance, rotateOffset } from "../design/geometry.js";
import type { Design, Equipment, KeepOut } from "../design/types.js";
import { cells, type Metres, stepsToCover } from "../design/units.js";
import type { Requirements } from "./requirements.js";
import { annulus as annulusFor, cleanNumber as clean } from "./snap.js";
import type { MoveReason } from "./types.js";

interface Item extends Rect {
  readonly index: number;
}

/** A broken rule: what the item must clear (`other` an item index, or `feature` a site feature). */
export interface Conflict {
  readonly reason: Exclude<MoveReason, "snap">;
  readonly other?: number;
  readonly feature?: string;
}

const EPS = 1e-9;

/**
 * Plants of up to this many items scan every item per candidate position and keep `req.pair` per
 * item pair in a dense n × n table (2 MB at 512); larger ones search the R-tree and ask `req.pair`
 * (cached by key there), so work and memory grow with the neighbours, not with n² (at 8,000 items
 * the scan took 6× the tree's time and the table 512 MB).
 */
const SCAN_LIMIT = 512;

/**
 * The placed items of one design in an R-tree (rbush), with their current centres. A candidate
 * position is checked against the site, the keep-outs, the racks and the items within the
 * candidate's reach: in a small plant by a scan of every item's rectangle in typed arrays (cheaper
 * than a tree search there), in a large one by the tree (SCAN_LIMIT), with the same answer.
 */
export class Layout {
  readonly x: Float64Array;
  readonly y: Float64Array;
  private readonly halfW: Float64Array;
  private readonly halfD: Float64Array;
  private readonly items: (Item | undefined)[];
  readonly equipment: readonly Equipment[];
  private readonly tree = new RBush<Item>();
  private readonly keepOuts: readonly { id: string; kind: KeepOut["kind"]; rect: Rect }[];
  private readonly racks: readonly { id: string; rect: Rect }[];
  private readonly width: number;
  private readonly depth: number;
  /** Each item's nozzle offsets from its centre in plan, turned with the item. */
  private readonly nozzles: readonly Float64Array[];
  /** Each placed item's rectangle (as its tree entry), for the scans that need no tree. */
  private readonly minX: Float64Array;
  private readonly minY: Float64Array;
  private readonly maxX: Float64Array;
  private readonly maxY: Float64Array;
  /** `req.pair` of items i and j at [i · n + j], NaN until first asked; none above SCAN_LIMIT items. */
  private readonly pairNeed: Float64Array | undefined;
  /** Per item, NaN until first asked: the inset its boundary distance asks, and per keep-out k at [i · K + k] what it owes it. */
  private readonly inset: Float64Array;
  /** Per item, NaN until first asked: its reach (`req.reach`) plus the margin. */
  private readonly reach: Float64Array;
  private readonly keepOutNeed: Float64Array;
  /** Candidate positions tested so far. */
  candidates = 0;

  constructor(
    design: Design,
    private readonly req: Requirements,
    private readonly margin: Metres,
    /**
     * Least plan distance from every nozzle to a keep-out, m: the router starts each pipe at a free
     * grid point by its nozzle, so a nozzle on a road's edge is never routed. 0: nozzles unchecked
     * (the v1 legaliser the shipped dataset was built with).
     */
    private readonly nozzleClearance = 0,
  ) {
    const n = design.equipment.length;
    this.x = new Float64Array(n);
    this.y = new Float64Array(n);
    this.halfW = new Float64Array(n);
    this.halfD = new Float64Array(n);
    this.items = new Array(n);
    this.minX = new Float64Array(n);
    this.minY = new Float64Array(n);
    this.maxX = new Float64Array(n);
    this.maxY = new Float64Array(n);
    this.pairNeed = n <= SCAN_LIMIT ? new Float64Array(n * n).fill(Number.NaN) : undefined;
    this.inset = new Float64Array(n).fill(Number.NaN);
    this.reach = new Float64Array(n).fill(Number.NaN);
    this.keepOutNeed = new Float64Array(n * design.site.keepOut.length).fill(Number.NaN);
    this.equipment = design.equipment;
    this.width = design.site.width;
    this.depth = design.site.depth;
    this.keepOuts = design.site.keepOut.map((k) => ({ id: k.id, kind: k.kind, rect: boxRect(k) }));
    this.racks = design.site.racks.map((r) => ({ id: r.id, rect: rackRect(r) }));
    this.nozzles = design.equipment.map((e) =>
      Float64Array.from((e.nozzles ?? []).flatMap((n) => rotateOffset(n.dx ?? 0, n.dy ?? 0, e.rotation ?? 0))),
    );
    const loaded: Item[] = [];
    design.equipment.forEach((e, i) => {
      const { width, depth } = planSize(e);
      this.halfW[i] = width / 2;
      this.halfD[i] = depth / 2;
      if (e.x === undefined || e.y === undefined) return;
      this.x[i] = e.x;
      this.y[i] = e.y;
      const item = this.itemAt(i, e.x, e.y);
      this.setItem(i, item);
      loaded.push(item);
    });
    this.tree.load(loaded);
  }

  isPlaced(i: number): boolean {
    return this.items[i] !== undefined;
  }

  rectAt(i: number, x: number, y: number): Rect {
    const hw = this.halfW[i]!;
    const hd = this.halfD[i]!;
    return { minX: x - hw, minY: y - hd, maxX: x + hw, maxY: y + hd };
  }

  private itemAt(i: number, x: number, y: number): Item {
    return { ...this.rectAt(i, x, y), index: i };
  }

  private setItem(i: number, item: Item | undefined): void {
    this.items[i] = item;
    if (!item) return;
    this.minX[i] = item.minX;
    this.minY[i] = item.minY;
    this.maxX[i] = item.maxX;
    this.maxY[i] = item.maxY;
  }

  /** `req.pair` of items `i` and `j`, computed once. */
  private need(i: number, j: number): number {
    if (!this.pairNeed) return this.req.pair(this.equipment[i]!, this.equipment[j]!);
    const at = i * this.equipment.length + j;
    let d = this.pairNeed[at]!;
    if (Number.isNaN(d)) {
      d = this.req.pair(this.equipment[i]!, this.equipment[j]!);
      this.pairNeed[at] = d;
    }
    return d;
  }

  /** Half the plan width and depth of item `i`, m. */
  halfSize(i: number): [number, number] {
    return [this.halfW[i]!, this.halfD[i]!];
  }

  /** The site's width and depth, m. */
  get site(): [number, number] {
    return [this.width, this.depth];
  }

  /**
   * How far item `i` centred at (x, y) falls short of the distances it owes the others, summed, m:
   * Infinity where it breaks a site rule or clashes with an item `hard` names (those cannot make room).
   */
  shortfallAt(i: number, x: number, y: number, hard: (j: number) => boolean): number {
    const r = this.rectAt(i, x, y);
    const e = this.equipment[i]!;
    if (this.siteConflict(i, r)) return Number.POSITIVE_INFINITY;
    const reach = this.req.reach(e) + this.margin;
    let total = 0;
    const near = this.tree.search({
      minX: r.minX - reach,
      minY: r.minY - reach,
      maxX: r.maxX + reach,
      maxY: r.maxY + reach,
    });
    for (const other of near) {
      const j = other.index;
      if (j === i) continue;
      const pair = this.req.pair(e, this.equipment[j]!);
      // An overlap adds its depth, so a deep overlap scores worse than a shallow one.
      const depthIn = Math.min(
        Math.min(r.maxX, other.maxX) - Math.max(r.minX, other.minX),
        Math.min(r.maxY, other.maxY) - Math.max(r.minY, other.minY),
      );
      const short = (pair > 0 ? pair + this.margin - rectDistance(r, other) : 0) + Math.max(0, depthIn);
      if (short <= EPS) continue;
      if (hard(j)) return Number.POSITIVE_INFINITY;
      total += short;
    }
    return total;
  }

  /** Takes item `i` off the plot (out of the tree) until `move` puts it back. */
  unplace(i: number): void {
    const old = this.items[i];
    if (old) this.tree.remove(old);
    this.setItem(i, undefined);
  }

  /** Moves item `i` to a new centre (placing it if it was taken off), keeping the tree in step. */
  move(i: number, x: number, y: number): void {
    const old = this.items[i];
    if (old) this.tree.remove(old);
    const item = this.itemAt(i, x, y);
    this.setItem(i, item);
    this.x[i] = x;
    this.y[i] = y;
    this.tree.insert(item);
  }

  /** The first rule item `i` breaks when centred at (x, y), or undefined when it breaks none. */
  conflictAt(i: number, x: number, y: number): Conflict | undefined {
    const r = this.rectAt(i, x, y);
    return this.siteConflict(i, r) ?? this.pairConflict(i, r);
  }

  /**
   * Site boundary (with the property-line distance `e` owes), keep-outs (with the distance it owes
   * each kind: the classified area around a substation) and racks: no look-up in the tree.
   */
  private siteConflict(i: number, r: Rect): Conflict | undefined {
    const at = this.siteBreak(i, r.minX, r.minY, r.maxX, r.maxY);
    if (at < 0) return undefined;
    if (at === 0) return { reason: "boundary", feature: "site" };
    if (at <= this.keepOuts.length) return { reason: "keep_out", feature: this.keepOuts[at - 1]!.id };
    return { reason: "rack_clearance", feature: this.racks[at - 1 - this.keepOuts.length]!.id };
  }

  /**
   * The first site rule item `i` with rectangle (minX, minY, maxX, maxY) breaks, as `siteConflict`
   * checks them: -1 none, 0 the boundary, 1 + k keep-out k, 1 + K + r rack r. On numbers, as the
   * candidate search asks it for every position it tries.
   */
  private siteBreak(i: number, minX: number, minY: number, maxX: number, maxY: number): number {
    let inset = this.inset[i]!;
    if (Number.isNaN(inset)) {
      const edge = this.req.boundary(this.equipment[i]!);
      inset = edge > 0 ? edge + this.margin : 0;
      this.inset[i] = inset;
    }
    if (
      minX < inset - EPS ||
      minY < inset - EPS ||
      maxX > this.width - inset + EPS ||
      maxY > this.depth - inset + EPS
    ) {
      return 0;
    }
    const keepOuts = this.keepOuts;
    for (let k = 0; k < keepOuts.length; k++) {
      const o = keepOuts[k]!.rect;
      let need = this.keepOutNeed[i * keepOuts.length + k]!;
      if (Number.isNaN(need)) {
        need = this.req.keepOut(this.equipment[i]!, keepOuts[k]!.kind);
        this.keepOutNeed[i * keepOuts.length + k] = need;
      }
      const clash =
        need > 0
          ? apart(minX, minY, maxX, maxY, o, need + this.margin - EPS)
          : overlap(minX, minY, maxX, maxY, o) > EPS;
      if (clash || this.nozzleIn(i, minX, minY, maxX, maxY, o)) return 1 + k;
    }
    const rackNeed = this.req.rack + (this.req.rack > 0 ? this.margin : 0);
    for (let k = 0; k < this.racks.length; k++) {
      const o = this.racks[k]!.rect;
      const clash =
        rackNeed > 0 ? apart(minX, minY, maxX, maxY, o, rackNeed - EPS) : overlap(minX, minY, maxX, maxY, o) > EPS;
      if (clash) return 1 + keepOuts.length + k;
    }
    return -1;
  }

  /** Whether a nozzle of item `i` with rectangle (minX, minY, maxX, maxY) stands within the nozzle clearance of keep-out `k`. */
  private nozzleIn(i: number, minX: number, minY: number, maxX: number, maxY: number, k: Rect): boolean {
    if (this.nozzleClearance <= 0) return false;
    const cx = (minX + maxX) / 2;
    const cy = (minY + maxY) / 2;
    const offsets = this.nozzles[i]!;
    for (let n = 0; n < offsets.length; n += 2) {
      const x = cx + offsets[n]!;
      const y = cy + offsets[n + 1]!;
      if (
        closer(Math.max(0, x - k.maxX, k.minX - x), Math.max(0, y - k.maxY, k.minY - y), this.nozzleClearance - EPS)
      ) {
        return true;
      }
    }
    return false;
  }

  /** Whether item `i` with rectangle (minX, minY, maxX, maxY) is too close to item `j` (at j's current place). */
  private clashes(i: number, minX: number, minY: number, maxX: number, maxY: number, j: number): boolean {
    if (!this.items[j] || j === i) return false;
    const need = this.need(i, j);
    const oMinX = this.minX[j]!;
    const oMinY = this.minY[j]!;
    const oMaxX = this.maxX[j]!;
    const oMaxY = this.maxY[j]!;
    if (need > 0) {
      const dx = Math.max(0, minX - oMaxX, oMinX - maxX);
      const dy = Math.max(0, minY - oMaxY, oMinY - maxY);
      return closer(dx, dy, need + this.margin - EPS);
    }
    const w = Math.min(maxX, oMaxX) - Math.max(minX, oMinX);
    const h = Math.min(maxY, oMaxY) - Math.max(minY, oMinY);
    return (w > 0 && h > 0 ? w * h : 0) > EPS;
  }

  /**
   * The lowest-index item that `i` with rectangle `r` is too close to, among the items whose
   * rectangles meet `r` grown by `i`'s reach (the ones an R-tree search of that box finds): a scan
   * in index order, as the items are few and the first one found is the answer.
   */
  private pairConflict(i: number, r: Rect): Conflict | undefined {
    const found = this.pairBreak(i, r.minX, r.minY, r.maxX, r.maxY);
    if (found < 0) return undefined;
    const e = this.equipment[i]!;
    const o = this.equipment[found]!;
    return { reason: overlapArea(r, this.items[found]!) > EPS ? "overlap" : this.req.pairReason(e, o), other: found };
  }

  /** `pairConflict`'s item on numbers, or -1. */
  private pairBreak(i: number, minX: number, minY: number, maxX: number, maxY: number): number {
    let reach = this.reach[i]!;
    if (Number.isNaN(reach)) {
      reach = this.req.reach(this.equipment[i]!) + this.margin;
      this.reach[i] = reach;
    }
    const boxMinX = minX - reach;
    const boxMinY = minY - reach;
    const boxMaxX = maxX + reach;
    const boxMaxY = maxY + reach;
    if (this.items.length > SCAN_LIMIT) {
      // The tree finds the same items as the scan's box test; the lowest-index clash is the answer.
      let lowest = -1;
      for (const other of this.tree.search({ minX: boxMinX, minY: boxMinY, maxX: boxMaxX, maxY: boxMaxY })) {
        const j = other.index;
        if (j === i || (lowest >= 0 && j > lowest)) continue;
        if (this.clashes(i, minX, minY, maxX, maxY, j)) lowest = j;
      }
      return lowest;
    }
    for (let j = 0; j < this.items.length; j++) {
      if (j === i || !this.items[j]) continue;
      // The R-tree's test (rbush intersects): boxes that only touch meet.
      if (this.minX[j]! > boxMaxX || this.minY[j]! > boxMaxY || this.maxX[j]! < boxMinX || this.maxY[j]! < boxMinY) {
        continue;
      }
      if (this.clashes(i, minX, minY, maxX, maxY, j)) return j;
    }
    return -1;
  }

  conflict(i: number): Conflict | undefined {
    return this.items[i] ? this.conflictAt(i, this.x[i]!, this.y[i]!) : undefined;
  }

  /**
   * The legal position nearest item `i`'s current centre on the lattice of grid steps `g` around it,
   * no farther than `maxDistance`: annuli of growing radius, each in a fixed order. Neighbouring
   * candidates are mostly blocked by the same item, so the last blocker is tried before the tree.
   */
  nearestLegal(i: number, g: Metres, maxDistance: Metres): [number, number] | undefined {
    const x0 = this.x[i]!;
    const y0 = this.y[i]!;
    const hw = this.halfW[i]!;
    const hd = this.halfD[i]!;
    const maxSteps = stepsToCover(maxDistance, g);
    const ring = 6;
    let blocker = -1;
    for (let r0 = cells(0); r0 <= maxSteps; r0 = cells(r0 + ring)) {
      const offsets = annulusFor(r0, cells(Math.min(r0 + ring, maxSteps + 1)));
      for (let k = 0; k < offsets.length; k += 2) {
        const x = clean(x0 + offsets[k]! * g);
        const y = clean(y0 + offsets[k + 1]! * g);
        // Cheap rejections first: the site boundary, then the item that blocked the last candidate.
        if (x - hw < -EPS || y - hd < -EPS || x + hw > this.width + EPS || y + hd > this.depth + EPS) continue;
        this.candidates++;
        const minX = x - hw;
        const minY = y - hd;
        const maxX = x + hw;
        const maxY = y + hd;
        if (this.siteBreak(i, minX, minY, maxX, maxY) >= 0) continue;
        if (blocker >= 0 && this.clashes(i, minX, minY, maxX, maxY, blocker)) continue;
        const c = this.pairBreak(i, minX, minY, maxX, maxY);
        if (c < 0) return [x, y];
        blocker = c;
      }
    }
    return undefined;
  }
}

/** Whether `rectDistance` of the rectangle (minX, minY, maxX, maxY) and `b` is below `limit`, on numbers. */
function apart(minX: number, minY: number, maxX: number, maxY: number, b: Rect, limit: number): boolean {
  return closer(Math.max(0, minX - b.maxX, b.minX - maxX), Math.max(0, minY - b.maxY, b.minY - maxY), limit);
}

/**
 * Whether a gap `dx` by `dy` (both >= 0) is shorter than `limit`, as `rectDistance` measures it.
 * Math.hypot is never below the larger of the two, so a gap at least `limit` along one axis is
 * not, without it (the same answer as computing it; hypot was a fifth of the legaliser's time).
 */
function closer(dx: number, dy: number, limit: number): boolean {
  if (dx >= limit || dy >= limit) return false;
  return (dx === 0 ? dy : dy === 0 ? dx : Math.hypot(dx, dy)) < limit;
}

/** `overlapArea` of the rectangle (minX, minY, maxX, maxY) and `b`, on numbers. */
function overlap(minX: number, minY: number, maxX: number, maxY: number, b: Rect): number {
  const w = Math.min(maxX, b.maxX) - Math.max(minX, b.minX);
  const h = Math.min(maxY, b.maxY) - Math.max(minY, b.minY);
  return w > 0 && h > 0 ? w * h : 0;
}
