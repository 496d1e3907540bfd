/**
 * The README's rule table, rendered from the validator's registry and the default rule pack, so it
 * can never list a rule the validator does not run or miss one it does.
 *
 *   pnpm gen:rules     rewrites the table between the README's markers
 *
 * tests/contract/rule-table.test.ts fails when the README's table is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { DEFAULT_RULE_PACK, RULES } from "@plantgan/core/validate";

export const START = "<!-- rules:start (pnpm gen:rules) -->";
export const END = "<!-- rules:end -->";

/** A table cell: one line, pipes escaped. */
const cell = (text: string): string => text.replace(/\s+/g, " ").replace(/\|/g, "\\|").trim();

/** The Markdown table of every rule, in the order the validator runs them. */
export function renderRuleTable(): string {
  const disabled = new Set(DEFAULT_RULE_PACK.disabledRules ?? []);
  const rows = RULES.map(
    (r) =>
      `| \`${r.id}\` | ${r.severity}${disabled.has(r.id) ? " (off by default)" : ""} | ${cell(r.description)} | ${cell(r.source)} |`,
  );
  return [
    `${RULES.length} rules. Every number a rule uses comes from the rule pack, each with its own source`,
    "(`packages/core/src/design/default.rule-pack.json`); a pack may disable or re-grade rules by id.",
    "",
    "| rule | severity | checks | source |",
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
}

/** The README with its rule table replaced (throws when the markers are missing). */
export function withRuleTable(readme: string): string {
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md has no rule-table markers (${START} … ${END})`);
  return `${readme.slice(0, from + START.length)}\n${renderRuleTable()}\n${readme.slice(to)}`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  const file = new URL("../../README.md", import.meta.url);
  writeFileSync(file, withRuleTable(readFileSync(file, "utf8")));
  console.log(`README.md: rule table with ${RULES.length} rules`);
}
