import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { ApiError } from "../errors.js";
import type { Store } from "../store/store.js";
import type { Auth } from "./auth.js";

declare module "fastify" {
  interface FastifyInstance {
    eventStreams: EventStreams;
  }
}

export interface EventStreamOptions {
  /** Event streams one API key may hold open at once; one more is 429. Default 20. */
  readonly perKey?: number;
  /**
   * How often the keys of open streams are looked up again, ms. Keys are revoked in the store, by
   * any process (`plantgan keys revoke`), so a revoked key's streams end within this. Default 1 s.
   */
  readonly keyCheckMs?: number;
}

export const DEFAULT_STREAMS_PER_KEY = 20;

/** Why a stream was ended by the server rather than by its client or its job. */
export type StreamEnd = "revoked" | "closing";

interface KeyStreams {
  readonly workspaceId: string;
  readonly streams: Set<AbortController>;
}

/**
 * The open server-sent event streams, by API key: each key holds at most `perKey` (a client that
 * opens thousands would hold the event loop and the store for every other workspace), and a
 * timer ends the streams of keys that were revoked meanwhile, since a stream, once authorised,
 * would otherwise deliver events for as long as its job lives.
 */
export class EventStreams {
  readonly #store: Store;
  readonly #perKey: number;
  readonly #byKey = new Map<string, KeyStreams>();
  readonly #timer: NodeJS.Timeout;
  #checking = false;

  constructor(store: Store, options: EventStreamOptions = {}) {
    this.#store = store;
    this.#perKey = options.perKey ?? DEFAULT_STREAMS_PER_KEY;
    this.#timer = setInterval(() => void this.checkKeys(), options.keyCheckMs ?? 1000);
    this.#timer.unref();
  }

  /** Registers a stream of this key, or throws 429 when the key holds its limit already. */
  open(auth: Auth): AbortController {
    const held = this.#byKey.get(auth.keyId) ?? { workspaceId: auth.workspaceId, streams: new Set() };
    if (held.streams.size >= this.#perKey) {
      throw new ApiError(
        "rate_limited",
        `this API key has ${held.streams.size} event streams open, the most it may hold; close one first`,
      );
    }
    const stream = new AbortController();
    held.streams.add(stream);
    this.#byKey.set(auth.keyId, held);
    return stream;
  }

  /** The stream ended (client gone, job over, or ended here): its slot is free. */
  release(keyId: string, stream: AbortController): void {
    const held = this.#byKey.get(keyId);
    if (!held) return;
    held.streams.delete(stream);
    if (held.streams.size === 0) this.#byKey.delete(keyId);
  }

  /** Open streams of one key (tests, metrics). */
  count(keyId: string): number {
    return this.#byKey.get(keyId)?.streams.size ?? 0;
  }

  /** Ends the streams of keys revoked since they opened: one look-up per workspace with streams. */
  async checkKeys(): Promise<void> {
    if (this.#checking || this.#byKey.size === 0) return;
    this.#checking = true;
    try {
      const workspaces = new Set([...this.#byKey.values()].map((k) => k.workspaceId));
      for (const workspaceId of workspaces) {
        const live = new Set(
          (await this.#store.listApiKeys(workspaceId)).filter((k) => k.revokedAt === undefined).map((k) => k.id),
        );
        for (const [keyId, held] of this.#byKey) {
          if (held.workspaceId !== workspaceId || live.has(keyId)) continue;
          for (const stream of held.streams) stream.abort("revoked" satisfies StreamEnd);
        }
      }
    } catch {
      // A busy database: the next check looks again.
    } finally {
      this.#checking = false;
    }
  }

  /** Ends every stream (the server is closing; `close()` would wait on them forever). */
  closeAll(): void {
    clearInterval(this.#timer);
    for (const held of this.#byKey.values())
      for (const stream of held.streams) stream.abort("closing" satisfies StreamEnd);
  }
}

/** The stream registry, shared by every route (not encapsulated). */
export const eventStreamsPlugin = fp(
  async (app: FastifyInstance, options: EventStreamOptions) => {
    const streams = new EventStreams(app.store, options);
    app.decorate("eventStreams", streams);
    app.addHook("preClose", async () => streams.closeAll());
  },
  { name: "plantgan-event-streams", dependencies: ["plantgan-store"] },
);
