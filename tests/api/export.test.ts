// GET /v1/designs/:id/export on a real server: every format the server lists answers with its
// media type and an attachment name, and its body reads back as that format; an unknown format
// is a 400 problem naming the allowed values.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDesign } from "@plantgan/core/design";
import { readDesigns } from "@plantgan/core/formats";
import { EXPORT_FORMATS } from "@plantgan/server";
import { FIXTURES_MISSING, fixturePath } from "@plantgan/testing/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startTestServer, type TestServer } from "./harness.js";

const XMLLINT = "/usr/bin/xmllint";
const raw = JSON.parse(readFileSync("datasets/examples/pump-station.json", "utf8"));
const parsed = parseDesign(raw);
if (!parsed.success) throw new Error("pump-station.json does not parse");
const example = parsed.data;
const EXPECTED_TYPES: Record<string, string> = {
  json: "application/json",
  dexpi: "application/xml",
  dexpi2: "application/xml",
  pcf: "text/plain",
  "cause-effect": "text/csv",
  plcopen: "application/xml",
  gltf: "model/gltf+json",
  glb: "model/gltf-binary",
};

describe("GET /v1/designs/:id/export, every format", () => {
  let s: TestServer;
  const dir = mkdtempSync(join(tmpdir(), "plantgan-api-export-"));
  beforeAll(async () => {
    s = await startTestServer();
    const up = await s.api("/v1/designs", json(raw));
    expect(up.status).toBeLessThan(300);
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (format: string) => s.api(`/v1/designs/${example.id}/export?format=${encodeURIComponent(format)}`);

  it("the server offers every format this test checks, and no other", () => {
    expect(Object.keys(EXPORT_FORMATS).sort()).toEqual(Object.keys(EXPECTED_TYPES).sort());
  });

  it.each(Object.entries(EXPECTED_TYPES))("%s: 200, its media type, an attachment name", async (format, type) => {
    const response = await get(format);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")?.split(";")[0]).toBe(type);
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="${example.id}${EXPORT_FORMATS[format]!.extension}"`,
    );
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(100);
  });

  it("json is the design", async () => {
    const back = parseDesign(await (await get("json")).text());
    expect(back.success && back.data).toEqual(example);
  });

  it("dexpi (1.3) reads back through readDesigns with the same equipment, lines and instruments", async () => {
    const report = readDesigns({ content: await (await get("dexpi")).text(), name: "export.xml" });
    const record = report.records[0];
    expect(report.records).toHaveLength(1);
    if (!record?.accepted) throw new Error(JSON.stringify(record));
    expect(record.design.equipment.map((e) => e.tag)).toEqual(example.equipment.map((e) => e.tag));
    expect(record.design.lines.map((l) => l.id)).toEqual(example.lines.map((l) => l.id));
    // Every instrument comes back (the DEXPI 1.x importer may also list interlock functions as instruments).
    expect(record.design.instruments.map((i) => i.tag)).toEqual(
      expect.arrayContaining(example.instruments.map((i) => i.tag)),
    );
  });

  it("dexpi2 validates against the DEXPI XML Schema", async (ctx) => {
    const text = await (await get("dexpi2")).text();
    expect(text).toMatch(/<Model name="[A-Za-z_][A-Za-z0-9_]*"/);
    if (!existsSync(XMLLINT)) return ctx.skip(`${XMLLINT} is not installed`);
    if (FIXTURES_MISSING !== undefined) return ctx.skip(FIXTURES_MISSING);
    const file = join(dir, "export-2.xml");
    writeFileSync(file, text);
    const run = spawnSync(XMLLINT, ["--noout", "--schema", fixturePath("dexpi2", "DEXPI_XML_Schema.xsd"), file], {
      encoding: "utf8",
    });
    expect(run.stderr).toContain("validates");
    expect(run.status).toBe(0);
  });

  it("cause-effect is a CSV with one row per interlock cause", async () => {
    const text = await (await get("cause-effect")).text();
    const rows = text.trimEnd().split(/\r?\n/);
    const width = rows[0]!.split(",").length;
    expect(rows.length).toBe(1 + example.control.interlocks.length);
    for (const row of rows) expect(row.split(",").length).toBe(width);
    for (const il of example.control.interlocks) expect(text).toContain(il.cause.instrument);
  });

  it("plcopen is well-formed XML with a program per loop and interlock", async (ctx) => {
    const text = await (await get("plcopen")).text();
    const programs = text.match(/pouType="program"/g) ?? [];
    expect(programs.length).toBe(example.control.loops.length + example.control.interlocks.length);
    if (!existsSync(XMLLINT)) return ctx.skip(`${XMLLINT} is not installed`);
    const file = join(dir, "plcopen.xml");
    writeFileSync(file, text);
    const run = spawnSync(XMLLINT, ["--noout", file], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("pcf has one PIPELINE-REFERENCE per routed line", async () => {
    const text = await (await get("pcf")).text();
    const refs = [...text.matchAll(/^PIPELINE-REFERENCE\s+(\S+)/gm)].map((m) => m[1]);
    const routed = example.lines.filter((l) => (l.route?.length ?? 0) >= 2).map((l) => l.id);
    expect(routed.length).toBeGreaterThan(0);
    expect(refs).toEqual(routed);
  });

  it("an unknown format is a 400 problem that lists the allowed values", async () => {
    const response = await get("dwg");
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const text = await response.text();
    for (const id of Object.keys(EXPORT_FORMATS)) expect(text).toContain(id);
  });
});
