/**
 * Type-labelled Weisfeiler–Lehman relabelling (Shervashidze et al. 2011, "Weisfeiler-Lehman graph
 * kernels") on the directed, edge-labelled topology graph.
 *
 * Each round a node's new label is a hash of its label and the sorted multiset of
 * (direction, edge label, neighbour label) over its edges, so edge labels and flow direction count.
 * Labels are content hashes (never dictionary positions), so the same structure gives the same
 * labels in every process and in every design: the hash of a topology is the hash of the sorted
 * multiset of its labels of every round, and the subtree-kernel feature vector counts them.
 */
import { type LabelledGraph, type TopologyInput, topologyGraph } from "./topology-graph.js";

export const DEFAULT_WL_ITERATIONS = 3;

/** Sparse WL subtree features: label hash → count, over rounds 0..iterations. */
export type WlFeatures = ReadonlyMap<string, number>;

/** 64-bit content hash as 16 hex digits (two FNV-1a 32-bit passes with different offsets). */
export function contentHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/** The node labels of rounds 0..iterations (round 0 = the type labels, hashed). */
export function wlRounds(graph: LabelledGraph, iterations: number): string[][] {
  const n = graph.nodeLabels.length;
  const incident: { label: string; other: number; out: boolean }[][] = Array.from({ length: n }, () => []);
  for (const e of graph.edges) {
    incident[e.from]!.push({ label: e.label, other: e.to, out: true });
    incident[e.to]!.push({ label: e.label, other: e.from, out: false });
  }
  let labels = graph.nodeLabels.map(contentHash);
  const rounds = [labels];
  for (let round = 1; round <= iterations; round++) {
    const previous = labels;
    labels = previous.map((own, i) => {
      const around = incident[i]!.map((x) => `${x.out ? ">" : "<"}${x.label}=${previous[x.other]}`).sort();
      return contentHash(`${own}(${around.join(",")})`);
    });
    rounds.push(labels);
  }
  return rounds;
}

/** WL subtree-kernel features of a labelled graph: how often each label occurs, all rounds together. */
export function wlGraphFeatures(graph: LabelledGraph, iterations = DEFAULT_WL_ITERATIONS): WlFeatures {
  const counts = new Map<string, number>();
  wlRounds(graph, iterations).forEach((labels, round) => {
    // The round is part of the key: a round-0 label never equals a round-1 label by accident.
    for (const l of labels) counts.set(`${round}:${l}`, (counts.get(`${round}:${l}`) ?? 0) + 1);
  });
  return counts;
}

export function wlFeatures(design: TopologyInput, iterations = DEFAULT_WL_ITERATIONS): WlFeatures {
  return wlGraphFeatures(topologyGraph(design), iterations);
}

/** Canonical hash of a feature multiset (equal for WL-indistinguishable topologies). */
export function featuresHash(features: WlFeatures): string {
  const items = [...features].map(([label, count]) => `${label}*${count}`).sort();
  return contentHash(items.join(";"));
}

/**
 * Canonical structural hash of a design: equal for topologies that differ only in tags, line ids,
 * array order, sizes or layout; different (up to WL's power) when any typed node or edge differs.
 */
export function wlHash(design: TopologyInput, iterations = DEFAULT_WL_ITERATIONS): string {
  return featuresHash(wlFeatures(design, iterations));
}

/** Sparse dot product. */
export function featureDot(a: WlFeatures, b: WlFeatures): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [k, v] of small) s += v * (large.get(k) ?? 0);
  return s;
}

/** Normalised WL subtree kernel, in [0, 1]: 1 for WL-identical topologies. */
export function wlKernel(a: WlFeatures, b: WlFeatures): number {
  const norm = Math.sqrt(featureDot(a, a) * featureDot(b, b));
  return norm > 0 ? featureDot(a, b) / norm : 0;
}
