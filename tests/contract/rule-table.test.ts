import { readFileSync } from "node:fs";
import { RULES } from "@plantgan/core/validate";
import { describe, expect, it } from "vitest";
import { renderRuleTable, withRuleTable } from "../scripts/rule-table.js";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("README rule table", () => {
  it("lists every rule the validator runs, with its source (pnpm gen:rules refreshes it)", () => {
    expect(withRuleTable(README)).toBe(README);
  });

  it("has one row per rule, each naming a source", () => {
    const rows = renderRuleTable()
      .split("\n")
      .filter((l) => l.startsWith("| `"));
    expect(rows).toHaveLength(RULES.length);
    for (const r of RULES) expect(r.source.trim().length, r.id).toBeGreaterThan(10);
  });
});
