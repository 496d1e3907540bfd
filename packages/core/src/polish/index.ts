/**
 * Exact polish after legalise: the candidate's arrangement (each pair's sides, the rotations) kept,
 * the continuous placement solved as a linear program with HiGHS; and the MILP optimiser baseline
 * with free pair orders. See polish.ts and optimise.ts.
 */

export { optimiserLayout } from "./baseline.js";
export { type PolishOptions, type PolishOutcome, type PolishReport, polishCandidate } from "./candidate.js";
export { type BoxSize, boxOf, placementObjective } from "./model.js";
export { type OptimiseOptions, type OptimiseResult, optimisePlacement } from "./optimise.js";
export { type PolishPlacement, placementCost, polishPlacement } from "./polish.js";
export { type PlacementProblem, placementProblem } from "./problem.js";
export { type RealisedLayout, realisePlacement } from "./realise.js";
export { loadedSolver, loadSolver, type Solver } from "./solver.js";
