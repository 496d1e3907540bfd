/**
 * Cost of a layout under the rule pack's cost model: installed pipe by line (DN and rating class,
 * runs on racks at the rack rate), elbows, and land (the equipment bounding box). Pure.
 */

export { type CostRow, type CostSample, costRows, type LayoutMeasure, median } from "./compare.js";
export { type CostBreakdown, designCost, type LineCost, priceDesign } from "./cost.js";
export { equipmentBox, lineEnds, measureRoute, type RouteMeasure } from "./measure.js";
export { bendRate, type CostModel, classFactor, pipeRate } from "./rates.js";
