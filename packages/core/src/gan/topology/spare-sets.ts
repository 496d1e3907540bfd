/**
 * Spare sets as one slot (README "Spare sets"). Drawn slot by slot, a set's letters and its
 * members' shared headers (each member's suction and discharge teed into the first member's lines)
 * are choices across rows that the generator never coordinated: the first row-motif model drew 464
 * pumps and no spare set. A spec with `spareSets` keeps a whole set in one slot whose `spare`
 * class is the set's last letter (B: a set of two, C: of three) and whose row and lines are the
 * first member's (the headers, with what sits on them). Which items are spared, and how many
 * members a set has, is then one learned choice per slot; the hand-written expansion below gives
 * every further member the set's row and a branch of each set line:
 *
 * - the row: the set's, less `finalElement` (in the data only the first member is a loop's final
 *   element);
 * - a branch per line block whose end at the set is a nozzle (a line teed in there into a plain
 *   line of the set at that mark is a header branch, and stays the first member's; without such a
 *   line the decoding makes that end a nozzle, so it counts as one): its far end teed into the
 *   set's line, with the line's
 *   service, size, rating, nozzle marks, minimum-flow flag and its own valves, but none of what the
 *   header carries (`HEADER_GROUPS`: shut-off and control valves, orifices, flow meters,
 *   instruments, loops and trips).
 *
 * `collapseSpareSets` (encoding) keeps the first member of each such set; what the members held
 * beyond their branches is lost, and measured by the round trip (README "Spare sets").
 */
import { EQUIPMENT_TYPES } from "../../design/index.js";
import { edgeStride, type FeatureGroup, requireGroup, type SlotGraph, type SlotGraphSpec } from "./spec.js";
import { LINES_PER_EDGE, SPARE_LETTERS } from "./vocabulary.js";

/** Items a slot of `spare` class c stands for: class 0 (no letter) and A are one item, B two... */
export function spareMembers(spareClass: number): number {
  return Math.max(1, spareClass);
}

/** The set's members per spare class, as a vector over the `spare` group's classes. */
export function spareMemberWeights(): Float32Array {
  return Float32Array.from({ length: 1 + SPARE_LETTERS.length }, (_, c) => spareMembers(c));
}

/** Line groups that belong to the header a branch tees into, not to the branch. */
const HEADER_GROUPS = [
  "shutoffValve",
  "orifice",
  "flowMeter",
  "controlValve",
  "failPosition",
  "instrument.",
  "loop.",
  "finalElement",
  "trip",
  "tripEffect.",
  "tripFanOut.",
];

const isHeaderGroup = (name: string): boolean =>
  HEADER_GROUPS.some((h) => (h.endsWith(".") ? name.startsWith(h) : name === h));

interface Columns {
  readonly type: FeatureGroup;
  readonly spare: FeatureGroup;
  readonly finalElement: FeatureGroup;
  /** Per line block: its groups without the block prefix, by name. */
  readonly blocks: readonly ReadonlyMap<string, FeatureGroup>[];
}

function columnsOf(spec: SlotGraphSpec): Columns {
  const blocks = Array.from({ length: LINES_PER_EDGE }, (_, k) => {
    const prefix = `line${k + 1}.`;
    return new Map(
      spec.edgeGroups.filter((g) => g.name.startsWith(prefix)).map((g) => [g.name.slice(prefix.length), g]),
    );
  });
  return {
    type: requireGroup(spec.nodeGroups, "type"),
    spare: requireGroup(spec.nodeGroups, "spare"),
    finalElement: requireGroup(spec.nodeGroups, "finalElement"),
    blocks,
  };
}

function argmax(row: Float32Array, offset: number, size: number): number {
  let best = 0;
  for (let k = 1; k < size; k++) if (row[offset + k]! > row[offset + best]!) best = k;
  return best;
}

/** The nozzle class of an edge row's nozzle group (column 0 is the line's existence). */
function markOf(row: Float32Array, g: FeatureGroup): number {
  let best = 0;
  for (let k = 1; k < g.size; k++) if (row[1 + g.offset + k]! > row[1 + g.offset + best]!) best = k;
  return best;
}

