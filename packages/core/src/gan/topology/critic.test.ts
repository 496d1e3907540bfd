import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "../backend.js";
import { buildTopologyCritic } from "./critic.js";
import { lineCapacity } from "./generator.js";
import { defaultSlotGraphSpec, type SlotGraph } from "./spec.js";
import { compactSlotGraph, makeTopologyBatch, resolveTopologyTrainerConfig } from "./training.js";

beforeAll(async () => {
  await useBackend("wasm");
});

const spec = defaultSlotGraphSpec(8);
const { model } = resolveTopologyTrainerConfig(spec, { criticHidden: 16 }, 3);
const stride = 1 + spec.edgeWidth;

/** A random graph of 5 items on slots 0–4 with a few lines, every group filled as the contract asks. */
function graph(seed: number): SlotGraph {
  let s = seed;
  const next = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const n = spec.nMax;
  const fill = (row: Float32Array, at: number, groups: typeof spec.nodeGroups) => {
    for (const g of groups) {
      if (g.kind === "categorical") row[at + g.offset + Math.floor(next() * g.size)] = 1;
      else for (let k = 0; k < g.size; k++) row[at + g.offset + k] = g.kind === "binary" ? Math.round(next()) : next();
    }
  };
  const nodes = new Float32Array(n * spec.nodeWidth);
  const mask = new Float32Array(n);
  const edges = new Float32Array(n * n * stride);
  for (let i = 0; i < 5; i++) {
    mask[i] = 1;
    fill(nodes, i * spec.nodeWidth, spec.nodeGroups);
  }
  for (const [i, j] of [
    [0, 1],
    [1, 2],
    [3, 1],
    [4, 0],
  ] as const) {
    edges[(i * n + j) * stride] = 1;
    fill(edges, (i * n + j) * stride + 1, spec.edgeGroups);
  }
  return { nodes, mask, edges, condition: new Float32Array(spec.conditionWidth).fill(0.1) };
}

/** The same graph with its slots renumbered by `perm` (new slot perm[i] holds old slot i). */
function permuted(g: SlotGraph, perm: readonly number[]): SlotGraph {
  const n = spec.nMax;
  const nodes = new Float32Array(g.nodes.length);
  const mask = new Float32Array(n);
  const edges = new Float32Array(g.edges.length);
  for (let i = 0; i < n; i++) {
    nodes.set(g.nodes.subarray(i * spec.nodeWidth, (i + 1) * spec.nodeWidth), perm[i]! * spec.nodeWidth);
    mask[perm[i]!] = g.mask[i]!;
    for (let j = 0; j < n; j++) {
      const from = (i * n + j) * stride;
      edges.set(g.edges.subarray(from, from + stride), (perm[i]! * n + perm[j]!) * stride);
    }
  }
  return { nodes, mask, edges, condition: g.condition };
}

describe("topology critic", () => {
  it("scores a graph the same however its slots are numbered, and differently without one of its lines", () => {
    const critic = buildTopologyCritic(spec, model);
    const g = graph(7);
    const perm = [6, 2, 7, 0, 3, 1, 5, 4];
    const cut = { ...g, edges: g.edges.slice() };
    cut.edges.fill(0, (3 * spec.nMax + 1) * stride, (3 * spec.nMax + 2) * stride); // drop line 3 → 1
    const graphs = [g, permuted(g, perm), cut].map((x) => compactSlotGraph(x, spec));
    const batch = makeTopologyBatch(graphs, spec, lineCapacity(spec, model));
    const scores = tf.tidy(() =>
      Array.from(
        (
          critic.apply([
            batch.nodes,
            batch.adjacency,
            batch.from,
            batch.to,
            batch.lines,
            batch.mask,
            batch.c,
          ]) as tf.Tensor
        ).dataSync(),
      ),
    );
    expect(scores[1]).toBeCloseTo(scores[0]!, 4);
    expect(Math.abs(scores[2]! - scores[0]!)).toBeGreaterThan(1e-4);
    tf.dispose(Object.values(batch));
    critic.dispose();
  });
});
