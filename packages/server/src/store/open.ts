import type { BlobStore } from "./blobs.js";
import { SqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";

/**
 * How to open the store, as plain data: the API process and every job worker process open
 * their own connection from the same config. PostgreSQL (DESIGN.md: when DATABASE_URL names one)
 * becomes a second `kind` here.
 */
export interface StoreConfig {
  readonly kind: "sqlite";
  /** Folder holding plantgan.db and blobs/. */
  readonly dataDir: string;
  readonly inlineLimit?: number;
}

export function openStore(config: StoreConfig): { store: Store; blobs: BlobStore } {
  const store = SqliteStore.open(
    config.dataDir,
    config.inlineLimit !== undefined ? { inlineLimit: config.inlineLimit } : {},
  );
  return { store, blobs: store.blobs };
}
