import { DIRECTIONS, DOWN, NONE, UP } from "./directions.js";
import type { RouteGrid } from "./grid.js";
import type { RouteCosts } from "./types.js";

/** Where the search must get to: cells marked with `SearchSpace.markGoal`, and hints for the heuristic. */
export interface GoalHint {
  /** Node index range holding every goal cell. */
  readonly i0: number;
  readonly i1: number;
  readonly j0: number;
  readonly j1: number;
  /** Elevation of every goal cell, or NaN when goal cells lie at several levels. */
  readonly z: number;
}

/** Above this many racks the bound tries one rack set instead of one per rack (it is O(racks²)). */
const MANY_RACKS = 16;

/**
 * Elbows the plan forces, by [level off the goal's elevation (0, 1)][arrival direction][side of
 * the goal box in x (sx + 1)][side in y (sy + 1)]: sx is 1 when the goal box lies east (i < i0),
 * -1 west, 0 within its columns; sy likewise north and south.
 */
const TURNS = (() => {
  const t = new Uint8Array(2 * DIRECTIONS * 9);
  for (let off = 0; off < 2; off++) {
    for (let dir = 0; dir < DIRECTIONS; dir++) {
      for (let sx = -1; sx <= 1; sx++) {
        for (let sy = -1; sy <= 1; sy++) {
          let turns: number;
          if (dir < 4) {
            const sign = dir < 2 ? 1 : -1;
            const ahead = (dir & 1) === 0 ? sx : sy;
            const across = (dir & 1) === 0 ? sy : sx;
            if (ahead === 0 && across === 0) turns = 0;
            else if (across === 0) turns = ahead === sign ? 0 : 2;
            else turns = ahead === -sign ? 2 : 1;
            if (off === 1 && turns === 0) turns = 1;
          } else if (dir === NONE) {
            turns = sx !== 0 && sy !== 0 ? 1 : 0;
          } else {
            turns = (sx !== 0 ? 1 : 0) + (sy !== 0 ? 1 : 0);
          }
          t[(off * DIRECTIONS + dir) * 9 + (sx + 1) * 3 + sy + 1] = turns;
        }
      }
    }
  }
  return t;
})();

/**
 * A lower bound of the cost still to pay from (i, j, level) arriving in `dir` (admissible: with
 * weight 1 the route found is a cheapest one). The cheaper of two bounds: a path using no rack pays the
 * plan distance to the goal box at the base factor; a path using racks saves at most the rack
 * overlap of the box spanned by here and the goal, but must reach a rack (a detour of twice the
 * gap to the nearest one) and climb to rack level and back. Then the elbows the plan forces.
 * A bound using only the cheapest factor would let the search flood most of the site.
 *
 * The bound, as an object kept with the search arrays and set up per search (`begin`), so that the
 * search calls one method of one class (inlined by V8) instead of a closure made per search.
 * Per cell it caches the parts of the bound that do not depend on the direction, computed once per
 * search (a cell is pushed in up to six directions): [no rack, via racks, via racks already rising].
 */
export class LowerBound {
  readonly stamp: Uint32Array;
  readonly values: Float64Array;
  #current = 0;
  #zs: Float64Array = new Float64Array(0);
  #bend = 0;
  #riser = 0;
  #vertical = 0;
  #base = 0;
  #saving = 0;
  #rackBoxes: Int32Array = new Int32Array(0);
  #rackLow: Float64Array = new Float64Array(0);
  #rackAlong: Float64Array = new Float64Array(0);
  #rackGap: Float64Array = new Float64Array(0);
  #i0 = 0;
  #i1 = 0;
  #j0 = 0;
  #j1 = 0;
  #goalZ = 0;
  #zKnown = false;
  /** Per level: 1 when off the goal's known elevation. */
  #off: Uint8Array = new Uint8Array(0);
  /**
   * Per (level, arrival direction): the riser still owed by a path using no rack, `elevationChange`
   * when the level is off the goal's elevation and the arrival is not already rising (or falling)
   * towards it, else 0.
   */
  #owed: Float64Array = new Float64Array(0);

  constructor(cells: number) {
    this.stamp = new Uint32Array(cells);
    this.values = new Float64Array(3 * cells);
  }

  /** Sets the bound up for a search with this `stamp` (cache entries of other stamps read as unset). */
  begin(grid: RouteGrid, hint: GoalHint, costs: RouteCosts, stamp: number): void {
    this.#current = stamp;
    this.#zs = grid.levels.z;
    this.#bend = costs.bendPenalty;
    this.#riser = costs.elevationChange;
    this.#vertical = costs.vertical;
    this.#base = grid.g * grid.baseFactor;
    this.#saving = grid.g * grid.rackSaving;
    this.#rackBoxes = grid.rackBoxes;
    this.#rackLow = grid.rackLow;
    const racks = grid.rackLow.length;
    if (this.#rackAlong.length < racks) {
      this.#rackAlong = new Float64Array(racks);
      this.#rackGap = new Float64Array(racks);
    }
    this.#i0 = hint.i0;
    this.#i1 = hint.i1;
    this.#j0 = hint.j0;
    this.#j1 = hint.j1;
    this.#goalZ = hint.z;
    this.#zKnown = !Number.isNaN(hint.z);
    const nl = grid.nl;
    if (this.#off.length < nl) {
      this.#off = new Uint8Array(nl);
      this.#owed = new Float64Array(nl * DIRECTIONS);
    }
    const goalZ = hint.z;
    for (let level = 0; level < nl; level++) {
      const zc = this.#zs[level]!;
      const levelOff = this.#zKnown && zc !== goalZ;
      this.#off[level] = levelOff ? 1 : 0;
      for (let dir = 0; dir < DIRECTIONS; dir++) {
        const rising = dir === UP ? goalZ > zc : dir === DOWN ? goalZ < zc : false;
        this.#owed[level * DIRECTIONS + dir] = levelOff && !rising ? this.#riser : 0;
      }
    }
  }

