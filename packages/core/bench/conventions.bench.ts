/**
 * Issue 14 item 5 at full size: the topology GAN learns a company's house conventions. Builds the
 * house's variant of the training split (eval/house-conventions.ts: A/B pumps spared 2-out-of-3,
 * block valves and a bypass around every control valve, a PI gauge on every line leaving a
 * pump), trains the topology GAN on it, and scores the model, its untrained weights, the designer
 * and retrieval (nearest house design) on requests written from the house's variant of val
 * designs: the eval harness table, then each convention's share per class and pooled.
 *
 *   npx tsx --conditions=@plantgan/source packages/core/bench/conventions.bench.ts \
 *     [--epochs 4] [--batch 16] [--size tiny|small|default] [--nmax 48] [--per-class 10] [--per-request 1] [--limit N] [--classes a,b] [--seed 1]
 *     [--g-lr 1e-4] [--d-lr 3e-4] [--ema 0.999] [--sequence | --motifs] [--spare-sets]
 *
 * Figures of the issue's note (2026-12-06, wasm on a loaded 2-core machine, 26 min in all):
 *
 *   npx tsx --conditions=@plantgan/source packages/core/bench/conventions.bench.ts --epochs 7 --size tiny --ema 0.99 --g-lr 3e-3 --d-lr 3e-3
 *
 * 1,416 house training designs (distillation and reactor_section have none: their flare-line
 * control valves share a pair with a relief line, so a bypass would be a third line of the pair;
 * utilities keeps 82, pump_station 134); 48 requests. Pooled shares (pumps2oo3, stations, gauges):
 * designer 0.06, 0.00, 0.00; retrieval 1.00, 1.00, 1.00; the model and its untrained weights
 * generate no control valve, no spared pump set and no line leaving a pump, so every convention is
 * 0 or does not apply (line by line: 0 of 351 pumps in sets of 3, no pump line, no control valve).
 *
 * With row motifs (2026-12-07, same data, 48 requests, 13:58-14:13, load 0.7-2.7):
 *
 *   nice -n 5 npx tsx --conditions=@plantgan/source packages/core/bench/conventions.bench.ts --epochs 4 --size tiny --ema 0.9 --g-lr 3e-3 --d-lr 3e-3 [--motifs]
 *
 * Pooled shares (pumps2oo3, stations, gauges): motifs 0.00, 0.07, 0.04; untrained with the same
 * table and priors –, 0.17, 0.00; without motifs –, 0.00, 0.00 (untrained –, 0.00, 0.24); designer
 * 0.06, 0.00, 0.00; retrieval 1.00 each. Line by line, motifs against none: pump lines with a PI
 * 337/386 against 154/407, control valves with blocks both sides 129/129 against 48/202, with a
 * bypass 25/129 against 0/202 (untrained with motifs 44/112), pumps in sets of 3 0/372 against
 * 0/292. --epochs 8 --motifs (beside the base run, 14:03-14:12): 0.50 (one of the two designs with a spared
 * set; 3/370 pumps in sets of 3), 0.10, 0.15; PI 376/395, blocks 218/218, bypass 43/218. Motifs
 * carry a row whole (a valve with its blocks, a line with its gauge); a bypass (a second line teed
 * into the valve's line) and a 2oo3 set (three pumps sharing both headers) span rows, and a design
 * follows only when every valve and every pump does. The issue's bar (model >= 0.80 per
 * convention, designer <= 0.10) is not met.
 *
 * With the decoding fixes, the member branches and the end lines of gan/topology/README.md "House
 * conventions" (2026-12-07 19:48-20:02, load 11-14; the epoch 286 s):
 *
 *   nice -n 10 npx tsx --conditions=@plantgan/source packages/core/bench/conventions.bench.ts --epochs 1 --size tiny --ema 0.9 --g-lr 3e-3 --d-lr 3e-3 --motifs --spare-sets [--control]
 *
 * Pooled (pumps2oo3, stations, gauges): model 1.00, 1.00, 1.00 (every class 1.00); types required
 * 1.00, 1.00, 0.98; untrained weights with the same table 1.00, 1.00, 1.00; designer 0.06, 0.00,
 * 0.00; retrieval 1.00 each. The table counted from the house's data carries them, not the steps.
 * --control (20:05-20:18, load 4-9; the other rows the same) adds the same setup and training on
 * the same designs as the designer drew them: 0.05, 0.00, 0.00.
 *
 * --limit takes the first N training designs of each class; --classes restricts to those classes.
 * The EMA generator is the one scored: with few steps, lower --ema (0.999 averages over ~1000 steps).
 * "model, types required" decodes with the requested equipment forced (sample.ts); "model" without.
 * --sequence trains the within-row sequential attachment head (gan/topology/row-sequence.ts).
 * --motifs decodes each item and line row into a whole row of the house graphs (gan/topology/row-motifs.ts).
 * --spare-sets keeps a spare set in one slot whose class is its size (gan/topology/spare-sets.ts).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { parseDesign } from "../src/design/parse.js";
import { type Design, isNozzleEnd } from "../src/design/types.js";
import { EQUIPMENT_TYPES } from "../src/design/vocabulary.js";
import { HOUSE_CONVENTIONS, houseVariant } from "../src/eval/house-conventions.js";
import {
  designerSource,
  evaluateTopologySources,
  POOLED,
  retrievalSource,
  type TopologyRow,
  type TopologySourceFunction,
  topologyTable,
} from "../src/eval/index.js";
import { controlValveStations, pumpGroups } from "../src/eval/motifs.js";
import { parseTopology } from "../src/eval/topology-graph.js";
import { selectBackend } from "../src/gan/backend.js";
import { CONDITION_LAYOUT, COUNT_SCALE, conditionVector } from "../src/gan/condition.js";
import { requestFromDesign } from "../src/gan/metrics.js";
import { decodeSlotGraph } from "../src/gan/topology/decode.js";
import { encodeSlotGraphWithLosses } from "../src/gan/topology/encode.js";
import { generateSlotGraphs, type TopologyModel, topologyModelOf } from "../src/gan/topology/model-io.js";
import { observeRowMotifs, type RowMotifs } from "../src/gan/topology/row-motifs.js";
import type { MemberBranch } from "../src/gan/topology/spare-sets.js";
import { defaultSlotGraphSpec } from "../src/gan/topology/spec.js";
import {
  type CompactSlotGraph,
  compactSlotGraph,
  createTopologyTrainer,
  type TopologyTrainerInput,
} from "../src/gan/topology/training.js";

const { values } = parseArgs({
  options: {
    epochs: { type: "string", default: "4" },
    batch: { type: "string", default: "16" },
    size: { type: "string", default: "small" },
    "per-class": { type: "string", default: "10" },
    "per-request": { type: "string", default: "1" },
    limit: { type: "string" },
    classes: { type: "string" },
    seed: { type: "string", default: "1" },
    "g-lr": { type: "string", default: "1e-4" },
    "d-lr": { type: "string", default: "3e-4" },
    ema: { type: "string", default: "0.999" },
    nmax: { type: "string", default: "48" },
    sequence: { type: "boolean", default: false },
    motifs: { type: "boolean", default: false },
    "spare-sets": { type: "boolean", default: false },
    "plain-table": { type: "boolean", default: false },
    control: { type: "boolean", default: false },
  },
});
const SIZES: Record<string, TopologyTrainerInput> = {
  small: { hidden: 128, slotHidden: 32, attentionKey: 16, edgeHidden: 32, criticHidden: 32 },
  tiny: { hidden: 64, slotHidden: 16, attentionBlocks: 1, attentionKey: 8, edgeHidden: 16, criticHidden: 16 },
  default: {},
};
const named = SIZES[values.size];
if (named === undefined) throw new Error(`--size must be tiny, small or default; got ${values.size}`);
// --spare-sets: a spare set is one slot, its size drawn with the type (gan/topology/spare-sets.ts).
const spareSets = values["spare-sets"];
const size: TopologyTrainerInput = spareSets ? { ...named, skeletonGroups: ["type", "spare"] } : named;
const seed = Number(values.seed);
const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit);
const classes = values.classes?.split(",");

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
function readSplit(name: string): Design[] {
  const text = gunzipSync(readFileSync(join(root, `datasets/synthetic-v1/${name}.ndjson.gz`))).toString("utf8");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const parsed = parseDesign(JSON.parse(l));
      if (!parsed.success) throw new Error(`${name}: a design does not parse`);
      return parsed.data;
    })
    .filter((d) => classes === undefined || classes.includes(d.processClass));
}

const spec = defaultSlotGraphSpec(Number(values.nmax), { spareSets });

/** The house's variant of a split: kept designs and graphs, first `most` per class, and the tally of what was left out. */
function variantOf(designs: readonly Design[], most: number) {
  // Compact graphs: a dense one is ~7.5 MB at nMax 48, and two sets of 1,416 do not fit in memory.
  const kept: { design: Design; graph: CompactSlotGraph; memberBranches: readonly MemberBranch[] }[] = [];
  const tally: Record<string, Record<string, number>> = {};
  for (const d of designs) {
    const t = tally[d.processClass] ?? { read: 0, kept: 0 };
    tally[d.processClass] = t;
    if (t.kept! >= most) continue;
    t.read!++;
    const item = houseVariant(d, HOUSE_CONVENTIONS, spec);
    if ("skipped" in item) {
      t[item.skipped] = (t[item.skipped] ?? 0) + 1;
      continue;
    }
    t.kept!++;
    kept.push({ ...item, graph: compactSlotGraph(item.graph, spec) });
  }
  return { kept, tally };
}

