import type { JobKind } from "../store/store.js";
import type { JobHandler } from "./context.js";

/**
 * Job handlers by kind, loaded lazily in the worker process so one kind's dependencies (e.g.
 * TensorFlow.js for "train") never load for another. "generate" and "train" are added here when
 * the GAN lands, together with their GenerationService / TrainingService (services.ts).
 */
export const JOB_HANDLERS: Partial<Record<JobKind, () => Promise<JobHandler>>> = {
  import: async () => (await import("./import.js")).runImport,
  generate: async () => (await import("./generate.js")).runGenerate,
};
