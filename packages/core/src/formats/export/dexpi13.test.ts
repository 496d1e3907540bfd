// DEXPI 1.3 export → DEXPI 1.x import, on every shipped example: what the importer reads back
// must equal the design, field by field; what it does not read yet is listed and checked in the XML.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Design, parseDesign } from "../../design/index.js";
import { readDesigns } from "../read.js";
import { writeDexpi13 } from "./dexpi13.js";

const EXAMPLES = new URL("../../../../../datasets/examples/", import.meta.url);

function exampleDesigns(): [string, Design][] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const parsed = parseDesign(readFileSync(new URL(f, EXAMPLES), "utf8"));
      if (!parsed.success) throw new Error(`${f}: ${JSON.stringify(parsed.issues)}`);
      return [f, parsed.data];
    });
}

/** What the DEXPI 1.x importer reads back today: the design projected onto it. */
function carried(d: Design) {
  return {
    name: d.name,
    equipment: d.equipment.map((e) => ({
      tag: e.tag,
      type: e.type,
      name: e.name,
      designPressure: e.designPressure,
      designTemperature: e.designTemperature,
      nozzles: e.nozzles.map((n) => ({ id: n.id, size: n.size, rating: n.rating })),
    })),
    lines: d.lines.map((l) => ({
      id: l.id,
      from: l.from,
      to: l.to,
      size: l.size,
      spec: l.spec,
      fluid: l.fluid,
      rating: l.rating,
      components: l.components.map((c) => ({
        type: c.type,
        tag: c.tag,
        size: c.type === "reducer" ? c.size : undefined,
      })),
    })),
    instruments: d.instruments.map((i) => ({ tag: i.tag, on: i.on })),
    loops: d.control.loops.map((l) => ({ tag: l.tag, measurement: l.measurement, finalElement: l.finalElement })),
  };
}

function roundTrip(d: Design) {
  const xml = writeDexpi13(d);
  const report = readDesigns({ content: xml, name: `${d.id}.xml` });
  const record = report.records[0];
  if (!record?.accepted) throw new Error(`refused: ${JSON.stringify(record)}`);
  return { xml, report, design: record.design };
}

const count = (xml: string, re: RegExp) => (xml.match(re) ?? []).length;

describe("DEXPI 1.3 export round-trips through the DEXPI 1.x importer", () => {
  it.each(exampleDesigns())("%s: everything the importer reads equals the design", (_file, d) => {
    const { report, design } = roundTrip(d);
    expect(report.records).toHaveLength(1);
    expect(carried(design)).toEqual(carried(d));
    // The importer names its designs after the drawing, which the writer names by the design id.
    expect(design.id).toBe(`dexpi-${d.id}`);
    // Nothing written is left unaccounted for, and no tag had to be renamed.
    expect(report.unmapped).toEqual([]);
    expect(report.renamedTags).toEqual([]);
  });

  it.each(exampleDesigns())("%s: the file carries what the importer does not read yet", (_file, d) => {
    const xml = writeDexpi13(d);
    const placed = d.equipment.filter((e) => e.x !== undefined);
    const placedNozzles = placed.flatMap((e) => e.nozzles.filter((n) => n.dx !== undefined));
    expect(count(xml, /<Position>/g)).toBe(placed.length + placedNozzles.length);
    expect(count(xml, /<CenterLine /g)).toBe(d.lines.filter((l) => l.route).length);
    expect(count(xml, /<Coordinate /g)).toBe(d.lines.reduce((n, l) => n + (l.route?.length ?? 0), 0));
    expect(count(xml, /<InstrumentationLoopFunction /g)).toBe(d.control.interlocks.length);
    expect(count(xml, /Name="hazard"/g)).toBe(d.equipment.length);
    expect(count(xml, /Name="service"/g)).toBe(d.lines.length);
    expect(count(xml, /Name="action"/g)).toBe(d.control.loops.length);
    expect(xml).toContain(`Name="processClass" Value="${d.processClass}"`);
  });

  it("escapes what XML cannot hold as text", () => {
    const [, d] = exampleDesigns()[0]!;
    const odd = { ...d, name: `Tank <A> & "B"` };
    const { design } = roundTrip(odd);
    expect(design.name).toBe(odd.name);
  });
});
