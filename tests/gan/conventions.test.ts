/**
 * Issue 14 item 5 in CI: does the topology GAN learn a company's house conventions? The house's
 * variant of a few hundred training designs (two classes with pumps and control valves) follows
 * three conventions the designer's templates lack (eval/house-conventions.ts): A/B pumps spared
 * 2-out-of-3, block valves and a bypass around every control valve, a PI gauge on every line
 * leaving a pump. A tiny topology GAN with row motifs (gan/topology/row-motifs.ts: each item and
 * line row one whole row the house graphs hold) trains on it for a CI budget, then generates one
 * design per request; the designer gets the same requests. The full-size run is bench/conventions.bench.ts.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { type Design, type GenerationRequest, parseDesign } from "@plantgan/core/design";
import {
  type ConventionVerdicts,
  conventionVerdicts,
  designerSource,
  HOUSE_CONVENTIONS,
  type HouseConvention,
  houseVariant,
} from "@plantgan/core/eval";
import {
  compactSlotGraph,
  conditionVector,
  createTopologyTrainer,
  decodeSlotGraph,
  defaultSlotGraphSpec,
  generateSlotGraphs,
  observeRowMotifs,
  requestFromDesign,
  type SlotGraph,
  type TopologyTrainer,
  topologyModelOf,
  useBackend,
} from "@plantgan/core/gan";
import { beforeAll, describe, expect, it } from "vitest";

const CLASSES = ["tank_farm", "water_treatment"];
const TRAIN_PER_CLASS = 150;
const REQUESTS_PER_CLASS = 12;
const EPOCHS = 3;
const SEED = 1;
/**
 * nMax 32 holds every design of these two classes; a spare set is one slot whose class is its size
 * (gan/topology/spare-sets.ts), drawn with the type; a tiny net, raised rates and a short EMA for
 * a budget of steps.
 */
const SPEC = defaultSlotGraphSpec(32, { spareSets: true });
const TINY = {
  skeletonGroups: ["type", "spare"],
  hidden: 64,
  slotHidden: 16,
  attentionBlocks: 1,
  attentionKey: 8,
  edgeHidden: 16,
  criticHidden: 16,
  generatorLearningRate: 3e-3,
  criticLearningRate: 3e-3,
  emaDecay: 0.9,
};

function split(name: string): Design[] {
  const text = gunzipSync(
    readFileSync(new URL(`../../datasets/synthetic-v1/${name}.ndjson.gz`, import.meta.url)),
  ).toString("utf8");
  return text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { processClass: string })
    .filter((raw) => CLASSES.includes(raw.processClass))
    .map((raw) => {
      const parsed = parseDesign(raw);
      if (!parsed.success) throw new Error(`${name}: a design does not parse`);
      return parsed.data;
    });
}

/** The house's variant: the first `perClass` designs of each class that it keeps. */
function variant(designs: readonly Design[], perClass: number): { design: Design; graph: SlotGraph }[] {
  const kept: { design: Design; graph: SlotGraph }[] = [];
  for (const cls of CLASSES) {
    for (const d of designs.filter((x) => x.processClass === cls)) {
      if (kept.filter((k) => k.design.processClass === cls).length >= perClass) break;
      const item = houseVariant(d, HOUSE_CONVENTIONS, SPEC);
      if ("design" in item) kept.push(item);
    }
  }
  return kept;
}

/** One decoded design per request from a trainer's EMA generator (argmax decoding, no forced types). */
function generated(trainer: TopologyTrainer, requests: readonly GenerationRequest[]): Design[] {
  const { graphs } = generateSlotGraphs(
    topologyModelOf(trainer),
    requests.map((r) => conditionVector(r)),
    { seed: SEED },
  );
  return graphs.flatMap((g, i) => {
    const r = requests[i]!;
    const parsed = parseDesign(
      decodeSlotGraph(g, SPEC, { processClass: r.processClass, site: r.site, id: `gen-${i}`, seed: SEED }),
    );
    return parsed.success ? [parsed.data] : [];
  });
}

/** Share of the designs a convention applies to that follow it (NaN: it applies to none), and to how many it applies. */
function share(verdicts: readonly ConventionVerdicts[], c: HouseConvention): { share: number; applies: number } {
  const applies = verdicts.filter((v) => v[c] !== undefined);
  return { share: applies.filter((v) => v[c]).length / applies.length, applies: applies.length };
}

let training: { design: Design; graph: SlotGraph }[];
let requests: GenerationRequest[];
let trainSeconds: number;
let house: ConventionVerdicts[];
let designer: ConventionVerdicts[];
let model: ConventionVerdicts[];
let untrained: ConventionVerdicts[];

