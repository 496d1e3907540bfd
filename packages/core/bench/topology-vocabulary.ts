/**
 * Records the discrete values a split holds (gan/topology/observed-vocabulary.ts) into a copy of a
 * topology model trained before models kept them, so that the same weights can be evaluated with
 * and without decoding restricted to what the data holds. A model trained now records it itself.
 *
 *   npx tsx --conditions=@plantgan/source packages/core/bench/topology-vocabulary.ts --model <dir> --out <dir> [--dataset datasets/synthetic-v1] [--split train]
 *
 * <dir> is a model folder holding topology/ (or the topology folder itself); --out gets topology/.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { streamSlotGraphs } from "../src/gan/topology/dataset.js";
import { TOPOLOGY_CONFIG_FILE } from "../src/gan/topology/model-io.js";
import { observeVocabulary } from "../src/gan/topology/observed-vocabulary.js";
import { compactSlotGraph, type TopologyTrainerConfig } from "../src/gan/topology/training.js";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    out: { type: "string" },
    dataset: { type: "string", default: "datasets/synthetic-v1" },
    split: { type: "string", default: "train" },
  },
});
if (!values.model || !values.out) throw new Error("--model and --out are required");
const source = existsSync(join(values.model, "topology")) ? join(values.model, "topology") : values.model;
const target = join(values.out, "topology");
mkdirSync(target, { recursive: true });
cpSync(source, target, { recursive: true });
const config = JSON.parse(readFileSync(join(target, TOPOLOGY_CONFIG_FILE), "utf8")) as TopologyTrainerConfig;

const file = join(values.dataset, `${values.split}.ndjson.gz`);
async function* readLines(path: string) {
  yield* gunzipSync(readFileSync(path)).toString("utf8").split("\n");
}
const graphs = [];
for await (const { graph } of streamSlotGraphs([file], config.spec, readLines)) {
  graphs.push(compactSlotGraph(graph, config.spec)); // dense graphs of a whole split do not fit in memory
}
const vocabulary = observeVocabulary(graphs, config.spec);
writeFileSync(join(target, TOPOLOGY_CONFIG_FILE), `${JSON.stringify({ ...config, vocabulary }, null, 2)}\n`);
const dn = vocabulary.lines["line1.dn"] ?? [];
console.log(`${graphs.length} ${values.split} designs; line1.dn classes seen: ${dn.join(", ")}; written to ${target}`);
