import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "../backend.js";
import { conditionVector } from "../condition.js";
import {
  buildTopologyGenerator,
  columnBlocks,
  generatorStages,
  listLines,
  resolveTopologyModelConfig,
  runGenerator,
  sampleBlocks,
} from "./generator.js";
import { generateSlotGraphs } from "./model-io.js";
import { defaultSlotGraphSpec, type SlotGraph, type SlotGraphSpec } from "./spec.js";
import { resolveTopologyTrainerConfig } from "./training.js";

beforeAll(async () => {
  await useBackend("wasm");
});

const SMALL = { latentSize: 8, hidden: 32, slotHidden: 16, attentionKey: 8, edgeHidden: 16, criticHidden: 16 };

function condition(counts: Record<string, number> = { pump: 3, vessel: 1, tank: 2 }): Float32Array {
  return conditionVector({ processClass: "pump_station", site: { width: 120, depth: 90 }, counts });
}

/** Every rule of the contract a generated slot graph must keep. Returns the broken ones. */
function contractBreaks(g: SlotGraph, spec: SlotGraphSpec): string[] {
  const out: string[] = [];
  const n = spec.nMax;
  const stride = 1 + spec.edgeWidth;
  const checkGroups = (row: Float32Array, at: number, groups: SlotGraphSpec["nodeGroups"], what: string) => {
    for (const grp of groups) {
      const cells = Array.from(row.subarray(at + grp.offset, at + grp.offset + grp.size));
      if (
        grp.kind === "categorical" &&
        cells.filter((v) => v === 1).length + cells.filter((v) => v === 0).length !== grp.size
      )
        out.push(`${what} ${grp.name} not 0/1`);
      if (grp.kind === "categorical" && cells.reduce((s, v) => s + v, 0) !== 1)
        out.push(`${what} ${grp.name} not one-hot`);
      if (grp.kind === "binary" && cells.some((v) => v !== 0 && v !== 1)) out.push(`${what} ${grp.name} not 0/1`);
      if (grp.kind === "continuous" && cells.some((v) => v < 0 || v > 1)) out.push(`${what} ${grp.name} outside [0,1]`);
    }
  };
  for (let i = 0; i < n; i++) {
    const present = g.mask[i] === 1;
    if (g.mask[i] !== 0 && !present) out.push(`mask ${i} not 0/1`);
    const row = g.nodes.subarray(i * spec.nodeWidth, (i + 1) * spec.nodeWidth);
    if (present) checkGroups(g.nodes, i * spec.nodeWidth, spec.nodeGroups, `slot ${i}`);
    else if (row.some((v) => v !== 0)) out.push(`absent slot ${i} has features`);
    for (let j = 0; j < n; j++) {
      const at = (i * n + j) * stride;
      const line = g.edges[at];
      if (line !== 0 && line !== 1) out.push(`edge ${i}-${j} not 0/1`);
      if (line === 1 && i === j) out.push(`self loop at ${i}`);
      if (line === 1 && (g.mask[i] !== 1 || g.mask[j] !== 1)) out.push(`edge ${i}-${j} touches an absent slot`);
      if (line === 1) checkGroups(g.edges, at + 1, spec.edgeGroups, `line ${i}-${j}`);
      else if (g.edges.subarray(at + 1, at + stride).some((v) => v !== 0)) out.push(`no line ${i}-${j} but features`);
    }
  }
  return out;
}