function setClass(row: Float32Array, g: FeatureGroup, cls: number): void {
  row.fill(0, g.offset, g.offset + g.size);
  row[g.offset + cls] = 1;
}

/**
 * A member's branch of a set line (an edge row: column 0, then the features), or undefined when
 * no block of it starts (side "from") or ends ("to") at the set on a nozzle.
 */
function branch(
  row: Float32Array,
  setSide: "from" | "to",
  cols: Columns,
  plainMarks: ReadonlySet<number>,
): Float32Array | undefined {
  if (row[0]! <= 0.5) return undefined;
  const at = (g: FeatureGroup) => 1 + g.offset;
  const kept = cols.blocks.filter((b, k) => {
    if (k > 0 && row[at(b.get("service")!)]! > 0.5) return false; // line 2 absent
    // Teed at the set into a plain line there (a header branch): the first member's alone. With
    // no such line the decoding makes the end a nozzle (decode.ts), so it is the set's own line.
    const teed = row[at(b.get(`${setSide}Tee`)!)]! > 0.5;
    return !teed || !plainMarks.has(markOf(row, b.get(`${setSide}Nozzle`)!));
  });
  if (kept.length === 0) return undefined;
  const out = new Float32Array(row.length);
  out[0] = 1;
  const far = setSide === "from" ? "toTee" : "fromTee";
  cols.blocks.forEach((target, k) => {
    const source = kept[k];
    for (const [name, g] of target) {
      if (source === undefined || isHeaderGroup(name)) {
        if (g.kind === "categorical") out[at(g)] = 1;
        continue;
      }
      const s = source.get(name)!;
      out.set(row.subarray(at(s), at(s) + s.size), at(g));
    }
    if (source !== undefined) {
      out[at(target.get(far)!)] = 1;
      out[at(target.get(`${setSide}Tee`)!)] = 0;
    }
  });
  return out;
}

/**
 * What a set's further member held on one of the set's lines, as the data has it: collapseSpareSets
 * records one per set line and side, `observeRowMotifs` counts them into the model's table
 * (RowMotifs.branches), and the expansion gives a member the branch recorded for its set's line
 * instead of the hand-written one (README "Spare sets"). A house whose members each carry their
 * own gauge (eval/house-conventions.ts) keeps it this way; the hand-written branch drops it with
 * the header's instruments.
 */
export interface MemberBranch {
  /** The set's end of the line: "from" where the line leaves the set, "to" where it enters. */
  readonly side: "from" | "to";
  /** Discrete line columns (spec edge offsets, without the existence flag) set on the set's line. */
  readonly line: readonly number[];
  /** Those set on the second member's line of the same pair; empty where it has none. */
  readonly branch: readonly number[];
}

/** The discrete columns set (> 0.5) in an edge row (column 0 is the existence flag). */
function lineColumns(row: Float32Array, groups: readonly FeatureGroup[]): number[] {
  const out: number[] = [];
  for (const g of groups) for (let k = 0; k < g.size; k++) if (row[1 + g.offset + k]! > 0.5) out.push(g.offset + k);
  return out.sort((a, b) => a - b);
}

const branchKey = (side: "from" | "to", line: readonly number[]): string => `${side}:${line.join(",")}`;

export interface CollapseResult {
  readonly graph: SlotGraph;
  /** What the second member of each set held on each of the set's lines (MemberBranch). */
  readonly branches: readonly MemberBranch[];
  /** For each slot of the collapsed graph, the original slots it holds (the set's members in order). */
  readonly members: readonly (readonly number[])[];
  /** Items of lettered runs kept one slot each (as sets of one) because a member has a line of its own. */
  readonly unsharedSpares: number;
}

/**
 * One slot per spare set: each run of consecutive slots of one type lettered A, B, C... whose
 * later members hold only branches (every line of theirs runs where one of the first member's
 * does, teed at its far end) becomes its first member's slot with the run's last letter; the other
 * members' rows and lines go. A run with a member of its own lines (parallel trains, not a spared
 * service) keeps one slot per member, each a set of one (A).
 */