/**
 * Parts of each convention, counted line by line over a source's designs, so that a model that has
 * learnt some of a convention (a gauge on some pump lines) shows it before whole designs follow it.
 */
const PARTS = [
  "pump lines with a PI",
  "CVs with blocks both sides",
  "CVs with a bypass",
  "pumps in sets of 3",
] as const;
function countParts(designs: readonly Design[]): Record<(typeof PARTS)[number], [number, number]> {
  const tally = Object.fromEntries(PARTS.map((p) => [p, [0, 0]])) as Record<(typeof PARTS)[number], [number, number]>;
  const add = (part: (typeof PARTS)[number], hit: boolean) => {
    tally[part][0] += hit ? 1 : 0;
    tally[part][1] += 1;
  };
  for (const d of designs) {
    const pumps = new Set(d.equipment.filter((e) => e.type === "pump").map((e) => e.tag));
    const gauged = new Set(
      d.instruments.flatMap((i) => (i.on && "line" in i.on && /^PI-/.test(i.tag) ? [i.on.line] : [])),
    );
    for (const l of d.lines) if (isNozzleEnd(l.from) && pumps.has(l.from.tag)) add(PARTS[0], gauged.has(l.id));
    for (const s of controlValveStations(d)) {
      add(PARTS[1], s.blocksBothSides);
      add(PARTS[2], s.bypass);
    }
    for (const g of pumpGroups(d)) for (const _ of g) add(PARTS[3], g.length === 3);
  }
  return tally;
}

