import { type ChildProcess, fork } from "node:child_process";
import { EventEmitter, once } from "node:events";
import { createRequire } from "node:module";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { StoreConfig } from "../store/open.js";
import { newId } from "../store/sqlite.js";
import type { JobKind, JobRecord, Store } from "../store/store.js";
import { isResumable, JOB_KIND_INFO } from "./kinds.js";
import { JobQueueSignal } from "./queue-signal.js";
import type { RunnerMessage, WorkerMessage } from "./worker.js";

export interface RunnerOptions {
  /** How the worker processes open the store (their own connections). */
  readonly storeConfig: StoreConfig;
  /** Lease length, ms: a worker silent this long is presumed dead. Default 30 s. */
  readonly leaseMs?: number;
  /** How often a worker renews its lease, ms. Default leaseMs / 5. */
  readonly heartbeatMs?: number;
  /** How often the queue and expired leases are checked, ms. Default 1 s. */
  readonly pollMs?: number;
  /** Jobs run at once (one process each). Default 1: the machine's cores serve the API too. */
  readonly concurrency?: number;
  /** After a cancel, how long a worker has to stop before it is killed, ms. Default 10 s. */
  readonly cancelGraceMs?: number;
  /**
   * Added to the first lease of a claim: a new worker process needs time to start (module
   * loading, more under load) before its first heartbeat. Default 15 s.
   */
  readonly startupGraceMs?: number;
  /**
   * How long the runner keeps renewing the lease of a worker that shows no sign of life (no
   * heartbeat message, no event): long synchronous compute is fine up to this, a hung worker is not.
   * After it the lease expires and the job is recovered. Default 10 leases, at least 10 minutes.
   */
  readonly stallMs?: number;
  /**
   * On PostgreSQL, LISTEN for queued jobs and claim them at once. Default true; false leaves them
   * to the poll (the behaviour before LISTEN/NOTIFY, kept for comparison in benches and tests).
   */
  readonly listen?: boolean;
  /**
   * Who this runner is, kept on the rows of the jobs it claims (several worker processes, on any
   * number of machines, share one database). Default "<host name>:<process id>".
   */
  readonly workerId?: string;
}

interface Running {
  readonly child: ChildProcess;
  readonly jobId: string;
  readonly token: string;
  readonly exited: Promise<void>;
  /** When the worker last showed it runs (spawn, a heartbeat message, an event), ms since epoch. */
  lastSign: number;
  /** Set when the runner killed the worker for staying silent past the stall limit. */
  stalled?: boolean;
  /** Set once a cancel reached the worker (sent and its kill timer armed). */
  cancelling?: boolean;
}

/**
 * Runs queued jobs off the request thread, each in a forked worker process (jobs/worker.ts).
 * The lease in the jobs table is the truth about who works on a job: workers and their runner
 * renew it; when a worker exits without ending its job, or a lease expires (the server itself
 * died), the job is
 * requeued to continue from its checkpoint (resumable kinds) or failed with the reason. Never
 * silently lost. Emits `job:<id>` whenever a job has new events, for SSE streams.
 */
export class JobRunner extends EventEmitter {
  readonly #store: Store;
  readonly #options: Required<Omit<RunnerOptions, "storeConfig">> & { storeConfig: StoreConfig };
  readonly #running = new Map<string, Running>();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #again = false;
  #stopping = false;
  /** Only a started runner takes jobs; one that is not (start: false) still recovers expired leases on tick(). */
  #started = false;
  /** PostgreSQL only: queued jobs are announced and heard at once (LISTEN/NOTIFY); the poll stays. */
  #signal: JobQueueSignal | undefined;

