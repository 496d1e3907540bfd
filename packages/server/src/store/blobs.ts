import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Content-addressed bytes: a blob's name is the sha256 of its bytes. Files in a folder for the
 * SQLite store; rows in the database for PostgreSQL, so that any machine can read them.
 */
export interface BlobStore {
  /** Stores bytes; returns their sha256 and size. Storing existing content is a no-op. */
  put(content: Uint8Array | string): Promise<{ sha256: string; size: number }>;
  /** The bytes; rejects (code ENOENT) when there is no such blob. */
  get(sha256: string): Promise<Buffer>;
  has(sha256: string): Promise<boolean>;
  remove(sha256: string): Promise<void>;
}

/**
 * Content-addressed files: a blob's name is the sha256 of its bytes, so the same content is
 * stored once and a name can be checked against the content. Paths are built only from a
 * validated hash, never from anything a client sent. Writes are atomic: a temp file in the same
 * folder tree is written, fsynced and renamed, so a reader sees the whole file or none.
 */
export class FileBlobStore implements BlobStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Stores bytes; returns their sha256 and size. Storing existing content is a no-op. */
  async put(content: Uint8Array | string): Promise<{ sha256: string; size: number }> {
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const path = this.#path(sha256);
    // Storing existing content stamps it anew: the collector keeps what was stored within its grace period.
    if (await touch(path)) return { sha256, size: bytes.byteLength };

    const shard = join(this.#dir, sha256.slice(0, 2));
    const tmpDir = join(this.#dir, "tmp");
    await mkdir(shard, { recursive: true });
    await mkdir(tmpDir, { recursive: true });
    const temp = join(tmpDir, `${sha256}.${process.pid}.${randomBytes(6).toString("hex")}`);
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await syncDir(shard);
    return { sha256, size: bytes.byteLength };
  }

  async get(sha256: string): Promise<Buffer> {
    return readFile(this.#path(sha256));
  }

  async has(sha256: string): Promise<boolean> {
    return exists(this.#path(sha256));
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.#path(sha256), { force: true });
  }

  /** The file of a blob (whether or not it exists). */
  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${JSON.stringify(sha256).slice(0, 80)}`);
    return join(this.#dir, sha256.slice(0, 2), sha256);
  }

  #path(sha256: string): string {
    return this.pathOf(sha256);
  }

  /** Every blob's name in the folder (for the collector); other files are not blobs and are left alone. */
  async list(): Promise<string[]> {
    const names: string[] = [];
    for (const shard of await readdir(this.#dir).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      for (const name of await readdir(join(this.#dir, shard)).catch(() => [] as string[])) {
        if (SHA256.test(name) && name.startsWith(shard)) names.push(name);
      }
    }
    return names;
  }

  /** How many blob files there are and their bytes. */
  async usage(): Promise<{ count: number; bytes: number }> {
    let bytes = 0;
    const names = await this.list();
    for (const name of names) bytes += (await stat(this.pathOf(name)).catch(() => ({ size: 0 }))).size;
    return { count: names.length, bytes };
  }

  /** Removes temp files of writes that never finished (a crash mid-put) last changed before `cutoff` (ms). */
  async removeStaleTemps(cutoff: number): Promise<number> {
    const tmpDir = join(this.#dir, "tmp");
    let removed = 0;
    for (const name of await readdir(tmpDir).catch(() => [] as string[])) {
      const file = join(tmpDir, name);
      const info = await stat(file).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) {
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }
}

/** Sets a file's times to now; false when it does not exist. */
async function touch(path: string): Promise<boolean> {
  const now = new Date();
  try {
    await utimes(path, now, now);
    return true;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** fsync on the folder makes the rename itself durable (POSIX); some platforms refuse it, harmlessly. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open a folder for sync; the rename is still atomic there.
  }
}
