import { type GenerationRequest, parseGenerationRequest } from "@plantgan/core/design";
import { type GanModel, selectBackend } from "@plantgan/core/gan";
import {
  doFinishWork,
  type FinishWorkResult,
  type FinishWorkRunner,
  generateCandidatesAsync,
  topologySourceByName,
} from "@plantgan/core/generate";
import { loadSolver } from "@plantgan/core/polish";
import { exitWhenParentDies } from "../process/parent-watch.js";
import { loadBundledModel } from "./bundle.js";
import type { PoolMessage, PoolReply, PoolTask, PoolWorkNotice, PoolWorkTask } from "./generation-pool-protocol.js";

/**
 * A warm generation worker: a child process of the API server (generation-pool.ts) that picks
 * its TensorFlow.js backend and loads the HiGHS solver once at start, keeps the last models it
 * used in memory by weights blob (a new trained model has a new blob, so it is loaded afresh),
 * and runs one generation task at a time: GAN → decode → legalise → route → control completion
 * → validate → rank, the same pipeline as the "generate" job (jobs/generate.ts). It writes
 * nothing: the API process stores the candidates under the request's job.
 *
 * In a pool of several workers, each batch of a generation's per-candidate finishing (legalise,
 * route, validate, polish) is offered to the pool, which gives some units to idle workers
 * ("finish-work" tasks, done here as well) and tells this one which it keeps; their results come
 * back through the pool. One generation's candidates so use every idle core.
 */

/** Models kept per worker: a handful of MB each; more than two in use at once is rare. */
const MODEL_CACHE_SIZE = 2;

const models = new Map<string, GanModel>();

/**
 * Throwaway generations run while the worker is idle: a few after start (random placement, no
 * model) and a few after a model's first use. V8 compiles the pipeline's hot code on them; without
 * them the first dozen requests of a fresh worker took 3-4 times as long (p50 475 ms, then 96 ms).
 */
const WARM_RUNS = 6;
/** Warm-up starts only after this long without a task, so it never delays a burst of requests. */
const WARM_AFTER_IDLE_MS = 300;
let warmTimer: NodeJS.Timeout | undefined;
const RANDOM_PLACEMENT = "random placement";
const warmRuns = new Map<string, number>();
/** Tasks received and not yet answered: warm-up runs only while there are none. */
let waiting = 0;
let lastWeights: string | undefined;
let warmScheduled = false;
/** The worker asked for a model's bundle: its task comes back with it, so no warm-up in between. */
let awaitingModel = false;
/** Everything the worker computes runs through this chain, one thing at a time. */
let queue: Promise<void> = Promise.resolve();

function warmRequest(i: number): GenerationRequest {
  const parsed = parseGenerationRequest({
    schemaVersion: "1.0",
    processClass: "pump_station",
    site: { width: 120, depth: 80 },
    equipment: [
      { type: "pump", count: 2 + (i % 2) },
      { type: "tank", count: 1 },
    ],
    count: 1,
    seed: 7919 + i,
  });
  if (!parsed.success) throw new Error(`warm-up request: ${parsed.issues[0]?.message}`);
  return parsed.data;
}

/** Warms up once the worker has been idle a while (any task in between puts it off again). */
function warmWhenIdle(): void {
  if (warmTimer) clearTimeout(warmTimer);
  warmTimer = setTimeout(warmWhileIdle, WARM_AFTER_IDLE_MS);
}

/** Queues the next warm-up run when the worker is idle and the current model (or none) has runs left. */
function warmWhileIdle(): void {
  if (waiting > 0 || warmScheduled || awaitingModel) return;
  const key = lastWeights !== undefined && models.has(lastWeights) ? lastWeights : RANDOM_PLACEMENT;
  const done = warmRuns.get(key) ?? 0;
  if (done >= WARM_RUNS) return;
  warmScheduled = true;
  queue = queue.then(async () => {
    warmScheduled = false;
    // A task came in meanwhile: it goes first; warming goes on when the worker is idle again.
    if (waiting > 0) return;
    warmRuns.set(key, done + 1);
    const model = models.get(key);
    try {
      await generateCandidatesAsync(warmRequest(done), model ? { model } : { placement: "random" }, async () => {});
    } catch {
      // Best effort: a warm-up that fails leaves the worker as it was.
    }
    warmWhileIdle();
  });
}

