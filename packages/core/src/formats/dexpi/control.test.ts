// Control loops and interlocks of every public DEXPI 1.x test case, against counts made from the
// XML text: a controller is a function or instrument whose TagName letters (completed by its drawn
// label, stated-control.ts) hold a C after the measured variable (LIC, PICSA, HC) and do not end
// in V (a self-acting valve); a trip function holds an S or Z there, and a COMOS trip part (ZHH
// under a function's FullLabel) states a trip too. Each controller is a loop or an unmapped
// ControlLoop with its reason; each trip function or part is an interlock or an unmapped Interlock
// with its reason; the interlocks are the stated trips whose signal reaches a valve or machine.
import { readdirSync, readFileSync } from "node:fs";
import { describeWithFixtures, fixturePath } from "@plantgan/testing/fixtures";
import { expect, it } from "vitest";
import { importDexpi } from "./index.js";
import { drawnLetters, statedTrips } from "./stated-control.js";

const FOLDERS = ["dexpi", "dexpi-testcases"];
const FUNCTION_ELEMENTS = /<(ProcessInstrumentationFunction|ProcessInstrument|InstrumentComponent)\b([^>]*?)(\/?)>/g;

function files(): { name: string; text: string }[] {
  return FOLDERS.flatMap((folder) =>
    readdirSync(fixturePath(folder))
      .filter((f) => /\.xml$/i.test(f))
      .sort()
      .map((f) => ({ name: `${folder}/${f}`, text: readFileSync(fixturePath(folder, f), "utf8") })),
  );
}

/**
 * Letters of each function: its drawn label, else its TagName's ("PICSA 4712.02" → PICSA), unless
 * its category, modifier and function letters say more (DEXPI 1.3 writes them there: TagName
 * "L470103" with L + ICSA → LICSA; P&ID Toolbox writes no TagName) or other letters (TagName
 * "PI_4750.03" with T + ICSA → TICSA, C02V01-VER). Comments and symbol templates left out; a
 * function with neither TagName nor letter attributes is not counted.
 */
function functionLetters(text: string): string[] {
  const model = text.replace(/<!--[\s\S]*?-->/g, "").replace(/<ShapeCatalogue[\s>][\s\S]*?<\/ShapeCatalogue>/g, "");
  const drawn = drawnLetters(text);
  return [...model.matchAll(FUNCTION_ELEMENTS)].flatMap((m) => {
    const [open, name, attrs, selfClosing] = m as unknown as [string, string, string, string];
    const body = selfClosing ? "" : model.slice(m.index + open.length, model.indexOf(`</${name}>`, m.index));
    // Name and Value in either order (DISC/NOAKA writes Value first).
    const generic = (n: string) => {
      for (const [ga] of body.matchAll(/<GenericAttribute\b[^>]*>/g)) {
        const value = new RegExp(`\\bName\\s*=\\s*"${n}"`).test(ga) ? /\bValue\s*=\s*"([^"]*)"/.exec(ga) : null;
        if (value) return value[1] ?? "";
      }
      return "";
    };
    const tagName = /\bTagName\s*=\s*"([^"]*)"/.exec(attrs)?.[1];
    const written = /^[A-Za-z]+/.exec(tagName?.trim() ?? "")?.[0]?.toUpperCase() ?? "";
    const attributed = ["Category", "Modifier", "s"]
      .map((k) => generic(`ProcessInstrumentationFunction${k}AssignmentClass`))
      .join("")
      .toUpperCase()
      .replace(/[^A-Z]/g, "");
    // DISC/NOAKA: a field instrument with neither states its letters as TagTypeAssignmentClass only.
    const typed = generic("TagTypeAssignmentClass")
      .toUpperCase()
      .replace(/[^A-Z]/g, "");
    if ((tagName ?? "").trim() === "" && attributed === "") return typed === "" ? [] : [typed];
    const own = attributed !== "" && !written.startsWith(attributed) ? attributed : written;
    return [drawn.get(/\bID\s*=\s*"([^"]*)"/.exec(attrs)?.[1] ?? "") ?? own];
  });
}

