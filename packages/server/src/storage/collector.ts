import { fork } from "node:child_process";
import type { FreedBlobs as Freed } from "../store/blob-holders.js";
import type { StoreConfig } from "../store/open.js";
import type { Store } from "../store/store.js";
import { forkedEntry } from "./forked-entry.js";

/** The collector process's answer. */
export type CollectorReply = { readonly freed: Freed } | { readonly error: string };

/**
 * Frees orphan blobs now and then (Store.collectBlobs): what refused or abandoned uploads,
 * finished jobs' inputs and old checkpoints left, once older than the store's grace period. It
 * runs off the request thread: on PostgreSQL a run is one statement on the database server; on
 * SQLite (synchronous calls) it runs in a forked process of its own. The timer does not keep the
 * process alive, and one run goes at a time: a run still going skips the next tick.
 */
export class BlobCollector {
  readonly #collect: () => Promise<Freed>;
  readonly #intervalMs: number;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<Freed> | undefined;

  constructor(
    store: Store,
    options: { storeConfig: StoreConfig; intervalMs: number; onError: (error: unknown) => void },
  ) {
    const { storeConfig } = options;
    this.#collect =
      storeConfig.kind === "sqlite" ? () => collectInChildProcess(storeConfig) : () => store.collectBlobs();
    this.#intervalMs = options.intervalMs;
    this.#onError = options.onError;
  }

  /** Starts the periodic runs (none when the interval is 0). */
  start(): void {
    if (this.#intervalMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => {
      if (!this.#running) this.run().catch(this.#onError);
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** One collection now (or the one under way). */
  run(): Promise<Freed> {
    this.#running ??= this.#collect().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Stops the timer and waits for a run under way, so the store can close after it. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }
}

/** One collection in a forked process (collector-worker.ts) on its own connection to the store. */
function collectInChildProcess(storeConfig: StoreConfig): Promise<Freed> {
  const { file, execArgv } = forkedEntry(import.meta.url, "collector-worker");
  const child = fork(file, [], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise<Freed>((resolve, reject) => {
    let reply: CollectorReply | undefined;
    child.once("message", (message: CollectorReply) => {
      reply = message;
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (reply && "freed" in reply) resolve(reply.freed);
      else if (reply) reject(new Error(`blob collection failed: ${reply.error}`));
      else reject(new Error(`the blob collector stopped: ${signal ? `signal ${signal}` : `exit code ${code}`}`));
    });
    child.send(storeConfig);
  });
}
