import { type ChildProcess, fork } from "node:child_process";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Candidate, CandidateParents, GivenLatent } from "@plantgan/core/generate";
import type { PoolMessage, PoolReply, PoolTask } from "./generation-pool-protocol.js";

/** What one generation needs: the request, the model's weights blob, and how to read that blob when a worker lacks it. */
export interface PoolJob {
  readonly request: unknown;
  readonly weights: string;
  /** Reads the model bundle (only called when the chosen worker has not loaded these weights yet). */
  readonly loadBundle: () => Promise<Uint8Array>;
  readonly topology?: string;
  readonly latents?: readonly GivenLatent[];
  readonly parents?: CandidateParents;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface PoolResult {
  readonly candidates: Candidate[];
  readonly backend: string;
  /** Whether the worker loaded the model for this task (false: it had it loaded already). */
  readonly modelLoaded: boolean;
  readonly modelLoadMs: number;
  readonly generateMs: number;
  /** The worker process that ran it. */
  readonly pid: number;
  /** Finishing units (legalise, route, validate; polish) each worker process did for it, by pid. */
  readonly finishedBy: ReadonlyMap<number, number>;
}

/** The worker running a generation died (crash, out of memory, killed, or past the task time limit). */
export class GenerationWorkerCrashedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GenerationWorkerCrashedError";
  }
}

/** The generation itself failed in the worker (a bad request or model): deterministic, not a crash. */
export class GenerationFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GenerationFailedError";
  }
}

export interface GenerationPoolOptions {
  /** Worker processes. Default `generationPoolSize()`. */
  readonly size?: number;
  /** A task still running after this long has its worker killed (and so fails as a crash), ms. Default 120 s. */
  readonly taskTimeoutMs?: number;
  readonly log?: (message: string) => void;
  /**
   * Share a generation's finishing units with idle workers (needs two or more). Default
   * `generationShareFinishing()`: off, because on the machines measured it made small requests
   * slower (README, pool-finish.bench.ts).
   */
  readonly shareFinishing?: boolean;
}

/**
 * Whether the pool shares finishing units: PLANTGAN_GENERATE_SHARE_FINISHING=1 turns it on, 0 or
 * unset leaves it off. Measured with 2 free cores (pool-finish.bench.ts, 4-candidate requests):
 * 2 sharing workers p50 156 ms against 1 worker's 111 ms, so it stays a choice for larger requests.
 */
export function generationShareFinishing(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env.PLANTGAN_GENERATE_SHARE_FINISHING?.trim() ?? "";
  if (raw === "" || raw === "0") return false;
  if (raw === "1") return true;
  throw new Error(`PLANTGAN_GENERATE_SHARE_FINISHING must be 0 or 1, got "${raw}"`);
}

/**
 * Worker processes for the pool: PLANTGAN_GENERATE_WORKERS when set (0 turns the pool off),
 * else half the cores, at least one: on a 2-core machine one warm worker, the other core left to
 * the API and the job runner.
 */
export function generationPoolSize(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): number {
  const raw = env.PLANTGAN_GENERATE_WORKERS;
  if (raw !== undefined && raw.trim() !== "") {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 64)
      throw new Error(`PLANTGAN_GENERATE_WORKERS must be a whole number from 0 to 64, got "${raw}"`);
    return n;
  }
  return Math.max(1, Math.floor(cores / 2));
}

interface Pending {
  readonly id: number;
  readonly job: PoolJob;
  readonly resolve: (result: PoolResult) => void;
  readonly reject: (error: Error) => void;
  readonly finishedBy: Map<number, number>;
  /** A worker that was doing some of its finishing died: the generation fails as a crash, with this. */
  crashed?: string;
}

/** Some of a generation's finishing units, done by another worker than the one running it. */
interface Help {
  readonly id: number;
  readonly parent: Pending;
  /** The worker running the generation, which waits for these results. */
  readonly owner: Worker;
  readonly batch: number;
  readonly indices: readonly number[];
}

