import type { BlobStore } from "./blobs.js";
import { PostgresStore } from "./postgres.js";
import { SqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";

/**
 * How to open the store, as plain data: the API process and every job worker process open
 * their own connection from the same config (it crosses process boundaries as JSON).
 */
export type StoreConfig =
  | {
      readonly kind: "sqlite";
      /** Folder holding plantgan.db and blobs/. */
      readonly dataDir: string;
      readonly inlineLimit?: number;
      /** A blob stored within this long is never freed (store/blob-holders.ts), ms. */
      readonly blobGraceMs?: number;
    }
  | {
      readonly kind: "postgres";
      /** postgres://user:password@host:port/database; blobs are kept in the database too. */
      readonly url: string;
      readonly inlineLimit?: number;
      readonly blobGraceMs?: number;
      /** Connections each process keeps at most (the API and every running job worker). */
      readonly maxConnections?: number;
    };

/** The environment variable whose postgres:// URL selects PostgreSQL over the SQLite file. */
export const DATABASE_URL_ENV = "PLANTGAN_DATABASE_URL";

/**
 * The store a server uses: PostgreSQL when a database URL is given (the option, else
 * PLANTGAN_DATABASE_URL), else the SQLite file in `dataDir`. A URL that is not postgres:// is
 * refused rather than silently ignored.
 */
export function storeConfigFrom(input: {
  readonly dataDir: string;
  readonly databaseUrl?: string | undefined;
}): StoreConfig {
  const url = input.databaseUrl ?? process.env[DATABASE_URL_ENV];
  if (url === undefined || url === "") return { kind: "sqlite", dataDir: input.dataDir };
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(`${DATABASE_URL_ENV} must be a postgres:// URL (got "${url.split(":")[0]}:…")`);
  }
  return { kind: "postgres", url };
}

export function openStore(config: StoreConfig): { store: Store; blobs: BlobStore } {
  const options = {
    ...(config.inlineLimit !== undefined ? { inlineLimit: config.inlineLimit } : {}),
    ...(config.blobGraceMs !== undefined ? { blobGraceMs: config.blobGraceMs } : {}),
  };
  if (config.kind === "postgres") {
    const store = new PostgresStore(config.url, {
      ...options,
      ...(config.maxConnections !== undefined ? { maxConnections: config.maxConnections } : {}),
    });
    return { store, blobs: store.blobs };
  }
  const store = SqliteStore.open(config.dataDir, options);
  return { store, blobs: store.blobs };
}
