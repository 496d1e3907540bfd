/**
 * Data-parallel GAN training on every core: one forked process per worker (gradient-process.ts),
 * each with its own backend and a copy of the trainer, driven by core's `dataParallelStep` (each
 * takes its rows of the batch, the gradients are summed here and every worker applies the sum).
 * Messages use the "advanced" serialisation, so gradients travel as typed arrays, not JSON.
 */
import { type ChildProcess, fork } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BackendName, GradientWorker, ShardGradients, TrainerState } from "@plantgan/core/gan";
import type { GradientReply, GradientRequest } from "./gradient-process.js";

type Request = GradientRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

/** A worker process, as core's GradientWorker, plus what the caller needs to end it. */
export interface ProcessWorker extends GradientWorker {
  /** The worker's trainer state (weights, optimizers, counters), e.g. to checkpoint or compare. */
  state(): Promise<TrainerState>;
  close(): Promise<void>;
}

/**
 * Starts `count` worker processes, each restored from `state` on `backend`. Resolves when all
 * have loaded; a worker that fails to start rejects (and the others are closed).
 */
export async function startProcessWorkers(
  state: TrainerState,
  count: number,
  backend: BackendName,
): Promise<ProcessWorker[]> {
  const workers = Array.from({ length: count }, () => processWorker());
  try {
    await Promise.all(workers.map((w) => w.call({ type: "init", state, backend })));
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
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  child.on("message", (reply: GradientReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(new Error(`gradient worker: ${reply.error}`));
  });
  child.on("exit", (code, signal) => failAll(new Error(`gradient worker exited (${signal ?? code})`)));
  child.on("error", (e) => failAll(e));

  const call = (request: Request): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ ...request, id } as GradientRequest, (e) => {
        if (e) {
          pending.delete(id);
          reject(e);
        }
      });
    });

  return {
    call,
    criticGradients: (items, rows) => call({ type: "critic", items: [...items], rows }) as Promise<ShardGradients>,
    applyCriticGradients: (sum) => call({ type: "applyCritic", sum: [...sum] }) as Promise<boolean>,
    generatorGradients: () => call({ type: "generator" }) as Promise<ShardGradients>,
    applyGeneratorGradients: async (sum) => {
      await call({ type: "applyGenerator", sum: [...sum] });
    },
    state: () => call({ type: "state" }) as Promise<TrainerState>,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.disconnect();
      }),
  };
}

/**
 * The worker's entry point: gradient-process.js when built; from source (tests, dev under tsx)
 * gradient-process.ts through tsx's loader with the source condition, as jobs/runner.ts does.
 */
function workerEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith(".ts")) return { file: join(dirname(here), "gradient-process.js"), execArgv: [] };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return {
    file: join(dirname(here), "gradient-process.ts"),
    execArgv: ["--import", tsx, "--conditions=@plantgan/source"],
  };
}
