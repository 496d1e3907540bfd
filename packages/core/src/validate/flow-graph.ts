/**
 * The pipe network as an undirected graph for the control rules: equipment tags and line ids are
 * nodes ("E:" and "L:" keys); a line touches the equipment at its nozzle ends and the parent line
 * it tees off or into. Built once per run, on first use (rules that never ask never pay).
 */
import type { Instrument } from "../design/types.js";
import { isNozzleEnd } from "../design/types.js";
import type { DesignIndex } from "./context.js";

export type NodeKey = string;

export const equipmentNode = (tag: string): NodeKey => `E:${tag}`;
export const lineNode = (id: string): NodeKey => `L:${id}`;

const graphs = new WeakMap<DesignIndex, Map<NodeKey, NodeKey[]>>();

function graphOf(index: DesignIndex): Map<NodeKey, NodeKey[]> {
  let graph = graphs.get(index);
  if (graph) return graph;
  graph = new Map();
  const link = (a: NodeKey, b: NodeKey) => {
    const la = graph!.get(a);
    if (la) la.push(b);
    else graph!.set(a, [b]);
    const lb = graph!.get(b);
    if (lb) lb.push(a);
    else graph!.set(b, [a]);
  };
  for (const line of index.design.lines) {
    const self = lineNode(line.id);
    for (const end of [line.from, line.to]) link(self, isNozzleEnd(end) ? equipmentNode(end.tag) : lineNode(end.line));
  }
  graphs.set(index, graph);
  return graph;
}

/** Where a tag sits in the network: equipment, the line of a tagged component, or an instrument's mount. */
export function nodeOfTag(index: DesignIndex, tag: string): NodeKey | undefined {
  if (index.equipmentByTag.has(tag)) return equipmentNode(tag);
  const component = index.componentByTag.get(tag);
  if (component) return lineNode(component.line.id);
  const instrument = index.instrumentByTag.get(tag);
  return instrument ? nodeOfInstrument(instrument) : undefined;
}

export function nodeOfInstrument(instrument: Instrument): NodeKey {
  return "tag" in instrument.on ? equipmentNode(instrument.on.tag) : lineNode(instrument.on.line);
}

/** Steps between two nodes through the network, or undefined when more than `maxHops` apart. */
export function hopsBetween(index: DesignIndex, a: NodeKey, b: NodeKey, maxHops: number): number | undefined {
  if (a === b) return 0;
  const graph = graphOf(index);
  const seen = new Set<NodeKey>([a]);
  let frontier = [a];
  for (let hops = 1; hops <= maxHops && frontier.length > 0; hops++) {
    const next: NodeKey[] = [];
    for (const node of frontier) {
      for (const n of graph.get(node) ?? []) {
        if (n === b) return hops;
        if (!seen.has(n)) {
          seen.add(n);
          next.push(n);
        }
      }
    }
    frontier = next;
  }
  return undefined;
}

/** "equipment V-101" / "line 150-P-1001-A1", for messages. */
export function describeNode(node: NodeKey): string {
  return node.startsWith("E:") ? `equipment ${node.slice(2)}` : `line ${node.slice(2)}`;
}
