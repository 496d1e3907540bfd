/**
 * Graph view of a design: one typed multigraph of equipment, instruments, inline components,
 * controllers and tees, with pipe segments and signal links as typed edges (graphology).
 *
 * Modelling choices:
 * - Node keys: equipment, instrument and controller (loop) keys are their tags; a component is
 *   keyed by its tag, or `${lineId}#${index}` when untagged (index in `line.components`); a tee
 *   is keyed `${lineId}@from` / `${lineId}@to` (the branch line and its end). Neither `#` nor `@`
 *   can occur in a tag or a line id, so the key spaces never meet.
 * - A line is a chain of directed pipe segments in flow order: from-end → components… → tees… →
 *   to-end. Each segment edge carries the line id, its segment index, the line's service and the
 *   segment's DN (the line size, changed downstream of a reducer that gives a size). The first
 *   segment names its from-nozzle, the last its to-nozzle.
 * - Branches: each line end `{ line: P }` is a tee node. The tee is the branch line's end node
 *   and it also sits in the chain of the parent line P, after P's components (the contract gives
 *   no position along P), tees ordered by branch line then end (from before to). So flow paths
 *   through headers into branches are plain graph paths. The branch line's own segment that
 *   touches its tee has relation "branch"; every other segment is "process".
 * - "mount": instrument → the equipment it sits on; for an instrument on a line, instrument → the
 *   source node of the line's first segment, with the `line` attribute naming the line.
 * - "signal": measurement instrument → controller; "control": controller → final element;
 *   "interlock": cause instrument → each effect target (one edge per effect).
 * - The graph is built from any schema-valid design. A reference that resolves to nothing (or a
 *   line branching off itself) gets no edge; a second node with a key already taken is left out
 *   (a component falls back to its `${lineId}#${index}` key instead, keeping its line whole); a
 *   second line with an id already taken is left out. Each case is listed in the graph attribute
 *   `issues`; the validator owns reporting them to users.
 */
import { MultiDirectedGraph } from "graphology";
import type {
  ComponentType,
  Design,
  EquipmentType,
  Footprint,
  Hazard,
  Instrument,
  Interlock,
  Line,
  LineEnd,
  Loop,
} from "../design/types.js";
import { type InstrumentClass, instrumentClassOf } from "./vocabulary.js";

export type EquipmentNodeAttributes = {
  readonly kind: "equipment";
  readonly tag: string;
  readonly type: EquipmentType;
  /** Position in `design.equipment`. */
  readonly index: number;
  /** True when x and y are both given. */
  readonly placed: boolean;
  /** Footprint centre, m; absent when not placed. */
  readonly x?: number;
  readonly y?: number;
  /** Base elevation, m. */
  readonly z: number;
  /** Degrees counter-clockwise, one of 0/90/180/270. */
  readonly rotation: 0 | 90 | 180 | 270;
  readonly footprint: Footprint;
  readonly hazard: Hazard;
};

export type InstrumentNodeAttributes = {
  readonly kind: "instrument";
  readonly tag: string;
  /** Position in `design.instruments`. */
  readonly index: number;
  readonly on: Instrument["on"];
  /** From the tag's first letter. */
  readonly measures: InstrumentClass;
};

export type ComponentNodeAttributes = {
  readonly kind: "component";
  readonly tag?: string;
  readonly type: ComponentType;
  /** Id of the line it sits on. */
  readonly line: string;
  /** Position of that line in `design.lines`. */
  readonly lineIndex: number;
  /** Position in the line's `components` (flow order). */
  readonly index: number;
};

export type ControllerNodeAttributes = {
  readonly kind: "controller";
  readonly tag: string;
  /** Position in `design.control.loops`. */
  readonly index: number;
  readonly action: Loop["action"];
  /** Absent for a hand controller (HC, HIC), which measures nothing. */
  readonly measurement: string | undefined;
  readonly finalElement: string;
};

export type TeeNodeAttributes = {
  readonly kind: "tee";
  /** The branch line whose end this is. */
  readonly line: string;
  readonly lineIndex: number;
  readonly end: "from" | "to";
  /** The line it tees off or into. */
  readonly parent: string;
};

export type NodeAttributes =
  | EquipmentNodeAttributes
  | InstrumentNodeAttributes
  | ComponentNodeAttributes
  | ControllerNodeAttributes
  | TeeNodeAttributes;

export type PipeEdgeAttributes = {
  /** "branch" for a branch line's segment touching its own tee, else "process". */
  readonly relation: "process" | "branch";
  readonly line: string;
  readonly lineIndex: number;
  /** 0-based position along the line's chain. */
  readonly segment: number;
  /** Segments in the line's chain. */
  readonly segments: number;
  /** DN of this segment, mm. */
  readonly size: number;
  readonly service: Line["service"];
  /** On the first segment when the line starts at a nozzle. */
  readonly fromNozzle?: string;
  /** On the last segment when the line ends at a nozzle. */
  readonly toNozzle?: string;
};

