/**
 * The shipped rule pack: every number in it sits in a section that names its public source, and
 * the schema asks the same of a company's own pack.
 */
import { describe, expect, it } from "vitest";
import { rulePackSchema } from "../design/generated/schemas.js";
import { DEFAULT_RULE_PACK, loadRulePack } from "./index.js";

/** JSON pointers of the numbers in `value` with no `source` string on their object or an enclosing one. */
function unsourcedNumbers(value: unknown, pointer = "", sourced = false): string[] {
  if (typeof value === "number") return sourced ? [] : [pointer];
  if (Array.isArray(value)) return value.flatMap((v, i) => unsourcedNumbers(v, `${pointer}/${i}`, sourced));
  if (value === null || typeof value !== "object") return [];
  const record = value as Record<string, unknown>;
  const here = sourced || (typeof record.source === "string" && record.source.trim().length > 10);
  return Object.entries(record).flatMap(([k, v]) => unsourcedNumbers(v, `${pointer}/${k}`, here));
}

describe("the default rule pack", () => {
  it("cites a source for every number it holds", () => {
    expect(unsourcedNumbers(DEFAULT_RULE_PACK)).toEqual([]);
  });

  it("finds a number left without a source", () => {
    const bare = { ...DEFAULT_RULE_PACK, hazardousArea: { extent: 9 } };
    expect(unsourcedNumbers(bare)).toEqual(["/hazardousArea/extent"]);
  });

  it("passes its own schema", () => {
    expect(loadRulePack(DEFAULT_RULE_PACK).success).toBe(true);
  });

  it("the schema refuses a numeric section of a company pack that drops its source", () => {
    const sections = Object.entries(rulePackSchema.properties).filter(
      ([, s]) => "properties" in s && "source" in (s.properties as object),
    );
    expect(sections.length).toBeGreaterThan(10);
    for (const [name] of sections) {
      const section = (DEFAULT_RULE_PACK as unknown as Record<string, Record<string, unknown>>)[name];
      if (section === undefined || name === "routing") continue;
      const { source: _, ...withoutSource } = section;
      const parsed = loadRulePack({ ...DEFAULT_RULE_PACK, [name]: withoutSource });
      expect(parsed.success, name).toBe(false);
    }
  });
});
