import { readFileSync } from "node:fs";
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

  it("refuses reads once closed", async () => {
    const closed = new DesignParsePool();
    await closed.close();
    await expect(closed.read({ content: "<PlantModel/>", format: "dexpi" })).rejects.toThrow(/closed/);
  });
});
