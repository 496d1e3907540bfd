/**
 * The pipe network as an undirected graph for the control rules: equipment tags and line ids are
 * nodes; a line touches the equipment at its nozzle ends and the parent line it tees off or into.
 *
 * Nodes are small integers and the adjacency is compressed rows (one Int32Array of neighbours and
 * one of row starts), built once per run on first use: a breadth-first search then allocates
 * nothing but reuses a visit stamp and a queue, which matters when thousands of loops and
 * interlocks each ask for a path.
 */
import type { BranchEnd, Equipment, Instrument, Line } from "../design/types.js";
import { isNozzleEnd } from "../design/types.js";
import { type DesignIndex, END_NOZZLE, END_OPEN } from "./context.js";

/** A node of the flow graph (an equipment tag or a line id), valid for one DesignIndex. */
export type NodeKey = number;

class FlowGraph {
  /**
   * Line nodes are the line's position in `design.lines` (its first, for a repeated id), and the
   * design's equipment tags follow in `uniqueEquipment` order, so the index's own maps serve; tags
   * and line ids the design does not have get nodes after them.
   */
  private readonly lineIndexById: Pick<ReadonlyMap<string, number>, "get">;
  private readonly lineCount: number;
  private readonly equipmentIndexByTag: Pick<ReadonlyMap<string, number>, "get">;
  private readonly equipment: readonly Equipment[];
  /** First node after the design's lines and equipment. */
  private readonly otherFrom: number;
  private readonly otherEquipmentNodes = new Map<string, number>();
  private readonly otherLineNodes = new Map<string, number>();
  /** Node (from otherFrom on) → its tag or line id, and whether it is a line (for messages). */
  private readonly names: string[] = [];
  private readonly isLine: boolean[] = [];
  private readonly lines: readonly Line[];
  /** Nodes [0, linked) have rows in `start`; later ones (named nowhere in the lines) are isolated. */
  private readonly linked: number;
  private readonly start: Int32Array;
  private readonly adjacent: Int32Array;
  private readonly stamp: Int32Array;
  private readonly queue: Int32Array;
  private query = 0;

  constructor(index: DesignIndex) {
    const lines = index.design.lines;
    this.lineIndexById = index.lineIndexById;
    this.lineCount = lines.length;
    this.lines = lines;
    this.equipmentIndexByTag = index.equipmentIndexByTag;
    this.equipment = index.uniqueEquipment;
    this.otherFrom = this.lineCount + this.equipment.length;
    // Edges as (line node, end node) pairs, then counted into rows; each edge goes both ways.
    const arrays = index.arrays;
    const from = arrays.int32(2 * lines.length);
    const to = arrays.int32(2 * lines.length);
    let edges = 0;
    // The index resolved every line end once: only ends naming nothing in the design look up again.
    const { lineFirst, endKind, endTarget } = index;
    for (let i = 0; i < lines.length; i++) {
      const self = lineFirst[i]!;
      for (let side = 0; side < 2; side++) {
        const code = 2 * i + side;
        const kind = endKind[code];
        // An open end leaves the plot: flow through it reaches nothing in the design.
        if (kind === END_OPEN) continue;
        const target = endTarget[code]!;
        from[edges] = self;
        if (target >= 0) to[edges] = kind === END_NOZZLE ? this.lineCount + target : target;
        else {
          const line = lines[i]!;
          const end = side === 0 ? line.from : line.to;
          to[edges] = isNozzleEnd(end) ? this.equipmentNode(end.tag) : this.line((end as BranchEnd).line);
        }
        edges++;
      }
    }
    const n = this.otherFrom + this.names.length;
    this.linked = n;
    const start = arrays.int32(n + 1);
    for (let e = 0; e < edges; e++) {
      start[from[e]! + 1]!++;
      start[to[e]! + 1]!++;
    }
    for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
    const fill = arrays.int32(n);
    fill.set(start.subarray(0, n));
    const adjacent = arrays.int32(2 * edges);
    for (let e = 0; e < edges; e++) {
      adjacent[fill[from[e]!]!++] = to[e]!;
      adjacent[fill[to[e]!]!++] = from[e]!;
    }
    this.start = start;
    this.adjacent = adjacent;
    this.stamp = arrays.int32(n);
    this.queue = arrays.int32(n);
  }

  private added(name: string, isLine: boolean): NodeKey {
    this.names.push(name);
    this.isLine.push(isLine);
    return this.otherFrom + this.names.length - 1;
  }

  /** The node of the equipment tag at position k of `uniqueEquipment`. */
  equipmentAt(k: number): NodeKey {
    return this.lineCount + k;
  }

