// PLCopen export: every dataset example validates against the TC6 schema (xmllint), with one
// program per loop and per interlock, each instanced on the task.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWithFixtures, fixturePath } from "@plantgan/testing/fixtures";
import { afterAll, expect, it } from "vitest";
import { type Design, parseDesign } from "../../design/index.js";
import { interlockProgramName, loopProgramName, writePlcopen } from "./plcopen.js";

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

describeWithFixtures("PLCopen TC6 export", () => {
  const dir = mkdtempSync(join(tmpdir(), "plantgan-plcopen-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.for(examples)("%s validates against tc6_xml_v201.xsd", ([f, d], ctx) => {
    if (!existsSync(XMLLINT)) return ctx.skip(`${XMLLINT} is not installed`);
    const xml = writePlcopen(d, { createdAt: new Date("2025-01-01T00:00:00Z") });
    const file = join(dir, `${f}.xml`);
    writeFileSync(file, xml);
    const run = spawnSync(XMLLINT, ["--noout", "--schema", fixturePath("plcopen", "tc6_xml_v201.xsd"), file], {
      encoding: "utf8",
    });
    expect(run.stderr).toContain("validates");
    expect(run.status).toBe(0);
    const pous = [...xml.matchAll(/<pou name="([^"]+)" pouType="program">/g)].map((m) => m[1]);
    expect(pous).toEqual([...d.control.loops.map(loopProgramName), ...d.control.interlocks.map(interlockProgramName)]);
    expect(pous.length).toBeGreaterThan(0);
    for (const p of pous) expect(xml).toContain(`typeName="${p}"`);
  });

  it("the schema check is real: a broken document is refused", (ctx) => {
    if (!existsSync(XMLLINT)) return ctx.skip(`${XMLLINT} is not installed`);
    const xml = writePlcopen(examples[0]![1]).replace('pouType="program"', 'pouType="macro"');
    const file = join(dir, "broken.xml");
    writeFileSync(file, xml);
    const run = spawnSync(XMLLINT, ["--noout", "--schema", fixturePath("plcopen", "tc6_xml_v201.xsd"), file], {
      encoding: "utf8",
    });
    expect(run.status).not.toBe(0);
  });
});

it("loop action sets the sign of the error; interlock trips compare the right way", () => {
  const [, d] = examples.find(([f]) => f === "pump-station.json")!;
  const xml = writePlcopen(d);
  // LIC-101 is reverse acting, PIC-102 direct; I-101 is a low-low trip, I-102 high-high.
  expect(xml).toMatch(/LOOP_LIC_101[\s\S]*?error := SP - PV;/);
  expect(xml).toMatch(/LOOP_PIC_102[\s\S]*?error := PV - SP;/);
  expect(xml).toMatch(/IL_I_101[\s\S]*?IF PV &lt;= TRIP_SP THEN[\s\S]*?P_101A_STOP := TRIPPED;/);
  expect(xml).toMatch(/IL_I_102[\s\S]*?IF PV &gt;= TRIP_SP THEN/);
});
