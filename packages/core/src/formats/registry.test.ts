import { describe, expect, it } from "vitest";
import { DESIGN_FORMATS, detectFormat, formatByMediaType, knownExtensions } from "./index.js";
import type { DesignFormat } from "./types.js";

const design = {
  schemaVersion: "1.0",
  id: "tf-1",
  processClass: "tank_farm",
  site: { width: 100, depth: 60 },
  equipment: [{ tag: "T-101", type: "tank", footprint: { width: 10, depth: 10, height: 12 } }],
  lines: [],
};

const detected = (hint: Parameters<typeof detectFormat>[0]) => {
  const d = detectFormat(hint);
  return d.ok ? `${d.format.id} by ${d.by}` : d.message;
};

describe("detectFormat", () => {
  it("goes by the file extension first, whatever the case", () => {
    expect(detected({ name: "plants/One.JSON" })).toBe("json by extension");
    expect(detected({ name: "batch.jsonl" })).toBe("ndjson by extension");
    expect(detected({ name: "batch.ndjson", mediaType: "application/json" })).toBe("ndjson by extension");
    // ".xml" is claimed by DEXPI 1.x and DEXPI 2.0: the root element decides between them.
    expect(detected({ name: "C:\\drawings\\P&ID.xml", head: "<PlantModel>" })).toBe("dexpi by content");
    expect(detected({ name: "C:\\drawings\\P&ID.xml", head: '<Model name="m">' })).toBe("dexpi2 by content");
  });

  it("goes by the media type, parameters ignored, when the extension says nothing", () => {
    expect(detected({ mediaType: "application/x-ndjson; charset=utf-8" })).toBe("ndjson by media type");
    expect(detected({ name: "upload.bin", mediaType: "Text/XML", head: "<PlantModel>" })).toBe("dexpi by content");
    expect(formatByMediaType("application/json;charset=UTF-8")?.id).toBe("json");
    expect(formatByMediaType("text/plain")).toBeUndefined();
  });

  it("sniffs the content when neither hint is claimed", () => {
    const generic = { name: "upload", mediaType: "application/octet-stream" };
    expect(detected({ ...generic, head: JSON.stringify(design, null, 2) })).toBe("json by content");
    expect(detected({ ...generic, head: `[${JSON.stringify(design)}]` })).toBe("json by content");
    expect(detected({ ...generic, head: `\uFEFF${JSON.stringify(design)}` })).toBe("json by content");
    const batch = `${JSON.stringify(design)}\r\n${JSON.stringify({ ...design, id: "tf-2" })}\n`;
    expect(detected({ ...generic, head: batch })).toBe("ndjson by content");
    const proteus = '<?xml version="1.0"?>\n<!-- <Other> in a comment -->\n<PlantModel xmlns:xsi="x"><Equipment/>';
    expect(detected({ ...generic, head: proteus })).toBe("dexpi by content");
  });

  it("refuses an unknown input, naming what it tried and what it knows", () => {
    const d = detectFormat({ name: "notes.txt", mediaType: "text/plain", head: "hello, plant" });
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.message).toContain('the extension ".txt"');
    expect(d.message).toContain('the media type "text/plain"');
    expect(d.message).toContain('"hello, plant"');
    for (const known of [".json", ".ndjson", ".jsonl", ".xml", "application/x-ndjson", "DEXPI 1.x"])
      expect(d.message).toContain(known);
  });

  it("refuses XML whose root is not a DEXPI 1.x <PlantModel> when only the content can tell", () => {
    const d = detectFormat({ head: '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>' });
    expect(d.ok).toBe(false);
    expect(!d.ok && d.message).toMatch(/no file extension, no media type, the content \(starting "<\?xml/);
  });

  it("takes a new format as one more registry entry, the content deciding where extensions clash", () => {
    const dexpi2: DesignFormat = {
      id: "dexpi2",
      title: "DEXPI 2.0 XML",
      mediaTypes: ["application/xml"],
      extensions: [".xml"],
      sniff: (head) => /<Model\b/.test(head),
      count: () => 1,
      read: (_text, { label }) => ({
        records: [{ where: label, accepted: false, issues: [{ code: "invalid_xml", pointer: "", message: "todo" }] }],
        unmapped: [],
        renamedTags: [],
      }),
    };
    const formats = [...DESIGN_FORMATS, dexpi2];
    const pick = (head: string) => {
      const d = detectFormat({ name: "drawing.xml", head }, formats);
      return d.ok ? d.format.id : d.message;
    };
    expect(pick('<?xml version="1.0"?><Model xmlns="http://sandbox.dexpi.org/rdl/">')).toBe("dexpi2");
    expect(pick("<PlantModel><Equipment/></PlantModel>")).toBe("dexpi");
    expect(pick("<Drawing/>")).toMatch(/the extension "\.xml" fits DEXPI 1\.x .* and DEXPI 2\.0 XML, but the content/);
    expect(knownExtensions(formats)).toEqual([".json", ".ndjson", ".jsonl", ".xml"]);
  });
});

describe("record counts (no design checked)", () => {
  const byId = (id: string) => DESIGN_FORMATS.find((f) => f.id === id)!;

  it("counts NDJSON's non-blank lines, a JSON array's items and one DEXPI drawing", () => {
    expect(byId("ndjson").count('{"a":1}\n\n  \n{"b":2}\r\n{')).toBe(3);
    expect(byId("json").count(JSON.stringify([design, design, design]))).toBe(3);
    expect(byId("json").count(JSON.stringify(design))).toBe(1);
    expect(byId("dexpi").count("<PlantModel/>")).toBe(1);
  });
});
