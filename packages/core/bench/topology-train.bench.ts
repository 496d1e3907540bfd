/**
 * Trains the topology GAN (src/gan/topology) on a dataset split for a few epochs and reports the
 * losses, the time per epoch and, for a few validation requests, what the decoded samples hold
 * (equipment per requested type, lines, instruments, loops, interlocks) beside what was asked.
 *
 *   npx tsx --conditions=@plantgan/source packages/core/bench/topology-train.bench.ts \
 *     [--epochs 1] [--out dir] [--batch 16] [--limit N] [--size small|default] [--nmax 48] [--samples 5] [--seed 1]
 *     [--lr-g 1e-4] [--lr-d 3e-4] [--no-priors] [--reward 0] [--sequence] [--motifs] [--spare-sets] [--line-budget]
 *
 * --sequence draws each attachment and line row in sequence (gan/topology/row-sequence.ts); without
 * it every block of a row is drawn on its own.
 *
 * --motifs decodes every attachment row and listed line into one of the whole discrete rows the
 * split holds (gan/topology/row-motifs.ts), recorded from the split before training.
 *
 * --line-budget (with --motifs) draws as many lines as the slots' types hold in the data, the
 * likeliest by the line logits (gan/topology/line-budget.ts).
 *
 * --spare-sets keeps a spare set in one slot whose class is its size, drawn in the skeleton with the
 * type (gan/topology/spare-sets.ts; the spec's `spareSets`, skeleton groups type and spare).
 *
 * The generator's output biases start at the split's marginals (trainer.setOutputPriors) unless --no-priors.
 *
 * --reward W turns on the validator's REINFORCE reward (validity-reward.ts) with weight W (the
 * training run's default is model-sizes.ts TOPOLOGY_VALIDITY_REWARD).
 *
 * --limit uses the first N designs of the split (all by default). --size small trains narrower
 * nets (MLP 128, slots 32, critic 32), which a CPU can take through the whole split in minutes.
 * --out saves the EMA generator (model-io.ts layout) and writes metrics.jsonl there.
 */
import { appendFileSync, createReadStream, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createGunzip } from "node:zlib";
import { EQUIPMENT_TYPES } from "../src/design/vocabulary.js";
import { selectBackend } from "../src/gan/backend.js";
import { CONDITION_LAYOUT, COUNT_SCALE, conditionVector } from "../src/gan/condition.js";
import { readDesigns, streamSlotGraphs } from "../src/gan/topology/dataset.js";
import { decodeSlotGraph } from "../src/gan/topology/decode.js";
import { generateSlotGraphs, saveTopologyModel, topologyModelOf } from "../src/gan/topology/model-io.js";
import { observeRowMotifs } from "../src/gan/topology/row-motifs.js";
import { defaultSlotGraphSpec } from "../src/gan/topology/spec.js";
import {
  type CompactSlotGraph,
  compactSlotGraph,
  createTopologyTrainer,
  type TopologyTrainerInput,
} from "../src/gan/topology/training.js";
import { validityReward } from "../src/gan/topology/validity-reward.js";

const { values } = parseArgs({
  options: {
    epochs: { type: "string", default: "1" },
    out: { type: "string" },
    batch: { type: "string", default: "16" },
    limit: { type: "string" },
    size: { type: "string", default: "small" },
    nmax: { type: "string", default: "48" },
    samples: { type: "string", default: "5" },
    seed: { type: "string", default: "1" },
    split: { type: "string", default: "train" },
    "lr-g": { type: "string" },
    "lr-d": { type: "string" },
    "no-priors": { type: "boolean", default: false },
    reward: { type: "string", default: "0" },
    sequence: { type: "boolean", default: false },
    motifs: { type: "boolean", default: false },
    "spare-sets": { type: "boolean", default: false },
    "line-budget": { type: "boolean", default: false },
  },
});
const epochs = Number(values.epochs);
const batch = Number(values.batch);
const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit);
const seed = Number(values.seed);
const SIZES: Record<string, TopologyTrainerInput> = {
  small: { hidden: 128, slotHidden: 32, attentionKey: 16, edgeHidden: 32, criticHidden: 32 },
  default: {},
};
const size = SIZES[values.size];
if (size === undefined) throw new Error(`--size must be small or default; got ${values.size}`);

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const dataset = (split: string) => join(root, `datasets/synthetic-v1/${split}.ndjson.gz`);

