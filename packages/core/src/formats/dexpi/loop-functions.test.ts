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

/** The letters and number of every ProcessInstrumentationFunction, with where it stands in the text. */
function functionsIn(body: string): { id: string; at: number; letters: string; number: number | undefined }[] {
  const out: { id: string; at: number; letters: string; number: number | undefined }[] = [];
  const open = /<ProcessInstrumentationFunction\b([^>]*?)(\/?)>/g;
  for (let m = open.exec(body); m; m = open.exec(body)) {
    const end = m[2] === "/" ? m.index : body.indexOf("</ProcessInstrumentationFunction>", m.index);
    const inner = body.slice(m.index, end);
    const attr = (name: string) =>
      new RegExp(`Name\\s*=\\s*"${name}"[^>]*?Value\\s*=\\s*"([^"]*)"`).exec(inner)?.[1] ??
      new RegExp(`Value\\s*=\\s*"([^"]*)"[^>]*?Name\\s*=\\s*"${name}"`).exec(inner)?.[1];
    const tagName = /\bTagName\s*=\s*"([^"]*)"/.exec(m[1]!)?.[1] ?? "";
    const written = ["Category", "Modifier", "s"].map(
      (k) => attr(`ProcessInstrumentationFunction${k}AssignmentClass`) ?? "",
    );
    const letters = (/^[A-Za-z]+/.exec(tagName.replace(/\s+/g, ""))?.[0] ?? written.join("")).toUpperCase();
    out.push({
      id: /\bID\s*=\s*"([^"]*)"/.exec(m[1]!)?.[1] ?? "",
      at: m.index,
      letters,
      number: numberIn(attr("ProcessInstrumentationFunctionNumberAssignmentClass") ?? tagName),
    });
  }
  return out;
}

/**
 * ISA-5.1 controller letters: the measured (or initiating) variable, an optional I (indicating),
 * then C. HC and HIC are hand controllers; LT, LI, LY, LV are not controllers.
 */
const CONTROLLER = /^[A-Z]I?C/;

/**
 * Loop functions that group a controller: one of the functions it contains or names (an
 * Association), or one carrying its loop number, has controller letters. Counted from the text alone.
 */
export function controllerLoopFunctions(text: string): string[] {
  const body = model(text);
  const fns = functionsIn(body);
  const out: string[] = [];
  const open = /<InstrumentationLoopFunction\b([^>]*?)(\/?)>/g;
  const all = loopFunctionsIn(text);
  for (let m = open.exec(body), k = 0; m; m = open.exec(body), k++) {
    const end = m[2] === "/" ? m.index : body.indexOf("</InstrumentationLoopFunction>", m.index);
    const f = all[k]!;
    const named = new Set(
      [...body.slice(m.index, end).matchAll(/<Association\b[^>]*?ItemID\s*=\s*"([^"]*)"/g)].map((a) => a[1]),
    );
    const members = fns.filter(
      (x) => (x.at > m!.index && x.at < end) || named.has(x.id) || (f.number !== undefined && x.number === f.number),
    );
    if (members.some((x) => CONTROLLER.test(x.letters))) out.push(f.id);
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

  /** Loop functions with a controller, and those of them the import made loops (by loop number). */
  const controllerCount = (text: string) => {
    const r = importDexpi(text);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    const loopNumbers = (r.design.control?.loops ?? []).map((l) => tagNumber(l.tag));
    const expected = controllerLoopFunctions(text);
    const formed = loopFunctionsIn(text).filter((f) => expected.includes(f.id) && loopNumbers.includes(f.number));
    return { expected: expected.length, formed: formed.length };
  };

  it.each(all.map((f) => [f.name, f.text] as const))(
    "%s: every loop function with a controller is a loop, as many as the text holds",
    (_, text) => {
      const { expected, formed } = controllerCount(text);
      expect(formed).toBe(expected);
    },
  );

  // I12V01_AUD (AutoCAD P&ID) writes its valve HV-012 as a function of class ControlValve that the
  // pipe's segments start at, and HC-012's signal as a leader segment to it: 2 loop functions (one ID, twice).
  it("counts 9 loop functions with a controller in the 59 files, and all 9 are loops", () => {
    const counts = all.map((f) => controllerCount(f.text));
    const sum = (k: "expected" | "formed") => counts.reduce((n, c) => n + c[k], 0);
    expect([sum("expected"), sum("formed")]).toEqual([9, 9]);
  });

  it("I04 (SmartPlant): FIC-04 drives FV 04 on a line that runs between two open ends", () => {
    const text = all.find((f) => f.name.endsWith("I04V01-HEX.EX05.xml"))!.text;
    const r = importDexpi(text);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.design.control?.loops).toEqual([{ tag: "FIC-04", measurement: "FIC-04", finalElement: "FV-04" }]);
    const line = r.design.lines.find((l) => l.components?.some((c) => c.tag === "FV-04"));
    expect(line).toMatchObject({ from: { open: true }, to: { open: true } });
    expect(r.report.unmapped.filter((u) => u.element === "InstrumentationLoopFunction")).toEqual([]);
  });

  it("I02 and I12 (hand control): HC-02, HC-12 and HC-012 are loops with no measurement", () => {
    for (const [file, hc, hv] of [
      ["I02V01-HEX.EX03.xml", "HC-02", "HV-02"],
      ["I12.V01-ING.EX01.xml", "HC-12", "HV-12"],
      ["I12V01_AUD.EX01.xml", "HC-012", "HV-012"],
    ] as const) {
      const r = importDexpi(all.find((f) => f.name.endsWith(file))!.text);
      if (!r.success) throw new Error(JSON.stringify(r.issues));
      expect(r.design.control?.loops).toEqual([{ tag: hc, finalElement: hv }]);
      expect(parseDesign(r.design).success).toBe(true);
    }
  });
});
