import { parseGenerationRequest } from "@plantgan/core/design";
import { type GanModel, selectBackend } from "@plantgan/core/gan";
import { generateCandidatesAsync, topologySourceByName } from "@plantgan/core/generate";
import { loadSolver } from "@plantgan/core/polish";
import { loadBundledModel } from "./bundle.js";
import type { PoolReply, PoolTask } from "./generation-pool-protocol.js";

/**
 * A warm generation worker: a child process of the API server (generation-pool.ts) that picks
 * its TensorFlow.js backend and loads the HiGHS solver once at start, keeps the last models it
 * used in memory by weights blob (a new trained model has a new blob, so it is loaded afresh),
 * and runs one generation task at a time: GAN → decode → legalise → route → control completion
 * → validate → rank, the same pipeline as the "generate" job (jobs/generate.ts). It writes
 * nothing: the API process stores the candidates under the request's job.
 */

/** Models kept per worker: a handful of MB each; more than two in use at once is rare. */
const MODEL_CACHE_SIZE = 2;

const models = new Map<string, GanModel>();

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
    send({ type: "need-model", id: task.id });
    return;
  }
  const loadedMs = performance.now() - started;
  const request = parseGenerationRequest(task.request);
  if (!request.success) throw new Error(`request is not valid: ${request.issues[0]?.message}`);
  // The source asked for, or the task fails saying why: never the designer in its place.
  const topology = task.topology === undefined ? undefined : topologySourceByName(task.topology, model);
  const candidates = await generateCandidatesAsync(
    request.data,
    {
      model,
      ...(topology ? { topology } : {}),
      ...(task.latents ? { latents: task.latents } : {}),
      ...(task.parents ? { parents: task.parents } : {}),
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
  });
}

async function main(): Promise<void> {
  // Logged once per worker (selectBackend logs each backend it tried and why).
  const chosen = await selectBackend({ log: (m) => process.stderr.write(`generation worker ${process.pid}: ${m}\n`) });
  await loadSolver();
  // One task at a time, in order: the pool sends the next only after this one's answer.
  let queue = Promise.resolve();
  process.on("message", (raw: unknown) => {
    const task = raw as PoolTask;
    if (task?.type !== "generate") return;
    queue = queue.then(() =>
      run(task, chosen.name).catch((error: unknown) => {
        // A task's error (bad request, a model without a topology generator): the worker stays.
        send({ type: "failed", id: task.id, message: error instanceof Error ? error.message : String(error) });
      }),
    );
  });
  send({ type: "ready", backend: chosen.name, pid: process.pid });
}

// The server is gone: nothing left to answer to.
process.on("disconnect", () => process.exit(0));

main().catch((error: unknown) => {
  process.stderr.write(
    `generation worker ${process.pid}: could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(70);
});
