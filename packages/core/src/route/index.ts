/**
 * Pipe router: routes a design's lines between their nozzles on the site grid, at discrete
 * elevation levels (ground sleepers, rack levels), preferring racks and avoiding equipment bodies,
 * keep-outs and each other. See router.ts for the procedure and astar.ts for the search. Relief and
 * flare lines are kept free-draining, with no pockets (API Std 520 Part II, API Std 521 5.5; drain.ts).
 */
export { DEFAULT_COSTS, DEFAULT_GROUND_LEVELS, routeDesign } from "./router.js";
export type { RouteCosts, RouteIssueCode, RouteOptions, RouteResult, RouteStats, UnroutedLine } from "./types.js";
