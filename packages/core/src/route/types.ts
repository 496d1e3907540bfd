import type { Design } from "../design/types.js";
import type { Metres } from "../design/units.js";

/**
 * Why a line was not routed. Codes are stable (tests and the API key on them); reasons are for people.
 * - `unknown_line`: `options.lines` names a line the design does not have.
 * - `unknown_end`: an end names equipment, a nozzle or a parent line that does not exist.
 * - `unplaced_end`: an end's equipment has no plan position (a topology-only design).
 * - `parent_unrouted`: a branch end's parent line has no route (it failed or was not selected).
 * - `branch_cycle`: branch ends refer to each other in a loop, so no parent can go first.
 * - `blocked_nozzle`: a nozzle sits in a keep-out or another body, or is walled in.
 * - `no_path`: both ends are free but the search found no way between them (or hit its limit).
 * - `grid_too_large`: the site at this grid size needs more search states than the limit allows.
 */
export type RouteIssueCode =
  | "unknown_line"
  | "unknown_end"
  | "unplaced_end"
  | "parent_unrouted"
  | "branch_cycle"
  | "blocked_nozzle"
  | "no_path"
  | "grid_too_large"
  /** Both ends are open (battery limits): nothing on the plot fixes where the line runs. */
  | "open_ends";

export interface UnroutedLine {
  readonly line: string;
  readonly reason: string;
  readonly code: RouteIssueCode;
}

/**
 * The router's cost model, in metre-equivalents. A route's cost is the sum over its horizontal grid
 * steps of step length × the factor of the cells it joins, plus vertical metres × `vertical`, plus a
 * `bendPenalty` per elbow and an `elevationChange` per riser.
 */
export interface RouteCosts {
  /** Factor per metre along a pipe rack at one of its levels (< 1 makes racks preferred). Default 0.7. */
  readonly rackDiscount: number;
  /** Factor per metre across a rack's axis at one of its levels: runs on a rack go along it. Default 3. */
  readonly acrossRack: number;
  /**
   * Factor per metre on a ground level against its direction: ground levels alternate east-west
   * (the lowest) and north-south, so crossing lines do not block each other. Default 2.
   */
  readonly offDirection: number;
  /** Penalty per elbow (a turn in plan, or a change between horizontal and vertical), m. Default 3. */
  readonly bendPenalty: number;
  /** Penalty per riser (each start of a vertical run between levels), m. Default 2. */
  readonly elevationChange: number;
  /** Factor per vertical metre. Default 1. */
  readonly vertical: number;
  /** Extra per metre run inside the line's own end equipment (allowed, but a pipe should leave it). Default 4. */
  readonly ownBody: number;
  /** Factor per metre at an elevated (non-ground) level off any rack: pipe bridges need supports. Default 1.5. */
  readonly elevatedOffRack: number;
}

export interface RouteOptions {
  /**
   * Ids of the lines to route. Default: every line without a route (every line when `reroute`);
   * lines whose ends are not placed are reported (`unplaced_end`), not routed.
   */
  readonly lines?: readonly string[];
  /** Route the selected lines again even when they already have a route. Default false. */
  readonly reroute?: boolean;
  readonly costs?: Partial<RouteCosts>;
  /** Elevations of the ground (sleeper) levels, m, for short local runs. Default [0.5, 1.2]. */
  readonly groundLevels?: readonly Metres[];
  /** Vertical clearance a level must keep above an equipment top to pass over it, m. Default 0.3. */
  readonly clearance?: Metres;
  /** Most states the search expands for one line before giving up with `no_path`. Default 400 000. */
  readonly maxExpansions?: number;
  /**
   * Weight w of the heuristic in f = g + w·h (weighted A*, Pohl 1970). 1 gives cheapest routes;
   * above 1 the search expands far fewer states (a fifteenth at 1.5 on the benchmark plot) and a route
   * costs at most w times the cheapest. Default 1.5.
   */
  readonly heuristicWeight?: number;
  /**
   * Most search states (nodes × levels × 7 directions, twice that when relief or flare lines are
   * selected: their searches keep a drainage phase) the grid may have; about 16 bytes each are
   * allocated. More gives `grid_too_large` for every selected line. Default 16 000 000.
   */
  readonly maxStates?: number;
}

export interface RouteStats {
  /** Sum of the new routes' lengths, vertical runs included, m. */
  readonly totalLength: number;
  /** Sum of the new routes' elbows (interior points of the collapsed polylines). */
  readonly bends: number;
  /** Length of the new routes' horizontal runs on a pipe rack at one of its levels, m. */
  readonly rackLength: number;
  /** Search states expanded over all lines (a measure of work). */
  readonly expansions: number;
  /** Wall-clock time of the call, ms. */
  readonly ms: number;
}

export interface RouteResult {
  /** The same design with the routed lines given a `route`; a rerouted line that failed loses its old route. */
  readonly design: Design;
  /** Ids of the lines routed by this call, in routing order. */
  readonly routed: readonly string[];
  readonly unrouted: readonly UnroutedLine[];
  readonly stats: RouteStats;
}