export type MountEdgeAttributes = {
  readonly relation: "mount";
  /** Set when the instrument sits on a line (the edge then targets the line's first node). */
  readonly line?: string;
};

export type SignalEdgeAttributes = { readonly relation: "signal"; readonly loop: string };
export type ControlEdgeAttributes = { readonly relation: "control"; readonly loop: string };
export type InterlockEdgeAttributes = {
  readonly relation: "interlock";
  readonly interlock: string;
  readonly trip: Interlock["cause"]["trip"];
  readonly action: Interlock["effects"][number]["action"];
  /** Position in the interlock's `effects`. */
  readonly effect: number;
};

export type EdgeAttributes =
  | PipeEdgeAttributes
  | MountEdgeAttributes
  | SignalEdgeAttributes
  | ControlEdgeAttributes
  | InterlockEdgeAttributes;

export type Relation = EdgeAttributes["relation"];

/** Something in the design the graph could not represent. */
export type GraphIssue =
  | { readonly code: "duplicate_key"; readonly key: string; readonly message: string }
  | { readonly code: "unresolved_reference"; readonly from: string; readonly ref: string; readonly message: string };

export type GraphAttributes = {
  readonly id: string;
  readonly issues: readonly GraphIssue[];
};

export type PlantGraph = MultiDirectedGraph<NodeAttributes, EdgeAttributes, GraphAttributes>;

export function componentKey(lineId: string, index: number): string {
  return `${lineId}#${index}`;
}

export function teeKey(lineId: string, end: "from" | "to"): string {
  return `${lineId}@${end}`;
}

