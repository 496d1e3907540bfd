// Every public DEXPI 1.x test case (shared/fixtures/dexpi and dexpi-testcases): the importer
// accounts for each model element the file holds. The counts here are made from the XML text
// itself (element-count.ts), with a regular expression over element names, independently of the importer's parser.
import { readdirSync, readFileSync } from "node:fs";
import { describeWithFixtures, fixturePath } from "@plantgan/testing/fixtures";
import { expect, it } from "vitest";
import { countInXml } from "./element-count.js";
import { ACCOUNTED_ELEMENTS, importDexpi } from "./index.js";

const FOLDERS = ["dexpi", "dexpi-testcases"];

function fixtureFiles(): { name: string; text: string }[] {
  return FOLDERS.flatMap((folder) =>
    readdirSync(fixturePath(folder))
      .filter((f) => /\.xml$/i.test(f))
      .sort()
      .map((f) => ({ name: `${folder}/${f}`, text: readFileSync(fixturePath(folder, f), "utf8") })),
  );
}

describeWithFixtures("every public DEXPI 1.x test case: nothing silently dropped", () => {
  const files = fixtureFiles();

  it("finds the 59 files of the two collections", () => {
    expect(files.length).toBe(59);
  });

  it.each(files.map((f) => [f.name, f.text] as const))("%s: each element is imported or unmapped", (_, text) => {
    const r = importDexpi(text);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    for (const element of ACCOUNTED_ELEMENTS) {
      const inFile = countInXml(text, element);
      const unmapped = r.report.unmapped.filter((u) => u.element === element);
      for (const u of unmapped) expect(u.reason.length).toBeGreaterThan(0);
      expect({ element, accounted: r.report.imported[element] + unmapped.length }).toEqual({
        element,
        accounted: inFile,
      });
    }
    // What is counted as imported is in the design: top-level equipment (sub-equipment folds into it), lines.
    expect(r.report.imported.Equipment).toBeGreaterThanOrEqual(r.design.equipment.length);
    expect(r.report.imported.PipingNetworkSegment > 0).toBe(r.design.lines.length > 0);
    expect(r.report.imported.Nozzle).toBeLessThanOrEqual(
      r.design.equipment.reduce((n, e) => n + (e.nozzles?.length ?? 0), 0),
    );
  });

  it.each(files.map((f) => [f.name, f.text] as const))("%s: no line runs from a nozzle to itself", (_, text) => {
    const r = importDexpi(text);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    // Two open ends are two battery limits, not one place: only nozzle ends can coincide.
    for (const l of r.design.lines.filter((x) => "tag" in x.from && "tag" in x.to))
      expect(JSON.stringify(l.to)).not.toBe(JSON.stringify(l.from));
  });

  it("keeps the nozzle marks the file writes (TagName, SubTagNameAssignmentClass)", () => {
    const text = files.find((f) => f.name.endsWith("C01V01-HEX.EX01.xml"))!.text;
    const r = importDexpi(text);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    const written = [...text.matchAll(/<Nozzle [^>]*TagName="([^"]+)"/g)].map((m) => m[1]).sort();
    const imported = r.design.equipment.flatMap((e) => e.nozzles?.map((n) => n.id) ?? []).sort();
    expect(imported).toEqual(written);
  });

  it.each(files.map((f) => [f.name, f.text] as const))("%s: the report agrees with the design", (_, text) => {
    const r = importDexpi(text);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    const d = r.design;
    const tags = new Set([
      ...d.equipment.map((e) => e.tag),
      ...d.lines.flatMap((l) => (l.components ?? []).map((c) => c.tag)),
      ...(d.instruments ?? []).map((i) => i.tag),
      ...(d.control?.loops ?? []).map((l) => l.tag),
    ]);
    for (const renamed of r.report.renamedTags) expect(tags).toContain(renamed.to);
    // An empty design is accepted only with a warning that says so.
    const empty = d.equipment.length === 0 && d.lines.length === 0;
    expect(r.report.warnings.some((w) => /no equipment and no lines/.test(w))).toBe(empty);
  });
});
