import { createHash } from "node:crypto";
import type { Pool } from "pg";
import type { BlobStore } from "./blobs.js";

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Blobs as rows of blob_contents (BYTEA), beside the PostgreSQL store's tables: every API and
 * worker process on the database reads the same bytes, with no shared folder. Content-addressed
 * as the file store is: storing existing content is a no-op.
 */
export class PostgresBlobStore implements BlobStore {
  readonly #pool: () => Promise<Pool>;

  /** `pool` resolves once the schema is migrated. */
  constructor(pool: () => Promise<Pool>) {
    this.#pool = pool;
  }

  async put(content: Uint8Array | string): Promise<{ sha256: string; size: number }> {
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    await (await this.#pool()).query(
      // Storing existing content stamps it anew: the collector keeps what was stored within its grace period.
      `INSERT INTO blob_contents (sha256, size, content, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sha256) DO UPDATE SET created_at = excluded.created_at`,
      [sha256, bytes.byteLength, bytes, Date.now()],
    );
    return { sha256, size: bytes.byteLength };
  }

  async get(sha256: string): Promise<Buffer> {
    const row = (
      await (await this.#pool()).query("SELECT content FROM blob_contents WHERE sha256 = $1", [checked(sha256)])
    ).rows[0] as { content: Buffer } | undefined;
    if (!row) {
      // As readFile reports a missing file, so callers treat both stores alike.
      throw Object.assign(new Error(`ENOENT: no blob ${sha256}`), { code: "ENOENT" });
    }
    return row.content;
  }

  async has(sha256: string): Promise<boolean> {
    const result = await (await this.#pool()).query("SELECT 1 FROM blob_contents WHERE sha256 = $1", [checked(sha256)]);
    return result.rowCount !== null && result.rowCount > 0;
  }

  async remove(sha256: string): Promise<void> {
    await (await this.#pool()).query("DELETE FROM blob_contents WHERE sha256 = $1", [checked(sha256)]);
  }
}

/** The same refusal as the file store: a name is a sha256 or nothing. */
function checked(sha256: string): string {
  if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${JSON.stringify(sha256).slice(0, 80)}`);
  return sha256;
}
