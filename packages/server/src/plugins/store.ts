import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { BlobStore } from "../store/blobs.js";
import type { Store } from "../store/store.js";

declare module "fastify" {
  interface FastifyInstance {
    store: Store;
    blobs: BlobStore;
  }
}

export interface StorePluginOptions {
  readonly store: Store;
  readonly blobs: BlobStore;
  /** Close the store with the app (true when the app opened it). */
  readonly owned: boolean;
}

/** Shares the store and blob files with every route (not encapsulated: fastify-plugin). */
export const storePlugin = fp(
  async (app: FastifyInstance, options: StorePluginOptions) => {
    app.decorate("store", options.store);
    app.decorate("blobs", options.blobs);
    if (options.owned) app.addHook("onClose", async () => options.store.close());
  },
  { name: "plantgan-store" },
);