function readLines(max: number) {
  return async function* (path: string) {
    const rl = createInterface({
      input: createReadStream(path).pipe(createGunzip()),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let n = 0;
    for await (const line of rl) {
      if (n++ >= max) break;
      yield line;
    }
    rl.close();
  };
}

const backend = await selectBackend({ log: () => {} });
const spareSets = values["spare-sets"];
const spec = defaultSlotGraphSpec(Number(values.nmax), { spareSets });
let t0 = performance.now();
const graphs: CompactSlotGraph[] = [];
const tally = { read: 0, skipped: {} as Record<string, number>, maxEquipment: 0 };
for await (const { graph } of streamSlotGraphs([dataset(values.split)], spec, readLines(limit), tally)) {
  graphs.push(compactSlotGraph(graph, spec));
}
console.log(
  `backend ${backend.name}; ${graphs.length} of ${tally.read} ${values.split} designs encoded in ${((performance.now() - t0) / 1000).toFixed(1)} s` +
    ` (skipped ${JSON.stringify(tally.skipped)}); nMax ${spec.nMax}, node width ${spec.nodeWidth}, edge width ${spec.edgeWidth}`,
);

const rates = {
  ...(values["lr-g"] ? { generatorLearningRate: Number(values["lr-g"]) } : {}),
  ...(values["lr-d"] ? { criticLearningRate: Number(values["lr-d"]) } : {}),
};
const rewardWeight = Number(values.reward);
const reward = rewardWeight > 0 ? { rewardWeight, rewardFn: validityReward(spec) } : {};
const sequence = values.sequence ? { attachmentSequence: true } : {};
// A set's size is chosen with its type, so that required counts can count its members (sample.ts).
const skeletonGroups = spareSets ? ["type", "spare"] : ((size as TopologyTrainerInput).skeletonGroups ?? ["type"]);
const lineBudget = values["line-budget"] === true;
const motifs = values.motifs ? { rowMotifs: observeRowMotifs(graphs, spec, skeletonGroups, { lineBudget }) } : {};
if (motifs.rowMotifs)
  console.log(`row motifs: ${motifs.rowMotifs.nodes.length} node, ${motifs.rowMotifs.lines.length} line`);
const trainer = createTopologyTrainer(
  spec,
  { ...size, skeletonGroups, ...rates, ...reward, ...sequence, ...motifs },
  seed,
);
console.log(
  `model ${values.size}: ${JSON.stringify({ ...trainer.config.model, rowMotifs: undefined })}; lr ${trainer.config.training.generatorLearningRate} / ${trainer.config.training.criticLearningRate}; validity reward ${rewardWeight}`,
);
if (!values["no-priors"]) trainer.setOutputPriors(graphs);
if (values.out) mkdirSync(values.out, { recursive: true });
for (let e = 0; e < epochs; e++) {
  t0 = performance.now();
  let last = t0;
  const summary = trainer.epoch(graphs, batch, (done, total, losses) => {
    const now = performance.now();
    if (now - last > 30_000 || done === total) {
      last = now;
      console.log(
        `  epoch ${e + 1}: ${done}/${total} graphs, ${((now - t0) / 1000).toFixed(0)} s, d_loss ${losses.d_loss.toFixed(3)} W ${losses.wasserstein.toFixed(3)} gp ${losses.gp.toFixed(3)}` +
          (losses.generatorUpdated
            ? ` g_adv ${losses.g_adversarial.toFixed(3)} count ${losses.count.toFixed(2)}`
            : "") +
          (Number.isNaN(losses.reward) ? "" : ` reward ${losses.reward.toFixed(3)}`),
      );
    }
  });
  const line = { epoch: summary.epoch, steps: summary.steps, seconds: summary.seconds, ...summary.mean };
  console.log(JSON.stringify(line));
  if (values.out) appendFileSync(join(values.out, "metrics.jsonl"), `${JSON.stringify(line)}\n`);
}
if (values.out) {
  const out = values.out;
  await saveTopologyModel(topologyModelOf(trainer), (path, bytes) => {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), bytes);
  });
  console.log(`saved to ${out}`);
}

// A few validation requests: what was asked against what the decoded samples hold.
const requests = [];
for await (const d of readDesigns([dataset("val")], readLines(Number(values.samples)))) requests.push(d);
const conditions = requests.map((d) => conditionVector(d));
const asked = conditions.map((c) =>
  EQUIPMENT_TYPES.map((_, t) => Math.round(c[CONDITION_LAYOUT.counts + t]! * COUNT_SCALE)),
);
const summarise = (counts: number[]) =>
  counts.flatMap((n, t) => (n > 0 ? [`${EQUIPMENT_TYPES[t]} ${n}`] : [])).join(", ") || "nothing";
for (const [mode, options] of [
  ["unconstrained", {}],
  ["required", { required: asked }],
] as const) {
  const { graphs: generated } = generateSlotGraphs(topologyModelOf(trainer), conditions, { seed, ...options });
  console.log(`\n${mode} (sampled decoding, seed ${seed}):`);
  for (const [k, g] of generated.entries()) {
    const design = requests[k]!;
    const decoded = decodeSlotGraph(g, spec, {
      processClass: design.processClass,
      site: design.site,
      id: `${design.id}-sample`,
      seed,
    });
    const held = EQUIPMENT_TYPES.map((t) => decoded.equipment.filter((e) => e.type === t).length);
    const kept = asked[k]!.every((n, t) => held[t]! >= n);
    console.log(
      `  ${design.id} (${design.processClass}): asked ${summarise(asked[k]!)} | got ${summarise(held)} ${kept ? "(holds the request)" : "(misses)"}` +
        ` | lines ${decoded.lines.length} (real ${design.lines.length}), instruments ${decoded.instruments?.length ?? 0} (real ${design.instruments?.length ?? 0}),` +
        ` loops ${decoded.control?.loops?.length ?? 0} (real ${design.control?.loops?.length ?? 0}), interlocks ${decoded.control?.interlocks?.length ?? 0} (real ${design.control?.interlocks?.length ?? 0})`,
    );
  }
}
trainer.dispose();
