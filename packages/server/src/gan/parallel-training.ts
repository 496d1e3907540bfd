/**
 * Data-parallel GAN training on every core: one forked process per worker (gradient-process.ts),
 * each with its own backend and a copy of the trainer, driven by core's `dataParallelStep` (each
 * takes its rows of the batch, the gradients are summed here and every worker applies the sum).
 * Messages use the "advanced" serialisation, so gradients travel as typed arrays, not JSON. The
 * training designs go to each process once; a step then sends the indices of its shard's rows.
 * The generator's summed gradients go with the worker's next request, not a request of their own.
 */
import { type ChildProcess, fork } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BackendName, BatchItem, GradientWorker, ShardGradients, Trainer, TrainerState } from "@plantgan/core/gan";
import type { GradientReply, GradientRequest, ShardItems } from "./gradient-process.js";

type Request = GradientRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

/** Calls of one kind to a worker process: how many, their round trips, the child's wall and CPU ms. */
export interface CallTimes {
  calls: number;
  roundTripMs: number;
  childMs: number;
  childCpuMs: number;
}

/** A worker process, as core's GradientWorker, plus what the caller needs to end it. */
export interface ProcessWorker extends GradientWorker {
  /** The worker's trainer state (weights, optimizers, counters), e.g. to checkpoint or compare. */
  state(): Promise<TrainerState>;
  /**
   * Sends the training designs once: later shards made of them travel as indices (a shard with
   * any other design still travels whole).
   */
  loadItems(items: readonly BatchItem[]): Promise<void>;
  /** Times of the calls made so far, by request type (benches: round trip less child time is IPC). */
  callTimes(): Readonly<Record<string, CallTimes>>;
  close(): Promise<void>;
}

/** The most training workers a run may ask for. */
const MAX_TRAIN_WORKERS = 64;

/** A worker count as text (a flag, an environment variable): a whole number from 1 to 64, else undefined. */
export function parseTrainWorkers(text: string): number | undefined {
  if (!/^\s*\d+\s*$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= MAX_TRAIN_WORKERS ? n : undefined;
}

/**
 * Processes an API training job trains on: PLANTGAN_TRAIN_WORKERS when set, else 1 (the job's
 * own process only: the machine's other cores serve the API and generation by default).
 */
export function trainWorkerCount(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PLANTGAN_TRAIN_WORKERS;
  if (raw === undefined || raw.trim() === "") return 1;
  const n = parseTrainWorkers(raw);
  if (n === undefined)
    throw new Error(`PLANTGAN_TRAIN_WORKERS must be a whole number from 1 to ${MAX_TRAIN_WORKERS}, got "${raw}"`);
  return n;
}

/**
 * The helpers of a run on `workers` processes: `workers - 1` worker processes holding the
 * trainer's weights as they are now (the trainer itself, in this process, is the first worker;
 * see core's runTrainingLoop `helpers`), given the run's designs `items` once. None for one
 * worker. Refused for a trainer whose steps cannot be split (a graph generator that samples its
 * topology draws noise per shard).
 */
export async function startTrainingHelpers(
  trainer: Trainer,
  workers: number,
  backend: BackendName,
  items: readonly BatchItem[] = [],
): Promise<ProcessWorker[]> {
  if (workers <= 1) return [];
  const { generator } = trainer.config.model;
  if (generator !== "layout" && !trainer.config.training.layoutOnly)
    throw new Error(
      `data-parallel training needs a layout generator or layoutOnly training (this one is ${generator})`,
    );
  return startProcessWorkers(await trainer.state(), workers - 1, backend, items);
}

/** Ends the worker processes (each finishes the request it is on, if any). */
export async function closeWorkers(workers: readonly ProcessWorker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.close()));
}

/**
 * Starts `count` worker processes, each restored from `state` on `backend` and given the training
 * designs `items` (see `loadItems`). Resolves when all have loaded; a worker that fails to start
 * rejects (and the others are closed).
 */
export async function startProcessWorkers(
  state: TrainerState,
  count: number,
  backend: BackendName,
  items: readonly BatchItem[] = [],
): Promise<ProcessWorker[]> {
  const workers = Array.from({ length: count }, () => processWorker());
  try {
    await Promise.all(workers.map((w) => w.call({ type: "init", state, backend })));
    if (items.length > 0) await Promise.all(workers.map((w) => w.loadItems(items)));
  } catch (e) {
    await Promise.all(workers.map((w) => w.close()));
    throw e;
  }
  return workers;
}

