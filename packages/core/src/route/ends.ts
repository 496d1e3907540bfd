import { nozzlePosition } from "../design/geometry.js";
import type { Equipment, LineEnd, OpenEnd, Point3 } from "../design/types.js";
import { isNozzleEnd, isOpenEnd, isPlaced } from "../design/types.js";
import type { RouteGrid } from "./grid.js";
import { nearestLevel } from "./levels.js";
import type { RouteCosts, RouteIssueCode } from "./types.js";

/**
 * A line end the router can use: a placed nozzle, a tee onto a parent line, or an open end (a
 * battery limit), which the route reaches at the plot edge it names, else at the nearest edge.
 */
export type ResolvedEnd =
  | {
      readonly kind: "nozzle";
      /** Index in `design.equipment`. */
      readonly equipment: number;
      /** `tag/nozzle`, the key lines sharing this end are found by. */
      readonly key: string;
      readonly point: Point3;
    }
  | { readonly kind: "branch"; readonly parent: number }
  | { readonly kind: "open"; readonly edge: OpenEnd["edge"] };

export type EndResult =
  | { readonly ok: true; readonly end: ResolvedEnd }
  | { readonly ok: false; readonly code: RouteIssueCode; readonly reason: string };

export function describeEnd(end: LineEnd): string {
  if (isNozzleEnd(end)) return `${end.tag}/${end.nozzle}`;
  if (isOpenEnd(end))
    return `the open end${end.label ? ` (${end.label})` : ""} at ${end.edge ? `the ${end.edge} edge` : "the plot edge"}`;
  return `line ${end.line}`;
}

/** Looks a line end up in the design; says why when it cannot be routed from. */
export function resolveEnd(
  end: LineEnd,
  equipment: readonly Equipment[],
  equipmentByTag: ReadonlyMap<string, number>,
  lineByID: ReadonlyMap<string, number>,
): EndResult {
  if (isOpenEnd(end)) return { ok: true, end: { kind: "open", edge: end.edge } };
  if (!isNozzleEnd(end)) {
    const parent = lineByID.get(end.line);
    if (parent === undefined) return { ok: false, code: "unknown_end", reason: `no line "${end.line}" to branch off` };
    return { ok: true, end: { kind: "branch", parent } };
  }
  const index = equipmentByTag.get(end.tag);
  const e = index === undefined ? undefined : equipment[index];
  if (index === undefined || e === undefined) {
    return { ok: false, code: "unknown_end", reason: `no equipment "${end.tag}"` };
  }
  // Unplaced first: a topology-only design often lists no nozzle geometry at all.
  if (!isPlaced(e)) return { ok: false, code: "unplaced_end", reason: `equipment ${end.tag} is not placed` };
  const nozzle = e.nozzles.find((n) => n.id === end.nozzle);
  if (!nozzle) return { ok: false, code: "unknown_end", reason: `equipment ${end.tag} has no nozzle "${end.nozzle}"` };
  return {
    ok: true,
    end: { kind: "nozzle", equipment: index, key: `${end.tag}/${end.nozzle}`, point: nozzlePosition(e, nozzle) },
  };
}

/** Where a route may join the grid from a nozzle: a cell and the cost of the stub to it. */
export interface Attachment {
  readonly cells: number[];
  readonly costs: number[];
}

/**
 * The grid corners of the cell holding the nozzle (one node when it is on the grid), each at the
 * level nearest the nozzle's elevation. Several corners give the search a way out when the nearest
 * is taken; each costs its stub, so the nearest free one wins. The stub (nozzle → node in plan at
 * the nozzle's height, then up or down to the level) stays inside that one grid cell.
 */
export function attachments(
  grid: RouteGrid,
  point: Point3,
  costs: RouteCosts,
  level = nearestLevel(grid.levels, point[2]),
): Attachment {
  const { g, nx, ny, nl } = grid;
  const [x, y, z] = point;
  const rise = Math.abs(grid.levels.z[level]! - z) * costs.vertical;
  const is = corners(x / g);
  const js = corners(y / g);
  const cells: number[] = [];
  const stubCosts: number[] = [];
  for (const j of js) {
    for (const i of is) {
      if (i < 0 || j < 0 || i >= nx || j >= ny) continue;
      cells.push((j * nx + i) * nl + level);
      stubCosts.push(Math.abs(i * g - x) + Math.abs(j * g - y) + rise);
    }
  }
  return { cells, costs: stubCosts };
}

function corners(v: number): number[] {
  const r = Math.round(v);
  if (Math.abs(r - v) < 1e-9) return [r];
  return [Math.floor(v), Math.ceil(v)];
}

/** Heights closer than this are one height (a nozzle at a level's elevation has no riser). */
const SAME_HEIGHT = 1e-6;

/** Attachments of a relief or flare line's nozzle, each saying whether its stub drops to its level. */
export interface DrainAttachment extends Attachment {
  /** Per cell: the level lies below the nozzle, so the stub falls from the nozzle to it. */
  readonly below: boolean[];
}

/**
 * A drainage search (astar.ts) needs a way up as well as the nearest level: a nozzle whose nearest
 * level is below it could otherwise only start a falling route, and a disposal inlet above its
 * nearest level could only be entered by a rise. So both neighbouring levels: the nearest, and the
 * next on the other side of the nozzle where there is one. No level lies between the nozzle and
 * either, so the stub crosses no other route's level; where a body stands in that gap at a corner,
 * the farther level is not offered there.
 */
export function drainAttachments(grid: RouteGrid, point: Point3, costs: RouteCosts): DrainAttachment {
  const z = point[2];
  const zs = grid.levels.z;
  const nearest = nearestLevel(grid.levels, z, true);
  const near = attachments(grid, point, costs, nearest);
  const cells = [...near.cells];
  const stubCosts = [...near.costs];
  const below = cells.map(() => zs[nearest]! < z - SAME_HEIGHT);
  const other = zs[nearest]! < z - SAME_HEIGHT ? nearest + 1 : zs[nearest]! > z + SAME_HEIGHT ? nearest - 1 : -1;
  if (other >= 0 && other < grid.nl) {
    const far = attachments(grid, point, costs, other);
    const gapLevel = Math.min(nearest, other);
    far.cells.forEach((cell, n) => {
      if (grid.gapBlock[cell - other + gapLevel] !== 0) return;
      cells.push(cell);
      stubCosts.push(far.costs[n]!);
      below.push(zs[other]! < z - SAME_HEIGHT);
    });
  }
  return { cells, costs: stubCosts, below };
}

/**
 * Where a route may end for an open end: every grid node on the plot edge named (all four edges
 * when none is), at each level a line without drainage may use. The search then takes whichever
 * is cheapest to reach, so an unnamed edge is the nearest one by route cost.
 */
export function boundaryCells(grid: RouteGrid, edge: OpenEnd["edge"]): number[] {
  const { nx, ny, nl } = grid;
  const nodes = new Set<number>();
  const take = (i: number, j: number) => nodes.add(j * nx + i);
  for (let i = 0; i < nx; i++) {
    if (!edge || edge === "south") take(i, 0);
    if (!edge || edge === "north") take(i, ny - 1);
  }
  for (let j = 0; j < ny; j++) {
    if (!edge || edge === "west") take(0, j);
    if (!edge || edge === "east") take(nx - 1, j);
  }
  const cells: number[] = [];
  for (const node of [...nodes].sort((a, b) => a - b)) {
    for (let level = 0; level < nl; level++) if (!grid.levels.drainOnly[level]) cells.push(node * nl + level);
  }
  return cells;
}
