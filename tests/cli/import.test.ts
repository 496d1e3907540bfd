import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDesign } from "@plantgan/core/design";
import { OWN_DEXPI, OWN_DEXPI_DIR, ownDexpiPath } from "@plantgan/testing";
import { describeWithFixtures, fixturePath } from "@plantgan/testing/fixtures";
import { describe, expect, it } from "vitest";
import { designMdExamples } from "../contract/design-md.js";
import { plantgan } from "./run-cli.js";

const work = mkdtempSync(join(tmpdir(), "plantgan-cli-"));
const example = designMdExamples()[0] as Record<string, any>;
/** What a DEXPI file really holds: tags after normalisation, lines between nozzles, instruments,
 * and whether something could not be mapped (open-ended pipes, signal lines). */
interface DexpiHolds {
  readonly tags: string[];
  readonly lines: number;
  readonly instruments: number;
  readonly unmapped: boolean;
}

/** Imports one DEXPI file with the CLI and checks the design against what the file holds. */
function expectImported(path: string, name: string, want: DexpiHolds): void {
  const out = join(work, `${name}.json`);
  const run = plantgan(["import", path, "-o", out]);
  expect(run.code, run.stderr).toBe(0);
  const parsed = parseDesign(readFileSync(out, "utf8"));
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  expect(parsed.data.equipment.map((e) => e.tag).sort()).toEqual(want.tags);
  expect(parsed.data.lines).toHaveLength(want.lines);
  expect(parsed.data.instruments).toHaveLength(want.instruments);
  expect(run.stderr.includes("not mapped:")).toBe(want.unmapped);
  // Topology only: DEXPI positions are drawing coordinates, not plot positions.
  expect(parsed.data.equipment.every((e) => e.x === undefined && e.y === undefined)).toBe(true);
}

describeWithFixtures("plantgan import on the public DEXPI test cases", () => {
  // Counted in the XML of each public test case.
  const expected: Record<string, DexpiHolds> = {
    // Four of its five lines end in the open (battery limits); LIC-101 is a loop, not an instrument.
    "C05V01-SAG.EX01.xml": { tags: ["PU-112", "TA-113"], lines: 5, instruments: 3, unmapped: true },
    "E03V01-AUD.EX01.xml": { tags: ["P-4713"], lines: 0, instruments: 0, unmapped: false },
    // HC-02 is a hand control loop driving HV-02 on a line open at both ends.
    "I02V01-HEX.EX02.xml": { tags: [], lines: 1, instruments: 0, unmapped: false },
    "P01V01-AUD.EX01.xml": { tags: ["H-1009", "P-4712"], lines: 1, instruments: 0, unmapped: false },
  };
  const files = readdirSync(fixturePath("dexpi"))
    .filter((f) => f.endsWith(".xml"))
    .sort();

  it("knows every fixture", () => {
    expect(files).toEqual(Object.keys(expected).sort());
  });

  it.each(files)("imports the DEXPI fixture %s into a design parseDesign accepts", (file) => {
    expectImported(fixturePath("dexpi", file), file, expected[file]!);
  });
});

describe("plantgan import", () => {
  // The project's own DEXPI files (packages/testing/dexpi/README.md lists what each holds).
  const own: Record<string, DexpiHolds> = {
    [OWN_DEXPI.pump]: { tags: ["P-101", "T-100", "V-102"], lines: 2, instruments: 1, unmapped: false },
    [OWN_DEXPI.tankLevelLoop]: { tags: ["P-201", "T-202"], lines: 1, instruments: 1, unmapped: false },
    [OWN_DEXPI.teeBranch]: { tags: ["P-301", "V-302", "V-303"], lines: 2, instruments: 0, unmapped: false },
  };

  it.each(Object.keys(own))("imports the project's DEXPI file %s into a design parseDesign accepts", (file) => {
    expectImported(join(OWN_DEXPI_DIR, file), `own-${file}`, own[file]!);
  });

  it("reports per file what was accepted and refused, as JSON", () => {
    const good = join(work, "good.ndjson");
    const bad = { ...example, id: "bad-one", processClass: "refinery" };
    writeFileSync(good, `${JSON.stringify(example)}\n${JSON.stringify(bad)}\n`);
    const run = plantgan(["import", good, "--json"]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.accepted).toBe(1);
    expect(report.refused).toBe(1);
    expect(report.files[0].accepted[0]).toMatchObject({ id: "tankfarm-0007" });
    expect(report.files[0].refused[0].where).toMatch(/good\.ndjson:2$/);
    expect(report.files[0].refused[0].issues[0]).toMatchObject({ pointer: "/processClass", code: "schema" });
  });

  it("imports a folder recursively and writes several designs as NDJSON", () => {
    const dir = mkdtempSync(join(work, "folder-"));
    writeFileSync(join(dir, "a.json"), JSON.stringify(example));
    writeFileSync(join(dir, "b.json"), JSON.stringify({ ...example, id: "second" }));
    writeFileSync(join(dir, "notes.txt"), "ignored");
    const out = join(dir, "all.ndjson");
    const run = plantgan(["import", dir, "-o", out]);
    expect(run.code, run.stderr).toBe(0);
    const ids = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).id);
    expect(ids).toEqual(["tankfarm-0007", "second"]);
  });

  it("gives exit 2 and names the problem for malformed JSON", () => {
    const file = join(work, "broken.json");
    writeFileSync(file, '{"schemaVersion": "1.0", "id": ');
    const run = plantgan(["import", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("broken.json");
    expect(run.stderr).toMatch(/not valid JSON/);
  });

  it("gives exit 2 and names the problem for malformed XML", () => {
    const file = join(work, "broken.xml");
    writeFileSync(file, "<PlantModel><Equipment></PlantModel>");
    const run = plantgan(["import", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("broken.xml");
  });

  it("gives exit 2 with the pointer for a schema-invalid design", () => {
    const file = join(work, "invalid.json");
    writeFileSync(file, JSON.stringify({ ...example, equipment: [{ ...example.equipment[0], tag: "pump 1" }] }));
    const run = plantgan(["import", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("/equipment/0/tag");
  });

  it("gives exit 2 for a missing file and for bad usage", () => {
    expect(plantgan(["import", join(work, "nope.json")]).code).toBe(2);
    expect(plantgan(["import"]).code).toBe(2);
    expect(plantgan(["frobnicate"]).code).toBe(2);
  });

  it("has --help on every command", () => {
    for (const args of [["--help"], ["import", "--help"], ["info", "--help"]]) {
      const run = plantgan(args);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("Usage: plantgan");
    }
  });
});

describe("plantgan info", () => {
  it("summarises a design for a person", () => {
    const file = join(work, "example.json");
    writeFileSync(file, JSON.stringify(example));
    const run = plantgan(["info", file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("tankfarm-0007");
    expect(run.stdout).toMatch(/equipment\s+1: 1 pump/);
    expect(run.stdout).toMatch(/160 × 90 m/);
  });

  it("prints the summary as JSON with --json", () => {
    const file = join(work, "example2.json");
    writeFileSync(file, JSON.stringify(example));
    const run = plantgan(["info", file, "--json"]);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ id: "tankfarm-0007", processClass: "tank_farm", placement: "placed" });
    expect(summary.lines).toMatchObject({ total: 1, routed: 1 });
    expect(summary.components.byType).toEqual({ control_valve: 1, gate_valve: 1 });
  });

  it("summarises a DEXPI file as a topology", () => {
    const run = plantgan(["info", ownDexpiPath(OWN_DEXPI.pump), "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).placement).toBe("topology");
  });
});
