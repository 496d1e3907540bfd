// Hostile and broken uploads: each is refused with a stable code, nothing is expanded or fetched,
// and nothing throws.
import { describe, expect, it } from "vitest";
import { importDexpi } from "./index.js";

const codes = (xml: string, options?: Parameters<typeof importDexpi>[1]) => {
  const r = importDexpi(xml, options);
  return r.success ? [] : r.issues.map((i) => i.code);
};

describe("importDexpi refuses unsafe or broken XML", () => {
  it("malformed XML → invalid_xml naming line and column", () => {
    const r = importDexpi('<PlantModel>\n  <Equipment ID="E1">\n</PlantModel>');
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ code: "invalid_xml", pointer: "" });
    expect(r.issues[0]?.message).toMatch(/line 3, column \d+/);
    expect(r.issues[0]?.message).toMatch(/Equipment/);
  });

  it("empty text, plain text, two roots and a non-Proteus root → invalid_xml", () => {
    expect(codes("")).toEqual(["invalid_xml"]);
    expect(codes("hello")).toEqual(["invalid_xml"]);
    expect(codes("<PlantModel/><PlantModel/>")).toEqual(["invalid_xml"]);
    const r = importDexpi("<html><body/></html>");
    expect(!r.success && r.issues[0]?.message).toMatch(/<html>/);
  });

  it("billion laughs: entity declarations are refused before parsing, nothing expanded", () => {
    const lol = [
      '<?xml version="1.0"?>',
      "<!DOCTYPE lolz [",
      '  <!ENTITY lol "lol">',
      '  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">',
      '  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">',
      "]>",
      '<PlantModel><Equipment ID="E" ComponentClass="Pump" TagName="&lol2;"/></PlantModel>',
    ].join("\n");
    const r = importDexpi(lol);
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.issues.map((i) => i.code)).toEqual(["invalid_xml"]);
    expect(r.issues[0]?.message).toMatch(/ENTITY/);
    expect(JSON.stringify(r)).not.toContain("lollol");
  });

  it("external entity (XXE) and external DTD are refused; nothing is read", () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><PlantModel>&xxe;</PlantModel>';
    const r = importDexpi(xxe);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r)).not.toMatch(/root:/);
    expect(codes('<!DOCTYPE PlantModel SYSTEM "http://example.com/x.dtd"><PlantModel/>')).toEqual(["invalid_xml"]);
    // A DOCTYPE that only names the root is harmless.
    expect(importDexpi("<!DOCTYPE PlantModel><PlantModel/>").success).toBe(true);
  });

  it("an undeclared entity stays literal text; predefined entities and character references decode", () => {
    const r = importDexpi(
      '<PlantModel><Drawing Name="A&amp;B &#65;&#x42;" Title="&foo;"/><Equipment ID="E1" ComponentClass="Pump" TagName="P-1"/></PlantModel>',
    );
    expect(r.success).toBe(true);
    if (!r.success) return;
    expect(r.design.metadata).toMatchObject({ drawingName: "A&B AB", drawingTitle: "&foo;" });
  });

  it("oversize → too_large, by UTF-8 bytes, default 20 MB", () => {
    expect(codes(`<PlantModel>${" ".repeat(2000)}</PlantModel>`, { maxBytes: 1000 })).toEqual(["too_large"]);
    // 400 three-byte characters are 1200 bytes though only 400 UTF-16 units.
    expect(codes(`<PlantModel a="${"€".repeat(400)}"/>`, { maxBytes: 1000 })).toEqual(["too_large"]);
    expect(codes(`<PlantModel>${" ".repeat(21 * 1024 * 1024)}</PlantModel>`)).toEqual(["too_large"]);
  });

  it("nesting beyond the limit → too_deep; a prototype-polluting attribute → invalid_xml", () => {
    const deep = `<PlantModel>${"<a>".repeat(100)}${"</a>".repeat(100)}</PlantModel>`;
    expect(codes(deep)).toEqual(["too_deep"]);
    expect(codes('<PlantModel __proto__="x"/>')).toEqual(["invalid_xml"]);
  });

  it("does not throw on non-string input", () => {
    expect(codes(42 as unknown as string)).toEqual(["invalid_xml"]);
  });
});