beforeAll(async () => {
  await useBackend("wasm");
  training = variant(split("train"), TRAIN_PER_CLASS);
  const held = variant(split("val"), REQUESTS_PER_CLASS);
  requests = held.map(({ design }, i) => requestFromDesign(design, SEED + i));
  house = held.map(({ design }) => conventionVerdicts(design));
  designer = requests.map((r, i) => {
    const parsed = parseDesign(designerSource(r, SEED + i));
    if (!parsed.success) throw new Error("a designer design does not parse");
    return conventionVerdicts(parsed.data);
  });

  // As a training run's topologyTrainingSetup does (its named sizes lack the raised rates a CI
  // budget needs): each item and line row is one whole row the house graphs hold, the heads start
  // at the rows' frequencies. "Untrained" is the same setup before its first step.
  const graphs = training.map(({ graph }) => compactSlotGraph(graph, SPEC));
  const rowMotifs = observeRowMotifs(graphs, SPEC, TINY.skeletonGroups);
  const trainer = createTopologyTrainer(SPEC, { ...TINY, rowMotifs }, SEED);
  const fresh = createTopologyTrainer(SPEC, { ...TINY, rowMotifs }, SEED);
  trainer.setOutputPriors(graphs);
  fresh.setOutputPriors(graphs);
  fresh.observe(graphs);
  const started = performance.now();
  for (let e = 0; e < EPOCHS; e++) trainer.epoch(graphs, 16);
  trainSeconds = (performance.now() - started) / 1000;
  model = generated(trainer, requests).map(conventionVerdicts);
  untrained = generated(fresh, requests).map(conventionVerdicts);
  trainer.dispose();
  fresh.dispose();
  const table = (name: string, v: ConventionVerdicts[]) =>
    `${name}: ${v.length} designs; ${HOUSE_CONVENTIONS.map((c) => {
      const s = share(v, c);
      return `${c} ${s.applies > 0 ? s.share.toFixed(2) : "–"} (of ${s.applies})`;
    }).join(", ")}`;
  console.log(
    [
      `trained ${EPOCHS} epochs on ${training.length} house designs in ${trainSeconds.toFixed(0)} s`,
      table("house (requests' own designs)", house),
      table("designer", designer),
      table("model", model),
      table("untrained weights", untrained),
    ].join("\n"),
  );
}, 600_000);

describe("the house's variant of synthetic-v1 and the designer on the same requests", () => {
  it("has every training and request design following each convention", () => {
    expect(training).toHaveLength(CLASSES.length * TRAIN_PER_CLASS);
    expect(requests).toHaveLength(CLASSES.length * REQUESTS_PER_CLASS);
    for (const c of HOUSE_CONVENTIONS) {
      expect(share(house, c)).toEqual({ share: 1, applies: requests.length });
      expect(
        share(
          training.map(({ design }) => conventionVerdicts(design)),
          c,
        ).share,
      ).toBe(1);
    }
  });

  it("the designer, asked for the same plants, does not follow them", () => {
    // Asked for three pumps on one service, it sometimes builds a 2-out-of-3 set (tank farms).
    expect(share(designer, "pumps2oo3").share).toBeLessThanOrEqual(0.3);
    expect(share(designer, "controlValveStations")).toEqual({ share: 0, applies: requests.length });
    expect(share(designer, "pumpDischargeGauges")).toEqual({ share: 0, applies: requests.length });
  });

  it("trains a tiny topology GAN on the variant within the CI budget", () => {
    // 57 steps of batch 16 with row motifs: 44 s at load 4-7 on the shared 2-core machine (2026-12-07).
    expect(trainSeconds).toBeLessThan(240);
    expect(model.length).toBeGreaterThan(0);
  });

  // Measured with row motifs and spare sets (2026-12-07, 16:28, load ~5): this test, 3 epochs in
  // 42 s, gives the model pumps2oo3 1.00 of 22 designs, controlValveStations 0.41 and
  // pumpDischargeGauges 0.00; untrained (same tables and priors) 1.00 / 0.67 / 0.00; designer 0.13 /
  // 0.00 / 0.00. A 2oo3 set is one slot of size three (gan/topology/spare-sets.ts), and the house's
  // pumps are only seen in sets of three, so the table gives it even to untrained weights. Without
  // spare sets no spared pump set was drawn at all (pumps2oo3 applied to none). A bypass is a second
  // line teed into the valve's line and a gauge a row of every pump line: not learned in this
  // budget. So every convention stays stated here; `it.fails` turns red the day the model learns
  // them (and untrained weights do not).
  it.fails("generated designs follow each convention (>= 0.6) where the designer and untrained weights do not", () => {
    for (const c of HOUSE_CONVENTIONS) {
      const m = share(model, c);
      expect(m.applies).toBeGreaterThanOrEqual(10);
      expect(m.share).toBeGreaterThanOrEqual(0.6);
      expect(share(designer, c).share).toBeLessThanOrEqual(0.3);
      const u = share(untrained, c);
      expect(u.applies === 0 || u.share < 0.6).toBe(true);
    }
  });
});
