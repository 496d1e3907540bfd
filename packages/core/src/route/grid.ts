import { boxRect, footprintRect, type Rect, rackRect } from "../design/geometry.js";
import type { Design, Equipment, Point3 } from "../design/types.js";
import { type Cells, cells, cellsAbove, cellsBelow, type Metres, metres, nearestCells } from "../design/units.js";
import type { Levels } from "./levels.js";
import type { RouteCosts } from "./types.js";

/**
 * The routing grid: nodes at (i·g, j·g) for the plot's grid size g, each at every level. A "cell"
 * is one node at one level, index `node * L + level` with `node = j * nx + i`. Pipes run along grid
 * lines between neighbouring nodes, so two routes can only meet at a cell: per-cell occupancy is
 * enough to keep routes at one elevation from crossing or overlapping. Everything is typed arrays
 * so the search allocates nothing per node.
 */
export interface RouteGrid {
  /** Grid size, m per step. */
  readonly g: Metres;
  /** Nodes along x (east) and y (north). */
  readonly nx: Cells;
  readonly ny: Cells;
  readonly levels: Levels;
  /** Number of levels, L. */
  readonly nl: number;
  /**
   * Per node: 1 inside a keep-out (blocked at every elevation); 2 inside a keep-out under a pipe
   * rack (a pipe bridge over a road): passable only along the rack at its levels, no risers.
   */
  readonly keepOut: Uint8Array;
  /** Per cell: how many equipment bodies block this node at this level. */
  readonly block: Uint16Array;
  /**
   * Per cell: `block` plus 1 where the keep-outs close the cell (`keepOut` 1, or 2 off the rack's
   * levels). 0 exactly where a step may enter the cell as far as bodies and keep-outs go: the
   * search reads this one array per neighbour instead of three.
   */
  readonly wall: Uint16Array;
  /** Per cell: how many bodies lie between this level and the next one up (risers cannot pass). */
  readonly gapBlock: Uint16Array;
  /** Per cell: on a pipe rack at one of that rack's levels; bit 1 a rack along x, bit 2 along y. */
  readonly rack: Uint8Array;
  /** Per cell: cost factor per metre of a step along x (averaged over the two cells it joins). */
  readonly factorX: Float32Array;
  /** Per cell: cost factor per metre of a step along y. */
  readonly factorY: Float32Array;
  /** Smallest factor off the racks: the heuristic's cost per metre for a path that uses no rack. */
  readonly baseFactor: number;
  /** Saving per metre on a rack against `baseFactor` (0 when racks are not cheaper). */
  readonly rackSaving: number;
  /** Racks that save something, as node boxes and axis: i0, i1, j0, j1, axis (0 x, 1 y) per rack. */
  readonly rackBoxes: Int32Array;
  /** Per rack in `rackBoxes`: elevation of its lowest level, m. */
  readonly rackLow: Float64Array;
  /** Per cell: 1 + index (in `design.lines`) of the line running through it; 0 when free. */
  readonly occ: Int32Array;
}

/** Index ranges of grid nodes, inclusive; empty when i0 > i1 or j0 > j1. */
export interface NodeRange {
  readonly i0: Cells;
  readonly i1: Cells;
  readonly j0: Cells;
  readonly j1: Cells;
}

const EPS = 1e-9;

/** Nodes along each axis of a plot `width` × `depth` at grid size `g` (both edges included). */
export function gridDimensions(width: Metres, depth: Metres, g: Metres): { nx: Cells; ny: Cells } {
  return { nx: cells(cellsBelow(width, g) + 1), ny: cells(cellsBelow(depth, g) + 1) };
}

/**
 * The nodes of the smallest grid-aligned rectangle holding `r` (boundary included). Blocking all of
 * them blocks every grid step that touches the body, even a body thinner than one grid step.
 */
export function closureRange(grid: Pick<RouteGrid, "g" | "nx" | "ny">, r: Rect): NodeRange {
  const { g, nx, ny } = grid;
  return {
    i0: cells(Math.max(0, cellsBelow(metres(r.minX), g))),
    i1: cells(Math.min(nx - 1, cellsAbove(metres(r.maxX), g))),
    j0: cells(Math.max(0, cellsBelow(metres(r.minY), g))),
    j1: cells(Math.min(ny - 1, cellsAbove(metres(r.maxY), g))),
  };
}

/** The nodes inside `r` (boundary included): a rack's tracks. */
function interiorRange(grid: Pick<RouteGrid, "g" | "nx" | "ny">, r: Rect): NodeRange {
  const { g, nx, ny } = grid;
  return {
    i0: cells(Math.max(0, cellsAbove(metres(r.minX), g))),
    i1: cells(Math.min(nx - 1, cellsBelow(metres(r.maxX), g))),
    j0: cells(Math.max(0, cellsAbove(metres(r.minY), g))),
    j1: cells(Math.min(ny - 1, cellsBelow(metres(r.maxY), g))),
  };
}

