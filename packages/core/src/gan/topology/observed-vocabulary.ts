/**
 * The values each discrete column took in the training data, recorded with the model, so that
 * generation decodes only into values the data holds (a DN 1400 line when the data tops out at
 * DN 400 is a value the model never saw, drawn from the tail of a softmax it never learned).
 *
 * Per group name: the classes of a categorical group, or the columns of a binary group, that were
 * set on at least one present row (nodes) or listed line (lines). Continuous groups are not kept:
 * they are clamped by the decoder. Pure data: no TensorFlow.js.
 */
import type { FeatureGroup, SlotGraph, SlotGraphSpec } from "./spec.js";
import type { CompactSlotGraph } from "./training.js";

export interface ObservedVocabulary {
  /** Node group name → classes (categorical) or columns (binary) seen set, ascending. */
  readonly nodes: Readonly<Record<string, readonly number[]>>;
  /** Line group name → the same, over listed lines. */
  readonly lines: Readonly<Record<string, readonly number[]>>;
}

const discrete = (g: FeatureGroup) => g.kind !== "continuous";

function tally(groups: readonly FeatureGroup[], seen: Uint8Array): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const g of groups.filter(discrete)) {
    out[g.name] = Array.from({ length: g.size }, (_, k) => k).filter((k) => seen[g.offset + k] === 1);
  }
  return out;
}

/** What the graphs hold (dense or compact). */
export function observeVocabulary(
  graphs: readonly (SlotGraph | CompactSlotGraph)[],
  spec: SlotGraphSpec,
): ObservedVocabulary {
  const w = spec.nodeWidth;
  const e = spec.edgeWidth;
  const nodeSeen = new Uint8Array(w);
  const lineSeen = new Uint8Array(e);
  const seeLine = (features: Float32Array, at: number) => {
    for (let c = 0; c < e; c++) if (features[at + c]! > 0.5) lineSeen[c] = 1;
  };
  for (const g of graphs) {
    for (let i = 0; i < spec.nMax; i++) {
      if (g.mask[i]! <= 0.5) continue;
      for (let c = 0; c < w; c++) if (g.nodes[i * w + c]! > 0.5) nodeSeen[c] = 1;
    }
    if ("lineEnds" in g) {
      for (let m = 0; m < g.lineEnds.length / 2; m++) seeLine(g.lineFeatures, m * e);
    } else {
      // Dense: a cell's existence flag, then its features (spec.ts).
      for (let cell = 0; cell < spec.nMax * spec.nMax; cell++) {
        if (g.edges[cell * (1 + e)]! > 0.5) seeLine(g.edges, cell * (1 + e) + 1);
      }
    }
  }
  return { nodes: tally(spec.nodeGroups, nodeSeen), lines: tally(spec.edgeGroups, lineSeen) };
}

/** Everything either saw (a model trained further on more data keeps what it saw before). */
export function mergeVocabulary(a: ObservedVocabulary, b: ObservedVocabulary): ObservedVocabulary {
  const merge = (x: Readonly<Record<string, readonly number[]>>, y: Readonly<Record<string, readonly number[]>>) =>
    Object.fromEntries(
      [...new Set([...Object.keys(x), ...Object.keys(y)])].map((k) => [
        k,
        [...new Set([...(x[k] ?? []), ...(y[k] ?? [])])].sort((p, q) => p - q),
      ]),
    );
  return { nodes: merge(a.nodes, b.nodes), lines: merge(a.lines, b.lines) };
}

/**
 * 1 for a column generation may set, 0 for one the data never set, over `groups` laid side by side
 * in the order given (a stage's column order). A group the vocabulary does not name, a continuous
 * one, or a categorical one with no class seen, stays fully open.
 */
export function allowedColumns(
  vocabulary: Readonly<Record<string, readonly number[]>>,
  groups: readonly Pick<FeatureGroup, "name" | "size" | "kind">[],
): Float32Array {
  const width = groups.reduce((s, g) => s + g.size, 0);
  const allowed = new Float32Array(width).fill(1);
  let start = 0;
  for (const g of groups) {
    const seen = vocabulary[g.name];
    if (g.kind !== "continuous" && seen !== undefined && (g.kind === "binary" || seen.length > 0)) {
      allowed.fill(0, start, start + g.size);
      for (const k of seen) if (k >= 0 && k < g.size) allowed[start + k] = 1;
    }
    start += g.size;
  }
  return allowed;
}
