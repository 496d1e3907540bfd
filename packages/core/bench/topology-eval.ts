/**
 * Honest topology evaluation of the baseline topology sources (designer, retrieval, random graph)
 * on a split of a dataset against its training split: one markdown table, every metric, per class
 * and pooled (src/eval/README.md). The learned topology generator is added as one more source.
 *
 *   npx tsx --conditions=@plantgan/source packages/core/bench/topology-eval.ts [--dataset datasets/synthetic-v1] [--split val] [--per-class 10] [--per-request 10] [--seed 1] [--model datasets/models/default] [--noise-scale 1]
 *
 * --noise-scale τ samples the learned rows' lines and attachments from softmax(logits / τ) (1: the model's own distribution).
 *
 * With --model (a model folder holding topology/), the learned topology generator joins as four
 * rows: "learned" (the requested equipment forced at decoding and the hand-written contract masks
 * applied, as generation runs it), "learned, no contract masks" (the same without the masks of
 * gan/topology/contract-masks.ts), "learned, unconstrained" (what the model itself does with the
 * condition: no forced equipment, masks on) and "untrained" (the same
 * architecture with fresh weights: the ablation that shows what training added). A model that
 * recorded its training data's vocabulary (observed-vocabulary.ts) adds "learned, every value (no
 * vocabulary)": the same as "learned" but decoding into values the data never held. Each of them also
 * reports validity after repair (completeControl, as the pipeline completes control logic).
 *
 * Requests are the first `--per-class` designs of each class in the split, written by
 * requestFromDesign (class, site, equipment counts) and never topped up afterwards.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_RULE_PACK } from "../src/design/rule-pack.js";
import type { Design } from "../src/design/types.js";
import {
  designerSource,
  evaluateTopologySources,
  randomGraphSource,
  retrievalSource,
  topologyTable,
  trainingReference,
  wlFeatures,
} from "../src/eval/index.js";
import type { TopologySource } from "../src/eval/sources.js";
import { selectBackend } from "../src/gan/backend.js";
import { requestFromDesign } from "../src/gan/metrics.js";
import { loadTopologyModel, type TopologyModel, topologyModelOf } from "../src/gan/topology/model-io.js";
import { createTopologyTrainer } from "../src/gan/topology/training.js";
import { completeControl } from "../src/generate/control.js";
import { learnedTopology, SCREEN_DRAWS } from "../src/generate/learned-topology.js";
import type { TopologySource as PipelineSource } from "../src/generate/topology-source.js";
import { readSplit as readSplitOf } from "./topology-split.js";

const { values } = parseArgs({
  options: {
    dataset: { type: "string", default: "datasets/synthetic-v1" },
    split: { type: "string", default: "val" },
    "per-class": { type: "string", default: "10" },
    "per-request": { type: "string", default: "10" },
    seed: { type: "string", default: "1" },
    model: { type: "string" },
    "noise-scale": { type: "string", default: "1" },
  },
});

const readSplit = (name: string): Design[] => readSplitOf(values.dataset, name);

const perClass = Number(values["per-class"]);
const perRequest = Number(values["per-request"]);
const seed = Number(values.seed);

let t = performance.now();
const training = readSplit("train");
const held = readSplit(values.split);
console.error(
  `read ${training.length} training and ${held.length} ${values.split} designs in ${((performance.now() - t) / 1000).toFixed(1)} s`,
);

const taken = new Map<string, number>();
const requests = held
  .filter((d) => {
    const n = taken.get(d.processClass) ?? 0;
    taken.set(d.processClass, n + 1);
    return n < perClass;
  })
  .map((d, i) => requestFromDesign(d, seed + i));

t = performance.now();
const reference = trainingReference(training);
console.error(
  `training reference (WL index, statistics, MMD kernels) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
);

// Nearest-neighbour search speed over the whole training set.
const queries = held.slice(0, 100).map((d) => wlFeatures(d));
t = performance.now();
for (const q of queries) reference.index.nearest(q);
const perQuery = (performance.now() - t) / queries.length;
console.error(`nearest training design: ${perQuery.toFixed(2)} ms per query over ${reference.index.size} designs`);

/** A pipeline source judged raw, and after the pipeline's control completion as its repair. */
const withRepair =
  (source: PipelineSource): TopologySource =>
  (request, s) => {
    const topology = source.propose(request, s, DEFAULT_RULE_PACK);
    return { topology, repaired: completeControl(topology, DEFAULT_RULE_PACK).design };
  };

const learned: Record<string, TopologySource> = {};
if (values.model) {
  await selectBackend({ log: (line) => console.error(line) });
  const dir = join(values.model, "topology");
  const model: TopologyModel = await loadTopologyModel((path) => new Uint8Array(readFileSync(join(dir, path))));
  const untrained = topologyModelOf(createTopologyTrainer(model.config.spec, model.config, seed));
  const noiseScale = Number(values["noise-scale"]);
  // Every row but "screened" shows the generator's first draw (screenDraws 1): raw validity is the model's.
  const raw = { noiseScale, screenDraws: 1 };
  learned.learned = withRepair(learnedTopology(model, raw));
  learned[`learned, screened (${SCREEN_DRAWS} draws, as generation runs)`] = withRepair(
    learnedTopology(model, { noiseScale }),
  );
  learned["learned, no contract masks"] = withRepair(learnedTopology(model, { ...raw, contractMasks: false }));
  learned["learned, unconstrained"] = withRepair(learnedTopology(model, { ...raw, constrained: false }));
  if (model.vocabulary) {
    learned["learned, every value (no vocabulary)"] = withRepair(
      learnedTopology(model, { ...raw, observedOnly: false }),
    );
  }
  learned.untrained = withRepair(learnedTopology(untrained, raw));
}

t = performance.now();
const rows = await evaluateTopologySources(
  {
    ...learned,
    designer: designerSource,
    retrieval: retrievalSource(training),
    "random graph": randomGraphSource(training),
  },
  requests,
  reference,
  { perRequest, seed },
);
console.error(
  `evaluated ${requests.length} requests × ${perRequest} candidates × ${3 + Object.keys(learned).length} sources in ${((performance.now() - t) / 1000).toFixed(1)} s`,
);
console.log(topologyTable(rows));
