import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { errorCodes } from "fastify";

/** A request body as a private temp file, with its first bytes kept for sniffing its format. */
export interface SpooledBody {
  readonly file: string;
  readonly size: number;
  readonly head: Buffer;
}

export function isSpooledBody(body: unknown): body is SpooledBody {
  return (
    typeof body === "object" &&
    body !== null &&
    typeof (body as SpooledBody).file === "string" &&
    Buffer.isBuffer((body as SpooledBody).head)
  );
}

/**
 * Writes upload bodies to files as they arrive, so the request thread never holds one whole: a
 * 15 MB body buffered, concatenated and copied there cost tens of milliseconds of its time and
 * enough off-heap memory to start full collections of the server's heap. The limits are
 * fastify's own (a body over `limit` is a 413, a length unlike content-length a 400), since a
 * stream parser is not held to them by fastify. Files live in one private folder.
 */
export class BodySpool {
  readonly #headBytes: number;
  #dir: Promise<string> | undefined;
  #next = 1;

  /** `headBytes`: how much of the start each body keeps in memory. */
  constructor(headBytes: number) {
    this.#headBytes = headBytes;
  }

  /** The body of `stream` in a file of its own; rejects (and leaves no file) when it breaks a limit. */
  async receive(stream: Readable, limit: number, contentLength: string | undefined): Promise<SpooledBody> {
    const declared = contentLength === undefined ? Number.NaN : Number(contentLength);
    if (declared > limit) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
    this.#dir ??= mkdtemp(join(tmpdir(), "plantgan-body-"));
    const file = join(await this.#dir, String(this.#next++));
    try {
      const { size, head } = await this.#write(stream, file, limit);
      if (!Number.isNaN(declared) && size !== declared) throw new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH();
      return { file, size, head };
    } catch (error) {
      await rm(file, { force: true });
      throw error;
    }
  }

  async remove(body: SpooledBody): Promise<void> {
    await rm(body.file, { force: true });
  }

  async close(): Promise<void> {
    const dir = await this.#dir?.catch(() => undefined);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }

  /**
   * Copies the stream to `file` with backpressure. Over the limit it stops listening, as fastify
   * does, rather than destroying the request: the client still gets its 413.
   */
  #write(stream: Readable, file: string, limit: number): Promise<{ size: number; head: Buffer }> {
    return new Promise((resolve, reject) => {
      const out = createWriteStream(file, { flags: "wx", mode: 0o600 });
      const heads: Buffer[] = [];
      let headSize = 0;
      let size = 0;
      let failed = false;
      const stop = (error: Error) => {
        if (failed) return;
        failed = true;
        stream.off("data", onData);
        stream.off("end", onEnd);
        stream.off("error", broken);
        out.once("close", () => reject(error));
        out.destroy();
      };
      // A broken client stream is the client's doing (fastify answers it 400 as well).
      const broken = (error: Error & { statusCode?: number }) => {
        if (typeof error.statusCode !== "number" || error.statusCode < 400) error.statusCode = 400;
        stop(error);
      };
      const onData = (chunk: Buffer | string) => {
        const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        size += bytes.length;
        if (size > limit) return stop(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
        if (headSize < this.#headBytes) {
          const part = bytes.subarray(0, this.#headBytes - headSize);
          heads.push(Buffer.from(part));
          headSize += part.length;
        }
        if (!out.write(bytes)) {
          stream.pause();
          out.once("drain", () => stream.resume());
        }
      };
      const onEnd = () => {
        stream.off("data", onData);
        stream.off("error", broken);
        out.once("finish", () => resolve({ size, head: Buffer.concat(heads, headSize) }));
        out.end();
      };
      out.once("error", stop);
      stream.on("data", onData);
      stream.once("end", onEnd);
      stream.once("error", broken);
      stream.resume();
    });
  }
}
