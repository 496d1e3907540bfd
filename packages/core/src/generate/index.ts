/**
 * @plantgan/core/generate — the generation pipeline (DESIGN.md "Generation pipeline"): a request's
 * topology, control completion, placement by the GAN (or at random), legalise, route, validate,
 * polish and rank. It uses the models of @plantgan/core/gan; gan/ holds models and training only.
 */
export {
  applyConditionChanges,
  CHANGE_FIELDS,
  ConditionChangeError,
} from "./condition-changes.js";
export { completeControl } from "./control.js";
export { PipelineError } from "./errors.js";
export { errorRules, farthestPoints } from "./finish.js";
export {
  doFinishWork,
  type FinishWork,
  type FinishWorkContext,
  type FinishWorkResult,
  type FinishWorkRunner,
} from "./finish-work.js";
export { type FixedItemIssue, fixedItemIssues, fixedTags, pinFixedItems, withFixedItems } from "./fixed.js";
export { givenTopologyFindings, markInherited } from "./inherited.js";
export { blendLatents, decodeLatent, encodeLatent, LATENT_STAGES, type LatentRecord, slerp } from "./latent.js";
export { type CandidateOrigin, type CandidateParents, OriginError, readOrigin, withOriginMetadata } from "./origin.js";
export { generateCandidates, generateCandidatesAsync } from "./pipeline.js";
export { ganPlace, layoutLatentSize, randomPlace, sampleLayoutLatents } from "./placement.js";
export {
  designerTopology,
  requestTopology,
  TOPOLOGY_SOURCE_NAMES,
  type TopologySource,
  TopologySourceError,
  topologySourceByName,
} from "./topology-source.js";
export { pipelinePreview, previewRequests } from "./training-preview.js";
export type { Candidate, CandidateStats, GivenLatent, PipelineOptions } from "./types.js";
export { blendPlan, type RegenerationPlan, variantPlan } from "./variant.js";