/** The designs a source made, parsed, by source name (filled as the harness runs them). */
const made = new Map<string, Design[]>();
function recorded(name: string, source: TopologySourceFunction): TopologySourceFunction {
  return async (request, s) => {
    const out = await source(request, s);
    const parsed = parseTopology("topology" in out ? out.topology : out);
    if (parsed) made.set(name, [...(made.get(name) ?? []), parsed]);
    return out;
  };
}

/** The topology GAN as an eval source: the request's condition, one sample, decoded (its sets' members as its table has them). */
function learnedSource(model: TopologyModel, requireTypes = false): TopologySourceFunction {
  const branches = model.config.model.rowMotifs?.branches;
  return (request, s) => {
    const c = conditionVector(request);
    const required = EQUIPMENT_TYPES.map((_, t) => Math.round(c[CONDITION_LAYOUT.counts + t]! * COUNT_SCALE));
    const { graphs } = generateSlotGraphs(model, [c], { seed: s, ...(requireTypes ? { required } : {}) });
    return decodeSlotGraph(graphs[0]!, model.config.spec, {
      processClass: request.processClass,
      site: request.site,
      id: `house-${s}`,
      seed: s,
      ...(branches ? { memberBranches: branches } : {}),
    });
  };
}

const backend = await selectBackend({ log: () => {} });
let t0 = performance.now();
const train = variantOf(readSplit("train"), limit);
console.log(
  `backend ${backend.name}; house variant of train: ${train.kept.length} designs in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
console.log(`  per class: ${JSON.stringify(train.tally)}`);
const perClass = Number(values["per-class"]);
const held = variantOf(readSplit("val"), perClass);
console.log(`house variant of val (requests): ${JSON.stringify(held.tally)}`);
const requests = held.kept.map(({ design }, i) => requestFromDesign(design, seed + i));

const rates: TopologyTrainerInput = {
  generatorLearningRate: Number(values["g-lr"]),
  criticLearningRate: Number(values["d-lr"]),
  emaDecay: Number(values.ema),
};
// --motifs as topology-training-run.ts topologyTrainingSetup: the row-motif table of the graphs,
// the heads starting at its frequencies; "untrained" is that setup before its first step. The table
// also keeps what the sets' further members held (spare sets) and the fewest lines each line row's
// ends had, unless --plain-table (the table before them).
if (values.sequence && values.motifs) throw new Error("--sequence and --motifs are two heads: pick one");
function setup(items: readonly { graph: CompactSlotGraph; memberBranches: readonly MemberBranch[] }[]) {
  const graphs = items.map(({ graph }) => graph);
  const table = (): RowMotifs =>
    observeRowMotifs(
      graphs,
      spec,
      size.skeletonGroups,
      values["plain-table"] ? {} : { memberBranches: items.flatMap((i) => i.memberBranches), endLines: true },
    );
  const head: TopologyTrainerInput = values.sequence
    ? { attachmentSequence: true }
    : values.motifs
      ? { rowMotifs: table() }
      : {};
  const make = () => {
    const t = createTopologyTrainer(spec, { ...size, ...rates, ...head }, seed);
    if (values.motifs) t.setOutputPriors(graphs);
    t.observe(graphs);
    return t;
  };
  return { graphs, make };
}
function fit(
  name: string,
  graphs: ReturnType<typeof setup>["graphs"],
  trainer: ReturnType<typeof createTopologyTrainer>,
) {
  for (let e = 0; e < Number(values.epochs); e++) {
    const summary = trainer.epoch(graphs, Number(values.batch));
    console.log(
      `${name} epoch ${summary.epoch}: ${summary.steps} steps, ${summary.seconds.toFixed(0)} s, d_loss ${summary.mean.d_loss.toFixed(3)} W ${summary.mean.wasserstein.toFixed(3)} count ${summary.mean.count.toFixed(3)}`,
    );
  }
}
const house = setup(train.kept);
const trainer = house.make();
const untrained = house.make();
fit("house", house.graphs, trainer);
// --control: the same setup and training on the same designs as the designer drew them (before the
// house's rewrite): what the code alone gives.
const originals = new Map(values.control ? readSplit("train").map((d) => [d.id, d]) : []);
const control = values.control
  ? setup(
      train.kept.map(({ design }) => {
        const { graph, memberBranches = [] } = encodeSlotGraphWithLosses(originals.get(design.id)!, spec);
        return { graph: compactSlotGraph(graph, spec), memberBranches };
      }),
    )
  : undefined;
const controlTrainer = control?.make();
if (control && controlTrainer) fit("control", control.graphs, controlTrainer);

t0 = performance.now();
const rows = await evaluateTopologySources(
  {
    model: recorded("model", learnedSource(topologyModelOf(trainer))),
    "model, types required": recorded("model, types required", learnedSource(topologyModelOf(trainer), true)),
    "untrained weights": recorded("untrained weights", learnedSource(topologyModelOf(untrained))),
    ...(controlTrainer
      ? { "control (designer's designs)": recorded("control", learnedSource(topologyModelOf(controlTrainer))) }
      : {}),
    designer: recorded("designer", designerSource),
    retrieval: recorded("retrieval", retrievalSource(train.kept.map(({ design }) => design))),
  },
  requests,
  train.kept.map(({ design }) => design),
  { perRequest: Number(values["per-request"]), seed },
);
console.log(`evaluated ${requests.length} requests in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
console.log(topologyTable(rows));

const share = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "–");
console.log(
  `\n| class | source | ${HOUSE_CONVENTIONS.join(" | ")} |\n|---|---|${HOUSE_CONVENTIONS.map(() => "---").join("|")}|`,
);
for (const r of rows as TopologyRow[]) {
  console.log(`| ${r.group} | ${r.source} | ${HOUSE_CONVENTIONS.map((c) => share(r.conventions[c])).join(" | ")} |`);
}
const pooled = rows.filter((r) => r.group === POOLED);
console.log(
  `\npooled: ${pooled.map((r) => `${r.source} ${HOUSE_CONVENTIONS.map((c) => `${c} ${share(r.conventions[c])}`).join(", ")}`).join("; ")}`,
);
console.log(`\nconvention parts, line by line (hits/total), over the designs that parse:`);
console.log(`| source | parsed | ${PARTS.join(" | ")} |\n|---|---|${PARTS.map(() => "---").join("|")}|`);
for (const [name, designs] of made) {
  const parts = countParts(designs);
  console.log(`| ${name} | ${designs.length} | ${PARTS.map((p) => `${parts[p][0]}/${parts[p][1]}`).join(" | ")} |`);
}
trainer.dispose();
untrained.dispose();
controlTrainer?.dispose();
