import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { BodySpool } from "./body-spool.js";

/** A request-like stream of `bytes` in 64 KiB chunks. */
function body(bytes: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 65536) chunks.push(bytes.subarray(at, at + 65536));
  return Readable.from(chunks, { objectMode: false });
}

describe("BodySpool: upload bodies written to temp files as they arrive", () => {
  const spool = new BodySpool(16);
  afterAll(() => spool.close());
  const bytes = Buffer.alloc(300_000, "<PlantModel/>\n");

  it("keeps the whole body in a file and its first bytes in memory; remove deletes the file", async () => {
    const spooled = await spool.receive(body(bytes), 1_000_000, String(bytes.length));
    expect(spooled.size).toBe(bytes.length);
    expect(readFileSync(spooled.file).equals(bytes)).toBe(true);
    expect(spooled.head.equals(bytes.subarray(0, 16))).toBe(true);
    await spool.remove(spooled);
    expect(existsSync(spooled.file)).toBe(false);
  });

  it("refuses a body over the limit (413, by its content-length or by its bytes) and one shorter than it said (400), leaving no file", async () => {
    await expect(spool.receive(body(bytes), 1000, String(bytes.length))).rejects.toMatchObject({
      code: "FST_ERR_CTP_BODY_TOO_LARGE",
      statusCode: 413,
    });
    await expect(spool.receive(body(bytes), 100_000, undefined)).rejects.toMatchObject({
      code: "FST_ERR_CTP_BODY_TOO_LARGE",
      statusCode: 413,
    });
    await expect(spool.receive(body(bytes), 1_000_000, String(bytes.length + 1))).rejects.toMatchObject({
      code: "FST_ERR_CTP_INVALID_CONTENT_LENGTH",
      statusCode: 400,
    });
    const kept = await spool.receive(body(Buffer.from("x")), 10, undefined);
    expect(readdirSync(dirname(kept.file))).toEqual([kept.file.split("/").pop()]);
    await spool.close();
    expect(existsSync(dirname(kept.file))).toBe(false);
  });
});
