/**
 * The P&ID's schematic layout: equipment, tees, off-page connectors (a line's open end, where it
 * leaves the plot), instruments, controllers and interlocks as nodes
 * laid out left to right by dagre (flow direction), process lines as dagre's routed edges with
 * their inline components spaced along them, and signal lines (measurement, controller output,
 * interlock cause and effects) as straight dashed links between symbols. Pure: no DOM.
 */
import { Graph, layout } from "@dagrejs/dagre";
import type { Component, Design, EquipmentType, Line, OpenEnd } from "@plantgan/core/design";

export type PidNodeKind = "equipment" | "tee" | "offpage" | "instrument" | "loop" | "interlock";

export interface PidNode {
  readonly key: string;
  readonly kind: PidNodeKind;
  /** Tag (or line id for a tee or an off-page connector). */
  readonly id: string;
  readonly type?: EquipmentType;
  /** Off-page connector: what it says (the open end's label, else the plot edge, else "off-page"). */
  readonly label?: string;
  /** Off-page connector: "in" where the line comes onto the sheet, "out" where it leaves it. */
  readonly flow?: "in" | "out";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PidComponent {
  readonly component: Component;
  readonly lineId: string;
  readonly x: number;
  readonly y: number;
  /** Direction of flow there, radians. */
  readonly angle: number;
}

export interface PidLine {
  /** Line id; a line split by a branch tee draws as two segments with the same id. */
  readonly id: string;
  readonly points: readonly { x: number; y: number }[];
}

export type SignalKind = "measure" | "loop" | "interlock";

export interface PidSignal {
  readonly kind: SignalKind;
  /** The loop or interlock it belongs to; the instrument's tag for a measuring connection. */
  readonly owner: string;
  readonly from: { x: number; y: number };
  readonly to: { x: number; y: number };
}

export interface PidDrawing {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PidNode[];
  readonly lines: readonly PidLine[];
  readonly components: readonly PidComponent[];
  readonly signals: readonly PidSignal[];
}

const SYMBOL_SIZE: Partial<Record<EquipmentType, [number, number]>> = {
  pump: [44, 44],
  compressor: [52, 52],
  tank: [80, 90],
  vessel: [48, 84],
  column: [44, 130],
  heat_exchanger: [56, 56],
  reactor: [60, 96],
  flare: [30, 90],
};
const DEFAULT_SIZE: [number, number] = [64, 56];
const BUBBLE = 40;
const FLAG_HEIGHT = 22;

/** What an off-page connector says: the open end's label, else the plot edge it crosses. */
export function offPageText(end: OpenEnd): string {
  return end.label ?? (end.edge ? `${end.edge} edge` : "off-page");
}

/** A flag wide enough for its text (about 6.5 px a character) and the arrow point. */
function flagWidth(text: string): number {
  return Math.min(180, Math.max(56, Math.round(text.length * 6.5) + 24));
}

/** Point and direction at a fraction of a polyline's length. */
export function alongPolyline(
  points: readonly { x: number; y: number }[],
  fraction: number,
): { x: number; y: number; angle: number } {
  let total = 0;
  for (let i = 1; i < points.length; i++)
    total += Math.hypot(points[i]!.x - points[i - 1]!.x, points[i]!.y - points[i - 1]!.y);
  let left = total * fraction;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (left <= len || i === points.length - 1) {
      const t = len > 0 ? Math.min(1, left / len) : 0;
      return { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t, angle: Math.atan2(b.y - a.y, b.x - a.x) };
    }
    left -= len;
  }
  const p = points[0] ?? { x: 0, y: 0 };
  return { x: p.x, y: p.y, angle: 0 };
}