/** Vertical extent an equipment body keeps pipes out of: its base to its top, widened by `clearance`. */
function bodySpan(e: Equipment, clearance: Metres): [number, number] {
  return [e.z - clearance, e.z + e.footprint.height + clearance];
}

export function buildGrid(design: Design, levels: Levels, costs: RouteCosts, clearance: Metres): RouteGrid {
  const g = metres(design.site.gridSize);
  const { nx, ny } = gridDimensions(metres(design.site.width), metres(design.site.depth), g);
  const nl = levels.z.length;
  const cells = nx * ny * nl;
  const grid: RouteGrid = {
    g,
    nx,
    ny,
    levels,
    nl,
    keepOut: new Uint8Array(nx * ny),
    block: new Uint16Array(cells),
    wall: new Uint16Array(cells),
    gapBlock: new Uint16Array(cells),
    rack: new Uint8Array(cells),
    factorX: new Float32Array(cells),
    factorY: new Float32Array(cells),
    baseFactor: 1,
    rackSaving: 0,
    rackBoxes: new Int32Array(0),
    rackLow: new Float64Array(0),
    occ: new Int32Array(cells),
  };

  for (const k of design.site.keepOut) {
    const r = closureRange(grid, boxRect(k));
    for (let j = r.j0; j <= r.j1; j++) grid.keepOut.fill(1, j * nx + r.i0, j * nx + r.i1 + 1);
  }
  for (const e of design.equipment) adjustBody(grid, e, 1, clearance);

  const baseFactor = Math.min(1, costs.elevatedOffRack, costs.offDirection, costs.acrossRack);
  const rackSaving = Math.max(0, baseFactor - costs.rackDiscount);
  const boxes: number[] = [];
  const low: number[] = [];
  for (const rack of design.site.racks) {
    const r = interiorRange(grid, rackRect(rack));
    if (r.i0 > r.i1 || r.j0 > r.j1) continue;
    let lowest = Number.POSITIVE_INFINITY;
    for (let l = 0; l < nl; l++) {
      const z = levels.z[l]!;
      if (!rack.levels.some((rz) => Math.abs(rz - z) < 0.01)) continue;
      lowest = Math.min(lowest, z);
      const bit = rack.axis === "x" ? 1 : 2;
      for (let j = r.j0; j <= r.j1; j++) for (let i = r.i0; i <= r.i1; i++) grid.rack[(j * nx + i) * nl + l]! |= bit;
    }
    for (let j = r.j0; j <= r.j1; j++) {
      for (let i = r.i0; i <= r.i1; i++) if (grid.keepOut[j * nx + i] !== 0) grid.keepOut[j * nx + i] = 2;
    }
    boxes.push(r.i0, r.i1, r.j0, r.j1, rack.axis === "x" ? 0 : 1);
    low.push(lowest);
  }
  // Direction by level, the piping rule "change elevation when changing direction": on a rack,
  // runs go along it (lines cross it or leave it at another level, by a riser); ground levels
  // alternate east-west and north-south. Lines then meet only where one crosses the other's
  // level, instead of blocking each other at every crossing.
  const groundOrder = new Int32Array(nl).fill(-1);
  for (let l = 0, n = 0; l < nl; l++) if (levels.ground[l]) groundOrder[l] = n++;
  const groundCount = levels.ground.reduce((a, b) => a + b, 0);
  for (let c = 0; c < cells; c++) {
    const l = c % nl;
    const onRack = grid.rack[c]!;
    let fx: number;
    let fy: number;
    if (onRack) {
      fx = onRack & 1 ? costs.rackDiscount : costs.acrossRack;
      fy = onRack & 2 ? costs.rackDiscount : costs.acrossRack;
    } else if (levels.ground[l]) {
      const along = groundCount < 2 ? -1 : groundOrder[l]! % 2;
      fx = along === 1 ? costs.offDirection : 1;
      fy = along === 0 ? costs.offDirection : 1;
    } else {
      fx = costs.elevatedOffRack;
      fy = costs.elevatedOffRack;
    }
    grid.factorX[c] = fx;
    grid.factorY[c] = fy;
  }
  for (let c = 0; c < cells; c++) {
    const ko = grid.keepOut[(c - (c % nl)) / nl]!;
    grid.wall[c] = grid.block[c]! + (ko === 1 || (ko === 2 && grid.rack[c] === 0) ? 1 : 0);
  }
  return {
    ...grid,
    baseFactor,
    rackSaving,
    rackBoxes: Int32Array.from(rackSaving > 0 ? boxes : []),
    rackLow: Float64Array.from(rackSaving > 0 ? low : []),
  };
}

/**
 * Adds (`delta` 1) or removes (-1) an equipment body's blocking. The router removes the bodies of a
 * line's own end equipment while it routes that line: a pipe leaves its nozzle through its owner.
 */
