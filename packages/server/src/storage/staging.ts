import { createWriteStream } from "node:fs";
import { mkdtemp, open, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** A file of a request, held on local disk until the whole request is accepted. */
export interface StagedFile {
  readonly path: string;
  readonly size: number;
  /** The first bytes as text, for sniffing the format. */
  readonly head: string;
}

/**
 * Where a multipart upload's files wait while the rest of the request is read and checked: in a
 * private temp folder, streamed there (one file is never held in memory whole), and only stored
 * as blobs once every file is accepted. Whatever happens, `dispose` removes the folder, so a
 * refused request leaves nothing behind.
 */
export class UploadStaging {
  readonly #dir: string;
  #count = 0;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  static async open(): Promise<UploadStaging> {
    return new UploadStaging(await mkdtemp(join(tmpdir(), "plantgan-upload-")));
  }

  /** Streams `stream` to a file of its own; `headBytes` of it are read back for sniffing. */
  async add(stream: Readable, headBytes: number): Promise<StagedFile> {
    const path = join(this.#dir, `file-${++this.#count}`);
    await pipeline(stream, createWriteStream(path, { flags: "wx", mode: 0o600 }));
    const { size } = await stat(path);
    const handle = await open(path, "r");
    try {
      const head = Buffer.alloc(Math.min(headBytes, size));
      await handle.read(head, 0, head.length, 0);
      return { path, size, head: head.toString("utf8") };
    } finally {
      await handle.close();
    }
  }

  read(file: StagedFile): Promise<Buffer> {
    return readFile(file.path);
  }

  async dispose(): Promise<void> {
    await rm(this.#dir, { recursive: true, force: true });
  }
}
