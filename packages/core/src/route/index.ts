/**
 * Pipe router: routes a design's lines between their nozzles on the site grid, at discrete
 * elevation levels (ground sleepers, rack levels), preferring racks and avoiding equipment bodies,
 * keep-outs and each other. See router.ts for the procedure and astar.ts for the search.
 */
export { DEFAULT_COSTS, DEFAULT_GROUND_LEVELS, routeDesign } from "./router.js";
export type { RouteCosts, RouteIssueCode, RouteOptions, RouteResult, RouteStats, UnroutedLine } from "./types.js";
