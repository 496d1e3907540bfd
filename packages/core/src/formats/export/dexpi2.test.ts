// DEXPI 2.0 export: every dataset example validates against the published DEXPI XML Schema
// (xmllint), and the DEXPI 2.0 importer reads it back with the same equipment, lines, instruments
// and loops; branch lines come back as branches of the same run.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { equipmentIn, modifiedDesign } from "@plantgan/testing";
import { describeWithFixtures, fixturePath } from "@plantgan/testing/fixtures";
import { afterAll, expect, it } from "vitest";
import { type Design, isNozzleEnd, parseDesign } from "../../design/index.js";
import { importDexpi2 } from "../dexpi2/index.js";
import { modelName, writeDexpi2 } from "./dexpi2.js";

const XMLLINT = "/usr/bin/xmllint";
const EXAMPLES = new URL("../../../../../datasets/examples/", import.meta.url);
const examples: [string, Design][] = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => {
    const parsed = parseDesign(readFileSync(new URL(f, EXAMPLES), "utf8"));
    if (!parsed.success) throw new Error(f);
    return [f, parsed.data];
  });

function xmllint(file: string) {
  return spawnSync(XMLLINT, ["--noout", "--schema", fixturePath("dexpi2", "DEXPI_XML_Schema.xsd"), file], {
    encoding: "utf8",
  });
}

/** pump_station with battery limits (a label, an edge, both, neither; a line open at both ends; a branch from an open end) and a hand loop. */
function openEndsDesign(): Design {
  return modifiedDesign("pump_station", (input) => {
    equipmentIn(input, "V-102").nozzles!.push({ id: "OUT", dx: 2, dy: -1, dz: 0.3, size: 100 });
    input.lines.push(
      {
        id: "100-P-9001-C1",
        from: { tag: "V-102", nozzle: "OUT" },
        to: { open: true, label: "to unit 200", edge: "east" },
        size: 100,
        components: [{ tag: "HV-9001", type: "control_valve" }],
      },
      { id: "80-U-9002-A1", from: { open: true }, to: { line: "100-P-9001-C1" }, size: 80 },
      { id: "80-U-9003-A1", from: { open: true, edge: "south" }, to: { open: true, label: "CW return" }, size: 80 },
    );
    input.control!.loops!.push({ tag: "HC-9001", finalElement: "HV-9001" });
  });
}

describeWithFixtures("DEXPI 2.0 export against the DEXPI XML Schema", () => {
  const dir = mkdtempSync(join(tmpdir(), "plantgan-dexpi2-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.for(examples)("%s validates", ([f, d], ctx) => {
    if (!existsSync(XMLLINT)) return ctx.skip(`${XMLLINT} is not installed`);
    const file = join(dir, `${f}.xml`);
    writeFileSync(file, writeDexpi2(d));
    const run = xmllint(file);
    expect(run.stderr).toContain("validates");
    expect(run.status).toBe(0);
  });

  it("open line ends are off-page connectors the segments start or end at; with a hand loop, the export validates", (ctx) => {
    if (!existsSync(XMLLINT)) return ctx.skip(`${XMLLINT} is not installed`);
    const d = openEndsDesign();
    const xml = writeDexpi2(d);
    const n = d.lines.length;
    expect(xml).toContain(
      `<Object id="Line${n - 2}_Segment_OutConnector" type="Plant/Piping.FlowOutPipeOffPageConnector">`,
    );
    expect(xml).toContain(`<References property="SourceItem" objects="#Line${n}_Segment_InConnector"/>`);
    expect(xml).toContain(`<References property="TargetItem" objects="#Line${n}_Segment_OutConnector"/>`);
    const file = join(dir, "open-ends.xml");
    writeFileSync(file, xml);
    const run = xmllint(file);
    expect(run.stderr).toContain("validates");
    expect(run.status).toBe(0);
  });

  it("the schema check is real: an id with a dash is refused", (ctx) => {
    if (!existsSync(XMLLINT)) return ctx.skip(`${XMLLINT} is not installed`);
    const file = join(dir, "broken.xml");
    writeFileSync(file, writeDexpi2(examples[0]![1]).replace('id="Equipment1"', 'id="Equipment-1"'));
    expect(xmllint(file).status).not.toBe(0);
  });
});

it.each(examples)("%s reads back through the DEXPI 2.0 importer with the same counts", (_f, d) => {
  const back = importDexpi2(writeDexpi2(d));
  if (!back.success) throw new Error(JSON.stringify(back.issues));
  const got = back.design;
  expect(got.equipment.map((e) => [e.tag, e.type])).toEqual(d.equipment.map((e) => [e.tag, e.type]));
  expect(got.equipment.map((e) => (e.nozzles ?? []).map((n) => n.id))).toEqual(
    d.equipment.map((e) => e.nozzles.map((n) => n.id)),
  );
  expect(got.lines.length).toBe(d.lines.length);
  expect(got.lines.map((l) => [l.id, l.size, l.from, l.to])).toEqual(d.lines.map((l) => [l.id, l.size, l.from, l.to]));
  expect(got.instruments ?? []).toEqual(d.instruments.map(({ tag, on }) => ({ tag, on })));
  expect((got.control?.loops ?? []).map((l) => [l.tag, l.measurement, l.finalElement, l.action])).toEqual(
    d.control.loops
      .filter((l) => d.lines.some((line) => line.components.some((c) => c.tag === l.finalElement)))
      .map((l) => [l.tag, l.measurement, l.finalElement, l.action]),
  );
  // The examples have branch lines, so the tee path is exercised, not only nozzle-to-nozzle lines.
  expect(d.lines.some((l) => !isNozzleEnd(l.from) || !isNozzleEnd(l.to))).toBe(true);
});

it("open line ends and a hand loop read back through the DEXPI 2.0 importer as they were written", () => {
  const d = openEndsDesign();
  const back = importDexpi2(writeDexpi2(d));
  if (!back.success) throw new Error(JSON.stringify(back.issues));
  const got = back.design;
  // Every line with its ends (labels and edges included), in order; the open-ended ones whole.
  expect(got.lines.map((l) => [l.id, l.size, l.from, l.to])).toEqual(d.lines.map((l) => [l.id, l.size, l.from, l.to]));
  const added = <L extends { id: string }>(lines: readonly L[]) => lines.filter((l) => /-900\d-/.test(l.id));
  expect(added(got.lines)).toEqual(
    added(d.lines).map(({ id, from, to, size, components }) => ({ id, from, to, size, components })),
  );
  expect(got.instruments ?? []).toEqual(d.instruments.map(({ tag, on }) => ({ tag, on })));
  const loops = (ls: readonly { tag: string; measurement?: string; finalElement: string }[]) =>
    ls.map((l) => [l.tag, l.measurement, l.finalElement]);
  expect(loops(got.control?.loops ?? [])).toEqual(
    loops(d.control.loops.filter((l) => d.lines.some((line) => line.components.some((c) => c.tag === l.finalElement)))),
  );
  expect(got.control?.loops?.find((l) => l.tag === "HC-9001")).not.toHaveProperty("measurement");
  // The connectors and the hand loop's objects are all taken: nothing about them is unmapped.
  expect(back.report.unmapped.filter((u) => /Connector|Loop/.test(`${u.element} ${u.id ?? ""}`))).toEqual([]);
});

it("model names follow the schema's name pattern", () => {
  expect(modelName("pump-station")).toBe("pump_station");
  expect(modelName("200-P-1")).toBe("_200_P_1");
});