export function collapseSpareSets(graph: SlotGraph, spec: SlotGraphSpec): CollapseResult {
  const cols = columnsOf(spec);
  const n = spec.nMax;
  const w = spec.nodeWidth;
  const stride = edgeStride(spec);
  const node = (i: number) => graph.nodes.subarray(i * w, (i + 1) * w);
  const edge = (i: number, j: number) => graph.edges.subarray((i * n + j) * stride, (i * n + j + 1) * stride);
  const present = (i: number) => graph.mask[i]! > 0.5;
  const letter = (i: number) => argmax(node(i), cols.spare.offset, cols.spare.size);
  const type = (i: number) => argmax(node(i), cols.type.offset, cols.type.size);
  /** Every line of `row` (an edge of a member) teed at its far end. */
  const farTeed = (row: Float32Array, far: "fromTee" | "toTee") =>
    cols.blocks.every(
      (b, k) => (k > 0 && row[1 + b.get("service")!.offset]! > 0.5) || row[1 + b.get(far)!.offset]! > 0.5,
    );
  const branchesOnly = (a: number, m: number) => {
    for (let j = 0; j < n; j++) {
      if (edge(m, j)[0]! > 0.5 && !(edge(a, j)[0]! > 0.5 && farTeed(edge(m, j), "toTee"))) return false;
      if (edge(j, m)[0]! > 0.5 && !(edge(j, a)[0]! > 0.5 && farTeed(edge(j, m), "fromTee"))) return false;
    }
    return true;
  };
  const groups: number[][] = [];
  let unsharedSpares = 0;
  for (let i = 0; i < n; ) {
    if (!present(i)) {
      i++;
      continue;
    }
    let end = i + 1;
    if (letter(i) === 1) {
      while (end < n && present(end) && type(end) === type(i) && letter(end) === letter(end - 1) + 1) end++;
    }
    const run = Array.from({ length: end - i }, (_, k) => i + k);
    if (run.slice(1).every((m) => branchesOnly(i, m))) groups.push(run);
    else {
      unsharedSpares += run.length;
      for (const m of run) groups.push([m]);
    }
    i = end;
  }
  const out: SlotGraph = {
    nodes: new Float32Array(graph.nodes.length),
    mask: new Float32Array(n),
    edges: new Float32Array(graph.edges.length),
    condition: Float32Array.from(graph.condition),
  };
  const discrete = spec.edgeGroups.filter((g) => g.kind !== "continuous");
  const branches: MemberBranch[] = [];
  const record = (side: "from" | "to", line: Float32Array, member: Float32Array) => {
    if (line[0]! <= 0.5) return;
    const branch = member[0]! > 0.5 ? lineColumns(member, discrete) : [];
    branches.push({ side, line: lineColumns(line, discrete), branch });
  };
  groups.forEach((g, s) => {
    const first = g[0]!;
    if (g.length > 1) {
      for (const [t, h] of groups.entries()) {
        if (t === s) continue;
        record("from", edge(first, h[0]!), edge(g[1]!, h[0]!));
        record("to", edge(h[0]!, first), edge(h[0]!, g[1]!));
      }
    }
    out.mask[s] = 1;
    const row = out.nodes.subarray(s * w, (s + 1) * w);
    row.set(node(first));
    // A lettered item that is not (or no longer) in a set stays a set of one, A.
    setClass(row, cols.spare, g.length > 1 ? g.length : Math.min(letter(first), 1));
    groups.forEach((h, t) => {
      if (t !== s) out.edges.set(edge(first, h[0]!), (s * n + t) * stride);
    });
  });
  return { graph: out, branches, members: groups, unsharedSpares };
}

/**
 * The set slots expanded into their members (module comment), in a spec whose nMax holds them all
 * (at least the given one's): member k of a set sits right after member k−1 with letter k. With
 * `branches` (a model's RowMotifs.branches, counted from its data) a member's line on a set line
 * the table holds is the branch recorded for it (none where the member had none); other lines get
 * the hand-written branch.
 */
