// Inputs in each encoding a DEXPI or JSON file comes in: the bytes are generated here from the
// project's own P&ID, so the tests hold on every clone.
import { OWN_DEXPI, readOwnDexpi } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import { declaredEncoding, decodeContent } from "./encoding.js";
import { readDesigns } from "./read.js";

const xml = readOwnDexpi(OWN_DEXPI.pump);
const as16 = (text: string) => text.replace(/encoding="utf-8"/i, 'encoding="UTF-16"');

function utf16(text: string, order: "le" | "be", bom: boolean): Uint8Array {
  const out = new Uint8Array((bom ? 2 : 0) + text.length * 2);
  let i = 0;
  if (bom) {
    out[i++] = order === "le" ? 0xff : 0xfe;
    out[i++] = order === "le" ? 0xfe : 0xff;
  }
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    out[i++] = order === "le" ? c & 0xff : c >> 8;
    out[i++] = order === "le" ? c >> 8 : c & 0xff;
  }
  return out;
}

function importedTags(content: Uint8Array): string[] {
  const report = readDesigns({ content, name: "pump.xml" });
  const record = report.records[0];
  if (!record?.accepted) throw new Error(JSON.stringify(record));
  return record.design.equipment.map((e) => e.tag);
}

describe("encodings", () => {
  const expected = importedTags(new TextEncoder().encode(xml));

  it("reads the P&ID from UTF-8 with and without a byte order mark", () => {
    expect(expected).toEqual(["T-100", "P-101", "V-102"]);
    expect(importedTags(new TextEncoder().encode(`\uFEFF${xml}`))).toEqual(expected);
  });

  it.each([
    ["LE with BOM", "le", true],
    ["BE with BOM", "be", true],
    ["LE without BOM (declaration)", "le", false],
    ["BE without BOM (declaration)", "be", false],
  ] as const)("reads it from UTF-16 %s", (_, order, bom) => {
    expect(importedTags(utf16(as16(xml), order, bom))).toEqual(expected);
  });

  it("keeps characters outside ASCII through UTF-16", () => {
    const decoded = decodeContent(utf16('<?xml version="1.0" encoding="UTF-16"?><a b="Kühler ° 4712"/>', "le", true));
    expect(decoded).toEqual({ ok: true, text: '<?xml version="1.0" encoding="UTF-16"?><a b="Kühler ° 4712"/>' });
  });

  it("refuses another declared encoding, naming it", () => {
    const latin1 = Uint8Array.from(xml.replace(/encoding="utf-8"/i, 'encoding="ISO-8859-1"'), (c) => c.charCodeAt(0));
    const report = readDesigns({ content: latin1, name: "pump.xml" });
    expect(report.records).toEqual([
      expect.objectContaining({
        accepted: false,
        issues: [expect.objectContaining({ message: expect.stringContaining('"iso-8859-1"') })],
      }),
    ]);
  });

  it("refuses a UTF-16 declaration on bytes that are not UTF-16", () => {
    const decoded = decodeContent(new TextEncoder().encode(as16(xml)));
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.message).toMatch(/"utf-16".*UTF-8/);
  });

  it("reads the declaration's encoding name", () => {
    expect(declaredEncoding('<?xml version="1.0" encoding="Windows-1252"?><x/>')).toBe("windows-1252");
    expect(declaredEncoding("<x/>")).toBeUndefined();
  });
});
