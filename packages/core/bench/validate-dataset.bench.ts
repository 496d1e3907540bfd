/**
 * Findings of the rule pack over a shipped dataset: every design of every split is validated with
 * every rule on (the pack's disabled rules included, so rules still off by default are measured
 * too); prints findings per rule and severity, and the designs each rule fires on.
 *
 * Run: npx tsx --conditions=@plantgan/source packages/core/bench/validate-dataset.bench.ts [dir]
 * (dir defaults to datasets/synthetic-v1). Exit status 1 when a rule the default pack enables
 * reports an error.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseDesign } from "../src/design/index.js";
import { DEFAULT_RULE_PACK, RULES, validateDesign } from "../src/validate/index.js";

const dir = process.argv[2] ?? "datasets/synthetic-v1";
const everyRuleOn = { ...DEFAULT_RULE_PACK, disabledRules: [] };
const offByDefault = new Set(DEFAULT_RULE_PACK.disabledRules ?? []);

interface Count {
  findings: number;
  designs: number;
  severity: string;
  example?: string;
}
const counts = new Map<string, Count>(RULES.map((r) => [r.id, { findings: 0, designs: 0, severity: r.severity }]));
let designs = 0;
const started = performance.now();

for (const file of readdirSync(dir)
  .filter((f) => f.endsWith(".ndjson.gz"))
  .sort()) {
  const text = gunzipSync(readFileSync(join(dir, file))).toString("utf8");
  for (const row of text.split("\n")) {
    if (row.trim() === "") continue;
    const parsed = parseDesign(JSON.parse(row));
    if (!parsed.success) throw new Error(`${file}: a design does not parse: ${parsed.issues[0]?.message}`);
    designs++;
    const seen = new Set<string>();
    for (const v of validateDesign(parsed.data, everyRuleOn).violations) {
      const c = counts.get(v.rule)!;
      c.findings++;
      c.severity = v.severity;
      c.example ??= `${parsed.data.id}: ${v.message}`;
      if (!seen.has(v.rule)) {
        seen.add(v.rule);
        c.designs++;
      }
    }
  }
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`${designs} designs of ${dir}, every rule on, ${seconds} s\n`);
console.log("| rule | default | findings | designs |\n| --- | --- | ---: | ---: |");
let enabledErrors = 0;
for (const [id, c] of counts) {
  const state = offByDefault.has(id) ? "off" : "on";
  if (state === "on" && c.severity === "error") enabledErrors += c.findings;
  console.log(`| ${id} | ${state} | ${c.findings} | ${c.designs} |`);
}
console.log("\nFirst finding of each rule that fired:");
for (const [id, c] of counts) if (c.example) console.log(`- ${id}: ${c.example}`);
console.log(`\nErrors from rules the default pack enables: ${enabledErrors}`);
process.exitCode = enabledErrors > 0 ? 1 : 0;
