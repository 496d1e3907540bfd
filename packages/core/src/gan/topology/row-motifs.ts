/**
 * Row motifs: the whole discrete rows the training data holds, as a vocabulary the generator
 * decodes into (README "Row motifs"). The idea is JT-VAE's (Jin et al. 2018: decode a molecule
 * from a vocabulary of substructures seen in the data) and MolGAN's one-shot discrete output: a
 * slot's row is one choice among the rows the data holds, not ~40 independent block draws that
 * combine into rows no design has.
 *
 * - A node motif is the set of 1s in the discrete columns of an item's row other than the skeleton
 *   groups (its instruments, loops, trips, sparing, nozzles, ratings...), with the slot types it
 *   was seen on.
 * - A line motif is the set of 1s in the discrete columns of a listed line (both line blocks: a
 *   bypass or a flare line is only right beside the first line of its pair), with the
 *   (from type, to type) pairs it was seen between.
 *
 * Continuous columns (footprint, pressure, temperature) are not part of a motif: the generator keeps
 * their own heads. Pure data: no TensorFlow.js.
 */
import type { MemberBranch } from "./spare-sets.js";
import type { FeatureGroup, SlotGraph, SlotGraphSpec } from "./spec.js";
import { type CompactSlotGraph, compactSlotGraph } from "./training.js";

export interface NodeMotif {
  /** Node columns (spec offsets) set to 1, ascending. */
  readonly set: readonly number[];
  /** Present rows that held exactly this pattern. */
  readonly count: number;
  /** Slot types (class of the `type` group) it was seen on, ascending. */
  readonly types: readonly number[];
}

export interface LineMotif {
  /** Line feature columns (spec offsets, without the cell's existence flag) set to 1, ascending. */
  readonly set: readonly number[];
  readonly count: number;
  /** (from type, to type) pairs of the lines that held it, as [from, to], sorted. */
  readonly ends: readonly (readonly [number, number])[];
  /**
   * The fewest line cells that left its from slot (`from`) and entered its to slot (`to`) where it
   * was seen: a line teed into a header at an item is only seen beside that header, so a slot
   * drawn with fewer lines does not take it (lineMotifMask). Absent in tables counted without
   * `observeRowMotifs` `endLines`.
   */
  readonly endLines?: { readonly from: number; readonly to: number };
}

/** The vocabulary, each list most frequent first. Saved in the model's configuration. */
export interface RowMotifs {
  readonly nodes: readonly NodeMotif[];
  readonly lines: readonly LineMotif[];
  /**
   * Per type (the `type` group's order), the slots' whole skeleton beyond the type: the spare
   * classes its slots were seen with, when the skeleton holds `spare` (spare sets, README "Spare
   * sets"), and whether every slot of it had a line in and a line out. Absent in tables counted
   * before them.
   */
  readonly types?: readonly TypeMotifs[];
  /**
   * With spare sets: per set line (and side) the data holds, the branch its further members had
   * there, the most frequent one (spare-sets.ts MemberBranch). The expansion gives members these
   * instead of its hand-written branch. Absent unless `observeRowMotifs` was given them.
   */
  readonly branches?: readonly (MemberBranch & { readonly count: number })[];
  /**
   * With line ends on the types: false when the line budget is drawn at generation only, and
   * training draws each pair on its own (README "Line budget"). Absent: both.
   */
  readonly budgetWhileTraining?: boolean;
}

/** What the data holds of one equipment type's slots (RowMotifs.types). */
export interface TypeMotifs {
  /** Spare classes seen on the type's slots (empty when the skeleton does not hold `spare`). */
  readonly spareClasses: readonly number[];
  /** Every slot of the type had a line ending at it (in) and one starting at it (out); false for a type never seen. */
  readonly alwaysIn: boolean;
  readonly alwaysOut: boolean;
  /**
   * Mean number of line ends (in and out) on a slot of the type: the generator draws as many lines
   * as these add up to over a graph's slots (line-budget.ts). Absent in tables counted before it.
   */
  readonly lineEnds?: number;
  /** The most line ends one slot of the type had: a drawn slot gets no more (line-budget.ts). */
  readonly maxLineEnds?: number;
}

const discrete = (g: FeatureGroup) => g.kind !== "continuous";

/** The node groups a node motif covers: discrete, outside the skeleton. */
export function nodeMotifGroups(spec: SlotGraphSpec, skeletonGroups: readonly string[]): FeatureGroup[] {
  return spec.nodeGroups.filter((g) => discrete(g) && !skeletonGroups.includes(g.name));
}

/** The line groups a line motif covers: every discrete one. */
export function lineMotifGroups(spec: SlotGraphSpec): FeatureGroup[] {
  return spec.edgeGroups.filter(discrete);
}

