import type { Candidate, CandidateParents, GivenLatent } from "@plantgan/core/generate";

/** Messages between the generation pool (API process) and its warm workers (generation-pool-worker.ts). */

/** To a worker: one generation. `bundle` is sent only when the worker asked for the model (need-model). */
export interface PoolTask {
  readonly type: "generate";
  readonly id: number;
  readonly request: unknown;
  /** The model's weights blob (content hash): the worker's cache key, so a new model is never served stale. */
  readonly weights: string;
  readonly bundle?: Uint8Array;
  readonly topology?: string;
  readonly latents?: readonly GivenLatent[];
  readonly parents?: CandidateParents;
}

/** From a worker. */
export type PoolReply =
  | { readonly type: "ready"; readonly backend: string; readonly pid: number }
  | { readonly type: "need-model"; readonly id: number }
  | { readonly type: "progress"; readonly id: number; readonly done: number; readonly total: number }
  | {
      readonly type: "result";
      readonly id: number;
      readonly candidates: Candidate[];
      readonly backend: string;
      /** Whether this task loaded the model (false: it was in the worker's cache), and how long that took, ms. */
      readonly modelLoaded: boolean;
      readonly modelLoadMs: number;
      readonly generateMs: number;
    }
  | { readonly type: "failed"; readonly id: number; readonly message: string };
