// Every InstrumentationLoopFunction of every public DEXPI 1.x test case is a loop or interlock of
// the design or an unmapped entry that says why not. The test walks the XML itself (regular
// expressions over the text, not the importer's parser): it finds each loop function and its loop
// number, and a loop or interlock is the loop function's when its tag carries that number
// (LIC-101 in loop function "101", FIC-04 in "F-04").
import { readdirSync, readFileSync } from "node:fs";
import { describeWithFixtures, fixturePath } from "@plantgan/testing/fixtures";
import { expect, it } from "vitest";
import { parseDesign } from "../../design/index.js";
import { validateDesign } from "../../validate/index.js";
import { importDexpi } from "./index.js";

const FOLDERS = ["dexpi", "dexpi-testcases"];

interface LoopFunction {
  readonly id: string;
  /** The loop number as a number ("001" and "1" are one loop), or undefined when it has none. */
  readonly number: number | undefined;
}

function files(): { name: string; text: string }[] {
  return FOLDERS.flatMap((folder) =>
    readdirSync(fixturePath(folder))
      .filter((f) => /\.xml$/i.test(f))
      .sort()
      .map((f) => ({ name: `${folder}/${f}`, text: readFileSync(fixturePath(folder, f), "utf8") })),
  );
}

/** The model part of a file: comments and the ShapeCatalogue (symbol templates) left out. */
function model(text: string): string {
  return text.replace(/<!--[\s\S]*?-->/g, "").replace(/<ShapeCatalogue[\s>][\s\S]*?<\/ShapeCatalogue>/g, "");
}

/** First number in a text: "L-01" → 1, "4712.02" → 4712.02. */
function numberIn(text: string | undefined): number | undefined {
  const m = /[0-9]+(?:\.[0-9]+)?/.exec(text ?? "");
  return m ? Number(m[0]) : undefined;
}

/** Each InstrumentationLoopFunction element with its ID and its number (number attribute, else TagName). */
export function loopFunctionsIn(text: string): LoopFunction[] {
  const out: LoopFunction[] = [];
  const open = /<InstrumentationLoopFunction\b([^>]*?)(\/?)>/g;
  const body = model(text);
  for (let m = open.exec(body); m; m = open.exec(body)) {
    const attrs = m[1]!;
    const id = /\bID\s*=\s*"([^"]*)"/.exec(attrs)?.[1] ?? "";
    const tagName = /\bTagName\s*=\s*"([^"]*)"/.exec(attrs)?.[1];
    const end = m[2] === "/" ? m.index : body.indexOf("</InstrumentationLoopFunction>", m.index);
    const inner = body.slice(m.index, end);
    const numberAttr =
      /Name\s*=\s*"InstrumentationLoopFunctionNumberAssignmentClass"[^>]*?Value\s*=\s*"([^"]*)"/.exec(inner)?.[1] ??
      /Value\s*=\s*"([^"]*)"[^>]*?Name\s*=\s*"InstrumentationLoopFunctionNumberAssignmentClass"/.exec(inner)?.[1];
    out.push({ id, number: numberIn(numberAttr) ?? numberIn(tagName) });
  }
  return out;
}

/** The loop number of a loop or interlock tag: "FIC-04" → 4, "PICSA-4712.02" → 4712.02. */
const tagNumber = (tag: string): number | undefined => numberIn(tag.replace(/^[A-Z]+/, ""));

describeWithFixtures("InstrumentationLoopFunctions of every public DEXPI 1.x test case", () => {
  const all = files();

  it("finds the 59 files and the 40 loop functions in them", () => {
    expect(all).toHaveLength(59);
    expect(all.reduce((n, f) => n + loopFunctionsIn(f.text).length, 0)).toBe(40);
  });

  it.each(all.map((f) => [f.name, f.text] as const))(
    "%s: each loop function is a loop or interlock, or unmapped with why not",
    (_, text) => {
      const r = importDexpi(text);
      if (!r.success) throw new Error(JSON.stringify(r.issues));
      const functions = loopFunctionsIn(text);
      const led = [...(r.design.control?.loops ?? []), ...(r.design.control?.interlocks ?? [])].map((x) =>
        tagNumber(x.tag),
      );
      const unmapped = r.report.unmapped.filter((u) => u.element === "InstrumentationLoopFunction");
      let withLoop = 0;
      for (const f of functions) {
        if (f.number !== undefined && led.includes(f.number)) withLoop++;
        else
          expect(
            unmapped.map((u) => u.id),
            `loop function ${f.id}`,
          ).toContain(f.id);
      }
      for (const u of unmapped) expect(u.reason).toMatch(/^no loop or interlock: \S/);
      // The count made here equals what the importer accounts for: loops and interlocks plus refusals.
      expect(withLoop + unmapped.length).toBe(functions.length);
      expect(r.report.imported.InstrumentationLoopFunction).toBe(withLoop);
    },
  );

  it.each(all.map((f) => [f.name, f.text] as const))(
    "%s: unmounted instruments are warned about, schema-valid, and the validator passes over them",
    (_, text) => {
      const r = importDexpi(text);
      if (!r.success) throw new Error(JSON.stringify(r.issues));
      const unmounted = (r.design.instruments ?? []).filter((i) => i.on === undefined).map((i) => i.tag);
      for (const tag of unmounted)
        expect(r.report.warnings).toContainEqual(expect.stringMatching(`^instrument ${tag} has no mount in the file`));
      const parsed = parseDesign(r.design);
      if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
      const result = validateDesign(parsed.data);
      const mountFindings = result.violations.filter(
        (v) => v.rule === "control.instrument-mount" && v.tags?.some((t) => unmounted.includes(t)),
      );
      expect(mountFindings).toEqual([]);
    },
  );

  it("I04 (SmartPlant): FIC-04 is kept unmounted; its loop is refused as FV 04 is on piping that is no line", () => {
    const text = all.find((f) => f.name.endsWith("I04V01-HEX.EX05.xml"))!.text;
    const r = importDexpi(text);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.design.instruments).toEqual([{ tag: "FIC-04" }]);
    const ilf = r.report.unmapped.find((u) => u.element === "InstrumentationLoopFunction");
    expect(ilf?.reason).toMatch(/^no loop or interlock: FIC-04: .*FV 04.*is not a line/);
  });
});
