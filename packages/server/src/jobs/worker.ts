import { exitWhenParentDies } from "../process/parent-watch.js";
import { openStore, type StoreConfig } from "../store/open.js";
import type { Store } from "../store/store.js";
import { JobCancelledError, type JobContext, LeaseLostError } from "./context.js";
import { JOB_HANDLERS } from "./handlers.js";

/**
 * The job worker: a child process forked by the runner for one job. It opens its own store
 * connection, renews the job's lease on a timer, runs the kind's handler and records the end.
 * Anything that kills this process (a crash, out of memory, SIGKILL) leaves the job "running"
 * with a lease that stops being renewed: the runner sees the exit (or, after a server crash,
 * the expired lease) and requeues or fails the job. Nothing here can take the API down.
 */

/** Messages from the runner. */
export type RunnerMessage =
  | {
      readonly type: "run";
      readonly jobId: string;
      readonly token: string;
      readonly store: StoreConfig;
      readonly leaseMs: number;
      readonly heartbeatMs: number;
    }
  | { readonly type: "cancel" };

/** Messages to the runner. */
/**
 * To the runner: "event" after the job wrote events (SSE streams wake up); "alive" on each heartbeat,
 * which only fires while the worker's event loop runs (the runner's stall limit counts from it).
 */
export type WorkerMessage = { readonly type: "event" | "alive"; readonly jobId: string };

/** Exit codes the runner reads. */
export const WORKER_EXIT = { done: 0, lostLease: 3, orphaned: 75, crashed: 70 } as const;

const abort = new AbortController();
let started = false;

function tellRunner(message: WorkerMessage): void {
  // With a callback a failed send (the runner just died: EPIPE) is reported here instead of
  // crashing the worker; the "disconnect" handler ends the process.
  if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
}

const notify = (jobId: string): void => tellRunner({ type: "event", jobId });

async function run(msg: Extract<RunnerMessage, { type: "run" }>): Promise<number> {
  const { store, blobs } = openStore(msg.store);
  const heartbeat = setInterval(() => {
    tellRunner({ type: "alive", jobId: msg.jobId });
    void renew(store, msg);
  }, msg.heartbeatMs);
  try {
    const job = await store.jobForWorker(msg.jobId, msg.token);
    if (!job) return WORKER_EXIT.lostLease;
    const load = JOB_HANDLERS[job.kind];
    if (!load) {
      await store.finishJob(job.id, msg.token, {
        status: "failed",
        error: `no handler for job kind "${job.kind}" in this server`,
      });
      return WORKER_EXIT.done;
    }
    const handler = await load();
    const ctx: JobContext = {
      job,
      signal: abort.signal,
      blobs,
      async step(step) {
        const out = await store.jobStep(job.id, msg.token, step);
        if (!out.owned) throw new LeaseLostError();
        if (out.cancelRequested) abort.abort();
        notify(job.id);
        return { designs: out.designs };
      },
      async emit(type, data) {
        await ctx.step({ events: [{ type, data }] });
      },
    };
    try {
      const result = await handler(ctx);
      await store.finishJob(job.id, msg.token, { status: "succeeded", result });
    } catch (error) {
      if (error instanceof LeaseLostError) return WORKER_EXIT.lostLease;
      if (error instanceof JobCancelledError) {
        await store.finishJob(job.id, msg.token, { status: "cancelled", result: error.partial });
      } else {
        // A handler error is deterministic (bad data, a bug): retrying would fail the same way.
        const message = error instanceof Error ? error.message : String(error);
        await store.finishJob(job.id, msg.token, { status: "failed", error: message.slice(0, 2000) });
      }
    }
    notify(job.id);
    return WORKER_EXIT.done;
  } finally {
    clearInterval(heartbeat);
    await store.close();
  }
}

async function renew(store: Store, msg: Extract<RunnerMessage, { type: "run" }>): Promise<void> {
  try {
    const lease = await store.renewLease(msg.jobId, msg.token, msg.leaseMs);
    // Someone else holds the job now: stop at once, writing nothing more.
    if (!lease.owned) process.exit(WORKER_EXIT.lostLease);
    if (lease.cancelRequested) abort.abort();
  } catch {
    // A busy database: the next beat tries again; the lease is several beats long.
  }
}

process.on("message", (raw: unknown) => {
  const msg = raw as RunnerMessage;
  if (msg.type === "cancel") {
    abort.abort();
    return;
  }
  if (msg.type !== "run" || started) return;
  started = true;
  run(msg).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `plantgan job worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(WORKER_EXIT.crashed);
    },
  );
});

// The runner (API process) is gone: stop. The lease expires and the next server resumes the job
// from its checkpoint; working on unsupervised would only race with that. "disconnect" comes when
// the event loop runs; the watch thread ends a worker whose main thread is busy computing.
process.on("disconnect", () => process.exit(WORKER_EXIT.orphaned));
exitWhenParentDies();