/** Builds the graph view of a parsed design. Never throws on a schema-valid design. */
export function designGraph(design: Design): PlantGraph {
  const issues: GraphIssue[] = [];
  const graph: PlantGraph = new MultiDirectedGraph<NodeAttributes, EdgeAttributes, GraphAttributes>();

  const add = (key: string, attributes: NodeAttributes): boolean => {
    if (graph.hasNode(key)) {
      issues.push({ code: "duplicate_key", key, message: `"${key}" is used by more than one node` });
      return false;
    }
    graph.addNode(key, attributes);
    return true;
  };
  const unresolved = (from: string, ref: string, what: string): void => {
    issues.push({ code: "unresolved_reference", from, ref, message: `${from}: ${what} "${ref}" does not exist` });
  };

  design.equipment.forEach((e, index) => {
    const placed = e.x !== undefined && e.y !== undefined;
    add(e.tag, {
      kind: "equipment",
      tag: e.tag,
      type: e.type,
      index,
      placed,
      ...(placed ? { x: e.x!, y: e.y! } : {}),
      z: e.z,
      rotation: e.rotation,
      footprint: e.footprint,
      hazard: e.hazard,
    });
  });
  design.instruments.forEach((ins, index) => {
    add(ins.tag, { kind: "instrument", tag: ins.tag, index, on: ins.on, measures: instrumentClassOf(ins.tag) });
  });
  design.control.loops.forEach((loop, index) => {
    add(loop.tag, {
      kind: "controller",
      tag: loop.tag,
      index,
      action: loop.action,
      measurement: loop.measurement,
      finalElement: loop.finalElement,
    });
  });

  // Lines: the first of several with one id wins; its components become nodes.
  const lines: { line: Line; lineIndex: number; components: string[] }[] = [];
  const lineById = new Map<string, number>();
  design.lines.forEach((line, lineIndex) => {
    if (lineById.has(line.id)) {
      issues.push({ code: "duplicate_key", key: line.id, message: `line id "${line.id}" is used more than once` });
      return;
    }
    lineById.set(line.id, lines.length);
    const components = line.components.map((c, index) => {
      const attributes: ComponentNodeAttributes = {
        kind: "component",
        ...(c.tag !== undefined ? { tag: c.tag } : {}),
        type: c.type,
        line: line.id,
        lineIndex,
        index,
      };
      const fallback = componentKey(line.id, index);
      if (c.tag !== undefined && add(c.tag, attributes)) return c.tag;
      graph.addNode(fallback, attributes);
      return fallback;
    });
    lines.push({ line, lineIndex, components });
  });

  // Tees: one per branch end, threaded into the parent's chain in branch-line order.
  const teesOn = new Map<string, string[]>();
  for (const { line, lineIndex } of lines) {
    for (const end of ["from", "to"] as const) {
      const lineEnd = line[end];
      if (!("line" in lineEnd)) continue;
      const key = teeKey(line.id, end);
      graph.addNode(key, { kind: "tee", line: line.id, lineIndex, end, parent: lineEnd.line });
      if (lineEnd.line === line.id || !lineById.has(lineEnd.line)) {
        unresolved(`line ${line.id}`, lineEnd.line, lineEnd.line === line.id ? "branch onto itself, line" : "line");
        continue;
      }
      const list = teesOn.get(lineEnd.line) ?? [];
      list.push(key);
      teesOn.set(lineEnd.line, list);
    }
  }

  const endNode = (line: Line, end: "from" | "to"): string | undefined => {
    const lineEnd: LineEnd = line[end];
    if ("line" in lineEnd) return teeKey(line.id, end);
    // An open end (battery limit) leaves the plot: no node of the drawing stands there.
    if ("open" in lineEnd) return undefined;
    if (graph.hasNode(lineEnd.tag) && graph.getNodeAttribute(lineEnd.tag, "kind") === "equipment") return lineEnd.tag;
    unresolved(`line ${line.id}`, lineEnd.tag, "equipment");
    return undefined;
  };

  for (const { line, lineIndex, components } of lines) {
    const chain = [endNode(line, "from"), ...components, ...(teesOn.get(line.id) ?? []), endNode(line, "to")];
    const segments = chain.length - 1;
    let size = line.size;
    for (let s = 0; s < segments; s++) {
      // A reducer that names a size sets the DN downstream of it (chain[s] is component s-1).
      const component = s >= 1 && s <= line.components.length ? line.components[s - 1] : undefined;
      if (component?.type === "reducer" && component.size !== undefined) size = component.size;
      const source = chain[s];
      const target = chain[s + 1];
      if (source === undefined || target === undefined) continue;
      const first = s === 0;
      const last = s === segments - 1;
      const touchesOwnTee = (first && "line" in line.from) || (last && "line" in line.to);
      const attributes: PipeEdgeAttributes = {
        relation: touchesOwnTee ? "branch" : "process",
        line: line.id,
        lineIndex,
        segment: s,
        segments,
        size,
        service: line.service,
        ...(first && "nozzle" in line.from ? { fromNozzle: line.from.nozzle } : {}),
        ...(last && "nozzle" in line.to ? { toNozzle: line.to.nozzle } : {}),
      };
      graph.addDirectedEdge(source, target, attributes);
    }
  }

  // The first existing segment of each line anchors instruments mounted on it.
  const lineAnchor = new Map<string, { source: string; segment: number }>();
  graph.forEachEdge((_edge, attributes, source) => {
    if (attributes.relation !== "process" && attributes.relation !== "branch") return;
    const known = lineAnchor.get(attributes.line);
    if (known === undefined || attributes.segment < known.segment) {
      lineAnchor.set(attributes.line, { source, segment: attributes.segment });
    }
  });

  // Only the item that owns its key gets edges (a duplicate was left out above).
  const owns = (key: string, kind: "instrument" | "controller", index: number): boolean => {
    const a = graph.getNodeAttributes(key);
    return a.kind === kind && a.index === index;
  };

  design.instruments.forEach((ins, index) => {
    if (!owns(ins.tag, "instrument", index)) return;
    if (!ins.on) return; // unmounted: the contract allows it, and it has no mount edge
    if ("tag" in ins.on) {
      if (graph.hasNode(ins.on.tag)) graph.addDirectedEdge(ins.tag, ins.on.tag, { relation: "mount" });
      else unresolved(`instrument ${ins.tag}`, ins.on.tag, "mount");
    } else {
      const anchor = lineAnchor.get(ins.on.line);
      if (anchor) graph.addDirectedEdge(ins.tag, anchor.source, { relation: "mount", line: ins.on.line });
      else unresolved(`instrument ${ins.tag}`, ins.on.line, "line");
    }
  });

  design.control.loops.forEach((loop, index) => {
    if (!owns(loop.tag, "controller", index)) return;
    if (loop.measurement === undefined) {
      // A hand controller: the operator sets it, no signal comes in.
    } else if (graph.hasNode(loop.measurement)) {
      graph.addDirectedEdge(loop.measurement, loop.tag, { relation: "signal", loop: loop.tag });
    } else unresolved(`loop ${loop.tag}`, loop.measurement, "measurement");
    if (graph.hasNode(loop.finalElement)) {
      graph.addDirectedEdge(loop.tag, loop.finalElement, { relation: "control", loop: loop.tag });
    } else unresolved(`loop ${loop.tag}`, loop.finalElement, "final element");
  });

  for (const interlock of design.control.interlocks) {
    const cause = interlock.cause.instrument;
    if (!graph.hasNode(cause)) {
      unresolved(`interlock ${interlock.tag}`, cause, "cause instrument");
      continue;
    }
    interlock.effects.forEach((effect, index) => {
      if (!graph.hasNode(effect.target)) {
        unresolved(`interlock ${interlock.tag}`, effect.target, "target");
        return;
      }
      graph.addDirectedEdge(cause, effect.target, {
        relation: "interlock",
        interlock: interlock.tag,
        trip: interlock.cause.trip,
        action: effect.action,
        effect: index,
      });
    });
  }

  graph.replaceAttributes({ id: design.id, issues });
  return graph;
}
