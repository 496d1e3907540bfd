/**
 * Why learned topologies fail validity: for the first `--per-class` requests of each class of a
 * split, `--per-request` learned candidates (requested equipment forced, as generation runs it),
 * tallies which of the layout-free rules (eval/validity.ts TOPOLOGY_RULES) fire, in how many
 * candidates and how many findings, beside the same tally on the real designs the requests came
 * from. Also prints the mean size of a candidate (equipment, lines, inline components,
 * instruments, loops, interlocks) beside the real designs'.
 *
 *   npx tsx --conditions=@plantgan/source packages/core/bench/topology-rules.bench.ts --model <folder with topology/> \
 *     [--dataset datasets/synthetic-v1] [--split val] [--per-class 5] [--per-request 1] [--seed 1] [--unconstrained] [--no-masks] [--noise-scale 1] [--examples 0]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { parseDesign } from "../src/design/parse.js";
import { DEFAULT_RULE_PACK } from "../src/design/rule-pack.js";
import type { Design } from "../src/design/types.js";
import { parseTopology } from "../src/eval/topology-graph.js";
import { TOPOLOGY_RULES } from "../src/eval/validity.js";
import { selectBackend } from "../src/gan/backend.js";
import { requestFromDesign } from "../src/gan/metrics.js";
import { loadTopologyModel } from "../src/gan/topology/model-io.js";
import { learnedTopology } from "../src/generate/learned-topology.js";
import { validateDesign } from "../src/validate/validate.js";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    dataset: { type: "string", default: "datasets/synthetic-v1" },
    split: { type: "string", default: "val" },
    "per-class": { type: "string", default: "5" },
    "per-request": { type: "string", default: "1" },
    seed: { type: "string", default: "1" },
    unconstrained: { type: "boolean", default: false },
    "no-masks": { type: "boolean", default: false },
    "noise-scale": { type: "string", default: "1" },
    examples: { type: "string", default: "0" },
  },
});
if (!values.model) throw new Error("--model <folder with topology/> is required");
const perClass = Number(values["per-class"]);
const perRequest = Number(values["per-request"]);
const seed = Number(values.seed);
const examples = Number(values.examples);

const held = gunzipSync(readFileSync(join(values.dataset, `${values.split}.ndjson.gz`)))
  .toString("utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => {
    const parsed = parseDesign(JSON.parse(l));
    if (!parsed.success) throw new Error("a design does not parse");
    return parsed.data;
  });
const taken = new Map<string, number>();
const real = held.filter((d) => {
  const n = taken.get(d.processClass) ?? 0;
  taken.set(d.processClass, n + 1);
  return n < perClass;
});

await selectBackend({ log: () => {} });
const dir = join(values.model, "topology");
const model = await loadTopologyModel((path) => new Uint8Array(readFileSync(join(dir, path))));
const source = learnedTopology(model, {
  constrained: !values.unconstrained,
  contractMasks: !values["no-masks"],
  noiseScale: Number(values["noise-scale"]),
});

interface Tally {
  designs: number;
  valid: number;
  unparsed: number;
  byRule: Map<string, { designs: number; findings: number; example: string }>;
  size: Record<string, number>;
}
const newTally = (): Tally => ({ designs: 0, valid: 0, unparsed: 0, byRule: new Map(), size: {} });

function sizeOf(d: Design): Record<string, number> {
  return {
    equipment: d.equipment.length,
    lines: d.lines.length,
    inline: d.lines.reduce((s, l) => s + (l.components?.length ?? 0), 0),
    instruments: d.instruments?.length ?? 0,
    loops: d.control?.loops?.length ?? 0,
    interlocks: d.control?.interlocks?.length ?? 0,
  };
}

function count(tally: Tally, design: Design | undefined): void {
  tally.designs++;
  if (!design) {
    tally.unparsed++;
    return;
  }
  for (const [k, v] of Object.entries(sizeOf(design))) tally.size[k] = (tally.size[k] ?? 0) + v;
  const errors = validateDesign(design, DEFAULT_RULE_PACK, { rules: TOPOLOGY_RULES }).violations.filter(
    (v) => v.severity === "error",
  );
  if (errors.length === 0) tally.valid++;
  const seen = new Set<string>();
  for (const v of errors) {
    const entry = tally.byRule.get(v.rule) ?? { designs: 0, findings: 0, example: v.message };
    entry.findings++;
    if (!seen.has(v.rule)) entry.designs++;
    seen.add(v.rule);
    tally.byRule.set(v.rule, entry);
  }
}

const learned = newTally();
const reference = newTally();
const started = performance.now();
for (const [i, design] of real.entries()) {
  count(reference, design);
  const request = requestFromDesign(design, seed + i);
  for (let k = 0; k < perRequest; k++) {
    const proposed = source.propose(request, seed + i * perRequest + k, DEFAULT_RULE_PACK);
    count(learned, parseTopology(proposed));
  }
}
const seconds = (performance.now() - started) / 1000;

const print = (name: string, t: Tally) => {
  console.log(
    `\n## ${name}: ${t.designs} designs, ${t.valid} valid (${(t.valid / t.designs).toFixed(2)}), ${t.unparsed} unparsed`,
  );
  const parsed = t.designs - t.unparsed;
  console.log(
    `mean size: ${Object.entries(t.size)
      .map(([k, v]) => `${k} ${(v / Math.max(1, parsed)).toFixed(1)}`)
      .join(", ")}`,
  );
  console.log("\n| rule | designs | share | findings | findings/design | example |\n|---|---|---|---|---|---|");
  for (const [rule, e] of [...t.byRule].sort((a, b) => b[1].designs - a[1].designs || b[1].findings - a[1].findings)) {
    const example = examples > 0 ? e.example.slice(0, 140).replaceAll("|", "/") : "";
    console.log(
      `| ${rule} | ${e.designs} | ${(e.designs / t.designs).toFixed(2)} | ${e.findings} | ${(e.findings / t.designs).toFixed(1)} | ${example} |`,
    );
  }
};
console.log(
  `${real.length} ${values.split} requests × ${perRequest} candidates (${values.unconstrained ? "unconstrained" : "requested equipment forced"}, contract masks ${values["no-masks"] ? "off" : "on"}), model ${values.model}, ${seconds.toFixed(1)} s; ${TOPOLOGY_RULES.length} layout-free rules`,
);
print("learned", learned);
print(`real ${values.split} designs`, reference);
