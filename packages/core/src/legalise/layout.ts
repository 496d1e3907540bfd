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
 * The placed items of one design in an R-tree (rbush), with their current centres. A candidate
 * position is checked against the site, the keep-outs, the racks and only the items the tree finds
 * within the candidate's reach: the work per check grows with the neighbours, not with the plant.
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
  private readonly nozzles: readonly (readonly (readonly [number, number])[])[];
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
    this.equipment = design.equipment;
    this.width = design.site.width;
    this.depth = design.site.depth;
    this.keepOuts = design.site.keepOut.map((k) => ({ id: k.id, kind: k.kind, rect: boxRect(k) }));
    this.racks = design.site.racks.map((r) => ({ id: r.id, rect: rackRect(r) }));
    this.nozzles = design.equipment.map((e) =>
      (e.nozzles ?? []).map((n) => rotateOffset(n.dx ?? 0, n.dy ?? 0, e.rotation ?? 0)),
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
      this.items[i] = item;
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
    this.items[i] = undefined;
  }

  /** Moves item `i` to a new centre (placing it if it was taken off), keeping the tree in step. */
  move(i: number, x: number, y: number): void {
    const old = this.items[i];
    if (old) this.tree.remove(old);
    const item = this.itemAt(i, x, y);
    this.items[i] = item;
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
    const e = this.equipment[i]!;
    const edge = this.req.boundary(e);
    const inset = edge > 0 ? edge + this.margin : 0;
    if (
      r.minX < inset - EPS ||
      r.minY < inset - EPS ||
      r.maxX > this.width - inset + EPS ||
      r.maxY > this.depth - inset + EPS
    ) {
      return { reason: "boundary", feature: "site" };
    }
    for (const k of this.keepOuts) {
      const need = this.req.keepOut(e, k.kind);
      const clash = need > 0 ? rectDistance(r, k.rect) < need + this.margin - EPS : overlapArea(r, k.rect) > EPS;
      if (clash || this.nozzleIn(i, r, k.rect)) return { reason: "keep_out", feature: k.id };
    }
    const rackNeed = this.req.rack + (this.req.rack > 0 ? this.margin : 0);
    for (const rack of this.racks) {
      const clash = rackNeed > 0 ? rectDistance(r, rack.rect) < rackNeed - EPS : overlapArea(r, rack.rect) > EPS;
      if (clash) return { reason: "rack_clearance", feature: rack.id };
    }
    return undefined;
  }

  /** Whether a nozzle of item `i` with rectangle `r` stands within the nozzle clearance of keep-out `k`. */
  private nozzleIn(i: number, r: Rect, k: Rect): boolean {
    if (this.nozzleClearance <= 0) return false;
    const cx = (r.minX + r.maxX) / 2;
    const cy = (r.minY + r.maxY) / 2;
    for (const [dx, dy] of this.nozzles[i]!) {
      const x = cx + dx;
      const y = cy + dy;
      const gap = rectDistance({ minX: x, minY: y, maxX: x, maxY: y }, k);
      if (gap < this.nozzleClearance - EPS) return true;
    }
    return false;
  }

  /** Whether item `i` with rectangle `r` is too close to item `j` (at j's current place). */
  private clashes(i: number, r: Rect, j: number): boolean {
    const other = this.items[j];
    if (!other || j === i) return false;
    const need = this.req.pair(this.equipment[i]!, this.equipment[j]!);
    return need > 0 ? rectDistance(r, other) < need + this.margin - EPS : overlapArea(r, other) > EPS;
  }

  /** The lowest-index item that `i` with rectangle `r` is too close to (the tree's order is not stable). */
  private pairConflict(i: number, r: Rect): Conflict | undefined {
    const e = this.equipment[i]!;
    const reach = this.req.reach(e) + this.margin;
    const near = this.tree.search({
      minX: r.minX - reach,
      minY: r.minY - reach,
      maxX: r.maxX + reach,
      maxY: r.maxY + reach,
    });
    let found = -1;
    for (const other of near) {
      if (other.index === i || (found >= 0 && other.index >= found)) continue;
      if (this.clashes(i, r, other.index)) found = other.index;
    }
    if (found < 0) return undefined;
    const o = this.equipment[found]!;
    return { reason: overlapArea(r, this.items[found]!) > EPS ? "overlap" : this.req.pairReason(e, o), other: found };
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
        const r = this.rectAt(i, x, y);
        if (this.siteConflict(i, r)) continue;
        if (blocker >= 0 && this.clashes(i, r, blocker)) continue;
        const c = this.pairConflict(i, r);
        if (c === undefined) return [x, y];
        blocker = c.other ?? -1;
      }
    }
    return undefined;
  }
}
