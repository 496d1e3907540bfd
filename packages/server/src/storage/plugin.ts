import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { StoreConfig } from "../store/open.js";
import { BlobCollector } from "./collector.js";
import type { QuotaGuard } from "./quotas.js";

declare module "fastify" {
  interface FastifyInstance {
    /** Per-workspace quotas, checked by routes before they store or queue. */
    quotas: QuotaGuard;
    /** The orphan blob collector (tests run it at once with `run()`). */
    collector: BlobCollector;
  }
}

export interface StoragePluginOptions {
  readonly quotas: QuotaGuard;
  /** How the collector's own process opens the store. */
  readonly storeConfig: StoreConfig;
  /** How often the collector runs, ms; 0: never by itself. */
  readonly collectIntervalMs: number;
}

/** Quotas and the blob collector, shared with every route; the collector stops before the store closes. */
export const storagePlugin = fp(
  async (app: FastifyInstance, options: StoragePluginOptions) => {
    const collector = new BlobCollector(app.store, {
      storeConfig: options.storeConfig,
      intervalMs: options.collectIntervalMs,
      onError: (error) => app.log.warn({ err: error }, "blob collector"),
    });
    app.decorate("quotas", options.quotas);
    app.decorate("collector", collector);
    app.addHook("onReady", async () => collector.start());
    app.addHook("preClose", async () => collector.stop());
  },
  { name: "plantgan-storage", dependencies: ["plantgan-store"] },
);