export function layoutPid(design: Design): PidDrawing {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 50, ranksep: 90, edgesep: 20, marginx: 30, marginy: 30 });
  g.setDefaultEdgeLabel(() => ({}));
  type NodeInfo = { kind: PidNodeKind; id: string; type?: EquipmentType; label?: string; flow?: "in" | "out" };
  const kinds = new Map<string, NodeInfo>();
  const addNode = (key: string, info: NodeInfo, size: [number, number]) => {
    if (kinds.has(key)) return;
    kinds.set(key, info);
    g.setNode(key, { width: size[0], height: size[1] });
  };

  for (const e of design.equipment)
    addNode(`eq:${e.tag}`, { kind: "equipment", id: e.tag, type: e.type }, SYMBOL_SIZE[e.type] ?? DEFAULT_SIZE);
  const branched = new Set(
    design.lines.flatMap((l) => [l.from, l.to]).flatMap((end) => ("line" in end ? [end.line] : [])),
  );
  for (const id of branched) addNode(`tee:${id}`, { kind: "tee", id }, [8, 8]);
  // An open end (battery limit) is an off-page connector of its own, one per line end.
  const endKey = (l: Line, side: "from" | "to"): string => {
    const end = l[side];
    return "tag" in end ? `eq:${end.tag}` : "line" in end ? `tee:${end.line}` : `open:${l.id}:${side}`;
  };
  for (const l of design.lines) {
    for (const side of ["from", "to"] as const) {
      const end = l[side];
      if (!("open" in end)) continue;
      const label = offPageText(end);
      const flow = side === "from" ? "in" : "out";
      addNode(endKey(l, side), { kind: "offpage", id: l.id, label, flow }, [flagWidth(label), FLAG_HEIGHT]);
    }
  }

  // Process edges: a line with a tee on it runs from → tee → to.
  const segments: { id: string; from: string; to: string; name: string; components: readonly Component[] }[] = [];
  for (const l of design.lines) {
    const from = endKey(l, "from");
    const to = endKey(l, "to");
    if (!kinds.has(from) || !kinds.has(to)) continue;
    const legs: [string, string][] = branched.has(l.id)
      ? [
          [from, `tee:${l.id}`],
          [`tee:${l.id}`, to],
        ]
      : [[from, to]];
    legs.forEach(([a, b], i) => {
      const name = `${l.id}#${i}`;
      g.setEdge(a, b, { weight: 4, minlen: 1 }, name);
      segments.push({ id: l.id, from: a, to: b, name, components: i === 0 ? l.components : [] });
    });
  }

  // Component tag → its line, so signals can reach a valve drawn on a line.
  const componentLine = new Map<string, string>();
  for (const l of design.lines) for (const c of l.components) if (c.tag) componentLine.set(c.tag, l.id);
  const instrumentOn = new Map(design.instruments.map((i) => [i.tag, i.on]));

  // Instruments and controllers as bubbles, interlocks as diamonds; ranking edges only (drawn straight).
  const rankNear = (a: string | undefined, b: string): void => {
    if (a && kinds.has(a) && kinds.has(b)) g.setEdge(a, b, { weight: 1, minlen: 1 }, `rank:${a}->${b}`);
  };
  const anchorOf = (tag: string): string | undefined => {
    if (kinds.has(`eq:${tag}`)) return `eq:${tag}`;
    if (kinds.has(`in:${tag}`)) return `in:${tag}`;
    const line = componentLine.get(tag) ?? undefined;
    const l = line ? design.lines.find((x) => x.id === line) : undefined;
    return l ? endKey(l, "from") : undefined;
  };
  // Controllers first: a loop tag also listed as an instrument draws as the controller.
  for (const loop of design.control.loops) addNode(`in:${loop.tag}`, { kind: "loop", id: loop.tag }, [BUBBLE, BUBBLE]);
  for (const i of design.instruments) addNode(`in:${i.tag}`, { kind: "instrument", id: i.tag }, [BUBBLE, BUBBLE]);
  for (const i of design.instruments) {
    if (!i.on) continue; // unmounted: drawn, but ranked near nothing
    if ("tag" in i.on) rankNear(`eq:${i.on.tag}`, `in:${i.tag}`);
    else {
      const l = design.lines.find((x) => x.id === (i.on as { line: string }).line);
      if (l) rankNear(endKey(l, "from"), `in:${i.tag}`);
    }
  }
  for (const loop of design.control.loops) {
    if (loop.measurement !== undefined) rankNear(anchorOf(loop.measurement), `in:${loop.tag}`);
  }
  for (const il of design.control.interlocks) {
    addNode(`il:${il.tag}`, { kind: "interlock", id: il.tag }, [BUBBLE + 4, BUBBLE + 4]);
    rankNear(anchorOf(il.cause.instrument), `il:${il.tag}`);
  }

  layout(g);

  const nodes: PidNode[] = [];
  const centre = new Map<string, { x: number; y: number }>();
  for (const key of g.nodes()) {
    const n = g.node(key) as { x: number; y: number; width: number; height: number };
    const k = kinds.get(key)!;
    nodes.push({ key, ...k, x: n.x, y: n.y, width: n.width, height: n.height });
    centre.set(key, { x: n.x, y: n.y });
  }
  const lines: PidLine[] = [];
  const components: PidComponent[] = [];
  const lineMiddle = new Map<string, { x: number; y: number }>();
  const componentAt = new Map<string, { x: number; y: number }>();
  for (const s of segments) {
    const points = (g.edge(s.from, s.to, s.name) as { points: { x: number; y: number }[] }).points;
    lines.push({ id: s.id, points });
    if (!lineMiddle.has(s.id)) lineMiddle.set(s.id, alongPolyline(points, 0.5));
    s.components.forEach((c, i) => {
      const at = alongPolyline(points, (i + 1) / (s.components.length + 1));
      components.push({ component: c, lineId: s.id, ...at });
      if (c.tag) componentAt.set(c.tag, at);
    });
  }

  // Where a tag is drawn: a node, or a component on its line.
  const where = (tag: string): { x: number; y: number } | undefined =>
    centre.get(`eq:${tag}`) ?? centre.get(`in:${tag}`) ?? componentAt.get(tag);
  const signals: PidSignal[] = [];
  for (const i of design.instruments) {
    const at = centre.get(`in:${i.tag}`)!;
    const on = instrumentOn.get(i.tag);
    if (!on) continue; // unmounted: measures nothing drawn
    const to = "tag" in on ? where(on.tag) : lineMiddle.get(on.line);
    if (to) signals.push({ kind: "measure", owner: i.tag, from: to, to: at });
  }
  for (const loop of design.control.loops) {
    const c = centre.get(`in:${loop.tag}`)!;
    const m = loop.measurement === undefined ? undefined : where(loop.measurement);
    const f = where(loop.finalElement);
    if (m) signals.push({ kind: "loop", owner: loop.tag, from: m, to: c });
    if (f) signals.push({ kind: "loop", owner: loop.tag, from: c, to: f });
  }
  for (const il of design.control.interlocks) {
    const c = centre.get(`il:${il.tag}`)!;
    const cause = where(il.cause.instrument);
    if (cause) signals.push({ kind: "interlock", owner: il.tag, from: cause, to: c });
    for (const e of il.effects) {
      const t = where(e.target);
      if (t) signals.push({ kind: "interlock", owner: il.tag, from: c, to: t });
    }
  }
  const graph = g.graph() as { width?: number; height?: number };
  return { width: graph.width ?? 100, height: graph.height ?? 100, nodes, lines, components, signals };
}
