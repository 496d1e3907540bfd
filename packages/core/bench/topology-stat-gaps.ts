/**
 * Where a learned topology source's graph statistics (src/eval/topology-stats.ts, the ones the
 * eval's MMD compares) sit furthest from the training split's: per statistic, the generated mean
 * per design against the training mean, in training standard deviations (floored at half a count,
 * as the MMD's standardisation: the same `statScale`). The eval's energy-distance MMD² says how far
 * a source's designs are as a whole; these gaps say which statistics make up that distance.
 *
 *   npx tsx --conditions=@plantgan/source packages/core/bench/topology-stat-gaps.ts --model <dir> [--model <dir> ...] [--split val] [--per-class 10] [--per-request 3] [--top 12] [--seed 1]
 *
 * Each model is generated as "learned" is in the eval (requested equipment forced, contract masks on).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseDesign } from "../src/design/parse.js";
import { DEFAULT_RULE_PACK } from "../src/design/rule-pack.js";
import type { Design } from "../src/design/types.js";
import { statScale } from "../src/eval/mmd.js";
import { TOPOLOGY_STAT_NAMES, topologyStats } from "../src/eval/topology-stats.js";
import { selectBackend } from "../src/gan/backend.js";
import { requestFromDesign } from "../src/gan/metrics.js";
import { loadTopologyModel } from "../src/gan/topology/model-io.js";
import { learnedTopology } from "../src/generate/learned-topology.js";
import { readSplit as readSplitOf } from "./topology-split.js";

const { values } = parseArgs({
  options: {
    model: { type: "string", multiple: true },
    dataset: { type: "string", default: "datasets/synthetic-v1" },
    split: { type: "string", default: "val" },
    "per-class": { type: "string", default: "10" },
    "per-request": { type: "string", default: "3" },
    top: { type: "string", default: "12" },
    seed: { type: "string", default: "1" },
  },
});
const models = values.model ?? [];
if (models.length === 0) throw new Error("give at least one --model <dir>");

const readSplit = (name: string): Design[] => readSplitOf(values.dataset, name);

const seed = Number(values.seed);
const perClass = Number(values["per-class"]);
const perRequest = Number(values["per-request"]);
const training = readSplit("train").map(topologyStats);
const taken = new Map<string, number>();
const requests = readSplit(values.split)
  .filter((d) => {
    const n = taken.get(d.processClass) ?? 0;
    taken.set(d.processClass, n + 1);
    return n < perClass;
  })
  .map((d, i) => requestFromDesign(d, seed + i));

const width = TOPOLOGY_STAT_NAMES.length;
const meanOf = (rows: readonly number[][]) =>
  Array.from({ length: width }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / Math.max(1, rows.length));
// The eval's MMD scale (src/eval/mmd.ts): gaps are in the units its distances are measured in.
const { mean: trainMean, std: trainStd } = statScale(training);

await selectBackend({ log: () => {} });
const gaps = new Map<string, number[]>();
const means = new Map<string, number[]>();
for (const dir of models) {
  const model = await loadTopologyModel((path) => new Uint8Array(readFileSync(join(dir, "topology", path))));
  const source = learnedTopology(model);
  const rows: number[][] = [];
  for (const [i, request] of requests.entries()) {
    for (let k = 0; k < perRequest; k++) {
      const parsed = parseDesign(source.propose(request, seed + i * perRequest + k, DEFAULT_RULE_PACK));
      if (parsed.success) rows.push(topologyStats(parsed.data));
    }
  }
  const m = meanOf(rows);
  means.set(dir, m);
  gaps.set(
    dir,
    m.map((v, j) => (v - trainMean[j]!) / trainStd[j]!),
  );
  const total = gaps.get(dir)!.reduce((s, g) => s + Math.abs(g), 0);
  console.log(`${dir}: ${rows.length} designs; sum of |gap| over ${width} statistics ${total.toFixed(1)}`);
}

// The statistics furthest off for any model, with every model's figure beside them.
const worst = TOPOLOGY_STAT_NAMES.map((name, j) => ({
  name,
  j,
  gap: Math.max(...models.map((d) => Math.abs(gaps.get(d)![j]!))),
}))
  .sort((a, b) => b.gap - a.gap)
  .slice(0, Number(values.top));
console.log(`\n| statistic | training mean | ${models.map((d) => `${d} mean (gap)`).join(" | ")} |`);
console.log(`|---|---|${models.map(() => "---|").join("")}`);
for (const { name, j } of worst) {
  const cells = models.map((d) => `${means.get(d)![j]!.toFixed(2)} (${gaps.get(d)![j]!.toFixed(1)})`);
  console.log(`| ${name} | ${trainMean[j]!.toFixed(2)} | ${cells.join(" | ")} |`);
}
