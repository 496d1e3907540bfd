import { describe, expect, it } from "vitest";
import { designIdFromName, readDesigns, streamDesigns } from "./index.js";

const design = {
  schemaVersion: "1.0",
  id: "tf-1",
  processClass: "tank_farm",
  site: { width: 100, depth: 60 },
  equipment: [{ tag: "T-101", type: "tank", footprint: { width: 10, depth: 10, height: 12 } }],
  lines: [],
};

/** A small Proteus file: a pump whose tag needs repair, and a signal line nothing uses. */
const PROTEUS = `<?xml version="1.0" encoding="utf-8"?>
<!-- written by hand for these tests -->
<PlantModel>
  <PlantInformation SchemaVersion="4.1.1" OriginatingSystem="HandWritten" Units="mm"/>
  <Drawing Name="PUMP-1" Title="One pump"/>
  <Equipment ID="P1" ComponentClass="CentrifugalPump" TagName="P 101">
    <Nozzle ID="P1-S" TagName="S"/>
  </Equipment>
  <InformationFlow ID="IF1"/>
</PlantModel>`;

describe("readDesigns: JSON", () => {
  it("accepts one design, defaults filled, labelled with the input's name", () => {
    const report = readDesigns({ content: JSON.stringify(design), name: "one.json" });
    expect(report).toMatchObject({ name: "one.json", format: "json", unmapped: [], renamedTags: [] });
    expect(report.records).toHaveLength(1);
    const [record] = report.records;
    expect(record).toMatchObject({ where: "one.json", accepted: true });
    expect(record?.accepted && record.design.site).toMatchObject({ gridSize: 1, keepOut: [], racks: [] });
  });

  it("reads an array item by item, a refused item naming its index and the field's pointer", () => {
    const bad = { ...design, id: "tf-2", processClass: "refinery" };
    const report = readDesigns({ content: JSON.stringify([design, bad]), name: "two.json" });
    expect(report.records.map((r) => [r.where, r.accepted])).toEqual([
      ["two.json[0]", true],
      ["two.json[1]", false],
    ]);
    const refused = report.records[1]!;
    expect(!refused.accepted && refused.issues).toEqual([
      expect.objectContaining({ code: "schema", pointer: "/processClass" }),
    ]);
  });

  it("reads UTF-8 bytes and drops a byte order mark", () => {
    const bytes = new TextEncoder().encode(`\uFEFF${JSON.stringify(design)}`);
    const report = readDesigns({ content: bytes, name: "bom.json" });
    expect(report.records.map((r) => r.accepted)).toEqual([true]);
  });

  it("refuses text that is not JSON with one record saying so", () => {
    const report = readDesigns({ content: '{"schemaVersion": "1.0", "id": ', name: "broken.json" });
    expect(report.format).toBe("json");
    expect(report.records).toEqual([
      {
        where: "broken.json",
        accepted: false,
        issues: [expect.objectContaining({ code: "invalid_json", pointer: "" })],
      },
    ]);
    const refused = report.records[0]!;
    expect(!refused.accepted && refused.issues[0]?.message).toMatch(/^not valid JSON/);
  });
});

describe("readDesigns: NDJSON", () => {
  const lines = [
    JSON.stringify(design),
    "",
    JSON.stringify({ ...design, id: "tf-3", equipment: [{ ...design.equipment[0], tag: "pump 1" }] }),
    '{"schemaVersion": "1.0",',
    JSON.stringify({ ...design, id: "tf-5" }),
  ];

  it("reports each record with its line number, a bad line with its pointer", () => {
    const report = readDesigns({ content: lines.join("\n"), name: "batch.ndjson" });
    expect(report.format).toBe("ndjson");
    expect(report.records.map((r) => [r.where, r.line, r.accepted])).toEqual([
      ["batch.ndjson:1", 1, true],
      ["batch.ndjson:3", 3, false],
      ["batch.ndjson:4", 4, false],
      ["batch.ndjson:5", 5, true],
    ]);
    const [, schemaBad, notJson] = report.records;
    expect(!schemaBad!.accepted && schemaBad!.issues.map((i) => i.pointer)).toEqual(["/equipment/0/tag"]);
    expect(!notJson!.accepted && notJson!.issues.map((i) => i.code)).toEqual(["invalid_json"]);
  });

  it("resumes after the records an interrupted read consumed, keeping the line numbers", () => {
    const stream = streamDesigns({ content: lines.join("\n"), label: "body", format: "ndjson", skip: 2 });
    expect([...stream.records].map((r) => r.where)).toEqual(["body:4", "body:5"]);
  });
});

describe("readDesigns: DEXPI through the same entry", () => {
  it("maps a Proteus file to one design, with the elements it could not map and the tags it renamed", () => {
    const report = readDesigns({ content: PROTEUS, mediaType: "application/xml", label: "body" });
    expect(report.format).toBe("dexpi");
    expect(report.records).toHaveLength(1);
    const [record] = report.records;
    expect(record?.accepted && record.design).toMatchObject({
      id: "dexpi-PUMP-1",
      equipment: [{ tag: "P-101", type: "pump", nozzles: [{ id: "S" }] }],
    });
    expect(report.unmapped).toEqual([
      { element: "InformationFlow", id: "IF1", reason: "signal line that no mapped instrument or loop uses" },
    ]);
    expect(report.renamedTags).toEqual([{ from: "P 101", to: "P-101", element: "Equipment", id: "P1" }]);
  });

  it("uses the id it is given, found by content alone", () => {
    const report = readDesigns({ content: PROTEUS, id: designIdFromName("drawings/Pump station #1.xml") });
    expect(report.records[0]?.accepted && report.records[0].design.id).toBe("Pump-station--1");
  });

  it("refuses malformed XML with the parser's reason", () => {
    const report = readDesigns({ content: "<PlantModel><Equipment></PlantModel>", name: "broken.xml" });
    expect(report.format).toBe("dexpi");
    expect(report.records[0]).toMatchObject({
      where: "broken.xml",
      accepted: false,
      issues: [{ code: "invalid_xml" }],
    });
  });
});

describe("readDesigns: no format fits", () => {
  it("refuses the input as one record whose issue names what was tried", () => {
    const report = readDesigns({ content: "hello, plant", name: "notes.txt", mediaType: "text/plain" });
    expect(report).toMatchObject({ name: "notes.txt", format: undefined, unmapped: [], renamedTags: [] });
    expect(report.records).toHaveLength(1);
    const [record] = report.records;
    expect(record).toMatchObject({
      where: "notes.txt",
      accepted: false,
      issues: [{ code: "unknown_format", pointer: "" }],
    });
    expect(!record!.accepted && record!.issues[0]?.message).toMatch(
      /^not a design format PlantGAN reads: tried the extension "\.txt", the media type "text\/plain", the content/,
    );
  });

  it("refuses a format id the registry does not hold", () => {
    const report = readDesigns({ content: "{}", format: "pcf", label: "body" });
    expect(report.records[0]).toMatchObject({
      accepted: false,
      issues: [{ code: "unknown_format", message: 'no design format has the id "pcf"' }],
    });
  });
});

describe("designIdFromName", () => {
  it("keeps what the id pattern allows and replaces the rest", () => {
    expect(designIdFromName("/data/E03V01-AUD.EX01.xml")).toBe("E03V01-AUD.EX01");
    expect(designIdFromName("__.json")).toBe("design");
  });
});