  /** Fills the cache for a cell: the no-rack bound without its riser, and the via-rack bounds. */
  #fill(cell: number, i: number, j: number, level: number, di: number, dj: number): void {
    const rackBoxes = this.#rackBoxes;
    const rackLow = this.#rackLow;
    const rackAlong = this.#rackAlong;
    const rackGap = this.#rackGap;
    const racks = rackLow.length;
    const base = this.#base;
    const saving = this.#saving;
    const vertical = this.#vertical;
    const riser = this.#riser;
    const i0 = this.#i0;
    const i1 = this.#i1;
    const j0 = this.#j0;
    const j1 = this.#j1;
    const goalZ = this.#goalZ;
    const zKnown = this.#zKnown;
    const zc = this.#zs[level]!;
    const dz = zKnown ? Math.abs(zc - goalZ) : 0;
    let via = Number.POSITIVE_INFINITY;
    let viaUp = Number.POSITIVE_INFINITY;
    if (racks > 0 && di + dj > 0) {
      const lo = Math.min(i, i0);
      const hi = Math.max(i, i1);
      const loj = Math.min(j, j0);
      const hij = Math.max(j, j1);
      let nearest = Number.POSITIVE_INFINITY;
      for (let r = 0; r < racks; r++) {
        const ri0 = rackBoxes[5 * r]!;
        const ri1 = rackBoxes[5 * r + 1]!;
        const rj0 = rackBoxes[5 * r + 2]!;
        const rj1 = rackBoxes[5 * r + 3]!;
        // Steps along the rack with at least one end on its span (a half-on step saves half).
        let along: number;
        if (rackBoxes[5 * r + 4] === 0) along = Math.min(hi, ri1) - Math.max(lo, ri0) + 1;
        else along = Math.min(hij, rj1) - Math.max(loj, rj0) + 1;
        rackAlong[r] = Math.max(along, 0);
        const gx = ri0 > hi ? ri0 - hi : lo > ri1 ? lo - ri1 : 0;
        const gy = rj0 > hij ? rj0 - hij : loj > rj1 ? loj - rj1 : 0;
        rackGap[r] = gx + gy;
        nearest = Math.min(nearest, gx + gy);
      }
      // A path using a set of racks detours at least twice the gap to the farthest of them and
      // saves at most their overlaps: try each rack's gap as the detour, with every rack as near.
      // Past MANY_RACKS that is too slow per step: one looser try, every rack at the nearest gap.
      const tries = racks <= MANY_RACKS ? racks : 1;
      for (let t = 0; t < tries; t++) {
        const gap = tries === racks ? rackGap[t]! : nearest;
        const farthest = tries === racks ? gap : Number.POSITIVE_INFINITY;
        let ox = 0;
        let oy = 0;
        let zr = Number.POSITIVE_INFINITY;
        for (let r = 0; r < racks; r++) {
          if (rackGap[r]! > farthest || rackAlong[r] === 0) continue;
          if (rackBoxes[5 * r + 4] === 0) ox += rackAlong[r]!;
          else oy += rackAlong[r]!;
          if (rackLow[r]! < zr) zr = rackLow[r]!;
        }
        const onRack = Math.min(ox, di) + Math.min(oy, dj);
        if (onRack === 0) continue;
        // Climb to the lowest rack level and back down, each a riser (unless already rising).
        const climb = Math.max((zr > zc ? zr - zc : 0) + (zKnown && zr > goalZ ? zr - goalZ : 0), dz) * vertical;
        const down = zKnown && zr > goalZ ? riser : 0;
        const plan = (di + dj + 2 * gap) * base - onRack * saving + climb + down;
        via = Math.min(via, plan + (zr > zc ? riser : 0));
        viaUp = Math.min(viaUp, plan);
      }
    }
    const values = this.values;
    values[3 * cell] = (di + dj) * base + dz * vertical;
    values[3 * cell + 1] = via;
    values[3 * cell + 2] = viaUp;
    this.stamp[cell] = this.#current;
  }

  /** The bound at (i, j, level) arriving in `dir`; `cell` is (j · nx + i) · nl + level, which the caller has. */
  at(cell: number, i: number, j: number, level: number, dir: number): number {
    const i0 = this.#i0;
    const i1 = this.#i1;
    const j0 = this.#j0;
    const j1 = this.#j1;
    const sx = i < i0 ? 1 : i > i1 ? -1 : 0;
    const sy = j < j0 ? 1 : j > j1 ? -1 : 0;
    if (this.stamp[cell] !== this.#current) {
      this.#fill(cell, i, j, level, sx > 0 ? i0 - i : sx < 0 ? i - i1 : 0, sy > 0 ? j0 - j : sy < 0 ? j - j1 : 0);
    }
    const values = this.values;
    const noRack = values[3 * cell]! + this.#owed[level * DIRECTIONS + dir]!;
    const viaRack = values[3 * cell + (dir === UP ? 2 : 1)]!;
    const h = Math.min(noRack, viaRack);
    const turns = TURNS[(this.#off[level]! * DIRECTIONS + dir) * 9 + (sx + 1) * 3 + sy + 1]!;
    return h + turns * this.#bend;
  }
}