interface Worker {
  readonly child: ChildProcess;
  ready: boolean;
  backend?: string;
  task?: Pending | undefined;
  help?: Help | undefined;
  timer?: NodeJS.Timeout | undefined;
  /** Why we killed it (timeout), for the in-flight task's error. */
  killedFor?: string;
}

/**
 * A pool of warm generation worker processes (generation-pool-worker.ts): each has its backend
 * and solver ready and keeps its models loaded, so a generation pays neither process start nor
 * model load, and none of it runs on the API's thread. Tasks wait in one queue and go to the next
 * idle worker. A worker that dies is replaced at once; the task it was running fails with
 * GenerationWorkerCrashedError (never a hang: a task past its time limit has its worker killed).
 *
 * With more than one worker and shareFinishing on, a generation's per-candidate finishing is shared: the worker running
 * it offers each batch of units (after the batched generator: legalise, route, validate; then the
 * polish), and the pool splits it round-robin between that worker and the idle ones. A helper that
 * dies fails the generation as a crash; results are the same as one worker's.
 */
export class GenerationPool {
  readonly size: number;
  readonly #taskTimeoutMs: number;
  readonly #log: (message: string) => void;
  readonly #shareFinishing: boolean;
  readonly #workers = new Set<Worker>();
  readonly #queue: Pending[] = [];
  #nextId = 1;
  #closed = false;
  /** Deaths before "ready" in a row: a worker that cannot start is retried more slowly each time. */
  #startFailures = 0;
  #respawnTimer: NodeJS.Timeout | undefined;

  constructor(options: GenerationPoolOptions = {}) {
    this.size = options.size ?? generationPoolSize();
    this.#taskTimeoutMs = options.taskTimeoutMs ?? 120_000;
    this.#log = options.log ?? ((m) => process.stderr.write(`${m}\n`));
    this.#shareFinishing = this.size > 1 && (options.shareFinishing ?? generationShareFinishing());
    for (let i = 0; i < this.size; i++) this.#spawn();
  }

