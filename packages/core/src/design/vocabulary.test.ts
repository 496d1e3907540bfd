import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_RULE_PACK } from "./rule-pack.js";
import {
  EQUIPMENT_TAG_PREFIX,
  EQUIPMENT_TYPES,
  GENERATION_REQUEST_DEFAULTS,
  PROCESS_CLASSES,
  RATINGS,
} from "./vocabulary.js";

const schema = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../../schemas/${name}.schema.json`, import.meta.url), "utf8"));

describe("the vocabulary", () => {
  const design = schema("plant-design");

  it("is the schema's enumerations, in schema order", () => {
    expect(PROCESS_CLASSES).toEqual(design.$defs.ProcessClass.enum);
    expect(EQUIPMENT_TYPES).toEqual(design.$defs.EquipmentType.enum);
    expect(RATINGS).toEqual(design.$defs.Rating.enum);
  });

  it("has one tag prefix per equipment type, each a valid start of a tag", () => {
    expect(Object.keys(EQUIPMENT_TAG_PREFIX).sort()).toEqual([...EQUIPMENT_TYPES].sort());
    const tag = new RegExp(design.$defs.Tag.pattern);
    for (const type of EQUIPMENT_TYPES) expect(`${EQUIPMENT_TAG_PREFIX[type]}-101`).toMatch(tag);
    // Two types sharing letters would make invented tags ambiguous.
    expect(new Set(Object.values(EQUIPMENT_TAG_PREFIX)).size).toBe(EQUIPMENT_TYPES.length);
  });

  it("takes the request's defaults from the generation-request schema", () => {
    const request = schema("generation-request");
    expect(GENERATION_REQUEST_DEFAULTS).toEqual({
      mode: request.properties.mode.default,
      count: request.properties.count.default,
      truncation: request.properties.truncation.default,
    });
  });
});

describe("the shipped rule pack", () => {
  it("is parsed with the schema's defaults filled", () => {
    // Every rule is on: piping.relief-free-draining joined once the router kept relief lines
    // falling to their disposal (issue 18).
    expect(DEFAULT_RULE_PACK.disabledRules).toEqual([]);
    expect(DEFAULT_RULE_PACK.routing).toMatchObject({ endTolerance: expect.any(Number) });
  });
});
