import type { BlobStore } from "../store/blobs.js";
import type { InsertOutcome, JobEventType, JobStep, WorkerJob } from "../store/store.js";

/** What a job handler gets: its row, a cancel signal, blobs, and the one way to write results. */
export interface JobContext {
  readonly job: WorkerJob;
  /** Aborted when the job is cancelled: stop at the next step boundary. */
  readonly signal: AbortSignal;
  readonly blobs: BlobStore;
  /**
   * Commits one step: output rows, checkpoint, progress and events in one transaction fenced by
   * the lease. Throws `LeaseLostError` when another runner owns the job now.
   */
  step(step: JobStep): Promise<{ readonly designs: InsertOutcome[] }>;
  /** Stores one event (e.g. metrics) without other output. */
  emit(type: JobEventType, data: unknown): Promise<void>;
}

/** A job handler runs in a worker process and returns the job's result (stored as JSON). */
export type JobHandler = (ctx: JobContext) => Promise<unknown>;

/** The lease went to someone else (this worker was presumed dead): stop without writing. */
export class LeaseLostError extends Error {
  constructor() {
    super("the job's lease was taken over");
    this.name = "LeaseLostError";
  }
}

/** Thrown by handlers (or `throwIfCancelled`) to end a job as cancelled with its partial result. */
export class JobCancelledError extends Error {
  constructor(readonly partial: unknown) {
    super("cancelled on request");
    this.name = "JobCancelledError";
  }
}
