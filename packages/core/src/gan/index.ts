/**
 * @plantgan/core/gan — the conditional relational GAN (DESIGN.md "Generation pipeline").
 * TensorFlow.js lives behind this subpath so the viewer bundle never pulls it in.
 */
export {
  BACKEND_ORDER,
  type BackendChoice,
  type BackendName,
  type BackendReason,
  isNode,
  type SelectBackendOptions,
  selectBackend,
  tfjsBackendName,
  useBackend,
} from "./backend.js";
export { packCheckpoint, unpackCheckpoint } from "./checkpoint.js";
export {
  CONDITION_LAYOUT,
  CONDITION_SIZE,
  COUNT_SCALE,
  type ConditionSpec,
  conditionSpec,
  conditionVector,
  PROCESS_CLASSES,
  SITE_SCALE,
} from "./condition.js";
export {
  dataParallelStep,
  type GradientWorker,
  localWorker,
  noPhaseTimes,
  STEP_PHASES,
  type StepPhaseTimes,
  shardRows,
  sumGradients,
} from "./data-parallel.js";
export { GAN_GRADIENT_KERNELS, matMulDense, registerGanGradients } from "./gradients.js";
export {
  type ActivationName,
  CUSTOM_LAYERS,
  GraphReadout,
  type GraphReadoutArgs,
  Linear,
  type LinearArgs,
  PairwiseEdgeLogits,
  type PairwiseEdgeLogitsArgs,
  ProjectionOutput,
  type ProjectionOutputArgs,
  type RasterColumns,
  RelationalGraphConv,
  type RelationalGraphConvArgs,
  SoftRaster,
  type SoftRasterArgs,
} from "./layers.js";
export {
  buildLayoutGenerator,
  LayoutRefiner,
  type LayoutRefinerArgs,
  Scale,
  TopologyColumns,
} from "./layout-generator.js";
export { footprintArea, pipeLength } from "./layout-measures.js";
export {
  type CriticFn,
  countLoss,
  criticLoss,
  DEFAULT_SPACING,
  driftPenalty,
  generatorAdversarialLoss,
  gradientPenalty,
  HAZARD_SPACING,
  type LayoutPenalties,
  layoutCost,
  layoutPenalties,
  type SpacingOptions,
} from "./losses.js";
export {
  columnMoments,
  conditionMatch,
  designSignature,
  designStats,
  type EvalRow,
  type EvalSample,
  evaluateSamples,
  keepsFixedItems,
  mmd,
  requestFromDesign,
  STAT_NAMES,
} from "./metrics.js";
export { type CardInput, MODEL_INFO, type ModelInfo, modelCard, modelFiles } from "./model-card.js";
export { GENERATOR_KINDS, type GeneratorKind, MODEL_SIZES, TOPOLOGY_SIZES, trainerSettings } from "./model-sizes.js";
export {
  bernoulli,
  buildCritic,
  buildGenerator,
  categorical,
  DEFAULT_MODEL_CONFIG,
  fromModelFiles,
  type GanModel,
  type GanModelConfig,
  type GanModelConfigInput,
  type GeneratedEncoding,
  type GenerateOptions,
  type GraphTensors,
  generateEncodings,
  generateGraphs,
  loadModel,
  type ModelMetadata,
  modelLayout,
  modelMetadata,
  resolveModelConfig,
  type SampleOptions,
  sampleGraph,
  sampleLatent,
  saveModel,
  toModelFiles,
} from "./models.js";
export { MAX_OBSTACLES, OBSTACLE_WIDTH, obstacleArray } from "./obstacles.js";
export { layoutsSvg } from "./preview.js";
export { requiredDistances, type SpacingCodes, spacingCodes } from "./spacing.js";
export * from "./topology/index.js";
export { equipmentRows, layoutItem, layoutView, stripLayout, topologyItem } from "./topology.js";
export {
  packTopologyCheckpoint,
  restoreTopologyTrainer,
  runTopologyTrainingLoop,
  TOPOLOGY_FOLDER,
  type TopologyDataCount,
  type TopologyEpochResult,
  type TopologySkipReason,
  type TopologyTrainingLoopInput,
  topologyFolderFiles,
  topologyLineCapacity,
  topologyTrainerOfSize,
  topologyTrainingGraphs,
  topologyTrainingSetup,
  unpackTopologyCheckpoint,
} from "./topology-training-run.js";
export {
  type BatchItem,
  type BatchRows,
  createTrainer,
  DEFAULT_TRAINING_CONFIG,
  deriveSeed,
  disposeBatch,
  type EncodedWeights,
  type EpochSummary,
  type GanBatch,
  LOSS_KEYS,
  makeBatch,
  type PenaltyWeights,
  resolveTrainerConfig,
  restoreTrainer,
  type ShardGradients,
  type StepLosses,
  setModelWeights,
  type Trainer,
  type TrainerConfig,
  type TrainerConfigInput,
  type TrainerState,
  type TrainingConfig,
} from "./training.js";
export {
  type EpochPreview,
  type EpochResult,
  layoutTrainingData,
  type PreviewResult,
  runTrainingLoop,
  type TrainingLoopInput,
  trainingItems,
} from "./training-run.js";
