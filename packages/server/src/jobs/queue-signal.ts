import pg from "pg";

/** The PostgreSQL channel a queued job is announced on. */
export const JOB_QUEUED_CHANNEL = "plantgan_job_queued";

/** How long to wait before connecting again after the listening connection was lost, ms. */
const RECONNECT_MS = 1000;

/**
 * LISTEN/NOTIFY on PostgreSQL: a process that queues a job announces it, and every runner
 * listening (worker processes on any machine) claims it at once instead of at its next poll. The
 * poll stays: a notification lost with a dropped connection, or a job requeued by recovery, is
 * still found within one poll interval. One connection of its own per runner, outside the store's
 * pool (a LISTEN holds its connection for good).
 */
export class JobQueueSignal {
  readonly #url: string;
  readonly #onQueued: () => void;
  readonly #onError: (error: unknown) => void;
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;
  #listening = false;
  /** The connection the LISTEN was sent on (a connection made to announce does not listen yet). */
  #listenedOn: pg.Client | undefined;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(url: string, handlers: { onQueued: () => void; onError: (error: unknown) => void }) {
    this.#url = url;
    this.#onQueued = handlers.onQueued;
    this.#onError = handlers.onError;
  }

  /** Starts listening (a runner that takes jobs); reconnects by itself when the connection drops. */
  async listen(): Promise<void> {
    this.#listening = true;
    try {
      const client = await this.#connection();
      if (client === this.#listenedOn) return;
      await client.query(`LISTEN ${JOB_QUEUED_CHANNEL}`);
      this.#listenedOn = client;
    } catch (error) {
      this.#lost(error);
    }
  }

  /** Announces a queued job. A failure is only logged: the listeners' poll finds the job anyway. */
  async announce(): Promise<void> {
    try {
      const client = await this.#connection();
      await client.query("SELECT pg_notify($1, '')", [JOB_QUEUED_CHANNEL]);
    } catch (error) {
      this.#lost(error);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    const client = this.#client ?? (await this.#connecting?.catch(() => undefined));
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  #connection(): Promise<pg.Client> {
    if (this.#client) return Promise.resolve(this.#client);
    if (this.#closed) return Promise.reject(new Error("the job queue signal is closed"));
    this.#connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.#url });
      client.on("error", (error) => this.#lost(error));
      client.on("end", () => this.#lost(undefined));
      client.on("notification", (message) => {
        if (message.channel === JOB_QUEUED_CHANNEL) this.#onQueued();
      });
      await client.connect();
      this.#client = client;
      return client;
    })().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  /** The connection is gone (or never came): drop it, and while listening connect again soon. */
  #lost(error: unknown): void {
    const client = this.#client;
    this.#client = undefined;
    if (client) client.removeAllListeners("end");
    void client?.end().catch(() => undefined);
    if (error !== undefined && !this.#closed) this.#onError(error);
    if (!this.#listening || this.#closed || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      // Jobs queued while no one listened: the caller's poll finds them; wake it now as well.
      this.#onQueued();
      void this.listen();
    }, RECONNECT_MS);
    this.#retry.unref();
  }
}