function processWorker(): ProcessWorker & { call(request: Request): Promise<unknown> } {
  const { file, execArgv } = workerEntry();
  const child: ChildProcess = fork(file, [], {
    execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
  });
  let nextId = 1;
  const pending = new Map<
    number,
    { type: string; sent: number; resolve(value: unknown): void; reject(error: Error): void }
  >();
  const times: Record<string, CallTimes> = {};
  // The index of each design the child holds, by identity (the training loop passes the same objects).
  let indexOf = new Map<BatchItem, number>();
  const shardOf = (items: readonly BatchItem[]): ShardItems => {
    const indices = items.map((item) => indexOf.get(item));
    return indices.every((i) => i !== undefined) ? { indices: indices as number[] } : { items: [...items] };
  };
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  child.on("message", (reply: GradientReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) {
      times[p.type] ??= { calls: 0, roundTripMs: 0, childMs: 0, childCpuMs: 0 };
      const t = times[p.type]!;
      t.calls++;
      t.roundTripMs += performance.now() - p.sent;
      t.childMs += reply.ms;
      t.childCpuMs += reply.cpuMs;
      p.resolve(reply.value);
    } else p.reject(new Error(`gradient worker: ${reply.error}`));
  });
  child.on("exit", (code, signal) => failAll(new Error(`gradient worker exited (${signal ?? code})`)));
  child.on("error", (e) => failAll(e));

  // Resolves when the last request has been written to the pipe (a large one takes several turns).
  let written: Promise<void> = Promise.resolve();
  // The summed generator gradients, applied by the child before the next request (gradient-process.ts).
  let generatorSum: Float32Array[] | undefined;
  const call = (request: Request): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { type: request.type, sent: performance.now(), resolve, reject });
      const message = { ...request, id, ...(generatorSum && { generatorSum }) } as GradientRequest;
      generatorSum = undefined;
      written = new Promise((done) =>
        child.send(message, (e) => {
          done();
          if (e) {
            pending.delete(id);
            reject(e);
          }
        }),
      );
    });

  return {
    call,
    loadItems: async (items) => {
      await call({ type: "items", items: [...items] });
      indexOf = new Map(items.map((item, i) => [item, i]));
    },
    criticGradients: (items, rows) => call({ type: "critic", shard: shardOf(items), rows }) as Promise<ShardGradients>,
    applyCriticGradients: (sum) => call({ type: "applyCritic", sum: [...sum] }) as Promise<ShardGradients | undefined>,
    // Resolves at once: the sum goes with the next request, and a failure to apply it fails that one.
    applyGeneratorGradients: async (sum) => {
      if (generatorSum) throw new Error("applyGeneratorGradients twice without a request between");
      generatorSum = [...sum];
    },
    sent: () => written,
    state: () => call({ type: "state" }) as Promise<TrainerState>,
    callTimes: () => times,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.disconnect();
      }),
  };
}

/**
 * V8 flags of a worker process. A gradient call makes tens of megabytes of short-lived engine
 * objects (tensors, tape nodes); with the default 16 MB semi-space part of them outlives a few
 * scavenges and is promoted, and the GC threads then work ~45 ms per step at 16 rows. 64 MB lets
 * them die young (~34 ms): GC threads that matter when every core runs a worker. The price is
 * memory: ~70 MiB more per worker (722 -> 790 MiB resident at 16 rows).
 */
const WORKER_V8_FLAGS = ["--max-semi-space-size=64"];

/**
 * The worker's entry point: gradient-process.js when built; from source (tests, dev under tsx)
 * gradient-process.ts through tsx's loader with the source condition, as jobs/runner.ts does.
 */
function workerEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith(".ts")) return { file: join(dirname(here), "gradient-process.js"), execArgv: WORKER_V8_FLAGS };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return {
    file: join(dirname(here), "gradient-process.ts"),
    execArgv: [...WORKER_V8_FLAGS, "--import", tsx, "--conditions=@plantgan/source"],
  };
}
