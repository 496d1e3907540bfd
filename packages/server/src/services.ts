import type { GenerationRequest } from "@plantgan/core/design";
import type { CandidateParents, GivenLatent } from "@plantgan/core/generate";
import type { ApiIssue } from "./errors.js";
import type { BlobStore } from "./store/blobs.js";
import type { DatasetRecord, JobRecord, ModelRecord, Store } from "./store/store.js";

/**
 * The seams where the GAN plugs in (packages/core/src/gan, packages/core/src/designer). Routes
 * call these; when a service is absent its routes answer 501 `not_available` instead of
 * pretending (tests may leave one out). A service's real work runs as a job (kinds "generate" and "train") in a worker
 * process: the service checks and queues, the handler registered in jobs/handlers.ts runs it and
 * writes candidates or the model through the job's steps.
 */
export interface GenerationService {
  /**
   * Checks a request against the chosen model (process classes it knows, the most equipment
   * it can place...) and queues a "generate" job. Returns issues instead when the request
   * cannot be served.
   */
  submit(input: {
    readonly workspaceId: string;
    readonly request: GenerationRequest;
    readonly model: ModelRecord;
    /** `?topology=`: the topology source asked for (spec mode); absent: the pipeline's default. */
    readonly topology?: string;
    /** A variant's or blend's latents (one candidate each) and parents, recorded on its candidates. */
    readonly latents?: readonly GivenLatent[];
    readonly parents?: CandidateParents;
    readonly enqueue: (payload: unknown) => Promise<JobRecord>;
  }): Promise<{ readonly job: JobRecord } | { readonly issues: readonly ApiIssue[] }>;
}

export interface TrainingService {
  /**
   * Checks settings against the dataset, snapshots its designs (store and blobs are there for
   * that) and queues a "train" job that creates model `modelId`.
   */
  submit(input: {
    readonly workspaceId: string;
    readonly modelId: string;
    readonly dataset: DatasetRecord;
    readonly settings: Readonly<Record<string, number | string | boolean>>;
    readonly store: Store;
    readonly blobs: BlobStore;
    readonly enqueue: (payload: unknown) => Promise<JobRecord>;
  }): Promise<{ readonly job: JobRecord } | { readonly issues: readonly ApiIssue[] }>;
}

export interface Services {
  readonly generation?: GenerationService;
  readonly training?: TrainingService;
}
