// ISA-5.1 letters of instrument functions: read whole from the file. The fixture check reads each
// function's letters from the XML text (TagName letters, else category + modifier + functions
// attributes, completed by the drawn label of its sensor's location: stated-control.ts),
// independently of the importer, and finds them in the tags the design holds.
import { readdirSync, readFileSync } from "node:fs";
import { describeWithFixtures, fixturePath } from "@plantgan/testing/fixtures";
import { describe, expect, it } from "vitest";
import { importDexpi } from "./index.js";
import { drawnLetters } from "./stated-control.js";

const attr = (name: string, value: string) =>
  `<GenericAttribute Name="ProcessInstrumentationFunction${name}AssignmentClass" Value="${value}" Format="string"/>`;

describe("instrument function letters written as attributes", () => {
  it("reads the modifier between the measured variable and the functions: P + D + I is PDI", () => {
    const r = importDexpi(`<?xml version="1.0"?>
<PlantModel>
  <PlantInformation SchemaVersion="4.1.1" OriginatingSystem="HandWritten" Units="mm"/>
  <Equipment ID="F1" ComponentClass="Filter" TagName="F-1"><Nozzle ID="N1" TagName="N1"/><Nozzle ID="N2" TagName="N2"/></Equipment>
  <ProcessInstrumentationFunction ID="PDI" TagName="">
    <GenericAttributes Set="DexpiAttributes">${attr("Category", "P")}${attr("Modifier", "D")}${attr("s", "I")}${attr("Number", "7")}</GenericAttributes>
  </ProcessInstrumentationFunction>
  <InformationFlow ID="IF1"><Connection FromID="N1" ToID="PDI"/></InformationFlow>
  <InformationFlow ID="IF2"><Connection FromID="N2" ToID="PDI"/></InformationFlow>
</PlantModel>`);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.design.instruments).toEqual([{ tag: "PDI-7", on: { tag: "F-1" } }]);
  });
});

describe("a function written as DEXPI's own I01 example writes it", () => {
  // TagName "L470103" holds the first letter only; category L and functions ICSA spell LICSA. Its
  // sensor sits in a blind flange on the tank nozzle's segment, and a flow runs from it to the function.
  const xml = `<?xml version="1.0"?>
<PlantModel>
  <PlantInformation SchemaVersion="4.0.1" OriginatingSystem="DEXPI" Units="mm"/>
  <Equipment ID="V" ComponentClass="Tank" TagName="V-4701"><Nozzle ID="N3" TagName="N3"/></Equipment>
  <PipingNetworkSystem ID="S"><PipingNetworkSegment ID="S1">
    <PipingComponent ID="C1" ComponentClass="BlindFlange"/>
    <Connection FromID="N3" ToID="C1"/>
  </PipingNetworkSegment></PipingNetworkSystem>
  <ProcessInstrumentationFunction ID="PIF" TagName="L470103">
    <GenericAttributes Set="DexpiAttributes">${attr("Number", "L470103")}${attr("Category", "L")}${attr("s", "ICSA")}</GenericAttributes>
    <InformationFlow ID="IF1">
      <Association Type="has logical end" ItemID="PIF"/><Association Type="has logical start" ItemID="PSGF"/>
    </InformationFlow>
    <ProcessSignalGeneratingFunction ID="PSGF"><Association Type="is located in" ItemID="C1"/></ProcessSignalGeneratingFunction>
  </ProcessInstrumentationFunction>
</PlantModel>`;

  it("takes the letters the attributes spell out and the TagName's number: LICSA-470103", () => {
    const r = importDexpi(xml);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    // A level read through a tapping from the tank (a line that ends in the open) sits on the tank.
    expect(r.design.instruments).toEqual([{ tag: "LICSA-470103", on: { tag: "V-4701" } }]);
    expect(r.report.renamedTags).toContainEqual(expect.objectContaining({ from: "L470103", to: "LICSA-470103" }));
  });

  it("accounts for the flow from the function's own sensor as part of the function", () => {
    const r = importDexpi(xml);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.report.imported.InformationFlow).toBe(1);
    expect(r.report.unmapped.filter((u) => u.element === "InformationFlow")).toEqual([]);
  });
});

