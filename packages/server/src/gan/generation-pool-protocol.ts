import type {
  Candidate,
  CandidateParents,
  FinishWork,
  FinishWorkContext,
  FinishWorkResult,
  GivenLatent,
} from "@plantgan/core/generate";

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
  /** Offer each batch of finishing work to the pool (it has other workers to share it with). */
  readonly shareFinishing?: boolean;
}

/**
 * To a worker: its share of another worker's finishing work (legalise, route, validate, polish of
 * some of a generation's candidates, core generate/finish-work.ts), answered with "work-result".
 */
export interface PoolWorkTask {
  readonly type: "finish-work";
  readonly id: number;
  readonly work: readonly FinishWork[];
  readonly context: FinishWorkContext;
}

/**
 * To the worker running a generation, about a batch it offered ("work-offer"): which units it does
 * itself ("work-share"), the results of units other workers did ("work-done"), or that one of them
 * died or failed ("work-lost": the generation fails).
 */
export type PoolWorkNotice =
  | { readonly type: "work-share"; readonly id: number; readonly batch: number; readonly mine: readonly number[] }
  | {
      readonly type: "work-done";
      readonly id: number;
      readonly batch: number;
      readonly indices: readonly number[];
      readonly results: readonly FinishWorkResult[];
    }
  | { readonly type: "work-lost"; readonly id: number; readonly batch: number; readonly message: string };

/** Everything the pool sends a worker. */
export type PoolMessage = PoolTask | PoolWorkTask | PoolWorkNotice;

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
      /** Finishing units this worker did itself (the rest went to other workers). */
      readonly finishedHere: number;
    }
  | { readonly type: "failed"; readonly id: number; readonly message: string }
  /** A generation's batch of finishing work, for the pool to share among idle workers. */
  | {
      readonly type: "work-offer";
      readonly id: number;
      readonly batch: number;
      readonly work: readonly FinishWork[];
      readonly context: FinishWorkContext;
    }
  /** The answer to a "finish-work" task: one result per unit, in order. */
  | { readonly type: "work-result"; readonly id: number; readonly results: readonly FinishWorkResult[] };
