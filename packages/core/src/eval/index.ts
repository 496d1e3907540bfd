/**
 * Honest topology evaluation (issue 14 item 4): structural metrics of generated P&ID topologies
 * against a training set, and the harness that scores any number of topology sources side by side.
 * Pure: no file system.
 */
export {
  CONVENTIONS,
  type Convention,
  type ConventionVerdicts,
  conventionVerdicts,
  followsControlValveStations,
  followsLowLowOnPumpTanks,
  followsPumpDischargeGauges,
  followsPumps2oo3,
} from "./conventions.js";
export {
  conditionMatchAsWritten,
  evaluateTopologySources,
  POOLED,
  type TopologyCandidate,
  type TopologyEvalOptions,
  type TopologyRow,
  type TrainingReference,
  topologyRow,
  trainingReference,
} from "./evaluate.js";
export {
  applyHouseConventions,
  HOUSE_CONVENTIONS,
  type HouseConvention,
  type HouseVariantItem,
  houseVariant,
} from "./house-conventions.js";
export {
  gaussianMmdTo,
  type MmdReference,
  mmdReference,
  mmdTo,
  STD_FLOOR,
  type StatScale,
  statScale,
  topologyMmd,
} from "./mmd.js";
export {
  type ControlValveStation,
  controlValveStations,
  levelTripsByEquipment,
  pumpGroups,
  pumpsWithCheckValve,
  tanksFeedingPumps,
  tanksWithHighAndLowTrips,
} from "./motifs.js";
export {
  designerSource,
  propose,
  randomGraphSource,
  requestedCounts,
  retrievalSource,
  type SourceOutput,
  type TopologySource,
  type TopologySourceFunction,
  type TrainingShape,
  trainingShape,
} from "./sources.js";
export { topologyTable } from "./table.js";
export {
  type LabelledEdge,
  type LabelledGraph,
  parseTopology,
  type TopologyInput,
  tagLetters,
  topologyGraph,
} from "./topology-graph.js";
export { TOPOLOGY_STAT_NAMES, topologyStats } from "./topology-stats.js";
export { TOPOLOGY_RULES, topologyErrors, topologyValid } from "./validity.js";
export {
  contentHash,
  DEFAULT_WL_ITERATIONS,
  featureDot,
  featuresHash,
  type WlFeatures,
  wlFeatures,
  wlGraphFeatures,
  wlHash,
  wlKernel,
  wlRounds,
} from "./wl.js";
export { nearestTrainingDistance, WlIndex, type WlNeighbour } from "./wl-index.js";