/** A batch this worker offered to the pool: its results as they come, and who waits for them. */
interface Offer {
  readonly results: (FinishWorkResult | undefined)[];
  missing: number;
  readonly share: Deferred<readonly number[]>;
  /** Settles once every unit the other workers do is back (or one of them is lost). */
  readonly others: Deferred<void>;
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Awaited later, or never when an earlier step failed: no unhandled rejection either way.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

const offers = new Map<number, Offer>();
let lastBatch = 0;

/**
 * Finishing for generation `taskId`: when `share`, each batch of two or more units is offered to
 * the pool; this worker does the units the pool leaves it (all of them when no other is idle),
 * then waits for the rest. `counted.here` adds up the units done in this process.
 */
function finishing(taskId: number, share: boolean, counted: { here: number }): FinishWorkRunner {
  return async (work, context) => {
    if (!share || work.length < 2) {
      counted.here += work.length;
      return work.map((w) => doFinishWork(w, context));
    }
    const batch = ++lastBatch;
    const offer: Offer = {
      results: work.map(() => undefined),
      missing: work.length,
      share: deferred(),
      others: deferred(),
    };
    offers.set(batch, offer);
    try {
      send({ type: "work-offer", id: taskId, batch, work, context });
      for (const i of await offer.share.promise) {
        offer.results[i] = doFinishWork(work[i]!, context);
        offer.missing--;
        counted.here++;
      }
      if (offer.missing > 0) await offer.others.promise;
      return offer.results.map((r, i) => {
        if (!r) throw new Error(`finishing unit ${i} of batch ${batch} came back empty`);
        return r;
      });
    } finally {
      offers.delete(batch);
    }
  };
}

/** The pool's answers about an offered batch: handled at once, not queued behind the computation. */
function onNotice(notice: PoolWorkNotice): void {
  const offer = offers.get(notice.batch);
  if (!offer) return;
  if (notice.type === "work-share") offer.share.resolve(notice.mine);
  else if (notice.type === "work-lost") {
    const error = new Error(notice.message);
    offer.share.reject(error);
    offer.others.reject(error);
  } else {
    for (const [j, i] of notice.indices.entries()) offer.results[i] = notice.results[j];
    offer.missing -= notice.indices.length;
    if (offer.missing === 0) offer.others.resolve();
  }
}

/** Another worker's finishing units, done here: the same function the pipeline would call. */
function runWork(task: PoolWorkTask): void {
  send({ type: "work-result", id: task.id, results: task.work.map((w) => doFinishWork(w, task.context)) });
}

function send(reply: PoolReply): void {
  // A failed send means the server is gone: the "disconnect" handler ends this process.
  if (process.connected) process.send?.(reply, undefined, undefined, () => undefined);
}

function dispose(model: GanModel): void {
  model.generator.dispose();
  model.critic?.dispose();
  const topology = model.topology?.generator;
  if (topology) for (const stage of [topology.skeleton, topology.lines, topology.attachments]) stage.dispose();
}

/** The model for a weights blob: cached, or loaded from the bytes the task carries, or undefined (ask for them). */
async function modelFor(task: PoolTask): Promise<GanModel | undefined> {
  const cached = models.get(task.weights);
  if (cached) {
    // Most recently used last, so the first key is the one to evict.
    models.delete(task.weights);
    models.set(task.weights, cached);
    return cached;
  }
  if (!task.bundle) return undefined;
  const model = await loadBundledModel(task.bundle);
  models.set(task.weights, model);
  while (models.size > MODEL_CACHE_SIZE) {
    const [oldest, old] = models.entries().next().value as [string, GanModel];
    models.delete(oldest);
    dispose(old);
  }
  return model;
}

async function run(task: PoolTask, backend: string): Promise<void> {
  const started = performance.now();
  const model = await modelFor(task);
  if (!model) {
    awaitingModel = true;
    send({ type: "need-model", id: task.id });
    return;
  }
  const loadedMs = performance.now() - started;
  lastWeights = task.weights;
  const request = parseGenerationRequest(task.request);
  if (!request.success) throw new Error(`request is not valid: ${request.issues[0]?.message}`);
  // The source asked for, or the task fails saying why: never the designer in its place.
  const topology = task.topology === undefined ? undefined : topologySourceByName(task.topology, model);
  const counted = { here: 0 };
  const candidates = await generateCandidatesAsync(
    request.data,
    {
      model,
      ...(topology ? { topology } : {}),
      ...(task.latents ? { latents: task.latents } : {}),
      ...(task.parents ? { parents: task.parents } : {}),
      finishWork: finishing(task.id, task.shareFinishing === true, counted),
    },
    async (done, total) => send({ type: "progress", id: task.id, done, total }),
  );
  send({
    type: "result",
    id: task.id,
    candidates,
    backend,
    modelLoaded: task.bundle !== undefined,
    modelLoadMs: task.bundle ? loadedMs : 0,
    generateMs: performance.now() - started - loadedMs,
    finishedHere: counted.here,
  });
}

async function main(): Promise<void> {
  // Logged once per worker (selectBackend logs each backend it tried and why).
  const chosen = await selectBackend({ log: (m) => process.stderr.write(`generation worker ${process.pid}: ${m}\n`) });
  await loadSolver();
  // One task at a time, in order: the pool sends the next only after this one's answer.
  process.on("message", (raw: unknown) => {
    const task = raw as PoolMessage;
    if (task?.type === "work-share" || task?.type === "work-done" || task?.type === "work-lost") {
      onNotice(task);
      return;
    }
    if (task?.type !== "generate" && task?.type !== "finish-work") return;
    waiting++;
    if (task.type === "generate") awaitingModel = false;
    queue = queue
      .then(() => (task.type === "generate" ? run(task, chosen.name) : runWork(task)))
      .catch((error: unknown) => {
        // A task's error (bad request, a model without a topology generator): the worker stays.
        send({ type: "failed", id: task.id, message: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        waiting--;
        warmWhenIdle();
      });
  });
  send({ type: "ready", backend: chosen.name, pid: process.pid });
  warmWhenIdle();
}

// The server is gone: nothing left to answer to.
process.on("disconnect", () => process.exit(0));
// "disconnect" waits for the event loop; the watch thread ends this process mid-compute too.
exitWhenParentDies();

main().catch((error: unknown) => {
  process.stderr.write(
    `generation worker ${process.pid}: could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(70);
});