  constructor(store: Store, options: RunnerOptions) {
    super();
    this.setMaxListeners(0);
    this.#store = store;
    const leaseMs = options.leaseMs ?? 30_000;
    this.#options = {
      storeConfig: options.storeConfig,
      leaseMs,
      heartbeatMs: options.heartbeatMs ?? Math.max(50, Math.floor(leaseMs / 5)),
      pollMs: options.pollMs ?? 1000,
      concurrency: options.concurrency ?? 1,
      cancelGraceMs: options.cancelGraceMs ?? 10_000,
      startupGraceMs: options.startupGraceMs ?? 15_000,
      stallMs: options.stallMs ?? Math.max(10 * leaseMs, 600_000),
      workerId: options.workerId ?? `${hostname()}:${process.pid}`,
      listen: options.listen ?? true,
    };
  }

  /** The id this runner records on the jobs it claims. */
  get workerId(): string {
    return this.#options.workerId;
  }

  /** Recovers jobs left by a previous server (expired leases), then starts taking jobs. */
  async start(): Promise<void> {
    this.#stopping = false;
    this.#started = true;
    if (this.#options.listen) await this.#queueSignal()?.listen();
    await this.tick();
    this.#timer = setInterval(() => void this.tick(), this.#options.pollMs);
    this.#timer.unref();
  }

  /** The LISTEN/NOTIFY connection on PostgreSQL, made on first use; none on SQLite (one process runs its jobs). */
  #queueSignal(): JobQueueSignal | undefined {
    const config = this.#options.storeConfig;
    if (config.kind !== "postgres" || this.#stopping) return undefined;
    this.#signal ??= new JobQueueSignal(config.url, {
      onQueued: () => void this.tick(),
      onError: (error) => this.emit("error-log", error),
    });
    return this.#signal;
  }

  /**
   * Graceful stop: running jobs go back to the queue (their checkpoints kept, the attempt given
   * back) and their workers are stopped, so the next start continues them.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#started = false;
    if (this.#timer) clearInterval(this.#timer);
    await this.#signal?.close();
    this.#signal = undefined;
    await this.#ticking;
    const running = [...this.#running.values()];
    await Promise.all(
      running.map(async (r) => {
        try {
          await this.#store.releaseJob(
            r.jobId,
            r.token,
            "the server is shutting down; the job continues when it starts again",
          );
        } catch (error) {
          // A busy database (a frozen worker may hold its write lock): the worker's exit below, or
          // its lease expiring, requeues the job instead.
          this.emit("error-log", error);
        }
        r.child.kill("SIGTERM");
        const killer = setTimeout(() => r.child.kill("SIGKILL"), 5000);
        await r.exited;
        clearTimeout(killer);
        this.#notify(r.jobId);
      }),
    );
  }

  /** Queues a job; it starts at the next free slot. */
  async enqueue(workspaceId: string, kind: JobKind, payload: unknown): Promise<JobRecord> {
    const job = await this.#store.createJob(workspaceId, {
      id: newId("job"),
      kind,
      payload,
      maxAttempts: JOB_KIND_INFO[kind].maxAttempts,
    });
    void this.tick();
    // Worker processes elsewhere hear of it now rather than at their next poll.
    void this.#queueSignal()?.announce();
    return job;
  }

  /** Cancels a queued job now; asks a running one's worker to stop, and kills it after a grace period. */
  async cancel(workspaceId: string, jobId: string): Promise<JobRecord | undefined> {
    const job = await this.#store.requestCancel(workspaceId, jobId);
    const running = this.#running.get(jobId);
    if (job?.status === "running" && running) this.#cancelWorker(running);
    this.#notify(jobId);
    return job;
  }

  /**
   * Takes back a job its route no longer wants (it lost the race for the model id it was to
   * write): cancelled and deleted, so no row is left behind. A job that a worker (here or on
   * another machine) claimed meanwhile is asked to stop, and deleted once it has ended.
   */
  async withdraw(workspaceId: string, jobId: string): Promise<void> {
    await this.cancel(workspaceId, jobId);
    if ((await this.#store.deleteJob(workspaceId, jobId)) === "not_ended")
      void this.#deleteOnceEnded(workspaceId, jobId);
  }

  /** Waits (in the background) for a cancelled job's worker to stop, then deletes the job. */
  async #deleteOnceEnded(workspaceId: string, jobId: string): Promise<void> {
    // A worker sees the cancel within a heartbeat and is killed after the grace period; a dead
    // one's lease expires. Past that the job has ended one way or the other.
    const until = Date.now() + 2 * (this.#options.leaseMs + this.#options.cancelGraceMs + this.#options.startupGraceMs);
    while (Date.now() < until && !this.#stopping) {
      await this.waitForNews(jobId, this.#options.pollMs);
      try {
        if ((await this.#store.deleteJob(workspaceId, jobId)) !== "not_ended") return;
      } catch (error) {
        this.emit("error-log", error);
      }
    }
  }

  /**
   * Tells a worker to stop and kills it after the grace period. Reached from cancel() when the job
   * runs here, and from a lease renewal that reads the cancel flag when another process (an API
   * process of role "api") took the cancel.
   */
  #cancelWorker(running: Running): void {
    if (running.cancelling) return;
    running.cancelling = true;
    if (running.child.connected) running.child.send({ type: "cancel" } satisfies RunnerMessage);
    const killer = setTimeout(() => running.child.kill("SIGKILL"), this.#options.cancelGraceMs);
    killer.unref();
    void running.exited.then(() => clearTimeout(killer));
  }

  /** Resolves when the job has news, or after `timeoutMs` (SSE streams poll as a fallback). */
  async waitForNews(jobId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      await once(this, `job:${jobId}`, { signal: both });
    } catch {
      // Timed out or the client went away: the caller looks at the store either way.
    }
  }

  /** Job ids with a live worker in this process. */
  runningJobs(): string[] {
    return [...this.#running.keys()];
  }

  /** The worker process of a running job (tests kill it to simulate a crash). */
  workerOf(jobId: string): ChildProcess | undefined {
    return this.#running.get(jobId)?.child;
  }

  /** One pass: recover expired leases, then fill free slots. Concurrent calls coalesce. */
  async tick(): Promise<void> {
    if (this.#ticking) {
      this.#again = true;
      return this.#ticking;
    }
    this.#ticking = (async () => {
      do {
        this.#again = false;
        await this.#pass();
      } while (this.#again && !this.#stopping);
    })().finally(() => {
      this.#ticking = undefined;
    });
    return this.#ticking;
  }

  async #pass(): Promise<void> {
    try {
      // Renew our own live workers first, in the same pass: when the database was locked for a
      // while (a frozen worker inside a write transaction), their leases may have run out
      // meanwhile, and recovery must not take a job from a worker that is merely busy.
      let deferred = false;
      for (const r of this.#running.values()) {
        // A failed renewal ends the pass (no recovery): the database is busy, not the worker dead.
        if (this.#isLive(r)) deferred = (await this.#renewOrThrow(r)) || deferred;
      }
      // A live worker's row was locked by its own step, so its lease kept an old expiry: were the
      // step to commit before recovery reads the row, recovery would take the job from a worker
      // that is merely busy. Recover on a later pass, once the renewal has gone through.
      if (deferred) return;
      const recovered = await this.#store.recoverJobs({
        now: Date.now(),
        reason: "lease expired: the worker stopped renewing it (process or server died)",
        resumable: isResumable,
      });
      for (const r of recovered) {
        // A worker of ours that is alive but silent (hung): its job went elsewhere, end it.
        this.#running.get(r.jobId)?.child.kill("SIGKILL");
        this.#notify(r.jobId);
      }
      while (this.#started && !this.#stopping && this.#running.size < this.#options.concurrency) {
        const claimed = await this.#store.claimNextJob(
          this.#options.leaseMs + this.#options.startupGraceMs,
          this.#options.workerId,
        );
        if (!claimed) break;
        this.#spawn(claimed.id, claimed.token);
        this.#notify(claimed.id);
      }
    } catch (error) {
      // A busy or closing database: the next poll tries again. Jobs stay in their rows.
      this.emit("error-log", error);
    }
  }

  #spawn(jobId: string, token: string): void {
    const { file, execArgv } = workerEntry();
    const child = fork(file, [], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "json" });
    const exited = new Promise<void>((resolve) => {
      child.once("exit", (code, signal) => {
        this.#running.delete(jobId);
        void this.#afterExit(jobId, token, code, signal, running.stalled === true).finally(resolve);
      });
    });
    // A fork that cannot start at all (no such file) fails through "exit" as well.
    child.on("error", () => undefined);
    const running: Running = { child, jobId, token, exited, lastSign: Date.now() };
    child.on("message", (raw: unknown) => {
      const msg = raw as WorkerMessage;
      running.lastSign = Date.now();
      if (msg.type === "event") this.#notify(msg.jobId);
    });
    this.#running.set(jobId, running);
    // The runner renews its live workers' leases as well: a worker deep in synchronous compute (a
    // training step, a routing search) cannot run its own timer and must not lose its job for being
    // busy. Only up to the stall limit: a worker silent that long is taken as hung, its lease
    // expires and the job is recovered. A worker that dies stops being renewed at its exit; a
    // runner that dies, with all of its workers (they exit when it is gone).
    // Past the stall limit plus one lease (by then the lease has expired too) the runner kills the
    // worker itself rather than wait for lease recovery through the database: a worker frozen inside
    // a write transaction holds SQLite's lock, and no recovery could write until it is gone.
    const beat = setInterval(() => {
      if (this.#isLive(running)) void this.#renew(running);
      else if (Date.now() - running.lastSign >= this.#options.stallMs + this.#options.leaseMs && !running.stalled) {
        running.stalled = true;
        child.kill("SIGKILL");
      }
    }, this.#options.heartbeatMs);
    child.once("exit", () => clearInterval(beat));
    const run: RunnerMessage = {
      type: "run",
      jobId,
      token,
      store: this.#options.storeConfig,
      leaseMs: this.#options.leaseMs,
      heartbeatMs: this.#options.heartbeatMs,
    };
    child.send(run);
  }

  /** A worker that showed a sign of life within the stall limit: busy perhaps, not hung. */
  #isLive(running: Running): boolean {
    return Date.now() - running.lastSign < this.#options.stallMs;
  }

  /** Renews a worker's lease; true when the renewal was deferred (its row locked by its own step). */
  async #renewOrThrow(running: Running): Promise<boolean> {
    const lease = await this.#store.renewLease(running.jobId, running.token, this.#options.leaseMs);
    if (lease.owned && lease.cancelRequested) this.#cancelWorker(running);
    return lease.owned && lease.deferred === true;
  }

  async #renew(running: Running): Promise<void> {
    try {
      await this.#renewOrThrow(running);
    } catch (error) {
      // A busy database: the next beat tries again (the lease is several beats long).
      this.emit("error-log", error);
    }
  }

  async #afterExit(
    jobId: string,
    token: string,
    code: number | null,
    signal: NodeJS.Signals | null,
    stalled: boolean,
  ): Promise<void> {
    const reason = stalled
      ? `the worker showed no sign of life for ${Math.round(this.#options.stallMs / 1000)} s (hung) and was killed`
      : `the worker process exited (${signal ? `signal ${signal}` : `code ${code}`}) before the job ended`;
    try {
      // Only matches when the worker died holding the lease (a clean end clears the token).
      await this.#store.recoverJobs({ now: 0, tokens: [token], reason, resumable: isResumable });
    } catch (error) {
      this.emit("error-log", error);
    }
    this.#notify(jobId);
    if (!this.#stopping) void this.tick();
  }

  #notify(jobId: string): void {
    this.emit(`job:${jobId}`);
  }
}

/**
 * The worker's entry point. Built (dist): worker.js run by plain node. From source (tests, dev
 * under tsx): worker.ts through tsx's loader, with the source condition so "@plantgan/core/*"
 * resolves to TypeScript as in the parent.
 */
function workerEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith(".ts")) return { file: join(dirname(here), "worker.js"), execArgv: [] };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return { file: join(dirname(here), "worker.ts"), execArgv: ["--import", tsx, "--conditions=@plantgan/source"] };
}