describeWithFixtures("control loops and interlocks of every public DEXPI 1.x test case", () => {
  const all = files();

  it.each(all.map((f) => [f.name, f.text] as const))("%s: loops and interlocks match the XML", (_, text) => {
    const r = importDexpi(text);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    const letters = functionLetters(text);
    const controllers = letters.filter((l) => l.slice(1).includes("C") && !l.endsWith("V")).length;
    const stated = statedTrips(text);
    // A switch whose signal lines state its conditions trips once per condition (I08V01-VER: US-047 at LL and HH).
    const onLines = stated.filter((t) => t.by === "signal lines");
    const tripFunctions =
      letters.filter((l) => /[SZ]/.test(l.slice(1))).length +
      stated.filter((t) => t.by === "signal part").length +
      onLines.length -
      new Set(onLines.map((t) => t.id)).size;
    const refusedLoops = r.report.unmapped.filter((u) => u.element === "ControlLoop");
    const refusedInterlocks = r.report.unmapped.filter((u) => u.element === "Interlock");
    for (const u of [...refusedLoops, ...refusedInterlocks]) expect(u.reason).toMatch(/\S{3}/);
    const loops = r.design.control?.loops ?? [];
    const interlocks = r.design.control?.interlocks ?? [];
    expect(loops.length + refusedLoops.length).toBe(controllers);
    expect(interlocks.length + refusedInterlocks.length).toBe(tripFunctions);
    expect(interlocks.length).toBe(stated.filter((t) => t.effect).length);
    expect(r.report.counts.loops).toBe(loops.length);
    expect(r.report.counts.interlocks).toBe(interlocks.length);
    // What a loop names is in the design: its measurement is an instrument, its final element a control valve.
    const instruments = new Set((r.design.instruments ?? []).map((i) => i.tag));
    const valves = new Set(
      r.design.lines.flatMap((l) => (l.components ?? []).filter((c) => c.type === "control_valve").map((c) => c.tag)),
    );
    for (const l of loops) {
      // Only a hand controller (HC, HIC) goes without a measurement.
      if (l.measurement === undefined) expect(l.tag).toMatch(/^HI?C-/);
      else expect(instruments).toContain(l.measurement);
      expect(valves).toContain(l.finalElement);
    }
  });

  it("C01 (older InstrumentLoop / SignalLine style): PICSA-4712.02 drives PV-4712.02; TV-4750.03 sits on a line from off the sheet", () => {
    const text = all.find((f) => f.name.endsWith("C01V01-HEX.EX01.xml"))!.text;
    const r = importDexpi(text);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.design.control?.loops).toEqual([
      { tag: "PICSA-4712.02", measurement: "PICSA-4712.02", finalElement: "PV-4712.02" },
      { tag: "TICSA-4750.03", measurement: "TICSA-4750.03", finalElement: "TV-4750.03" },
    ]);
    expect(r.report.unmapped.filter((u) => u.element === "ControlLoop")).toEqual([]);
    // The cooling-water supply enters the sheet in the open and runs through TV 4750.03 to H-1007.
    const qsb = r.design.lines.find((l) => l.id === "47141-QSb");
    expect(qsb).toMatchObject({ from: { open: true }, to: { tag: "H-1007", nozzle: "N3" } });
    expect(qsb?.components?.map((c) => c.tag)).toEqual(["TV-4750.03"]);
    // Members linked by an Association TagName without the "SP" prefix are resolved: the loop groupings are used.
    expect(r.report.imported.InstrumentLoop).toBeGreaterThanOrEqual(2);
    expect(r.design.instruments?.map((i) => i.tag)).toEqual(
      expect.arrayContaining(["PI-4712.01", "PICSA-4712.02", "TICSA-4750.03"]),
    );
  });
});
