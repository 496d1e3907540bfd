import { readFileSync } from "node:fs";
import { cleanDesign, equipmentIn, lineIn, modifiedDesign } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import { parseDocument } from "../design/parse.js";
import type { RulePack, Violation } from "../design/types.js";
import { PROCESS_CLASSES } from "../design/vocabulary.js";
import {
  DEFAULT_RULE_PACK,
  loadRulePack,
  MAX_FINDINGS_PER_RULE,
  RULES,
  ruleById,
  TOPOLOGY_ONLY_REASON,
  validateDesign,
} from "./index.js";

/** A pump station with one fault of several kinds at once. */
function brokenStation() {
  return modifiedDesign("pump_station", (d) => {
    equipmentIn(d, "P-101B").x = 38.5; // access (warning), route ends (error)
    lineIn(d, "150-P-1005-B1").components = [{ type: "gate_valve" }]; // no check valve (error)
    d.instruments!.push({ tag: "FT-199", on: { tag: "V-101" } }); // flow on a drum (warning)
    const e = equipmentIn(d, "V-103");
    delete e.x; // partial placement (info)
    delete e.y;
  });
}

describe("the default rule pack", () => {
  it("is schema-valid, with every rule id it names known", () => {
    const loaded = loadRulePack(DEFAULT_RULE_PACK);
    expect(loaded.success, JSON.stringify(!loaded.success && loaded.issues)).toBe(true);
  });

  it("loads from its JSON text", () => {
    const text = readFileSync(new URL("../design/default.rule-pack.json", import.meta.url), "utf8");
    expect(loadRulePack(text).success).toBe(true);
  });

  it("cites a public source for every number", () => {
    const p = DEFAULT_RULE_PACK;
    const sources = [
      ...p.spacing.map((s) => s.source),
      p.tankSpacing.source,
      p.access.source,
      p.rackKeepFree.source,
      p.wind?.source,
      p.relief.source,
      p.flanges.source,
      p.sizes.source,
      p.routing?.source,
    ];
    for (const s of sources) expect(s?.length ?? 0).toBeGreaterThan(30);
    expect(p.tankSpacing.source).toMatch(/NFPA 30/);
    expect(p.relief.source).toMatch(/ASME/);
    expect(p.spacing.some((s) => /API Std 521/.test(s.source))).toBe(true);
  });
});

describe("loadRulePack", () => {
  it("refuses a pack that breaks the schema, with the pointer", () => {
    const { spacing: _, ...rest } = DEFAULT_RULE_PACK;
    const result = loadRulePack(rest);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.issues.map((i) => i.pointer)).toContain("/spacing");
  });

  it("refuses a negative distance", () => {
    const pack = structuredClone(DEFAULT_RULE_PACK) as RulePack;
    pack.access.clearance = -1;
    const result = loadRulePack(pack);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.issues[0]!.pointer).toBe("/access/clearance");
  });

  it("refuses unknown rule ids in disabledRules and severityOverrides", () => {
    const result = loadRulePack({
      ...DEFAULT_RULE_PACK,
      disabledRules: ["geometry.overlap", "geometry.nope"],
      severityOverrides: { "piping/x": "info" },
    });
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(result.issues.map((i) => i.pointer)).toEqual(["/disabledRules/1", "/severityOverrides/piping~1x"]);
      expect(result.issues[0]!.message).toMatch(/geometry\.nope/);
    }
  });

  it("fills the routing defaults from the schema", () => {
    const { routing: _, ...rest } = DEFAULT_RULE_PACK;
    const result = loadRulePack(rest);
    expect(result.success).toBe(true);
    if (result.success)
      expect(result.data.routing).toEqual({ endTolerance: 0.5, maxSegmentGap: 0.01, clashClearance: 0 });
  });
});

describe("the rule registry", () => {
  it("gives every rule a unique id in its category, a severity, a description and a source", () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^(geometry|piping|control|consistency)\.[a-z]+(-[a-z]+)*$/);
      expect(r.id.split(".")[0]).toBe(r.category);
      expect(["error", "warning", "info"]).toContain(r.severity);
      expect(r.description.length).toBeGreaterThan(20);
      expect(r.source.length).toBeGreaterThan(20);
      expect(ruleById(r.id)).toBe(r);
    }
  });
});

