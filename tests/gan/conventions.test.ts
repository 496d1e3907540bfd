/**
 * Issue 14 item 5 in CI: does the topology GAN learn a company's house conventions? The house's
 * variant of a few hundred training designs (two classes with pumps and control valves) follows
 * three conventions the designer's templates lack (eval/house-conventions.ts): A/B pumps spared
 * 2-out-of-3, block valves and a bypass around every control valve, a PI gauge on every line
 * leaving a pump. A tiny topology GAN with row motifs (gan/topology/row-motifs.ts: each item and
 * line row one whole row the house graphs hold) and spare sets (a set one slot) trains on it for a
 * CI budget, then generates one design per request; the designer gets the same requests. The
 * control is the same setup and training on the same designs as the designer drew them (before
 * the house's rewrite): nothing in the code adds a convention, the data does. The full-size run is
 * bench/conventions.bench.ts.
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
  encodeSlotGraphWithLosses,
  generateSlotGraphs,
  type MemberBranch,
  observeRowMotifs,
  type RowMotifs,
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

/** A training design with its slot graph and what its spare sets' further members held. */
type Item = { design: Design; graph: SlotGraph; memberBranches: readonly MemberBranch[] };

/** The house's variant: the first `perClass` designs of each class that it keeps. */
function variant(designs: readonly Design[], perClass: number): Item[] {
  const kept: Item[] = [];
  for (const cls of CLASSES) {
    for (const d of designs.filter((x) => x.processClass === cls)) {
      if (kept.filter((k) => k.design.processClass === cls).length >= perClass) break;
      const item = houseVariant(d, HOUSE_CONVENTIONS, SPEC);
      if ("design" in item) kept.push(item);
    }
  }
  return kept;
}

/**
 * The setup a training run's topologyTrainingSetup makes (its named sizes lack the raised rates a
 * CI budget needs), on these items: the row-motif table counted from their graphs (each item and
 * line row one whole row they hold; each set line with its members' branches; each line motif
 * with the fewest lines its ends had), the heads starting at the rows' frequencies. Trained for
 * `epochs` (0: untrained); returns its designs for the requests and the seconds it trained.
 */
function trainAndGenerate(
  items: readonly Item[],
  epochs: number,
  asked: readonly GenerationRequest[],
): { designs: Design[]; seconds: number } {
  const graphs = items.map(({ graph }) => compactSlotGraph(graph, SPEC));
  const rowMotifs = observeRowMotifs(graphs, SPEC, TINY.skeletonGroups, {
    memberBranches: items.flatMap((i) => i.memberBranches),
    endLines: true,
  });
  const trainer = createTopologyTrainer(SPEC, { ...TINY, rowMotifs }, SEED);
  trainer.setOutputPriors(graphs);
  trainer.observe(graphs);
  const started = performance.now();
  for (let e = 0; e < epochs; e++) trainer.epoch(graphs, 16);
  const seconds = (performance.now() - started) / 1000;
  const designs = generated(trainer, asked, rowMotifs);
  trainer.dispose();
  return { designs, seconds };
}

/** One decoded design per request from a trainer's EMA generator (argmax decoding, no forced types). */
function generated(trainer: TopologyTrainer, asked: readonly GenerationRequest[], rowMotifs: RowMotifs): Design[] {
  const { graphs } = generateSlotGraphs(
    topologyModelOf(trainer),
    asked.map((r) => conditionVector(r)),
    { seed: SEED },
  );
  return graphs.flatMap((g, i) => {
    const r = asked[i]!;
    const parsed = parseDesign(
      decodeSlotGraph(g, SPEC, {
        processClass: r.processClass,
        site: r.site,
        id: `gen-${i}`,
        seed: SEED,
        ...(rowMotifs.branches ? { memberBranches: rowMotifs.branches } : {}),
      }),
    );
    return parsed.success ? [parsed.data] : [];
  });
}

/** Share of the designs a convention applies to that follow it (NaN: it applies to none), and to how many it applies. */
function share(verdicts: readonly ConventionVerdicts[], c: HouseConvention): { share: number; applies: number } {
  const applies = verdicts.filter((v) => v[c] !== undefined);
  return { share: applies.filter((v) => v[c]).length / applies.length, applies: applies.length };
}

let training: Item[];
let requests: GenerationRequest[];
let trainSeconds: number;
let house: ConventionVerdicts[];
let designer: ConventionVerdicts[];
let model: ConventionVerdicts[];
let untrained: ConventionVerdicts[];
let control: ConventionVerdicts[];

beforeAll(async () => {
  await useBackend("wasm");
  const train = split("train");
  training = variant(train, TRAIN_PER_CLASS);
  const held = variant(split("val"), REQUESTS_PER_CLASS);
  requests = held.map(({ design }, i) => requestFromDesign(design, SEED + i));
  house = held.map(({ design }) => conventionVerdicts(design));
  designer = requests.map((r, i) => {
    const parsed = parseDesign(designerSource(r, SEED + i));
    if (!parsed.success) throw new Error("a designer design does not parse");
    return conventionVerdicts(parsed.data);
  });
  // The same designs as the designer drew them, before the house's rewrite.
  const byId = new Map(train.map((d) => [d.id, d]));
  const designers: Item[] = training.map(({ design }) => {
    const own = byId.get(design.id)!;
    const { graph, memberBranches = [] } = encodeSlotGraphWithLosses(own, SPEC);
    return { design: own, graph, memberBranches };
  });

  const trained = trainAndGenerate(training, EPOCHS, requests);
  trainSeconds = trained.seconds;
  model = trained.designs.map(conventionVerdicts);
  untrained = trainAndGenerate(training, 0, requests).designs.map(conventionVerdicts);
  control = trainAndGenerate(designers, EPOCHS, requests).designs.map(conventionVerdicts);
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
      table("untrained weights (the house's table and priors)", untrained),
      table("control (the same training on the designer's designs)", control),
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

  // Measured (2026-12-07 19:05, load ~10 on the shared 2 cores; 143 s for the file, 47 s training):
  // model 1.00 / 1.00 / 1.00 (pumps2oo3, stations, gauges; of 22, 21, 22 designs); designer 0.13 /
  // 0.00 / 0.00; control 0.05 / 0.00 / 0.00; untrained weights with the house's table 1.00 / 1.00 /
  // 1.00. What carries each convention is counted from the house's data, not written in the code:
  // the set sizes a type is seen with (pumps only in threes), the whole line rows (a control valve
  // only with its blocks and bypass, a pump line with its gauge), what a set's further members held
  // on its lines (each its own gauge), and the fewest lines a line row's ends had (a line teed into
  // a pump's discharge header only beside that header). So the untrained weights follow them too:
  // this shows the conventions are learned from the data (the control, the same code trained as
  // long on the designs as the designer drew them, follows none), not that gradient steps learned
  // them (gan/topology/README.md "House conventions").
  it("generated designs follow each convention (>= 0.8) where the designer and the control do not (<= 0.3)", () => {
    for (const c of HOUSE_CONVENTIONS) {
      const m = share(model, c);
      expect(m.applies).toBeGreaterThanOrEqual(10);
      expect(m.share).toBeGreaterThanOrEqual(0.8);
      expect(share(designer, c).share).toBeLessThanOrEqual(0.3);
      const k = share(control, c);
      expect(k.applies).toBeGreaterThanOrEqual(10);
      expect(k.share).toBeLessThanOrEqual(0.3);
    }
  });
});