describe("a function's loop read from COMOS's FullLabel path when no association names it", () => {
  const label = (path: string) =>
    `<GenericAttributes Set="ComosProperties"><GenericAttribute Name="FullLabel" Value="${path}" Format="string"/></GenericAttributes>`;
  // As I01V02-SAG writes it: the number attribute holds the letters, and nothing links function and loop.
  const xml = `<?xml version="1.0"?>
<PlantModel>
  <PlantInformation SchemaVersion="4.0.1" OriginatingSystem="Comos" Units="mm"/>
  <Equipment ID="T1" ComponentClass="Tank" TagName="T-100"/>
  <ProcessInstrumentationFunction ID="PIF" TagName="LI">
    ${label("=A10.A15.01.LI")}
    <GenericAttributes Set="DexpiAttributes">${attr("Number", "LI")}</GenericAttributes>
  </ProcessInstrumentationFunction>
  <InstrumentationLoopFunction ID="LOOP" TagName="01">${label("=A10.A15.01")}</InstrumentationLoopFunction>
  <InstrumentationLoopFunction ID="OTHER" TagName="02">${label("=A10.A15.02")}</InstrumentationLoopFunction>
</PlantModel>`;

  // I06, I07, I08 (COMOS) write a function's alarms and trips as classless Equipment under its path.
  it("reports an Equipment under a function's path as a signal part of that function, not as equipment", () => {
    const r = importDexpi(
      xml.replace(
        "</PlantModel>",
        `<Equipment ID="TRIP">${label("=A10.A15.01.LI.ZHH")}<GenericAttributes><GenericAttribute Name="Description" Value="Trigger HH"/><GenericAttribute Name="Label" Value="ZHH"/></GenericAttributes></Equipment></PlantModel>`,
      ),
    );
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.report.unmapped.find((u) => u.id === "TRIP")?.reason).toMatch(
      /^signal part "ZHH" \(Trigger HH\) of ProcessInstrumentationFunction PIF \("LI"\) by its COMOS FullLabel path, not plant equipment/,
    );
  });

  it("numbers the function by the loop function its path lies under, which then groups it", () => {
    const r = importDexpi(xml);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.design.instruments).toEqual([{ tag: "LI-01" }]);
    const loops = r.report.unmapped.filter((u) => u.element === "InstrumentationLoopFunction");
    expect(loops.map((u) => [u.id, u.reason])).toEqual([
      ["LOOP", expect.stringMatching(/^no loop or interlock: none of its functions \(LI-01\) controls/)],
      ["OTHER", "no loop or interlock: it groups no instrument function"],
    ]);
  });
});

describe("a function whose TagName writes its first letter only, drawn with its whole label (AVEVA)", () => {
  // As I01V01-AVV writes it: the function is "L-01"; its sensor sits in the inline bubble LI-01,
  // whose Text reads "LI" "01". Another function F-02 sits in a flow element FE-02.
  const avevaFile = (bubble: string, text: string, number = "01") => `<?xml version="1.0"?>
<PlantModel>
  <PlantInformation SchemaVersion="3.3.3" OriginatingSystem="PDMS" Units="mm"/>
  <Equipment ID="D1" ComponentClass="Vessel" TagName="D-01"><Nozzle ID="N1" TagName="N1"/></Equipment>
  <PipingNetworkSystem ID="S1" TagName="40-SW-01"><PipingNetworkSegment ID="S1-1">
    <PipingComponent ID="B1" ComponentClass="LevelIndicator" TagName="${bubble}">
      <Association TagName="L-01" Type="is the location of" ItemID="PSGF1"/><Text String="${text}"/><Text String="${number}"/>
    </PipingComponent>
    <PipingComponent ID="FE" ComponentClass="InlinePrimaryElement" TagName="FE-02"/>
    <Connection FromID="N1"/>
  </PipingNetworkSegment></PipingNetworkSystem>
  <ProcessInstrumentationFunction ID="PIF1" TagName="L-01">
    <ProcessSignalGeneratingFunction ID="PSGF1"><Association Type="is located in" ItemID="B1"/></ProcessSignalGeneratingFunction>
  </ProcessInstrumentationFunction>
  <ProcessInstrumentationFunction ID="PIF2" TagName="F-02">
    <ProcessSignalGeneratingFunction ID="PSGF2"><Association Type="is located in" ItemID="FE"/></ProcessSignalGeneratingFunction>
  </ProcessInstrumentationFunction>
</PlantModel>`;
  const tags = (xml: string) => {
    const r = importDexpi(xml);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    return { tags: r.design.instruments?.map((i) => i.tag), report: r.report };
  };

  it("completes L-01 to LI-01 from the bubble's label, and says so; a flow element's label (FE) completes nothing", () => {
    const { tags: t, report } = tags(avevaFile("LI-01", "LI"));
    expect(t).toEqual(["LI-01", "F-02"]);
    expect(report.renamedTags).toContainEqual(expect.objectContaining({ from: "L-01", to: "LI-01" }));
    expect(report.notes).toContainEqual(
      expect.objectContaining({
        id: "PIF1",
        note: expect.stringMatching(/^LI-01: letters LI read from the label of PipingComponent B1/),
      }),
    );
  });

  it("takes the letters from the Text the bubble shows; a label with another number completes nothing", () => {
    expect(tags(avevaFile("", "LIC")).tags).toEqual(["LIC-01", "F-02"]);
    expect(tags(avevaFile("LI-07", "LI", "07")).tags).toEqual(["L-01", "F-02"]);
  });

  it("the letters read from the text agree", () => {
    expect([...drawnLetters(avevaFile("LI-01", "LI"))]).toEqual([["PIF1", "LI"]]);
  });
});

