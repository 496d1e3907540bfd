import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readDesigns } from "@plantgan/core/formats";
import { OWN_DEXPI, ownDexpiPath } from "@plantgan/testing";
import { afterAll, describe, expect, it } from "vitest";
import { DesignParsePool } from "./parse-pool.js";

describe("DesignParsePool: uploads read in the parse process", () => {
  const pool = new DesignParsePool();
  afterAll(() => pool.close());

  it("gives the report readDesigns gives in process, for DEXPI and NDJSON bodies", async () => {
    const xml = readFileSync(ownDexpiPath(OWN_DEXPI.teeBranch), "utf8");
    const input = { content: xml, format: "dexpi", label: "body", id: "tee" } as const;
    const report = await pool.read(input);
    expect(report.records[0]?.accepted).toBe(true);
    expect(report).toEqual(readDesigns(input));

    const ndjson = `${JSON.stringify({ schemaVersion: "1.0", id: "x" })}\nnot json\n`;
    const lines = { content: ndjson, format: "ndjson", label: "line" } as const;
    expect(await pool.read(lines)).toEqual(readDesigns(lines));
  });

  it("answers queued bodies each with its own report, in any number at once", async () => {
    const xml = readFileSync(ownDexpiPath(OWN_DEXPI.teeBranch), "utf8");
    const reports = await Promise.all(
      ["a", "b", "c", "d"].map((id) => pool.read({ content: xml, format: "dexpi", label: "body", id })),
    );
    expect(reports.map((r) => r.records[0]?.accepted && r.records[0].design.id)).toEqual(["a", "b", "c", "d"]);
  });

  it("lists at most 1000 unmapped elements and counts the rest in a warning", async () => {
    const padded = `<?xml version="1.0"?>\n<PlantModel>\n${'<Nothing Comment="pad"/>\n'.repeat(2500)}</PlantModel>\n`;
    const input = { content: padded, format: "dexpi", label: "body", id: "padded" } as const;
    const inProcess = readDesigns(input);
    expect(inProcess.unmapped).toHaveLength(2500);
    const report = await pool.read(input);
    expect(report.unmapped).toEqual(inProcess.unmapped.slice(0, 1000));
    expect(report.records).toEqual(inProcess.records);
    expect(report.warnings).toEqual([
      ...(inProcess.warnings ?? []),
      "2500 elements were not mapped; the first 1000 are listed",
    ]);
  });

  it("reads bytes (UTF-16 with a byte order mark) as readDesigns reads them, and counts before reading", async () => {
    const xml = readFileSync(ownDexpiPath(OWN_DEXPI.teeBranch), "utf8").replace(
      'encoding="utf-8"',
      'encoding="UTF-16"',
    );
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, "utf16le")]);
    const input = { content: utf16, format: "dexpi", label: "body", id: "tee16" } as const;
    const read = await pool.readCounted(input, 10);
    expect("report" in read && read.report.records[0]?.accepted).toBe(true);
    expect(read).toEqual({ report: readDesigns(input) });
    // An upload comes as the file it was spooled to: the same bytes give the same report.
    const dir = mkdtempSync(join(tmpdir(), "parse-pool-"));
    writeFileSync(join(dir, "body"), utf16);
    const { content: _bytes, ...rest } = input;
    expect(await pool.readFile(join(dir, "body"), rest, 10)).toEqual(read);
    rmSync(dir, { recursive: true });

    const three = Buffer.from(`${JSON.stringify({ id: "a" })}\n\n${JSON.stringify({ id: "b" })}\n{\n`);
    expect(await pool.readCounted({ content: three, format: "ndjson", label: "line" }, 2)).toEqual({ count: 3 });
    expect(await pool.readCounted({ content: Buffer.from("\n \n"), format: "ndjson", label: "line" }, 2)).toEqual({
      count: 0,
    });
  });

  it("refuses reads once closed", async () => {
    const closed = new DesignParsePool();
    await closed.close();
    await expect(closed.read({ content: "<PlantModel/>", format: "dexpi" })).rejects.toThrow(/closed/);
  });
});
