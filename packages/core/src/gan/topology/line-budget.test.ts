// The line budget (line-budget.ts) on real data: synthetic-v1 val's line counts from its slots'
// types, and a generator that draws that many lines, the likeliest by its logits.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { parseDesign } from "../../design/index.js";
import { useBackend } from "../backend.js";
import { sampleLatent } from "../models.js";
import { encodeSlotGraph } from "./encode.js";
import { runGenerator } from "./generator.js";
import { lineBudget, topLines } from "./line-budget.js";
import { generateSlotGraphs, topologyModelOf } from "./model-io.js";
import { linePairMask, observeRowMotifs, type RowMotifs } from "./row-motifs.js";
import { defaultSlotGraphSpec, requireGroup, type SlotGraph } from "./spec.js";
import { createTopologyTrainer } from "./training.js";

const VAL = fileURLToPath(new URL("../../../../../datasets/synthetic-v1/val.ndjson.gz", import.meta.url));
const SETS = defaultSlotGraphSpec(48, { spareSets: true });
const graphs = gunzipSync(readFileSync(VAL))
  .toString("utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .slice(0, 80)
  .map((l) => {
    const parsed = parseDesign(JSON.parse(l));
    if (!parsed.success) throw new Error("a val design does not parse");
    return encodeSlotGraph(parsed.data, SETS);
  });
const motifs = observeRowMotifs(graphs, SETS, ["type", "spare"], { lineBudget: true });
const type = requireGroup(SETS.nodeGroups, "type");
const n = SETS.nMax;
const stride = 1 + SETS.edgeWidth;

const typesOf = (g: SlotGraph) =>
  Int32Array.from({ length: n }, (_, i) => {
    if (g.mask[i]! <= 0.5) return -1;
    for (let k = 0; k < type.size; k++) if (g.nodes[i * SETS.nodeWidth + type.offset + k]! > 0.5) return k;
    return -1;
  });
const lineCount = (g: SlotGraph) => {
  let c = 0;
  for (let k = 0; k < n * n; k++) if (g.edges[k * stride]! > 0.5) c++;
  return c;
};

describe("lineBudget on synthetic-v1 val (first 80 designs, spare sets)", () => {
  it("counts as many lines from the slots' types as the designs hold, on the whole", () => {
    let budget = 0;
    let real = 0;
    for (const g of graphs) {
      budget += lineBudget(motifs.types!, typesOf(g), n)![0]!;
      real += lineCount(g);
    }
    // Mean line ends per type, summed: the whole split's count comes back within 2%.
    expect(Math.abs(budget - real) / real).toBeLessThan(0.02);
  });

  it("is undefined for a table counted without line ends (the default)", () => {
    const plain = observeRowMotifs(graphs, SETS, ["type", "spare"]).types!;
    expect(lineBudget(plain, typesOf(graphs[0]!), n)).toBeUndefined();
  });
});

describe("topLines", () => {
  it("keeps the taken cells, counts them in the budget and fills the rest by score among allowed cells", () => {
    const scores = Float32Array.of(0, 5, 4, 3, 0, 9, 2, 1, 0);
    const allowed = Float32Array.of(0, 1, 1, 1, 0, 0, 1, 1, 0); // cell 5 (score 9) is not allowed
    const taken = new Float32Array(9);
    taken[7] = 1;
    const pick = (budget: number) => {
      const out = topLines(scores, allowed, Int32Array.of(budget), 3, taken);
      return [...out.keys()].filter((k) => out[k] === 1);
    };
    expect(pick(3)).toEqual([1, 2, 7]);
    expect(pick(1)).toEqual([7]);
    expect(pick(0)).toEqual([7]);
    // Slot 1 may hold two line ends: taken 2→1 fills one, 0→1 (score 5) the other, so 1→0 (3) is skipped for 2→0 (2).
    const capped = topLines(scores, allowed, Int32Array.of(3), 3, taken, Int32Array.of(9, 2, 9));
    expect([...capped.keys()].filter((k) => capped[k] === 1)).toEqual([1, 2, 7]);
    const tight = topLines(scores, allowed, Int32Array.of(4), 3, taken, Int32Array.of(9, 2, 9));
    expect([...tight.keys()].filter((k) => tight[k] === 1)).toEqual([1, 2, 6, 7]);
  });

  it("counts from the data the most line ends one slot of each type had", () => {
    let most = 0;
    for (const g of graphs) {
      const types = typesOf(g);
      const ends = new Int32Array(n);
      for (let k = 0; k < n * n; k++) {
        if (g.edges[k * stride]! <= 0.5) continue;
        ends[Math.floor(k / n)]!++;
        ends[k % n]!++;
      }
      for (let i = 0; i < n; i++)
        if (types[i]! >= 0) expect(ends[i]).toBeLessThanOrEqual(motifs.types![types[i]!]!.maxLineEnds!);
      most = Math.max(most, ...ends);
    }
    expect(Math.max(...motifs.types!.map((t) => t.maxLineEnds!))).toBe(most);
  });
});

describe("a generator with a line budget", () => {
  beforeAll(async () => {
    await useBackend("wasm");
  });

  it("draws as many lines as its slots' types hold in the data, untrained and with priors", () => {
    const tiny = { hidden: 32, slotHidden: 8, attentionBlocks: 1, attentionKey: 4, edgeHidden: 8, criticHidden: 8 };
    const trainer = createTopologyTrainer(SETS, { ...tiny, skeletonGroups: ["type", "spare"], rowMotifs: motifs }, 3);
    try {
      trainer.setOutputPriors(graphs);
      const conditions = graphs.slice(0, 8).map((g) => g.condition);
      const { graphs: drawn } = generateSlotGraphs(topologyModelOf(trainer), conditions, { seed: 5 });
      let budget = 0;
      let lines = 0;
      for (const g of drawn) {
        const own = lineBudget(motifs.types!, typesOf(g), n)![0]!;
        const open = linePairMask(motifs.lines, typesOf(g), n).filter((v, k) => v === 1 && k % (n + 1) !== 0).length;
        // Lines an item needs come first; only they may go over the budget, and only want of cells under it.
        expect(lineCount(g)).toBeGreaterThanOrEqual(Math.min(own, open));
        budget += own;
        lines += lineCount(g);
      }
      expect(lines).toBeLessThanOrEqual(budget * 1.05);
    } finally {
      trainer.dispose();
    }
  });
});

describe("a line budget drawn at generation only", () => {
  beforeAll(async () => {
    await useBackend("wasm");
  });

  it("trains on one draw per pair, as without line ends, and generates under the budget, as with it always", () => {
    const generationOnly = observeRowMotifs(graphs, SETS, ["type", "spare"], { lineBudget: "generation" });
    expect(generationOnly.budgetWhileTraining).toBe(false);
    expect(generationOnly.types!.every((t) => t.lineEnds !== undefined)).toBe(true);
    const { budgetWhileTraining: _, ...always } = generationOnly;
    const noBudget: RowMotifs = {
      ...always,
      types: always.types!.map(({ lineEnds: _e, maxLineEnds: _m, ...t }) => t),
    };
    const tiny = { hidden: 32, slotHidden: 8, attentionBlocks: 1, attentionKey: 4, edgeHidden: 8, criticHidden: 8 };
    const trainer = createTopologyTrainer(
      SETS,
      { ...tiny, skeletonGroups: ["type", "spare"], rowMotifs: generationOnly },
      3,
    );
    try {
      trainer.setOutputPriors(graphs);
      const c = tf.tensor2d(
        graphs.slice(0, 8).flatMap((g) => Array.from(g.condition)),
        [8, graphs[0]!.condition.length],
      );
      const z = sampleLatent(8, trainer.generator.config.latentSize, 11);
      const adjacency = (rowMotifs: RowMotifs, training: boolean) =>
        tf.tidy(() => {
          const generator = { ...trainer.generator, config: { ...trainer.generator.config, rowMotifs } };
          return Array.from(runGenerator(generator, z, c, { noiseSeed: 9, training }).adjacency.dataSync());
        });
      expect(adjacency(generationOnly, true)).toEqual(adjacency(noBudget, true));
      expect(adjacency(generationOnly, false)).toEqual(adjacency(always, false));
      expect(adjacency(generationOnly, false)).not.toEqual(adjacency(noBudget, false));
      c.dispose();
      z.dispose();
    } finally {
      trainer.dispose();
    }
  });
});
