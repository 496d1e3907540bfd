import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "@plantgan/core/design";
import { DEFAULT_RULE_PACK } from "@plantgan/core/validate";
import { OWN_DEXPI, ownDexpiPath } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import { plantgan, REPO_ROOT } from "./run-cli.js";

const work = mkdtempSync(join(tmpdir(), "plantgan-validate-"));
const exampleFile = join(REPO_ROOT, "datasets/examples/pump-station.json");
const example = JSON.parse(readFileSync(exampleFile, "utf8"));

describe("plantgan validate", () => {
  it("passes a shipped clean example with exit 0", () => {
    const run = plantgan(["validate", exampleFile]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/0 error\(s\)/);
  });

  it("flags a planted fault with exit 1, naming the rule and the tags", () => {
    const design = structuredClone(example);
    const pump = design.equipment.find((e: { type: string }) => e.type === "pump");
    const other = design.equipment.find((e: { tag: string }) => e.tag !== pump.tag);
    other.x = pump.x;
    other.y = pump.y;
    const file = join(work, "overlap.json");
    writeFileSync(file, JSON.stringify(design));
    const run = plantgan(["validate", file, "--json"]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(parseDocument("validationReport", report).success).toBe(true);
    const overlap = report.violations.find((v: { rule: string }) => v.rule === "geometry.overlap");
    expect(overlap.tags).toEqual(expect.arrayContaining([pump.tag, other.tag]));
    expect(overlap.location).toMatchObject({ x: expect.any(Number), y: expect.any(Number) });
  });

  it("uses a user rule pack given with --rules", () => {
    const design = structuredClone(example);
    // A pack that demands 500 m between pumps makes the clean example fail.
    const pack = structuredClone(DEFAULT_RULE_PACK) as any;
    pack.id = "strict-pumps";
    pack.spacing.push({ a: { type: "pump" }, b: { type: "pump" }, distance: 500, source: "test: absurd pump spacing" });
    const packFile = join(work, "strict.json");
    writeFileSync(packFile, JSON.stringify(pack));
    const designFile = join(work, "clean.json");
    writeFileSync(designFile, JSON.stringify(design));
    const run = plantgan(["validate", designFile, "--rules", packFile, "--json"]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.rulePack.id).toBe("strict-pumps");
    expect(report.violations.some((v: { rule: string }) => v.rule === "geometry.spacing")).toBe(true);
  });

  it("refuses a rule pack that breaks its schema with exit 2 and the pointer", () => {
    const packFile = join(work, "bad-pack.json");
    writeFileSync(packFile, JSON.stringify({ ...DEFAULT_RULE_PACK, access: { clearance: -1, source: "x" } }));
    const run = plantgan(["validate", exampleFile, "--rules", packFile]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("/access");
  });

  it("gives exit 2 with the pointer for a design that is not valid", () => {
    const file = join(work, "invalid.json");
    writeFileSync(file, JSON.stringify({ ...example, site: { width: "wide", depth: 10 } }));
    const run = plantgan(["validate", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("/site/width");
  });

  it("says that a topology-only DEXPI design skipped geometry", () => {
    const run = plantgan(["validate", ownDexpiPath(OWN_DEXPI.pump), "--json"]);
    const report = JSON.parse(run.stdout);
    expect(report.geometryChecked).toBe(false);
    expect(report.skipped.map((s: { rule: string }) => s.rule)).toContain("geometry.overlap");
  });
});
