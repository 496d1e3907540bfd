import { readFileSync } from "node:fs";
import { type Design, parseDesign, parseDocument } from "@plantgan/core/design";
import { describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM script without types
import { renderSchemas, renderTypes } from "../../scripts/gen-types.mjs";
import { designMdExamples } from "./design-md.js";

const example = designMdExamples()[0] as Record<string, unknown>;
const clone = (): Record<string, any> => structuredClone(example) as Record<string, any>;

function pointersOf(input: unknown): string[] {
  const result = parseDesign(input);
  expect(result.success).toBe(false);
  return result.success ? [] : result.issues.map((i) => i.pointer);
}

describe("the design contract", () => {
  it("generated types and schema constants match the schemas (no drift)", async () => {
    const dir = new URL("../../packages/core/src/design/generated/", import.meta.url);
    expect(readFileSync(new URL("schemas.ts", dir), "utf8")).toBe(renderSchemas());
    expect(readFileSync(new URL("types.ts", dir), "utf8")).toBe(await renderTypes());
  });

  it("accepts every example of DESIGN.md", () => {
    const examples = designMdExamples();
    expect(examples.length).toBeGreaterThan(0);
    for (const e of examples) {
      const result = parseDesign(e);
      expect(result.success, JSON.stringify(!result.success && result.issues)).toBe(true);
    }
  });

  it("fills the contract's defaults", () => {
    const input = clone();
    delete input.equipment[0].rotation;
    delete input.equipment[0].z;
    delete input.equipment[0].hazard;
    delete input.site.gridSize;
    delete input.control;
    delete input.instruments;
    delete input.lines[0].service;
    delete input.lines[0].components;
    const result = parseDesign(input);
    if (!result.success) throw new Error(JSON.stringify(result.issues));
    const d: Design = result.data;
    expect(d.equipment[0]).toMatchObject({ rotation: 0, z: 0, hazard: "none" });
    expect(d.site).toMatchObject({ gridSize: 1, keepOut: expect.any(Array), racks: expect.any(Array) });
    expect(d.control).toEqual({ loops: [], interlocks: [] });
    expect(d.instruments).toEqual([]);
    expect(d.lines[0]).toMatchObject({ service: "process", components: [] });
    // The caller's object is never written to.
    expect(input.equipment[0].rotation).toBeUndefined();
  });

  it("accepts a topology-only design (no positions) and branch line ends", () => {
    const input = clone();
    for (const e of input.equipment) {
      delete e.x;
      delete e.y;
    }
    input.lines.push({
      id: "50-P-1002",
      from: { line: "150-P-1001-A1" },
      to: { tag: "P-101A", nozzle: "S" },
      size: 50,
    });
    expect(parseDesign(input).success).toBe(true);
  });

  it("refuses a wrong type with its pointer", () => {
    const input = clone();
    input.equipment[0].x = "22";
    expect(pointersOf(input)).toContain("/equipment/0/x");
  });

  it("refuses a missing required field with its pointer", () => {
    const input = clone();
    delete input.equipment[0].footprint;
    expect(pointersOf(input)).toEqual(["/equipment/0/footprint"]);
  });

  it("refuses a bad enum value, naming the allowed ones", () => {
    const input = clone();
    input.processClass = "refinery";
    const result = parseDesign(input);
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(result.issues[0]).toMatchObject({ pointer: "/processClass", keyword: "enum" });
      expect(result.issues[0]?.message).toContain("tank_farm");
    }
  });

  it.each(["p-101", "P101", "PUMP_1", "P-", "-101", "P-101abc"])("refuses the tag %j", (tag) => {
    const input = clone();
    input.equipment[0].tag = tag;
    expect(pointersOf(input)).toContain("/equipment/0/tag");
  });

  it.each(["P-101A", "FIC-101", "HV-1001", "I-101", "LT-101-A"])("accepts the tag %j", (tag) => {
    const input = clone();
    input.equipment[0].tag = tag;
    expect(parseDesign(input).success).toBe(true);
  });

  it("refuses an unknown field (a typo is not silently ignored)", () => {
    const input = clone();
    input.equipment[0].rotaton = 90;
    expect(pointersOf(input)).toEqual(["/equipment/0/rotaton"]);
  });

  it("refuses a malformed line end with one plain message", () => {
    const input = clone();
    input.lines[0].from = { tag: "T-101" };
    const result = parseDesign(input);
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(result.issues).toHaveLength(1);
      expect(result.issues[0]).toMatchObject({ pointer: "/lines/0/from", keyword: "oneOf" });
    }
  });

  it("points inside a line end when the fault is there", () => {
    const input = clone();
    input.lines[0].from = { tag: "bad tag", nozzle: "OUT" };
    expect(pointersOf(input)).toEqual(["/lines/0/from/tag"]);
  });

  it("reports every error, not only the first", () => {
    const input = clone();
    input.equipment[0].rotation = 45;
    input.lines[0].size = -3;
    input.site.width = 0;
    expect(pointersOf(input).sort()).toEqual(["/equipment/0/rotation", "/lines/0/size", "/site/width"]);
  });

  it.each(["__proto__", "constructor", "prototype"])("refuses the prototype key %s", (key) => {
    const text = JSON.stringify(clone()).replace('"tag":"P-101A"', `"tag":"P-101A","${key}":{"polluted":true}`);
    const result = parseDesign(text);
    expect(result.success).toBe(false);
    if (!result.success)
      expect(result.issues[0]).toMatchObject({ code: "forbidden_key", pointer: `/equipment/0/${key}` });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses absurd nesting without overflowing the stack", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const input = clone();
    const text = JSON.stringify({ ...input, metadata: { x: "PLACEHOLDER" } }).replace('"PLACEHOLDER"', deep);
    const result = parseDesign(text);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.issues[0]?.code).toBe("too_deep");
  });

  it("refuses text that is not JSON, and text over the size limit", () => {
    const broken = parseDesign('{"schemaVersion": "1.0",');
    expect(!broken.success && broken.issues[0]?.code).toBe("invalid_json");
    const big = parseDesign(JSON.stringify(clone()), { limits: { maxLength: 100 } });
    expect(!big.success && big.issues[0]?.code).toBe("too_large");
  });

  it("refuses values that are not JSON when given an object", () => {
    const input = clone();
    input.equipment[0].x = Number.NaN;
    const nan = parseDesign(input);
    expect(!nan.success && nan.issues[0]?.code).toBe("not_json_value");
    input.equipment[0].x = () => 1;
    expect(parseDesign(input).success).toBe(false);
  });

  it("checks the other documents against their schemas", () => {
    const request = {
      schemaVersion: "1.0",
      processClass: "tank_farm",
      site: { width: 100, depth: 80 },
      count: 2,
      seed: 7,
    };
    const parsed = parseDocument("generationRequest", request);
    expect(parsed.success && parsed.data).toMatchObject({ mode: "spec", truncation: 1, equipment: [] });
    const bad = parseDocument("generationRequest", { ...request, count: 0 });
    expect(!bad.success && bad.issues[0]?.pointer).toBe("/count");
  });
});
