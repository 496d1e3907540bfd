/**
 * The slot graph's shape (contract of issue #14, /tmp/plan/topology-contract.md): equipment are
 * node slots, process lines between equipment are directed edges, and everything attached to an
 * item or a line is a block of feature columns. Pure data: no TensorFlow.js.
 */
import { CONDITION_SIZE } from "../condition.js";
import type { ScalarRanks } from "./scalar-ranks.js";
import { EDGE_GROUP_DEFS, NODE_GROUP_DEFS } from "./vocabulary.js";

export type FeatureKind = "categorical" | "binary" | "continuous";
/** A block of columns; categorical = exactly one 1 on present rows (counts are categorical 0..k). */
export interface FeatureGroup {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly kind: FeatureKind;
}
export interface SlotGraphSpec {
  readonly nMax: number; // equipment slots (default 48)
  readonly nodeGroups: readonly FeatureGroup[];
  readonly nodeWidth: number;
  readonly edgeGroups: readonly FeatureGroup[];
  readonly edgeWidth: number;
  readonly conditionWidth: number; // = CONDITION_SIZE of gan/condition.ts (21)
  /**
   * A spare set is one slot whose `spare` class is its last letter, expanded into its members by
   * the decoding (spare-sets.ts). Absent: one slot per item with its own letter, as specs saved
   * before it were.
   */
  readonly spareSets?: boolean;
  /**
   * The continuous node columns are ranks within the item's type, by this table counted from the
   * training data (scalar-ranks.ts). Absent: unit-scale values, as specs saved before it held.
   */
  readonly scalarRanks?: ScalarRanks;
}
/** One design. Absent slots: all-zero rows. */
export interface SlotGraph {
  readonly nodes: Float32Array; // [nMax × nodeWidth]
  readonly mask: Float32Array; // [nMax], 1 = slot holds an item
  readonly edges: Float32Array; // [nMax × nMax × (1 + edgeWidth)]: [i,j,0] = 1 when a process line runs from slot i to slot j; then that line's features
  readonly condition: Float32Array; // [conditionWidth], conditionVector() of gan/condition.ts
}

/** A group before it has an offset: what vocabulary.ts lists. */
export interface GroupDef {
  readonly name: string;
  readonly size: number;
  readonly kind: FeatureKind;
}

/** Lays groups side by side in the order given. */
function layoutGroups(defs: readonly GroupDef[]): { groups: FeatureGroup[]; width: number } {
  let offset = 0;
  const groups = defs.map((d) => {
    const g: FeatureGroup = { name: d.name, offset, size: d.size, kind: d.kind };
    offset += d.size;
    return g;
  });
  return { groups, width: offset };
}

/** The spec every part of the topology generator shares: nMax, and whether a spare set is one slot. */
export function defaultSlotGraphSpec(nMax = 48, options: { readonly spareSets?: boolean } = {}): SlotGraphSpec {
  if (!Number.isInteger(nMax) || nMax < 1) throw new RangeError(`nMax must be a positive integer; got ${nMax}`);
  const nodes = layoutGroups(NODE_GROUP_DEFS);
  const edges = layoutGroups(EDGE_GROUP_DEFS);
  return {
    nMax,
    nodeGroups: nodes.groups,
    nodeWidth: nodes.width,
    edgeGroups: edges.groups,
    edgeWidth: edges.width,
    conditionWidth: CONDITION_SIZE,
    ...(options.spareSets ? { spareSets: true } : {}),
  };
}

/** Groups by name, for code that reads or writes one block. */
export function groupByName(groups: readonly FeatureGroup[]): ReadonlyMap<string, FeatureGroup> {
  return new Map(groups.map((g) => [g.name, g]));
}

/** The group called `name`; throws naming the missing group (a spec and its reader disagree). */
export function requireGroup(groups: readonly FeatureGroup[], name: string): FeatureGroup {
  const g = groups.find((x) => x.name === name);
  if (g === undefined) throw new Error(`slot graph spec has no group "${name}"`);
  return g;
}

/** Floats per edge cell: the existence flag, then the line features. */
export function edgeStride(spec: SlotGraphSpec): number {
  return 1 + spec.edgeWidth;
}

/** An all-zero slot graph of the spec's shape. */
export function emptySlotGraph(spec: SlotGraphSpec): SlotGraph {
  return {
    nodes: new Float32Array(spec.nMax * spec.nodeWidth),
    mask: new Float32Array(spec.nMax),
    edges: new Float32Array(spec.nMax * spec.nMax * edgeStride(spec)),
    condition: new Float32Array(spec.conditionWidth),
  };
}

/** Reads and writes named groups of one row of a flat matrix. */
export class RowWriter {
  private readonly groups: ReadonlyMap<string, FeatureGroup>;
  private base = 0;

  constructor(
    groups: readonly FeatureGroup[],
    private readonly data: Float32Array,
    private readonly stride: number,
    private readonly skip = 0,
  ) {
    this.groups = groupByName(groups);
  }

  row(r: number): void {
    this.base = r * this.stride + this.skip;
  }

  private group(name: string): FeatureGroup {
    const g = this.groups.get(name);
    if (g === undefined) throw new Error(`slot graph spec has no group "${name}"`);
    return g;
  }

  set(name: string, k: number, value: number): void {
    this.data[this.base + this.group(name).offset + k] = value;
  }

  get(name: string, k: number): number {
    return this.data[this.base + this.group(name).offset + k] as number;
  }

  /** Clears a categorical group and sets one class. */
  oneHot(name: string, k: number): void {
    const g = this.group(name);
    if (k < 0 || k >= g.size) throw new Error(`class ${k} is outside group "${name}" (${g.size} classes)`);
    this.data.fill(0, this.base + g.offset, this.base + g.offset + g.size);
    this.data[this.base + g.offset + k] = 1;
  }

  /** The largest column of a group (class of a categorical); 0 when all are equal. */
  argmax(name: string): number {
    const g = this.group(name);
    let best = 0;
    for (let k = 1; k < g.size; k++) {
      if ((this.data[this.base + g.offset + k] as number) > (this.data[this.base + g.offset + best] as number))
        best = k;
    }
    return best;
  }
}
