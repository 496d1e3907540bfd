/**
 * The realism metric orders known cases on real data, per class: held-out real designs score far
 * below random graphs and an untrained model's graphs; half real, half random scores between them;
 * an untrained model, whose designs hold many times the training counts, scores above random
 * graphs. The old Gaussian MMD² (kept in mmd.ts for this comparison) ties the last two.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDesign } from "../design/parse.js";
import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import type { Design } from "../design/types.js";
import { selectBackend } from "../gan/backend.js";
import { requestFromDesign } from "../gan/metrics.js";
import { topologyModelOf } from "../gan/topology/model-io.js";
import { defaultSlotGraphSpec } from "../gan/topology/spec.js";
import { createTopologyTrainer, type TopologyTrainer } from "../gan/topology/training.js";
import { learnedTopology } from "../generate/learned-topology.js";
import { gaussianMmdTo, type MmdReference, mmdReference, mmdTo, statScale } from "./mmd.js";
import { randomGraphSource } from "./sources.js";
import { parseTopology } from "./topology-graph.js";
import { topologyStats } from "./topology-stats.js";

function split(name: string): Design[] {
  const text = gunzipSync(
    readFileSync(new URL(`../../../../datasets/synthetic-v1/${name}.ndjson.gz`, import.meta.url)),
  ).toString("utf8");
  return text
    .trim()
    .split("\n")
    .map((l) => {
      const parsed = parseDesign(JSON.parse(l));
      if (!parsed.success) throw new Error(`${name} design does not parse`);
      return parsed.data;
    });
}

const PER_CLASS = 20;
type Stats = number[][];
interface ClassSets {
  readonly reference: MmdReference;
  readonly real: Stats;
  readonly random: Stats;
  readonly untrained: Stats;
  readonly mix: Stats;
}

const classes = new Map<string, ClassSets>();
let trainer: TopologyTrainer;

beforeAll(async () => {
  const reference = split("val");
  const held = split("test");
  const scale = statScale(reference.map(topologyStats));
  const random = randomGraphSource(reference);
  await selectBackend({ log: () => {} });
  // Untrained weights (small nets, so the test is quick): the ablation the eval reports as "untrained".
  trainer = createTopologyTrainer(defaultSlotGraphSpec(), { latentSize: 8, hidden: 32, slotHidden: 16 }, 3);
  const untrained = learnedTopology(topologyModelOf(trainer));
  const statsOf = (input: unknown) => topologyStats(parseTopology(input as Parameters<typeof parseTopology>[0])!);
  for (const c of new Set(reference.map((d) => d.processClass))) {
    const real = held.filter((d) => d.processClass === c).slice(0, PER_CLASS);
    const requests = real.map((d, i) => requestFromDesign(d, 1 + i));
    const sets = {
      real: real.map(topologyStats),
      random: await Promise.all(requests.map(async (r, i) => statsOf(await random(r, i)))),
      untrained: requests.map((r, i) => statsOf(untrained.propose(r, i, DEFAULT_RULE_PACK))),
    };
    classes.set(c, {
      ...sets,
      reference: mmdReference(reference.filter((d) => d.processClass === c).map(topologyStats), scale),
      mix: [...sets.real.slice(0, PER_CLASS / 2), ...sets.random.slice(PER_CLASS / 2)],
    });
  }
}, 240_000);
afterAll(() => trainer?.dispose());

type Metric = (ref: MmdReference, samples: Stats) => number;

/** The known orders a realism metric must keep, per class; the broken ones, as "class: what". */
function brokenOrders(metric: Metric): string[] {
  const broken: string[] = [];
  for (const [c, s] of classes) {
    const score = (x: Stats) => metric(s.reference, x);
    const [real, mix, random, untrained] = [score(s.real), score(s.mix), score(s.random), score(s.untrained)];
    // Real designs: clearly (10×) below every kind of made-up graph.
    if (!(real < random / 10)) broken.push(`${c}: real ${real} not 10× below random ${random}`);
    if (!(real < untrained / 10)) broken.push(`${c}: real ${real} not 10× below untrained ${untrained}`);
    // Half real, half random: strictly between, by a clear margin on both sides.
    if (!(mix > real + (random - real) / 10 && mix < random / 1.5)) {
      broken.push(`${c}: mix ${mix} not between real ${real} and random ${random}`);
    }
    // An untrained model is further out than random graphs (see the counts test): clearly above.
    if (!(untrained > 2 * random)) broken.push(`${c}: untrained ${untrained} not 2× above random ${random}`);
  }
  return broken;
}

const total = (rows: Stats) => rows.reduce((s, r) => s + r.reduce((a, b) => a + b, 0), 0) / rows.length;

describe("realism metric (energy-distance MMD² on standardised graph statistics)", () => {
  it("has real cases to order: an untrained model's designs hold many times the real counts, random graphs about as many", () => {
    expect(classes.size).toBe(7);
    for (const s of classes.values()) {
      expect(total(s.untrained)).toBeGreaterThan(3 * total(s.real));
      expect(total(s.random)).toBeLessThan(1.5 * total(s.real));
    }
  });

  it("orders real < half real, half random < random < untrained in every class", () => {
    expect(brokenOrders(mmdTo)).toEqual([]);
  });

  it("half real, half random scores about a quarter of random, as the energy distance of a mixture should", () => {
    // D(½P + ½Q, P) = ¼ D(Q, P); real designs score ~0, so mix ≈ random / 4 up to sampling noise.
    for (const s of classes.values()) {
      const ratio = mmdTo(s.reference, s.mix) / mmdTo(s.reference, s.random);
      expect(ratio).toBeGreaterThan(0.1);
      expect(ratio).toBeLessThan(0.45);
    }
  });

  it("the old Gaussian MMD² saturates: it cannot tell an untrained model from random graphs", () => {
    const broken = brokenOrders(gaussianMmdTo);
    expect(broken.filter((b) => b.includes("untrained") && b.includes("above random")).length).toBeGreaterThan(3);
  });
});
