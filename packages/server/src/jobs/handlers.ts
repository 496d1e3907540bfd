import type { JobKind } from "../store/store.js";
import type { JobHandler } from "./context.js";

/**
 * Job handlers by kind, loaded lazily in the worker process so one kind's dependencies (e.g.
 * TensorFlow.js) never load for another. "generate" and "train" pair with the GenerationService
 * and TrainingService (services.ts) that check requests and queue their jobs.
 */
export const JOB_HANDLERS: Partial<Record<JobKind, () => Promise<JobHandler>>> = {
  import: async () => (await import("./import.js")).runImport,
  generate: async () => (await import("./generate.js")).runGenerate,
  train: async () => (await import("./train.js")).runTrain,
};
