import type { Store } from "../store/store.js";

/**
 * Frees orphan blobs now and then (Store.collectBlobs): what refused or abandoned uploads,
 * finished jobs' inputs and old checkpoints left, once older than the store's grace period. The
 * timer does not keep the process alive, and one run at a time: a run still going skips the next
 * tick. On PostgreSQL a run is one statement on the database server; on SQLite it reads the blob
 * folder with asynchronous file calls and checks a batch of blobs per short transaction, giving
 * the event loop back between batches, so requests are answered while it runs.
 */
export class BlobCollector {
  readonly #store: Store;
  readonly #intervalMs: number;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<{ removed: number; bytes: number }> | undefined;

  constructor(store: Store, options: { intervalMs: number; onError: (error: unknown) => void }) {
    this.#store = store;
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
  run(): Promise<{ removed: number; bytes: number }> {
    this.#running ??= this.#store.collectBlobs().finally(() => {
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