/** The `type` group, which names a slot's type for the motif masks. */
function typeGroup(spec: SlotGraphSpec): FeatureGroup {
  const t = spec.nodeGroups.find((g) => g.name === "type");
  if (!t) throw new RangeError("row motifs need a `type` node group");
  return t;
}

/** The class set in a one-hot block of `row` starting at `offset`, or −1 when none is. */
function classOf(row: Float32Array, at: number, group: FeatureGroup): number {
  for (let k = 0; k < group.size; k++) if (row[at + group.offset + k]! > 0.5) return k;
  return -1;
}

function setColumns(row: Float32Array, at: number, groups: readonly FeatureGroup[]): number[] {
  const out: number[] = [];
  for (const g of groups) for (let k = 0; k < g.size; k++) if (row[at + g.offset + k]! > 0.5) out.push(g.offset + k);
  return out;
}

interface Tally<E> {
  set: number[];
  count: number;
  seen: Map<string, E>;
}

function add<E>(tallies: Map<string, Tally<E>>, set: number[], seenKey: string, seen: E): void {
  const key = set.join(",");
  let t = tallies.get(key);
  if (!t) {
    t = { set, count: 0, seen: new Map() };
    tallies.set(key, t);
  }
  t.count++;
  t.seen.set(seenKey, seen);
}

/** Most frequent first; ties by pattern, so the same data gives the same table. */
function ranked<E>(tallies: Map<string, Tally<E>>): Tally<E>[] {
  return [...tallies.entries()]
    .sort(([ka, a], [kb, b]) => b.count - a.count || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([, t]) => t);
}

/**
 * The motifs of every present row and listed line of `graphs` (dense or compact). With
 * `lineBudget` the types also get their line ends, and the generator draws a line budget
 * (line-budget.ts; off by default: README "Line budget", measured). With `memberBranches` (the
 * encoding's, of the same designs) the table keeps each set line's most frequent member branch;
 * with `endLines` each line motif the fewest lines its end slots had (LineMotif.endLines).
 */
export function observeRowMotifs(
  graphs: readonly (SlotGraph | CompactSlotGraph)[],
  spec: SlotGraphSpec,
  skeletonGroups: readonly string[] = ["type"],
  options: {
    /** Count line ends per type; "generation": only generation draws the budget. */
    readonly lineBudget?: boolean | "generation";
    readonly memberBranches?: readonly MemberBranch[];
    readonly endLines?: boolean;
  } = {},
): RowMotifs {
  const type = typeGroup(spec);
  const nodeGroups = nodeMotifGroups(spec, skeletonGroups);
  const lineGroups = lineMotifGroups(spec);
  const w = spec.nodeWidth;
  const e = spec.edgeWidth;
  const nodes = new Map<string, Tally<number>>();
  const lines = new Map<string, Tally<[number, number]>>();
  const fewest = new Map<string, { from: number; to: number }>();
  const spare = skeletonGroups.includes("spare") ? spec.nodeGroups.find((g) => g.name === "spare") : undefined;
  const seen = Array.from({ length: type.size }, () => ({
    spares: new Set<number>(),
    slots: 0,
    lacksIn: 0,
    lacksOut: 0,
    ends: 0,
    maxEnds: 0,
  }));
  for (const graph of graphs) {
    const g = compactSlotGraph(graph, spec);
    const types = new Int32Array(spec.nMax).fill(-1);
    const into = new Uint8Array(spec.nMax);
    const out = new Uint8Array(spec.nMax);
    const ends = new Uint16Array(spec.nMax);
    for (let m = 0; m < g.lineEnds.length / 2; m++) {
      out[g.lineEnds[2 * m]!] = 1;
      into[g.lineEnds[2 * m + 1]!] = 1;
      ends[g.lineEnds[2 * m]!]!++;
      ends[g.lineEnds[2 * m + 1]!]!++;
    }
    for (let i = 0; i < spec.nMax; i++) {
      if (g.mask[i]! <= 0.5) continue;
      types[i] = classOf(g.nodes, i * w, type);
      add(nodes, setColumns(g.nodes, i * w, nodeGroups), String(types[i]), types[i]!);
      const t = seen[types[i]!];
      if (!t) continue;
      t.slots++;
      if (!into[i]) t.lacksIn++;
      if (!out[i]) t.lacksOut++;
      t.ends += ends[i]!;
      t.maxEnds = Math.max(t.maxEnds, ends[i]!);
      if (spare) t.spares.add(classOf(g.nodes, i * w, spare));
    }
    const outLines = new Uint16Array(spec.nMax);
    const inLines = new Uint16Array(spec.nMax);
    for (let m = 0; m < g.lineEnds.length / 2; m++) {
      outLines[g.lineEnds[2 * m]!]!++;
      inLines[g.lineEnds[2 * m + 1]!]!++;
    }
    for (let m = 0; m < g.lineEnds.length / 2; m++) {
      const [i, j] = [g.lineEnds[2 * m]!, g.lineEnds[2 * m + 1]!];
      const ends: [number, number] = [types[i]!, types[j]!];
      const set = setColumns(g.lineFeatures, m * e, lineGroups);
      add(lines, set, ends.join(","), ends);
      const key = set.join(",");
      const f = fewest.get(key);
      fewest.set(key, {
        from: Math.min(f?.from ?? outLines[i]!, outLines[i]!),
        to: Math.min(f?.to ?? inLines[j]!, inLines[j]!),
      });
    }
  }
  return {
    ...(options.memberBranches ? { branches: commonBranches(options.memberBranches) } : {}),
    ...(options.lineBudget === "generation" ? { budgetWhileTraining: false } : {}),
    types: seen.map((t) => ({
      spareClasses: [...t.spares].filter((c) => c >= 0).sort((a, b) => a - b),
      alwaysIn: t.slots > 0 && t.lacksIn === 0,
      alwaysOut: t.slots > 0 && t.lacksOut === 0,
      ...(options.lineBudget ? { lineEnds: t.slots > 0 ? t.ends / t.slots : 0, maxLineEnds: t.maxEnds } : {}),
    })),
    nodes: ranked(nodes).map((t) => ({
      set: t.set,
      count: t.count,
      types: [...t.seen.values()].sort((a, b) => a - b),
    })),
    lines: ranked(lines).map((t) => ({
      set: t.set,
      count: t.count,
      ends: [...t.seen.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]),
      ...(options.endLines ? { endLines: fewest.get(t.set.join(","))! } : {}),
    })),
  };
}