export function adjustBody(grid: RouteGrid, e: Equipment, delta: 1 | -1, clearance: Metres): void {
  if (e.x === undefined || e.y === undefined) return;
  const r = closureRange(grid, footprintRect(e as Equipment & { x: number; y: number }));
  const [lo, hi] = bodySpan(e, clearance);
  const { nx, nl } = grid;
  const z = grid.levels.z;
  for (let l = 0; l < nl; l++) {
    const zl = z[l]!;
    const onLevel = zl >= lo && zl <= hi;
    // The gap (z[l], z[l+1]) meets [lo, hi] when the open interval and the closed one overlap.
    const inGap = l + 1 < nl && z[l + 1]! > lo && zl < hi;
    if (!onLevel && !inGap) continue;
    for (let j = r.j0; j <= r.j1; j++) {
      for (let i = r.i0; i <= r.i1; i++) {
        const c = (j * nx + i) * nl + l;
        if (onLevel) {
          grid.block[c] = grid.block[c]! + delta;
          grid.wall[c] = grid.wall[c]! + delta;
        }
        if (inGap) grid.gapBlock[c] = grid.gapBlock[c]! + delta;
      }
    }
  }
}

/**
 * Marks the cells an existing route (one this call does not reroute) passes near as taken by
 * `owner`: grid nodes nearest its segments, at the levels within `tolerance` of its elevation.
 */
export function occupyRoute(grid: RouteGrid, route: readonly Point3[], owner: number, tolerance: number): void {
  const { g, nx, ny, nl } = grid;
  const z = grid.levels.z;
  const mark = (i: number, j: number, zLo: number, zHi: number) => {
    if (i < 0 || j < 0 || i >= nx || j >= ny) return;
    for (let l = 0; l < nl; l++) {
      const zl = z[l]!;
      if (zl < zLo - tolerance || zl > zHi + tolerance) continue;
      const c = (j * nx + i) * nl + l;
      if (grid.occ[c] === 0) grid.occ[c] = owner + 1;
    }
  };
  for (let s = 0; s + 1 < route.length; s++) {
    const [ax, ay, az] = route[s]!;
    const [bx, by, bz] = route[s + 1]!;
    const i0 = nearestCells(metres(Math.min(ax, bx)), g);
    const i1 = nearestCells(metres(Math.max(ax, bx)), g);
    const j0 = nearestCells(metres(Math.min(ay, by)), g);
    const j1 = nearestCells(metres(Math.max(ay, by)), g);
    const zLo = Math.min(az, bz);
    const zHi = Math.max(az, bz);
    for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) mark(i, j, zLo, zHi);
  }
}

/**
 * The cells lying exactly on a route (grid node in plan, level elevation in height): where a branch
 * may tee into it so that the branch's end point is on the parent's polyline.
 */
export function cellsOnRoute(grid: RouteGrid, route: readonly Point3[]): number[] {
  const { g, nx, ny, nl } = grid;
  const z = grid.levels.z;
  const out = new Set<number>();
  const onGrid = (v: number) => Math.abs(Math.round(v / g) * g - v) < EPS;
  for (let s = 0; s + 1 < route.length; s++) {
    const [ax, ay, az] = route[s]!;
    const [bx, by, bz] = route[s + 1]!;
    if (ax !== bx && ay !== by) continue;
    if (ax !== bx || ay !== by) {
      // A horizontal run: must be at a level's elevation and on a grid line.
      if (az !== bz) continue;
      let level = -1;
      for (let l = 0; l < nl; l++) if (Math.abs(z[l]! - az) < EPS) level = l;
      if (level < 0) continue;
      const along = ax !== bx ? "x" : "y";
      const fixed = along === "x" ? ay : ax;
      if (!onGrid(fixed)) continue;
      const lo = cellsAbove(metres(Math.min(along === "x" ? ax : ay, along === "x" ? bx : by)), g);
      const hi = cellsBelow(metres(Math.max(along === "x" ? ax : ay, along === "x" ? bx : by)), g);
      const f = nearestCells(metres(fixed), g);
      for (let k = lo; k <= hi; k++) {
        const i = along === "x" ? k : f;
        const j = along === "x" ? f : k;
        if (i >= 0 && j >= 0 && i < nx && j < ny) out.add((j * nx + i) * nl + level);
      }
    } else {
      // A riser: every level between its ends, if it stands on a grid node.
      if (!onGrid(ax) || !onGrid(ay)) continue;
      const i = nearestCells(metres(ax), g);
      const j = nearestCells(metres(ay), g);
      if (i < 0 || j < 0 || i >= nx || j >= ny) continue;
      const lo = Math.min(az, bz) - EPS;
      const hi = Math.max(az, bz) + EPS;
      for (let l = 0; l < nl; l++) if (z[l]! >= lo && z[l]! <= hi) out.add((j * nx + i) * nl + l);
    }
  }
  return [...out].sort((a, b) => a - b);
}