  /** Process ids of the live workers (tests and benches kill or watch them). */
  workerPids(): number[] {
    return [...this.#workers].flatMap((w) => (w.child.pid === undefined ? [] : [w.child.pid]));
  }

  /** Process ids of workers now doing some of another worker's finishing units (tests watch them). */
  helperPids(): number[] {
    return [...this.#workers].flatMap((w) => (w.help && w.child.pid !== undefined ? [w.child.pid] : []));
  }

  /** Tasks queued or running. */
  pending(): number {
    return this.#queue.length + [...this.#workers].filter((w) => w.task).length;
  }

  /** Workers neither running a generation nor helping finish one. */
  #idle(): Worker[] {
    return [...this.#workers].filter((w) => w.ready && !w.task && !w.help);
  }

  /** How many workers have their backend and solver ready. */
  readyCount(): number {
    return [...this.#workers].filter((w) => w.ready).length;
  }

  /** Resolves once `count` workers (default all) are ready, or rejects after `timeoutMs`. */
  async whenReady(count = this.size, timeoutMs = 60_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.readyCount() < count) {
      if (this.#closed) throw new Error("the generation pool is closed");
      if (Date.now() > end) throw new Error(`generation pool: ${this.readyCount()} of ${count} workers ready`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Runs one generation on the next idle worker. */
  run(job: PoolJob): Promise<PoolResult> {
    if (this.#closed) return Promise.reject(new Error("the generation pool is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, job, resolve, reject, finishedBy: new Map() });
      this.#dispatch();
    });
  }

  /** Stops every worker; queued and running tasks fail. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#respawnTimer) clearTimeout(this.#respawnTimer);
    for (const p of this.#queue.splice(0)) p.reject(new Error("the generation pool is closed"));
    await Promise.all(
      [...this.#workers].map(async (w) => {
        if (w.child.exitCode !== null || w.child.signalCode !== null) return;
        const exited = new Promise((r) => w.child.once("exit", r));
        w.child.kill("SIGTERM");
        const killer = setTimeout(() => w.child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(killer);
      }),
    );
  }

  #spawn(): void {
    const { file, execArgv } = workerEntry();
    const child = fork(file, ["plantgan-generation-worker"], {
      execArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "advanced",
    });
    // An idle pool must not keep the process alive by itself; a busy worker does (#dispatch, #finish).
    child.unref();
    child.channel?.unref();
    const worker: Worker = { child, ready: false };
    this.#workers.add(worker);
    child.on("message", (raw: unknown) => void this.#onReply(worker, raw as PoolReply));
    // A fork that cannot start fails through "exit" as well.
    child.on("error", () => undefined);
    child.once("exit", (code, signal) => this.#onExit(worker, code, signal));
  }

  async #onReply(worker: Worker, reply: PoolReply): Promise<void> {
    if (reply.type === "ready") {
      worker.ready = true;
      worker.backend = reply.backend;
      this.#startFailures = 0;
      this.#log(`generation worker ${reply.pid} ready (TensorFlow.js backend: ${reply.backend})`);
      this.#dispatch();
      return;
    }
    if (worker.help && worker.help.id === reply.id) {
      this.#onHelpReply(worker, worker.help, reply);
      return;
    }
    const task = worker.task;
    if (!task || task.id !== reply.id) return;
    if (reply.type === "progress") {
      task.job.onProgress?.(reply.done, reply.total);
    } else if (reply.type === "need-model") {
      try {
        this.#send(worker, task, await task.job.loadBundle());
      } catch (error) {
        this.#finish(worker);
        task.reject(error instanceof Error ? error : new Error(String(error)));
      }
    } else if (reply.type === "work-offer") {
      this.#share(worker, task, reply);
    } else if (task.crashed !== undefined && (reply.type === "failed" || reply.type === "result")) {
      this.#finish(worker);
      task.reject(new GenerationWorkerCrashedError(task.crashed));
    } else if (reply.type === "failed") {
      this.#finish(worker);
      task.reject(new GenerationFailedError(reply.message));
    } else if (reply.type === "result") {
      this.#finish(worker);
      const pid = worker.child.pid ?? 0;
      if (reply.finishedHere > 0) task.finishedBy.set(pid, (task.finishedBy.get(pid) ?? 0) + reply.finishedHere);
      task.resolve({
        candidates: reply.candidates,
        backend: reply.backend,
        modelLoaded: reply.modelLoaded,
        modelLoadMs: reply.modelLoadMs,
        generateMs: reply.generateMs,
        pid,
        finishedBy: task.finishedBy,
      });
    }
  }

  /**
   * Splits an offered batch round-robin between the offering worker and the idle ones: unit i goes
   * to share i mod (idle + 1), share 0 the offering worker's. No idle worker: it keeps them all.
   */
  #share(owner: Worker, task: Pending, offer: Extract<PoolReply, { type: "work-offer" }>): void {
    const helpers = this.#idle();
    const shares = helpers.length + 1;
    const indicesOf = (s: number) => offer.work.flatMap((_, i) => (i % shares === s ? [i] : []));
    this.#tell(owner, { type: "work-share", id: task.id, batch: offer.batch, mine: indicesOf(0) });
    for (const [h, helper] of helpers.entries()) {
      const indices = indicesOf(h + 1);
      if (indices.length === 0) continue;
      const help: Help = { id: this.#nextId++, parent: task, owner, batch: offer.batch, indices };
      helper.help = help;
      this.#busy(helper);
      this.#tell(helper, {
        type: "finish-work",
        id: help.id,
        work: indices.map((i) => offer.work[i]!),
        context: offer.context,
      });
    }
  }

  /** A helper's answer goes to the generation's worker, if it still runs that generation. */
  #onHelpReply(helper: Worker, help: Help, reply: PoolReply): void {
    if (reply.type !== "work-result" && reply.type !== "failed") return;
    this.#finish(helper);
    if (help.owner.task !== help.parent) return;
    if (reply.type === "failed") {
      this.#tell(help.owner, { type: "work-lost", id: help.parent.id, batch: help.batch, message: reply.message });
      return;
    }
    const pid = helper.child.pid ?? 0;
    help.parent.finishedBy.set(pid, (help.parent.finishedBy.get(pid) ?? 0) + reply.results.length);
    this.#tell(help.owner, {
      type: "work-done",
      id: help.parent.id,
      batch: help.batch,
      indices: help.indices,
      results: reply.results,
    });
  }