/** Per set line and side, its most frequent member branch (ties: the first seen), in order of first sight. */
function commonBranches(branches: readonly MemberBranch[]): (MemberBranch & { count: number })[] {
  const byLine = new Map<string, Map<string, { branch: MemberBranch; count: number }>>();
  for (const b of branches) {
    const key = `${b.side}:${b.line.join(",")}`;
    const seen = byLine.get(key) ?? new Map<string, { branch: MemberBranch; count: number }>();
    byLine.set(key, seen);
    const tally = seen.get(b.branch.join(",")) ?? { branch: b, count: 0 };
    tally.count++;
    seen.set(b.branch.join(","), tally);
  }
  return [...byLine.values()].map((seen) => {
    const best = [...seen.values()].reduce((a, b) => (b.count > a.count ? b : a));
    return { side: best.branch.side, line: best.branch.line, branch: best.branch.branch, count: best.count };
  });
}

/**
 * The matrix that turns a motif head's output [continuous columns ‖ motif one-hot] into a row of
 * `groups` laid side by side in the order given (a stage's column order): the first rows place each
 * continuous column, then one row per motif holds its 1s. Row-major [(C + K) × width].
 */
export function motifExpansion(
  groups: readonly FeatureGroup[],
  motifs: readonly { readonly set: readonly number[] }[],
): { matrix: Float32Array; continuous: number; width: number } {
  const position = new Map<number, number>();
  const continuousAt: number[] = [];
  let at = 0;
  for (const g of groups) {
    for (let k = 0; k < g.size; k++) {
      position.set(g.offset + k, at);
      if (g.kind === "continuous") continuousAt.push(at);
      at++;
    }
  }
  const width = at;
  const rows = continuousAt.length + motifs.length;
  const matrix = new Float32Array(rows * width);
  continuousAt.forEach((p, r) => {
    matrix[r * width + p] = 1;
  });
  motifs.forEach((motif, k) => {
    const r = continuousAt.length + k;
    for (const column of motif.set) {
      const p = position.get(column);
      if (p === undefined) throw new RangeError(`motif column ${column} is outside the stage's groups`);
      matrix[r * width + p] = 1;
    }
  });
  return { matrix, continuous: continuousAt.length, width };
}

/** log of each motif's share of the rows: the motif logits' starting bias (as outputPriors). */
export function motifLogPriors(motifs: readonly { readonly count: number }[]): Float32Array {
  const total = motifs.reduce((s, m) => s + m.count, 0);
  return Float32Array.from(motifs, (m) => Math.log(Math.max(m.count, 1e-3) / Math.max(total, 1)));
}

