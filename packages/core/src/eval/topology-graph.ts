/**
 * The P&ID topology as a labelled graph for structural metrics, with every tag, id, size,
 * position and array order dropped, so two designs that differ only in naming, order or layout
 * give the same labelled graph (up to node numbering).
 *
 * Same nodes and edges as views/graph.ts designGraph, with one change: designGraph threads the
 * tees of a header line into its chain in the order of `design.lines`, so shuffling the lines
 * changes the graph. The contract gives no position along a line, so here all branch points of
 * one line are a single header node `T` in its chain (after its components): which tee comes
 * first is not structure.
 *
 * Labels (types only, never identities):
 * - equipment `E:<type>`, inline component `C:<type>`, header `T`;
 * - instrument `I:<ISA letters>` (the tag's function letters, e.g. LZT), controller
 *   `K:<ISA letters>:<action>`;
 * - pipe segment `P:<process|branch>:<service>` in flow order (`branch` on a branch line's
 *   segment touching its header), `mount` (instrument → equipment, or → the first node of its
 *   line), `signal` (measurement → controller), `control` (controller → final element),
 *   interlock `X:<trip>:<action>` (cause → each effect target).
 * Nozzle marks and line sizes are left out: drawing detail, not structure. References that
 * resolve to nothing get no edge (the validator reports them).
 */
import { parseDesign } from "../design/parse.js";
import type { Design, PlantDesignInput } from "../design/types.js";

export interface LabelledEdge {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

/** Nodes are 0..n-1; `nodeLabels[i]` is node i's label. */
export interface LabelledGraph {
  readonly nodeLabels: readonly string[];
  readonly edges: readonly LabelledEdge[];
}

/** The design as the validator reads it, or undefined when it does not parse (counted invalid). */
export function parseTopology(design: PlantDesignInput | Design): Design | undefined {
  const parsed = parseDesign(design);
  return parsed.success ? parsed.data : undefined;
}

/** ISA function letters of a tag: its leading letters ("LZT-104" → "LZT"). */
export function tagLetters(tag: string): string {
  return /^[A-Za-z]+/.exec(tag)?.[0]?.toUpperCase() ?? "";
}

/** A design parsed or as written: the schema's defaults (no components, service process, reverse action) are applied here. */
export type TopologyInput = Design | PlantDesignInput;
type LineInput = TopologyInput["lines"][number];

/** The labelled topology graph of a design, parsed or as written, placed or not. */
export function topologyGraph(design: TopologyInput): LabelledGraph {
  const nodeLabels: string[] = [];
  const edges: LabelledEdge[] = [];
  const node = (label: string) => nodeLabels.push(label) - 1;
  const edge = (from: number | undefined, to: number | undefined, label: string) => {
    if (from !== undefined && to !== undefined) edges.push({ from, to, label });
  };
  /** Tag → node, first come first served (a repeated tag is the validator's business). */
  const byTag = new Map<string, number>();
  const tagged = (tag: string, label: string) => {
    const at = node(label);
    if (!byTag.has(tag)) byTag.set(tag, at);
    return at;
  };

  for (const e of design.equipment) tagged(e.tag, `E:${e.type}`);
  const lines = new Map<string, LineInput>();
  for (const l of design.lines) if (!lines.has(l.id)) lines.set(l.id, l);
  const components = new Map<LineInput, number[]>();
  for (const l of lines.values()) {
    components.set(
      l,
      (l.components ?? []).map((c) => (c.tag !== undefined ? tagged(c.tag, `C:${c.type}`) : node(`C:${c.type}`))),
    );
  }
  const headers = new Map<string, number>();
  for (const l of lines.values()) {
    for (const end of [l.from, l.to]) {
      if ("line" in end && end.line !== l.id && lines.has(end.line) && !headers.has(end.line)) {
        headers.set(end.line, node("T"));
      }
    }
  }
  const instruments = design.instruments ?? [];
  const loops = design.control?.loops ?? [];
  const interlocks = design.control?.interlocks ?? [];
  for (const ins of instruments) tagged(ins.tag, `I:${tagLetters(ins.tag)}`);
  for (const loop of loops) tagged(loop.tag, `K:${tagLetters(loop.tag)}:${loop.action ?? "reverse"}`);

  const endNode = (l: LineInput, end: LineInput["from"]): number | undefined => {
    if ("open" in end) return undefined;
    if (!("line" in end)) {
      const at = byTag.get(end.tag);
      return at !== undefined && nodeLabels[at]!.startsWith("E:") ? at : undefined;
    }
    return end.line === l.id ? undefined : headers.get(end.line);
  };

  const firstNode = new Map<string, number>();
  for (const l of lines.values()) {
    const header = headers.get(l.id);
    const chain = [
      endNode(l, l.from),
      ...components.get(l)!,
      ...(header !== undefined ? [header] : []),
      endNode(l, l.to),
    ];
    const first = chain.find((n) => n !== undefined);
    if (first !== undefined) firstNode.set(l.id, first);
    for (let s = 0; s + 1 < chain.length; s++) {
      const touchesOwnHeader = (s === 0 && "line" in l.from) || (s + 2 === chain.length && "line" in l.to);
      edge(chain[s], chain[s + 1], `P:${touchesOwnHeader ? "branch" : "process"}:${l.service ?? "process"}`);
    }
  }

  for (const ins of instruments) {
    const at = byTag.get(ins.tag);
    if (!ins.on) continue; // unmounted: no mount edge
    edge(at, "tag" in ins.on ? byTag.get(ins.on.tag) : firstNode.get(ins.on.line), "mount");
  }
  for (const loop of loops) {
    const at = byTag.get(loop.tag);
    // A hand controller (HC, HIC) measures nothing: no signal edge into it.
    if (loop.measurement !== undefined) edge(byTag.get(loop.measurement), at, "signal");
    edge(at, byTag.get(loop.finalElement), "control");
  }
  for (const il of interlocks) {
    for (const effect of il.effects) {
      edge(byTag.get(il.cause.instrument), byTag.get(effect.target), `X:${il.cause.trip}:${effect.action}`);
    }
  }
  return { nodeLabels, edges };
}
