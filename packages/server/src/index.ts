export { type AppOptions, buildApp } from "./app.js";
export { isServerRole, SERVER_ROLES, type ServerRole } from "./config.js";
export { ERRORS, type ErrorCode, type Problem } from "./errors.js";
// For the plantgan CLI (@plantgan/cli): export, file reading and the training run it shares with the jobs.
export { EXPORT_FORMATS, type ExportFormat, exportDesign, isExportFormat, NotPlacedError } from "./export.js";
export { readBundle } from "./gan/bundle.js";
export { candidateDesignIds } from "./gan/candidate-ids.js";
export { generationService } from "./gan/generation-service.js";
export { closeWorkers, parseTrainWorkers, startTrainingHelpers } from "./gan/parallel-training.js";
export { trainingService } from "./gan/training-service.js";
export { expandInputs, type FileResult, readDesignFile } from "./io/read-designs.js";
export { createApiKey } from "./keys.js";
// The plugins' `declare module "fastify"` augmentations (app.store, app.jobs, request.auth) reach
// callers' type-checks only through a reference from this entry.
export type { Auth } from "./plugins/auth.js";
export { DEFAULT_STREAMS_PER_KEY, type EventStreamOptions } from "./plugins/event-streams.js";
export type { JobsPluginOptions } from "./plugins/jobs.js";
export type { StorePluginOptions } from "./plugins/store.js";
export {
  type RunningServer,
  type RunningWorker,
  type ServeOptions,
  startServer,
  startWorker,
  type WorkerOptions,
} from "./serve.js";
export type { GenerationService, Services, TrainingService } from "./services.js";
export type { StoragePluginOptions } from "./storage/plugin.js";
export { COPIED_TABLES, type CopyCounts, CopyRefused, copySqliteToPostgres } from "./store/copy.js";
export { openStore, type StoreConfig, storeConfigFrom } from "./store/open.js";
export type { Store } from "./store/store.js";
export {
  checkTrainingSettings,
  describeSetting,
  type ResolvedTrainingSettings,
  type SettingIssue,
  TRAINING_DEFAULTS,
  TRAINING_SETTINGS_SCHEMA,
  type TrainingSettingName,
} from "./training-settings.js";