/** Which motifs were seen with a type, an end type or a pair of end types (built once per list). */
interface MotifIndex {
  readonly byType: Map<string, number[]>;
}
const indexes = new WeakMap<object, MotifIndex>();

function indexOf(motifs: readonly object[], keys: (motif: never) => string[]): MotifIndex {
  let index = indexes.get(motifs);
  if (!index) {
    const byType = new Map<string, number[]>();
    motifs.forEach((m, i) => {
      for (const key of new Set(keys(m as never))) {
        const list = byType.get(key);
        if (list) list.push(i);
        else byType.set(key, [i]);
      }
    });
    index = { byType };
    indexes.set(motifs, index);
  }
  return index;
}

function allow(out: Float32Array, row: number, k: number, allowed: readonly number[] | undefined): void {
  if (allowed && allowed.length > 0) for (const i of allowed) out[row * k + i] = 1;
  else out.fill(1, row * k, (row + 1) * k);
}

/**
 * 1 where a node motif may be drawn on a slot of that type (it was seen on one), per row of
 * `types` (−1: no item, any motif). A type no motif was seen on gets every motif.
 */
export function nodeMotifMask(motifs: readonly NodeMotif[], types: Int32Array): Float32Array {
  const { byType } = indexOf(motifs, (m: NodeMotif) => m.types.map(String));
  const out = new Float32Array(types.length * motifs.length);
  types.forEach((t, r) => {
    allow(out, r, motifs.length, byType.get(String(t)));
  });
  return out;
}

/**
 * 1 where a line motif may be drawn between items of these types: the motifs seen between this
 * pair; failing that, those seen with either end's type at that end; failing that, all of them.
 * With `endLines` (per row, the line cells leaving its from slot and entering its to slot) and a
 * table that counted them (LineMotif.endLines), of those only the motifs seen with no more lines
 * at their ends, where any is left.
 */
export function lineMotifMask(
  motifs: readonly LineMotif[],
  fromTypes: Int32Array,
  toTypes: Int32Array,
  endLines?: { readonly from: Int32Array; readonly to: Int32Array },
): Float32Array {
  const { byType } = indexOf(motifs, (m: LineMotif) => m.ends.flatMap(([f, t]) => [`${f},${t}`, `${f},`, `,${t}`]));
  const k = motifs.length;
  const out = new Float32Array(fromTypes.length * k);
  for (let r = 0; r < fromTypes.length; r++) {
    const [f, t] = [fromTypes[r]!, toTypes[r]!];
    const pair = byType.get(`${f},${t}`);
    const either = pair ? pair : [...new Set([...(byType.get(`${f},`) ?? []), ...(byType.get(`,${t}`) ?? [])])];
    const fits = (i: number) => {
      const seen = motifs[i]!.endLines;
      return !seen || !endLines || (seen.from <= endLines.from[r]! && seen.to <= endLines.to[r]!);
    };
    const fitting = endLines && either.length > 0 ? either.filter(fits) : either;
    allow(out, r, k, fitting.length > 0 ? fitting : either);
  }
  return out;
}

/**
 * 1 where a line may run from slot i to slot j of each graph: the two slots' types are a
 * (from, to) pair some line motif was seen between. `types` is [B·N] (−1: no item, never a line);
 * the result [B·N·N]. A statistic of the data like the motifs themselves: synthetic-v1 has no line
 * from a pump to a pump (spare pumps tee into a common header), so none is drawn.
 */
export function linePairMask(motifs: readonly LineMotif[], types: Int32Array, n: number): Float32Array {
  const pairs = new Set(motifs.flatMap((m) => m.ends.map(([f, t]) => f * 4096 + t)));
  const out = new Float32Array(types.length * n);
  for (let b = 0; b < types.length / n; b++) {
    for (let i = 0; i < n; i++) {
      const f = types[b * n + i]!;
      if (f < 0) continue;
      for (let j = 0; j < n; j++) {
        const t = types[b * n + j]!;
        if (t >= 0 && pairs.has(f * 4096 + t)) out[(b * n + i) * n + j] = 1;
      }
    }
  }
  return out;
}

/**
 * The starting bias of a motif head: each continuous column's own prior (from `columnPriors`, one
 * per column of `groups` in the order given) and then log of each motif's share.
 */
export function motifHeadPriors(
  groups: readonly FeatureGroup[],
  columnPriors: Float32Array,
  motifs: readonly { readonly count: number }[],
): Float32Array {
  const continuous: number[] = [];
  let at = 0;
  for (const g of groups) {
    if (g.kind === "continuous") continuous.push(...columnPriors.subarray(at, at + g.size));
    at += g.size;
  }
  return Float32Array.from([...continuous, ...motifLogPriors(motifs)]);
}
