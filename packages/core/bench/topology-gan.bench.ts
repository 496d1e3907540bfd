/**
 * Topology GAN benchmark (issue #14): training samples/s and generation graphs/s of the slot-graph
 * generator (src/gan/topology) at nMax 48 and 96, on the backend selectBackend picks
 * (tfjs-node-gpu → tfjs-node → wasm → cpu), with the default model widths.
 *
 *   npx tsx --conditions=@plantgan/source packages/core/bench/topology-gan.bench.ts [--batch B] [--steps S] [--designs D] [--nmax 48,96]
 *
 * Training samples/s counts real slot graphs (the first D designs of datasets/synthetic-v1 val,
 * encoded by encode.ts) through `trainer.step`: a critic update with the gradient penalty every
 * step and a generator update every 2nd, as in training; the first step (tracing, allocation) is
 * not timed. Generation graphs/s is `generateSlotGraphs` from the EMA generator on those designs'
 * conditions, sampled decoding (the default), with the requested equipment forced (`required`), dense rows out.
 */
import { createReadStream } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createGunzip } from "node:zlib";
import * as tf from "@tensorflow/tfjs-core";
import { EQUIPMENT_TYPES } from "../src/design/vocabulary.js";
import { selectBackend } from "../src/gan/backend.js";
import { CONDITION_LAYOUT, COUNT_SCALE } from "../src/gan/condition.js";
import { loadSlotGraphs } from "../src/gan/topology/dataset.js";
import { lineCapacity } from "../src/gan/topology/generator.js";
import { generateSlotGraphs, topologyModelOf } from "../src/gan/topology/model-io.js";
import { defaultSlotGraphSpec } from "../src/gan/topology/spec.js";
import {
  compactSlotGraph,
  createTopologyTrainer,
  disposeTopologyBatch,
  makeTopologyBatch,
} from "../src/gan/topology/training.js";

const { values } = parseArgs({
  options: {
    batch: { type: "string", default: "16" },
    steps: { type: "string", default: "4" },
    designs: { type: "string", default: "32" },
    nmax: { type: "string", default: "48,96" },
  },
});
const batch = Number(values.batch);
const steps = Number(values.steps);
const designs = Number(values.designs);

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const split = join(root, "datasets/synthetic-v1/val.ndjson.gz");

/** The first `limit` lines of a gzipped NDJSON file. */
function firstLines(limit: number) {
  return async function* (path: string) {
    const rl = createInterface({
      input: createReadStream(path).pipe(createGunzip()),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let n = 0;
    for await (const line of rl) {
      if (n++ >= limit) break;
      yield line;
    }
    rl.close();
  };
}

const backend = await selectBackend({ log: () => {} });
console.log(`backend: ${backend.name}`);
console.log("nMax | train samples/s | generate graphs/s | batch | designs | lines/slot");
for (const nMax of values.nmax.split(",").map(Number)) {
  const spec = defaultSlotGraphSpec(nMax);
  const set = await loadSlotGraphs([split], spec, firstLines(designs));
  const graphs = set.graphs.map((g) => compactSlotGraph(g, spec));
  const trainer = createTopologyTrainer(spec, {}, 1);
  const capacity = lineCapacity(spec, trainer.config.model);
  const pick = (k: number) => Array.from({ length: batch }, (_, i) => graphs[(k * batch + i) % graphs.length]!);

  const warm = makeTopologyBatch(pick(0), spec, capacity);
  trainer.step(warm);
  disposeTopologyBatch(warm);
  let seconds = 0;
  for (let s = 1; s <= steps; s++) {
    const b = makeTopologyBatch(pick(s), spec, capacity);
    const t0 = performance.now();
    trainer.step(b);
    seconds += (performance.now() - t0) / 1000;
    disposeTopologyBatch(b);
  }
  const trainRate = (steps * batch) / seconds;

  const conditions = graphs.map((g) => g.condition);
  const required = conditions.map((c) =>
    EQUIPMENT_TYPES.map((_, t) => Math.round(c[CONDITION_LAYOUT.counts + t]! * COUNT_SCALE)),
  );
  const model = topologyModelOf(trainer);
  generateSlotGraphs(model, conditions.slice(0, 2), { seed: 0, required: required.slice(0, 2) }); // warm
  const t0 = performance.now();
  generateSlotGraphs(model, conditions, { seed: 1, required });
  const genRate = conditions.length / ((performance.now() - t0) / 1000);
  console.log(
    `${nMax} | ${trainRate.toFixed(2)} | ${genRate.toFixed(2)} | ${batch} | ${graphs.length} | ${trainer.config.model.linesPerSlot}`,
  );
  trainer.dispose();
  if (tf.memory().numTensors > 0) tf.disposeVariables();
}