export function expandSpareSets(
  graph: Pick<SlotGraph, "nodes" | "mask" | "edges">,
  spec: SlotGraphSpec,
  branches: readonly MemberBranch[] = [],
): { graph: Pick<SlotGraph, "nodes" | "mask" | "edges">; spec: SlotGraphSpec } {
  const cols = columnsOf(spec);
  const discrete = spec.edgeGroups.filter((g) => g.kind !== "continuous");
  const observed = new Map(branches.map((b) => [branchKey(b.side, b.line), b.branch]));
  const n = spec.nMax;
  const w = spec.nodeWidth;
  const stride = edgeStride(spec);
  const slots: { from: number; letter: number }[] = [];
  const first = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (graph.mask[i]! <= 0.5) continue;
    const cls = argmax(graph.nodes.subarray(i * w, (i + 1) * w), cols.spare.offset, cols.spare.size);
    first.set(i, slots.length);
    if (cls <= 1) slots.push({ from: i, letter: cls });
    else for (let k = 1; k <= cls; k++) slots.push({ from: i, letter: k });
  }
  const m = Math.max(n, slots.length);
  const out = { nodes: new Float32Array(m * w), mask: new Float32Array(m), edges: new Float32Array(m * m * stride) };
  const edge = (i: number, j: number) => graph.edges.subarray((i * n + j) * stride, (i * n + j + 1) * stride);
  const put = (a: number, b: number, row: Float32Array | undefined) => {
    if (row) out.edges.set(row, (a * m + b) * stride);
  };
  // Per set slot and side, the nozzle marks where a plain line of it ends at the set.
  const plainMarks = (i: number, setSide: "from" | "to"): Set<number> => {
    const marks = new Set<number>();
    for (const j of first.keys()) {
      const row = setSide === "from" ? edge(i, j) : edge(j, i);
      if (row[0]! <= 0.5) continue;
      cols.blocks.forEach((b, k) => {
        if (k > 0 && row[1 + b.get("service")!.offset]! > 0.5) return;
        if (row[1 + b.get(`${setSide}Tee`)!.offset]! <= 0.5) marks.add(markOf(row, b.get(`${setSide}Nozzle`)!));
      });
    }
    return marks;
  };
  const marksOf = new Map([...first.keys()].map((i) => [i, { from: plainMarks(i, "from"), to: plainMarks(i, "to") }]));
  const memberRow = (row: Float32Array, side: "from" | "to", marks: ReadonlySet<number>): Float32Array | undefined => {
    if (row[0]! <= 0.5) return undefined;
    const recorded = observed.get(branchKey(side, lineColumns(row, discrete)));
    if (recorded === undefined) return branch(row, side, cols, marks);
    if (recorded.length === 0) return undefined;
    const out = new Float32Array(stride);
    out[0] = 1;
    for (const c of recorded) out[1 + c] = 1;
    return out;
  };
  slots.forEach((s, a) => {
    out.mask[a] = 1;
    const row = out.nodes.subarray(a * w, (a + 1) * w);
    row.set(graph.nodes.subarray(s.from * w, (s.from + 1) * w));
    setClass(row, cols.spare, s.letter);
    const member = a !== first.get(s.from);
    if (member) setClass(row, cols.finalElement, 0);
    for (const [j, b] of first) {
      if (j === s.from) continue;
      const marks = marksOf.get(s.from)!;
      put(a, b, member ? memberRow(edge(s.from, j), "from", marks.from) : edge(s.from, j));
      put(b, a, member ? memberRow(edge(j, s.from), "to", marks.to) : edge(j, s.from));
    }
  });
  // One slot per item from here on: the spec of the members, without spareSets.
  const { spareSets: _sets, ...perItem } = spec;
  return { graph: out, spec: { ...perItem, nMax: m } };
}

/** Items per type that a slot graph stands for, its sets counted by their members (EQUIPMENT_TYPES order). */
export function itemCounts(graph: Pick<SlotGraph, "nodes" | "mask">, spec: SlotGraphSpec): number[] {
  const cols = columnsOf(spec);
  const counts = EQUIPMENT_TYPES.map(() => 0);
  for (let i = 0; i < spec.nMax; i++) {
    if (graph.mask[i]! <= 0.5) continue;
    const row = graph.nodes.subarray(i * spec.nodeWidth, (i + 1) * spec.nodeWidth);
    const members = spec.spareSets ? spareMembers(argmax(row, cols.spare.offset, cols.spare.size)) : 1;
    counts[argmax(row, cols.type.offset, cols.type.size)]! += members;
  }
  return counts;
}