/** Letters of each ProcessInstrumentationFunction of the model, with its ID, read from the text. */
function functionLetters(text: string): { id: string; letters: string }[] {
  const drawn = drawnLetters(text);
  const model = text.replace(/<!--[\s\S]*?-->/g, "").replace(/<ShapeCatalogue[\s>][\s\S]*?<\/ShapeCatalogue>/g, "");
  return [...model.matchAll(/<ProcessInstrumentationFunction\b([^>]*?)\/?>/g)].map((m) => {
    const end = model.indexOf("</ProcessInstrumentationFunction>", m.index);
    const inner = model.slice(m.index, end < 0 ? undefined : end);
    const value = (name: string) =>
      new RegExp(
        `Name\\s*=\\s*"ProcessInstrumentationFunction${name}AssignmentClass"[^>]*?Value\\s*=\\s*"([^"]*)"`,
      ).exec(inner)?.[1] ?? "";
    const tagName = /\bTagName\s*=\s*"([^"]*)"/.exec(m[1]!)?.[1] ?? "";
    const written = /^[A-Za-z]+/.exec(tagName.trim())?.[0] ?? `${value("Category")}${value("Modifier")}${value("s")}`;
    const id = /\bID\s*=\s*"([^"]*)"/.exec(m[1]!)?.[1] ?? "";
    return { id, letters: drawn.get(id) ?? written.toUpperCase() };
  });
}

describeWithFixtures("instrument function letters of every public DEXPI 1.x test case", () => {
  const all = ["dexpi", "dexpi-testcases"].flatMap((folder) =>
    readdirSync(fixturePath(folder))
      .filter((f) => /\.xml$/i.test(f))
      .sort()
      .map((f) => [`${folder}/${f}`, readFileSync(fixturePath(folder, f), "utf8")] as const),
  );

  it.each(all)("%s: each function's letters are those of a tag in the design, or it is unmapped", (_, text) => {
    const r = importDexpi(text);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    const d = r.design;
    const tags = new Set([
      ...(d.instruments ?? []).map((i) => i.tag),
      ...(d.control?.loops ?? []).map((l) => l.tag),
      ...(d.control?.interlocks ?? []).map((il) => il.tag),
      ...d.lines.flatMap((l) => (l.components ?? []).flatMap((c) => (c.tag ? [c.tag] : []))),
    ]);
    const held = new Map<string, number>();
    for (const tag of tags) {
      const letters = /^[A-Z]+/.exec(tag)?.[0] ?? "";
      held.set(letters, (held.get(letters) ?? 0) + 1);
    }
    const unmapped = new Set(r.report.unmapped.map((u) => u.id));
    const wanted = new Map<string, number>();
    for (const f of functionLetters(text)) {
      if (unmapped.has(f.id)) continue;
      wanted.set(f.letters, (wanted.get(f.letters) ?? 0) + 1);
    }
    for (const [letters, n] of wanted) expect({ letters, held: held.get(letters) ?? 0 }).toEqual({ letters, held: n });
  });

  it("C05 (COMOS): LT, LI, LIC and LY come in whole, with the numbers of the loop functions they belong to", () => {
    const r = importDexpi(all.find(([name]) => name.endsWith("C05V01-SAG.EX01.xml"))![1]);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.design.instruments?.map((i) => i.tag)).toEqual(["LT-100", "LI-103", "LY-102"]);
    expect(r.design.control?.loops?.map((l) => [l.tag, l.measurement])).toEqual([["LIC-101", "LT-100"]]);
  });
});
