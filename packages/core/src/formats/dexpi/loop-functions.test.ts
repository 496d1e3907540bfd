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
import { drawnLetters, statedTrips } from "./stated-control.js";

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
function functionsIn(
  body: string,
  drawn: ReadonlyMap<string, string>,
): { id: string; at: number; letters: string; number: number | undefined; drives: boolean }[] {
  const out: { id: string; at: number; letters: string; number: number | undefined; drives: boolean }[] = [];
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
    const id = /\bID\s*=\s*"([^"]*)"/.exec(m[1]!)?.[1] ?? "";
    const letters =
      drawn.get(id) ?? (/^[A-Za-z]+/.exec(tagName.replace(/\s+/g, ""))?.[0] ?? written.join("")).toUpperCase();
    out.push({
      id,
      at: m.index,
      letters,
      number: numberIn(attr("ProcessInstrumentationFunctionNumberAssignmentClass") ?? tagName),
      drives: sendsSignal(body, inner, id),
    });
  }
  return out;
}

/**
 * Whether a function sends a signal on: it (or a part written inside it) is the logical start of a
 * signal line, or the FromID of any Connection (AutoCAD draws the signal as a leader segment), that
 * ends outside it; or it holds an ActuatingFunction.
 */
function sendsSignal(body: string, inner: string, id: string): boolean {
  if (/<ActuatingFunction\b/.test(inner)) return true;
  const own = new Set([id, ...[...inner.matchAll(/\bID\s*=\s*"([^"]*)"/g)].map((x) => x[1]!)]);
  const leaves = (start: string | undefined, end: string | undefined) =>
    start !== undefined && end !== undefined && own.has(start) && !own.has(end);
  const flows = [...body.matchAll(/<(InformationFlow|SignalLine)\b[\s\S]*?<\/\1>/g)].map((x) => x[0]);
  const logical = flows.some((f) =>
    leaves(
      /Type\s*=\s*"has logical start"[^>]*?ItemID\s*=\s*"([^"]*)"/.exec(f)?.[1],
      /Type\s*=\s*"has logical end"[^>]*?ItemID\s*=\s*"([^"]*)"/.exec(f)?.[1],
    ),
  );
  const connected = [...body.matchAll(/<Connection\b([^>]*)>/g)].some((c) =>
    leaves(/FromID\s*=\s*"([^"]*)"/.exec(c[1]!)?.[1], /ToID\s*=\s*"([^"]*)"/.exec(c[1]!)?.[1]),
  );
  return logical || connected;
}

/**
 * ISA-5.1 controller letters: the measured (or initiating) variable, an optional I (indicating),
 * then C. HC and HIC are hand controllers; LT, LI, LY, LV are not controllers.
 */
const CONTROLLER = /^[A-Z]I?C/;

/**
 * Loop functions that group a controller: one of the functions it contains or names (an
 * Association), or one carrying its loop number, has controller letters (TagName or drawn label).
 * `drives`: the controller sends a signal on, so a loop can be formed. Counted from the text alone.
 */
export function controllerLoopFunctions(text: string): { id: string; drives: boolean }[] {
  const body = model(text);
  const fns = functionsIn(body, drawnLetters(text));
  const out: { id: string; drives: boolean }[] = [];
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
    const controllers = members.filter((x) => CONTROLLER.test(x.letters));
    if (controllers.length > 0) out.push({ id: f.id, drives: controllers.some((x) => x.drives) });
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

  /**
   * Loop functions with a controller, those whose controller sends a signal on, those the import
   * made loops (by loop number), and those it refused saying why its controller is no loop.
   */
  const controllerCount = (text: string) => {
    const r = importDexpi(text);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    const loopNumbers = (r.design.control?.loops ?? []).map((l) => tagNumber(l.tag));
    const expected = controllerLoopFunctions(text);
    const ids = new Set(expected.map((e) => e.id));
    const formed = loopFunctionsIn(text).filter((f) => ids.has(f.id) && loopNumbers.includes(f.number));
    const refused = r.report.unmapped.filter(
      (u) =>
        u.element === "InstrumentationLoopFunction" &&
        ids.has(u.id ?? "") &&
        /its controller is no loop: /.test(u.reason),
    );
    return {
      expected: expected.length,
      driving: expected.filter((e) => e.drives).length,
      formed: formed.length,
      refused: refused.length,
    };
  };

  it.each(all.map((f) => [f.name, f.text] as const))(
    "%s: every loop function whose controller sends a signal is a loop; any other says why not",
    (_, text) => {
      const { expected, driving, formed, refused } = controllerCount(text);
      expect(formed).toBe(driving);
      expect(formed + refused).toBe(expected);
    },
  );

  // I12V01_AUD (AutoCAD P&ID) writes its valve HV-012 as a function of class ControlValve that the
  // pipe's segments start at, and HC-012's signal as a leader segment to it: 2 loop functions (one ID, twice).
  // I03V01-AVV draws L-03 as LIC-03, a controller whose output the file draws to nothing.
  it("counts 10 loop functions with a controller in the 59 files: the 9 whose controller sends a signal are loops", () => {
    const counts = all.map((f) => controllerCount(f.text));
    const sum = (k: "expected" | "driving" | "formed" | "refused") => counts.reduce((n, c) => n + c[k], 0);
    expect([sum("expected"), sum("driving"), sum("formed"), sum("refused")]).toEqual([10, 9, 9, 1]);
  });

  /** Trips the text states, and the interlocks and Interlock refusals the import made of them. */
  const tripCount = (text: string) => {
    const r = importDexpi(text);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    const stated = statedTrips(text);
    const refused = r.report.unmapped.filter((u) => u.element === "Interlock" && stated.some((t) => t.id === u.id));
    return {
      stated: stated.length,
      withEffect: stated.filter((t) => t.effect).length,
      interlocks: r.design.control?.interlocks?.length ?? 0,
      refused: refused.length,
    };
  };

  it.each(all.map((f) => [f.name, f.text] as const))(
    "%s: interlocks are the trips the text states with a cause and an effect; any other says why not",
    (_, text) => {
      const { stated, withEffect, interlocks, refused } = tripCount(text);
      expect(interlocks).toBe(withEffect);
      expect(interlocks + refused).toBe(stated);
    },
  );

  // Only COMOS's trip parts state a condition (I07: ZHH; I08: SAHH, SAH, SAL, SALL, all of P-002);
  // their signal lines end at PCE logic functions (U-003, U-005) that drive nothing on the sheet.
  // C01's PICSA, TICSA and HS switch (S) but the file states no condition for them anywhere.
  it("counts 5 stated trips in the 59 files, none with an effect: 0 interlocks, 5 refused with the reason", () => {
    const counts = all.map((f) => tripCount(f.text));
    const sum = (k: "stated" | "withEffect" | "interlocks" | "refused") => counts.reduce((n, c) => n + c[k], 0);
    expect([sum("stated"), sum("withEffect"), sum("interlocks"), sum("refused")]).toEqual([5, 0, 0, 5]);
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