describe("validateDesign", () => {
  it("passes every clean design with no violation, checking geometry", () => {
    for (const pc of PROCESS_CLASSES) {
      const report = validateDesign(cleanDesign(pc));
      expect(report.violations, pc).toEqual([]);
      const off = DEFAULT_RULE_PACK.disabledRules ?? [];
      expect(report).toMatchObject({
        schemaVersion: "1.0",
        geometryChecked: true,
        designId: `clean-${pc.replace(/_/g, "-")}`,
      });
      // only the rules the shipped pack turns off are skipped
      expect(report.skipped.map((s) => s.rule).sort()).toEqual([...off].sort());
      expect(report.summary).toEqual({ errors: 0, warnings: 0, infos: 0, rulesRun: RULES.length - off.length });
    }
  });

  it("uses the default pack when none is given", () => {
    const d = brokenStation();
    expect(validateDesign(d)).toEqual(validateDesign(d, DEFAULT_RULE_PACK));
    expect(validateDesign(d).rulePack).toEqual({ id: DEFAULT_RULE_PACK.id, version: DEFAULT_RULE_PACK.version });
  });

  it("writes reports that match the validation-report schema", () => {
    for (const d of [cleanDesign("gas_compression"), brokenStation()]) {
      const report = validateDesign(d);
      const parsed = parseDocument("validationReport", report);
      expect(parsed.success, JSON.stringify(!parsed.success && parsed.issues)).toBe(true);
    }
  });

  it("counts by severity and orders violations stably: severity, rule, first tag or line, message", () => {
    const report = validateDesign(brokenStation());
    const { errors, warnings, infos } = report.summary;
    expect(errors).toBe(report.violations.filter((v) => v.severity === "error").length);
    expect(warnings).toBeGreaterThan(0);
    expect(infos).toBe(1);
    expect(errors + warnings + infos).toBe(report.violations.length);
    const rank = { error: 0, warning: 1, info: 2 };
    const key = (v: Violation) => [rank[v.severity], v.rule, v.tags[0] ?? v.lines[0] ?? "", v.message] as const;
    for (let i = 1; i < report.violations.length; i++) {
      const a = key(report.violations[i - 1]!);
      const b = key(report.violations[i]!);
      const order =
        a[0] - b[0] ||
        (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) ||
        (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0) ||
        (a[3] <= b[3] ? -1 : 1);
      expect(order, `${JSON.stringify(a)} before ${JSON.stringify(b)}`).toBeLessThan(0);
    }
    expect(validateDesign(brokenStation())).toEqual(report);
  });

  it("gives geometric findings a location the viewer can point at", () => {
    const report = validateDesign(brokenStation());
    const access = report.violations.find((v) => v.rule === "geometry.access-clearance");
    expect(access?.location).toEqual({ x: expect.any(Number), y: expect.any(Number), z: expect.any(Number) });
    expect(access!.location!.x).toBeCloseTo(37.25); // midway between P-101A (east edge 37) and P-101B (west edge 37.5)
  });

  it("skips geometric rules on a topology-only design and says so", () => {
    const d = modifiedDesign("pump_station", (input) => {
      for (const e of input.equipment) {
        delete e.x;
        delete e.y;
      }
      lineIn(input, "150-P-1005-B1").components = [{ type: "gate_valve" }];
    });
    const report = validateDesign(d, { ...DEFAULT_RULE_PACK, disabledRules: [] });
    expect(report.geometryChecked).toBe(false);
    const placedRules = RULES.filter((r) => r.appliesTo === "placed").map((r) => r.id);
    expect(report.skipped.map((s) => s.rule).sort()).toEqual([...placedRules].sort());
    for (const s of report.skipped) expect(s.reason).toBe(TOPOLOGY_ONLY_REASON);
    expect(report.summary.rulesRun).toBe(RULES.length - placedRules.length);
    expect(report.violations.map((v) => v.rule)).toEqual(["piping.pump-check-valve"]);
    expect(report.violations[0]!.location).toBeUndefined();
  });

  it("checks only the placed items of a partly placed design", () => {
    const d = modifiedDesign("pump_station", (input) => {
      const drum = equipmentIn(input, "V-102");
      delete drum.x;
      delete drum.y;
      equipmentIn(input, "P-101B").x = 37; // overlaps P-101A: still found
    });
    const report = validateDesign(d);
    expect(report.geometryChecked).toBe(true);
    expect(report.violations.filter((v) => v.rule === "geometry.overlap").map((v) => v.tags)).toEqual([
      ["P-101A", "P-101B"],
    ]);
    const partial = report.violations.find((v) => v.rule === "consistency.partial-placement");
    expect(partial).toMatchObject({ severity: "info", tags: ["V-102"] });
    // Routes to the unplaced drum are not checked against it.
    expect(report.violations.filter((v) => v.rule === "piping.route-ends" && v.tags.includes("V-102"))).toEqual([]);
  });

  it("honours the pack's disabledRules and severityOverrides", () => {
    const pack: RulePack = {
      ...DEFAULT_RULE_PACK,
      disabledRules: ["piping.pump-check-valve"],
      severityOverrides: { "geometry.access-clearance": "error" },
    };
    const report = validateDesign(brokenStation(), pack);
    expect(report.violations.some((v) => v.rule === "piping.pump-check-valve")).toBe(false);
    expect(report.skipped).toContainEqual({
      rule: "piping.pump-check-valve",
      reason: `disabled by rule pack ${pack.id}`,
    });
    expect(report.violations.find((v) => v.rule === "geometry.access-clearance")?.severity).toBe("error");
    expect(report.summary.rulesRun).toBe(RULES.length - 1);
  });

  it("stops a rule after MAX_FINDINGS_PER_RULE findings and says so", () => {
    const d = modifiedDesign("pump_station", (input) => {
      for (let i = 0; i < 120; i++) {
        input.equipment.push({
          tag: `V-${300 + i}`,
          type: "vessel",
          x: 90,
          y: 20,
          footprint: { width: 2, depth: 2, height: 2 },
        });
      }
    });
    const report = validateDesign(d, DEFAULT_RULE_PACK, { rules: RULES.filter((r) => r.id === "geometry.overlap") });
    expect(report.summary.errors).toBe(MAX_FINDINGS_PER_RULE);
    expect(report.summary.infos).toBe(1);
    expect(report.violations.at(-1)).toMatchObject({
      rule: "geometry.overlap",
      severity: "info",
      message: expect.stringMatching(/stopped after/),
    });
  });

  it("runs a given rule list instead of the registry", () => {
    const only = RULES.filter((r) => r.id === "geometry.overlap");
    const report = validateDesign(brokenStation(), DEFAULT_RULE_PACK, { rules: only });
    expect(report.summary.rulesRun).toBe(1);
    expect(report.violations).toEqual([]);
  });
});
