import { GENERATION_REQUEST_DEFAULTS } from "@plantgan/core/design";
import { ApiError } from "../errors.js";
import type { BlobStore } from "../store/blobs.js";
import type { JobRecord, Store } from "../store/store.js";
import { type GenerationPool, GenerationWorkerCrashedError } from "./generation-pool.js";
import type { GeneratePayload } from "./generation-service.js";
import { generationSummary, storedCandidates } from "./stored-candidates.js";

/** The lease a direct generation holds on its job; renewed while it runs, so only a dead server lets it lapse. */
const DIRECT_LEASE_MS = 30_000;
const RENEW_EVERY_MS = 5_000;

/**
 * Runs a queued "generate" job in the warm pool instead of a forked job worker: the job is claimed
 * by name (so the runner never starts it too), the pool's worker generates, and the candidates,
 * progress and end are written through the job's lease as the job worker would (jobs/generate.ts),
 * so GET /v1/jobs/:id, its events and GET /v1/candidates?job= read the same either way.
 *
 * Returns the finished job, or undefined when the runner claimed the job first (the caller then
 * waits for it as for any job). A worker that dies mid-generation fails the job with the reason
 * and throws a 503 `worker_lost` problem naming the job: the pool has already started a replacement,
 * so asking again is served (a server fault the client can retry, not bad input).
 */
export async function runDirectGeneration(input: {
  readonly pool: GenerationPool;
  readonly store: Store;
  readonly blobs: BlobStore;
  readonly job: JobRecord;
  readonly payload: GeneratePayload;
  readonly workspaceId: string;
}): Promise<JobRecord | undefined> {
  const { pool, store, blobs, job, payload, workspaceId } = input;
  const claimed = await store.claimJob(job.id, DIRECT_LEASE_MS);
  if (!claimed) return undefined;
  const { token } = claimed;
  let cancelRequested = false;
  let lost = false;
  const renew = setInterval(() => {
    store.renewLease(job.id, token, DIRECT_LEASE_MS).then(
      (lease) => {
        lost ||= !lease.owned;
        cancelRequested ||= lease.cancelRequested;
      },
      // A busy database: the next beat tries again (the lease is six beats long).
      () => undefined,
    );
  }, RENEW_EVERY_MS);
  renew.unref();
  // Progress rows are written in order, one after another, while the worker goes on.
  let writes: Promise<unknown> = Promise.resolve();
  const total = payload.latents?.length ?? countOf(payload.request);
  try {
    let result: Awaited<ReturnType<GenerationPool["run"]>>;
    try {
      result = await pool.run({
        request: payload.request,
        weights: payload.weights,
        loadBundle: async () => new Uint8Array(await blobs.get(payload.weights)),
        ...(payload.topology === undefined ? {} : { topology: payload.topology }),
        ...(payload.latents === undefined ? {} : { latents: payload.latents }),
        ...(payload.parents === undefined ? {} : { parents: payload.parents }),
        onProgress: (done) => {
          if (done < total) writes = writes.then(() => progressStep(store, job.id, token, done, total));
        },
      });
    } catch (error) {
      await writes.catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      await store.finishJob(job.id, token, { status: "failed", error: message.slice(0, 2000) });
      if (error instanceof GenerationWorkerCrashedError)
        throw new ApiError("worker_lost", `generation failed: ${message}; ask again`, { job: job.id });
      // The generation's own error (as the job worker reports it): the failed job says why.
      return await store.getJob(workspaceId, job.id);
    }
    await writes.catch(() => undefined);
    if (lost) return await store.getJob(workspaceId, job.id);
    if (cancelRequested) {
      await store.finishJob(job.id, token, { status: "cancelled", result: { candidates: [] } });
      return await store.getJob(workspaceId, job.id);
    }
    const stored = storedCandidates(result.candidates, { id: job.id, modelId: payload.modelId });
    const step = await store.jobStep(job.id, token, {
      candidates: stored,
      progress: { done: stored.length, total },
      events: [
        {
          type: "log",
          data: {
            message:
              `TensorFlow.js backend: ${result.backend}; warm generation worker ${result.pid}, model ` +
              (result.modelLoaded ? `loaded into it (${Math.round(result.modelLoadMs)} ms)` : "already loaded in it") +
              sharedFinishing(result.finishedBy),
          },
        },
        { type: "progress", data: { done: stored.length, total } },
      ],
    });
    if (step.owned) {
      await store.finishJob(job.id, token, {
        status: "succeeded",
        result: generationSummary(stored, result.candidates, result.backend),
      });
    }
    return await store.getJob(workspaceId, job.id);
  } finally {
    clearInterval(renew);
  }
}

async function progressStep(store: Store, jobId: string, token: string, done: number, total: number): Promise<void> {
  await store.jobStep(jobId, token, {
    progress: { done, total },
    events: [{ type: "progress", data: { done, total } }],
  });
}

/** Which workers did the candidates' finishing, when more than the one that ran the generation. */
function sharedFinishing(finishedBy: ReadonlyMap<number, number>): string {
  if (finishedBy.size < 2) return "";
  const each = [...finishedBy].map(([pid, units]) => `${units} in ${pid}`).join(", ");
  return `; finishing (legalise, route, validate, polish) shared: ${each}`;
}

/** The request's candidate count, as the pipeline reads it. */
function countOf(request: unknown): number {
  const count = (request as { count?: unknown }).count;
  return typeof count === "number" ? count : GENERATION_REQUEST_DEFAULTS.count;
}