  /** The node of an equipment tag (a fresh isolated node when nothing names it yet). */
  equipmentNode(tag: string): NodeKey {
    const own = this.equipmentIndexByTag.get(tag);
    if (own !== undefined) return this.lineCount + own;
    let node = this.otherEquipmentNodes.get(tag);
    if (node === undefined) {
      node = this.added(tag, false);
      this.otherEquipmentNodes.set(tag, node);
    }
    return node;
  }

  line(id: string): NodeKey {
    const own = this.lineIndexById.get(id);
    if (own !== undefined) return own;
    let node = this.otherLineNodes.get(id);
    if (node === undefined) {
      node = this.added(id, true);
      this.otherLineNodes.set(id, node);
    }
    return node;
  }

  describe(node: NodeKey): string {
    if (node < this.lineCount) return `line ${this.lines[node]!.id}`;
    if (node < this.otherFrom) return `equipment ${this.equipment[node - this.lineCount]!.tag}`;
    const k = node - this.otherFrom;
    return `${this.isLine[k] ? "line" : "equipment"} ${this.names[k]}`;
  }

  /** Steps from a to b (breadth first), or undefined when more than `maxHops` apart. */
  hops(a: NodeKey, b: NodeKey, maxHops: number): number | undefined {
    if (a === b) return 0;
    if (a >= this.linked || b >= this.linked) return undefined;
    if (++this.query === 0x7fffffff) {
      this.stamp.fill(0);
      this.query = 1;
    }
    const { start, adjacent, stamp, queue, query } = this;
    stamp[a] = query;
    queue[0] = a;
    let head = 0;
    let tail = 1;
    for (let hops = 1; hops <= maxHops && head < tail; hops++) {
      const levelEnd = tail;
      for (; head < levelEnd; head++) {
        const node = queue[head]!;
        for (let p = start[node]!, end = start[node + 1]!; p < end; p++) {
          const n = adjacent[p]!;
          if (n === b) return hops;
          if (stamp[n] !== query) {
            stamp[n] = query;
            queue[tail++] = n;
          }
        }
      }
    }
    return undefined;
  }
}

const graphs = new WeakMap<DesignIndex, FlowGraph>();

function graphOf(index: DesignIndex): FlowGraph {
  let graph = graphs.get(index);
  if (!graph) {
    graph = new FlowGraph(index);
    graphs.set(index, graph);
  }
  return graph;
}

/** As `nodeOfTag`, for a tag number of `DesignIndex.control` (no lookup). */
export function nodeOfTagId(index: DesignIndex, id: number): NodeKey | undefined {
  const k = index.tagEquipment[id]!;
  if (k >= 0) return graphOf(index).equipmentAt(k);
  const component = index.tagComponent[id];
  if (component) return index.lineFirst[component.lineIndex]!;
  const i = index.tagInstrument[id]!;
  return i >= 0 ? nodeOfInstrumentAt(index, i) : undefined;
}

/** As `nodeOfInstrument`, for the instrument at position i of `design.instruments`. */
export function nodeOfInstrumentAt(index: DesignIndex, i: number): NodeKey | undefined {
  const graph = graphOf(index);
  const on = index.control.instrumentOn[i]!;
  if (on >= 0) return graph.equipmentAt(on);
  if (on < -1) return -2 - on;
  return nodeOfInstrument(index, index.design.instruments[i]!);
}

/** Where a tag sits in the network: equipment, the line of a tagged component, or an instrument's mount. */
export function nodeOfTag(index: DesignIndex, tag: string): NodeKey | undefined {
  // One lookup says what the tag names.
  const named = index.tagged(tag);
  if (!named) return undefined;
  if (named.equipment >= 0) return graphOf(index).equipmentAt(named.equipment);
  if (named.component) return graphOf(index).line(named.component.line.id);
  const instrument = index.design.instruments[named.instrument];
  return instrument ? nodeOfInstrument(index, instrument) : undefined;
}

/** The node an instrument sits on; undefined for an unmounted one (no `on`), which is nowhere in the network. */
export function nodeOfInstrument(index: DesignIndex, instrument: Instrument): NodeKey | undefined {
  const graph = graphOf(index);
  if (!instrument.on) return undefined;
  return "tag" in instrument.on ? graph.equipmentNode(instrument.on.tag) : graph.line(instrument.on.line);
}

/** Steps between two nodes through the network, or undefined when more than `maxHops` apart. */
export function hopsBetween(index: DesignIndex, a: NodeKey, b: NodeKey, maxHops: number): number | undefined {
  return graphOf(index).hops(a, b, maxHops);
}

/** "equipment V-101" / "line 150-P-1001-A1", for messages. */
export function describeNode(index: DesignIndex, node: NodeKey): string {
  return graphOf(index).describe(node);
}
