import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

/** gzip level of the split files: fixed, so the same content gives the same bytes. */
const GZIP_LEVEL = 9;

export const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

/**
 * gzip with a header that does not depend on the machine: zlib writes mtime 0 already; the OS byte
 * is set to 3 (Unix) so that a build on any system gives the same bytes for the same deflate stream.
 */
export function gzipStable(text: string): Buffer {
  const gz = gzipSync(Buffer.from(text, "utf8"), { level: GZIP_LEVEL });
  gz[9] = 3;
  return gz;
}
