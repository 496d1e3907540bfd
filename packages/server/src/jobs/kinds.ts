import type { JobKind } from "../store/store.js";

export interface JobKindInfo {
  /**
   * A resumable kind commits its work in steps with a checkpoint, so a new attempt after a
   * crash continues after the last committed step. A kind that is not resumable is failed
   * with the reason when its worker dies.
   */
  readonly resumable: boolean;
  /** Attempts before the job is failed for good (each crash or lost lease uses one). */
  readonly maxAttempts: number;
}

/** What the runner (API process) knows about each kind, without loading any handler. */
export const JOB_KIND_INFO: Readonly<Record<JobKind, JobKindInfo>> = {
  import: { resumable: true, maxAttempts: 3 },
  // Generation is short and seeded: a crashed run is reported, and the user asks again.
  generate: { resumable: false, maxAttempts: 1 },
  // Training saves a checkpoint each epoch (weights as blobs), so it can go on where it was.
  train: { resumable: true, maxAttempts: 3 },
};

export function isResumable(kind: JobKind): boolean {
  return JOB_KIND_INFO[kind]?.resumable ?? false;
}