  #onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    this.#workers.delete(worker);
    if (worker.timer) clearTimeout(worker.timer);
    const how = worker.killedFor ?? (signal ? `signal ${signal}` : `exit code ${code}`);
    const help = worker.help;
    if (help && help.owner.task === help.parent) {
      // The generation's own worker is told, fails it, and answers; its answer becomes this crash.
      const message = `the generation worker (process ${worker.child.pid}) died while generating (${how}); it has been replaced`;
      help.parent.crashed = message;
      this.#tell(help.owner, { type: "work-lost", id: help.parent.id, batch: help.batch, message });
    }
    if (worker.task) {
      worker.task.reject(
        new GenerationWorkerCrashedError(
          `the generation worker (process ${worker.child.pid}) died while generating (${how}); it has been replaced`,
        ),
      );
    }
    if (this.#closed) return;
    this.#log(`generation worker ${worker.child.pid} exited (${how}); starting a replacement`);
    if (!worker.ready) this.#startFailures++;
    // Immediate replacement; a worker that cannot even start is retried with a growing delay.
    const delay = this.#startFailures === 0 ? 0 : Math.min(10_000, 250 * 2 ** (this.#startFailures - 1));
    if (this.#startFailures >= 3) {
      // Nothing will start soon: fail what waits rather than let it hang.
      for (const p of this.#queue.splice(0))
        p.reject(new GenerationWorkerCrashedError(`generation workers fail to start (${how})`));
    }
    this.#respawnTimer = setTimeout(() => {
      if (!this.#closed) this.#spawn();
    }, delay);
    this.#respawnTimer.unref();
  }

  #dispatch(): void {
    for (const worker of this.#workers) {
      if (this.#queue.length === 0) return;
      if (!worker.ready || worker.task || worker.help) continue;
      const task = this.#queue.shift()!;
      worker.task = task;
      this.#busy(worker);
      this.#send(worker, task);
    }
  }

  /** A worker given a task keeps the process alive, and is killed when it does not answer in time. */
  #busy(worker: Worker): void {
    worker.child.channel?.ref();
    worker.timer = setTimeout(() => {
      worker.killedFor = `no answer within ${Math.round(this.#taskTimeoutMs / 1000)} s, killed`;
      worker.child.kill("SIGKILL");
    }, this.#taskTimeoutMs);
    worker.timer.unref();
  }

  #send(worker: Worker, task: Pending, bundle?: Uint8Array): void {
    const { request, weights, topology, latents, parents } = task.job;
    const message: PoolTask = {
      type: "generate",
      id: task.id,
      request,
      weights,
      ...(bundle ? { bundle } : {}),
      ...(topology === undefined ? {} : { topology }),
      ...(latents === undefined ? {} : { latents }),
      ...(parents === undefined ? {} : { parents }),
      ...(this.#shareFinishing ? { shareFinishing: true } : {}),
    };
    this.#tell(worker, message);
  }

  #tell(worker: Worker, message: PoolMessage): void {
    // A send to a worker that just died fails here; its "exit" rejects the task.
    worker.child.send(message, (error) => {
      if (error) worker.child.kill("SIGKILL");
    });
  }

  #finish(worker: Worker): void {
    if (worker.timer) clearTimeout(worker.timer);
    worker.task = undefined;
    worker.help = undefined;
    worker.timer = undefined;
    worker.child.channel?.unref();
    this.#dispatch();
  }
}

/**
 * The worker's entry point, as for job workers (jobs/runner.ts): built, the .js beside this file;
 * from source (tests, tsx), the .ts through tsx's loader with the source condition.
 */
function workerEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith(".ts")) return { file: join(dirname(here), "generation-pool-worker.js"), execArgv: [] };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return {
    file: join(dirname(here), "generation-pool-worker.ts"),
    execArgv: ["--import", tsx, "--conditions=@plantgan/source"],
  };
}