describe("topology generator", () => {
  it("generates graphs that keep the contract: 0/1 masks, one-hot groups, no self loops, lines only between items", () => {
    const spec = defaultSlotGraphSpec(16);
    const { model } = resolveTopologyTrainerConfig(spec, SMALL, 4);
    const generator = buildTopologyGenerator(spec, model);
    const config = resolveTopologyTrainerConfig(spec, SMALL, 4);
    const conditions = [condition(), condition({ pump: 1 }), condition({ tank: 4, pump: 2 })];
    for (const sampleNoise of [false, true]) {
      const { graphs, latents } = generateSlotGraphs({ config, generator }, conditions, { seed: 9, sampleNoise });
      expect(graphs).toHaveLength(3);
      expect(latents.map((z) => z.length)).toEqual([8, 8, 8]);
      for (const g of graphs) {
        expect(contractBreaks(g, spec)).toEqual([]);
        expect(g.condition).toEqual(conditions[graphs.indexOf(g)]);
      }
      // An untrained generator still makes something to check: items and (with noise) lines.
      expect(graphs.some((g) => g.mask.some((v) => v === 1))).toBe(true);
    }
    const noisy = generateSlotGraphs({ config, generator }, conditions, { seed: 9, sampleNoise: true }).graphs;
    const lines = noisy.reduce(
      (s, g) => s + g.edges.filter((_, k) => k % (1 + spec.edgeWidth) === 0).reduce((a, b) => a + b, 0),
      0,
    );
    expect(lines).toBeGreaterThan(0);
    for (const m of generatorStages(generator)) m.dispose();
  });

  it("sends gradients from its sample back to every stage (straight-through)", () => {
    const spec = defaultSlotGraphSpec(8);
    const { model } = resolveTopologyTrainerConfig(spec, { ...SMALL, linesPerSlot: 4 }, 2);
    const generator = buildTopologyGenerator(spec, model);
    const reached = tf.tidy(() => {
      const z = tf.randomNormal([4, 8], 0, 1, "float32", 1) as tf.Tensor2D;
      const c = tf.tensor2d([...condition(), ...condition(), ...condition(), ...condition()], [4, 21]);
      const perStage = generatorStages(generator).map((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
      const { grads } = tf.variableGrads(() => {
        const out = runGenerator(generator, z, c, { noiseSeed: 3, training: true });
        // A score that depends on nodes, lines and line features, as a critic's does.
        return tf.addN([tf.sum(out.nodes), tf.sum(out.adjacency), tf.sum(tf.mul(out.lines, 0.5))]) as tf.Scalar;
      }, perStage.flat());
      return perStage.map((vars) =>
        vars.some((v) => grads[v.name] && (tf.max(tf.abs(grads[v.name]!)).dataSync()[0] ?? 0) > 0),
      );
    });
    expect(reached).toEqual([true, true, true]);
    for (const m of generatorStages(generator)) m.dispose();
  });

  it("builds and generates at nMax 96 (B = 2) without pairwise blow-up", () => {
    const spec = defaultSlotGraphSpec(96);
    const config = resolveTopologyTrainerConfig(spec, {}, 1); // full default widths
    const generator = buildTopologyGenerator(spec, config.model);
    const before = tf.memory().numBytes;
    let peak = 0;
    const { graphs } = generateSlotGraphs({ config, generator }, [condition({ pump: 40 }), condition()], {
      seed: 2,
      required: [40], // pumps (EQUIPMENT_TYPES[0])
    });
    peak = tf.memory().numBytes - before;
    expect(graphs).toHaveLength(2);
    expect(graphs[0]!.nodes).toHaveLength(96 * spec.nodeWidth);
    expect(graphs[0]!.edges).toHaveLength(96 * 96 * (1 + spec.edgeWidth));
    expect(contractBreaks(graphs[0]!, spec)).toEqual([]);
    const pumps = (g: SlotGraph) => g.mask.reduce((s, on, i) => s + on * g.nodes[i * spec.nodeWidth]!, 0);
    expect(pumps(graphs[0]!)).toBeGreaterThanOrEqual(40);
    expect(peak).toBeLessThan(1e6); // nothing left behind
    for (const m of generatorStages(generator)) m.dispose();
  });

  it("samples all blocks of a tensor at once: one-hot per categorical block, 0/1 binaries, sigmoid continuous", () => {
    const layout = columnBlocks([
      { size: 3, kind: "categorical" },
      { size: 2, kind: "binary" },
      { size: 1, kind: "continuous" },
      { size: 2, kind: "categorical" },
    ]);
    const logits = tf.tensor2d([
      [0, 5, 1, 2, -2, 0, -9, 9],
      [3, 0, 0, -1, 1, 2, 4, 0],
    ]);
    const { value, logProb } = sampleBlocks(logits, layout, 1);
    const v = value.arraySync() as number[][];
    expect(v[0]!.slice(0, 5)).toEqual([0, 1, 0, 1, 0]);
    expect(v[0]![5]).toBeCloseTo(0.5, 6);
    expect(v[0]!.slice(6)).toEqual([0, 1]);
    expect(v[1]!.slice(0, 5)).toEqual([1, 0, 0, 0, 1]);
    expect(v[1]!.slice(6)).toEqual([1, 0]);
    // log p of row 1: log softmax(3,0,0)[0] + log σ(-(-1)) ... + log softmax(4,0)[0]
    const ls = (xs: number[], k: number) => xs[k]! - Math.log(xs.reduce((s, x) => s + Math.exp(x), 0));
    const expected =
      ls([3, 0, 0], 0) + Math.log(1 / (1 + Math.exp(-1))) + Math.log(1 / (1 + Math.exp(-1))) + ls([4, 0], 0);
    expect(logProb.dataSync()[1]).toBeCloseTo(expected, 4);
  });

  it("draws sharper hard samples with a noise scale below 1, as softmax(logits / τ) does", () => {
    // 2,000 rows of one binary with p = σ(-1) ≈ 0.27 and one 3-way categorical with p ≈ (0.58, 0.21, 0.21).
    const rows = 2000;
    const logits = tf.tensor2d(Array.from({ length: rows }, () => [-1, 1, 0, 0]));
    const layout = columnBlocks([
      { size: 1, kind: "binary" },
      { size: 3, kind: "categorical" },
    ]);
    const rates = (tau: number) => {
      const v = sampleBlocks(logits, layout, 1, 7, tau).value.arraySync() as number[][];
      return { on: v.filter((r) => r[0] === 1).length / rows, mode: v.filter((r) => r[1] === 1).length / rows };
    };
    const model = rates(1);
    const sharp = rates(0.5);
    expect(model.on).toBeCloseTo(1 / (1 + Math.E), 1);
    expect(model.mode).toBeCloseTo(Math.E / (Math.E + 2), 1);
    // τ = 0.5: σ(-2) ≈ 0.12 and e² / (e² + 2) ≈ 0.79.
    expect(sharp.on).toBeCloseTo(1 / (1 + Math.E ** 2), 1);
    expect(sharp.mode).toBeCloseTo(Math.E ** 2 / (Math.E ** 2 + 2), 1);
  });

  it("lists lines row-major and keeps the likeliest when there are more than the capacity", () => {
    const n = 3;
    const adjacency = new Float32Array([0, 1, 1, 0, 0, 1, 1, 0, 0]);
    const score = new Float32Array([0, -1, 5, 0, 0, 2, -3, 0, 0]);
    const all = listLines(adjacency, 1, n, 4, score);
    expect(Array.from(all.count)).toEqual([4]);
    const capped = listLines(adjacency, 1, n, 2, score);
    expect(Array.from(capped.keep)).toEqual([1, 0, 1, 1, 1, 1, 0, 1, 1]); // 0→1 and 2→0 dropped
    expect(Array.from(capped.from)).toEqual([1, 0, 0, 0, 1, 0]); // lines 0→2, then 1→2
    expect(Array.from(capped.to)).toEqual([0, 0, 1, 0, 0, 1]);
  });

  it("rejects a config it cannot build, and keeps training settings out of the model's config", () => {
    expect(() => resolveTopologyModelConfig({ slotHidden: 0 })).toThrow(/slotHidden/);
    const config = resolveTopologyTrainerConfig(defaultSlotGraphSpec(8), {
      slotHidden: 8,
      generatorLearningRate: 1e-3,
    });
    expect(config.model.slotHidden).toBe(8);
    expect(Object.keys(config.model)).not.toContain("generatorLearningRate");
    expect(config.training.generatorLearningRate).toBe(1e-3);
  });
});
