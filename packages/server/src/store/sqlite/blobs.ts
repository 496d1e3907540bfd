import { rmSync, statSync } from "node:fs";
import { setImmediate as yieldToRequests } from "node:timers/promises";
import type Database from "better-sqlite3";
import { blobsNamedIn, type FreedBlobs } from "../blob-holders.js";
import type { BlobStore, FileBlobStore } from "../blobs.js";

/** Blobs looked at per write transaction while collecting: the lock is held a few milliseconds at a time. */
const COLLECT_BATCH = 200;

/**
 * The SQLite store's blobs: content-addressed files (FileBlobStore) and a row each in `blobs`,
 * stamped at every put. Every process (API, job workers, the collector) writes through this, so
 * clean-up can tell a blob just stored (on its way to the record that will hold it) from one that
 * no record holds. Freeing happens inside a write transaction, which puts serialise with.
 */
export class SqliteBlobStore implements BlobStore {
  readonly files: FileBlobStore;
  readonly #db: Database.Database;

  constructor(files: FileBlobStore, db: Database.Database) {
    this.files = files;
    this.#db = db;
  }

  async put(content: Uint8Array | string): Promise<{ sha256: string; size: number }> {
    const stored = await this.files.put(content);
    this.#db
      .transaction(() =>
        this.#db
          .prepare(
            `INSERT INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)
             ON CONFLICT (sha256) DO UPDATE SET created_at = excluded.created_at`,
          )
          .run(stored.sha256, stored.size, Date.now()),
      )
      .immediate();
    // A collector may have freed the old file between its write and this stamp: write it again.
    if (!(await this.files.has(stored.sha256))) await this.files.put(content);
    return stored;
  }

  get(sha256: string): Promise<Buffer> {
    return this.files.get(sha256);
  }

  has(sha256: string): Promise<boolean> {
    return this.files.has(sha256);
  }

  async remove(sha256: string): Promise<void> {
    this.#db.prepare("DELETE FROM blobs WHERE sha256 = ?").run(sha256);
    await this.files.remove(sha256);
  }

  /**
   * Frees each of `shas` that no record holds (blob-holders.ts) and that was last stored before
   * `cutoff` (ms): its file and its row. Call inside a write transaction.
   */
  freeUnheld(shas: Iterable<string>, cutoff: number): FreedBlobs {
    const held = blobsNamedIn(
      this.#db
        .prepare("SELECT payload, checkpoint FROM jobs WHERE status IN ('queued', 'running')")
        .all()
        .flatMap((row) => Object.values(row as Record<string, unknown>)),
    );
    const inRecord = this.#db.prepare(
      "SELECT EXISTS (SELECT 1 FROM designs WHERE blob = $sha) OR EXISTS (SELECT 1 FROM models WHERE weights = $sha) AS held",
    );
    const stamp = this.#db.prepare("SELECT size, created_at FROM blobs WHERE sha256 = ?");
    const unregister = this.#db.prepare("DELETE FROM blobs WHERE sha256 = ?");
    let removed = 0;
    let bytes = 0;
    for (const sha of new Set(shas)) {
      if (held.has(sha) || (inRecord.get({ sha }) as { held: number }).held === 1) continue;
      const row = stamp.get(sha) as { size: number; created_at: number } | undefined;
      const path = this.files.pathOf(sha);
      const file = statSync(path, { throwIfNoEntry: false });
      // The later of the row's stamp and the file's time: a file written by an older server has no row.
      if (Math.max(row?.created_at ?? 0, file?.mtimeMs ?? 0) >= cutoff) continue;
      rmSync(path, { force: true });
      unregister.run(sha);
      if (file || row) removed++;
      bytes += file?.size ?? 0;
    }
    return { removed, bytes };
  }

  /**
   * Frees every blob no record holds that was last stored before `cutoff`, a batch per short
   * write transaction with the event loop free between batches; then unfinished temp files.
   */
  async collect(cutoff: number): Promise<FreedBlobs> {
    const rows = this.#db.prepare("SELECT sha256 FROM blobs").pluck().all() as string[];
    const all = [...new Set([...rows, ...(await this.files.list())])];
    let removed = 0;
    let bytes = 0;
    for (let i = 0; i < all.length; i += COLLECT_BATCH) {
      const batch = all.slice(i, i + COLLECT_BATCH);
      const freed = this.#db.transaction(() => this.freeUnheld(batch, cutoff)).immediate();
      removed += freed.removed;
      bytes += freed.bytes;
      await yieldToRequests();
    }
    await this.files.removeStaleTemps(cutoff);
    return { removed, bytes };
  }
}
