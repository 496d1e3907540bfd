/**
 * Piping network systems and segments → lines. A DEXPI segment lists its piping components in flow
 * order and says where it starts and ends with `Connection FromID/ToID` (a nozzle, a component,
 * another segment; empty for an open end). Segments that meet end to end at a component are one
 * line; a segment ending on a component or segment inside another line is a branch
 * (`{ line: id }`). When a Connection names nothing, the centre line's end point is matched to a
 * nozzle or another line drawn there. An end that stays open (an off-page connector, a dead end,
 * a reference to nothing in the file) is an open end of the contract (a battery limit), labelled
 * with the connector's tag or pipe reference where it has one; it is never closed onto a nozzle.
 * Refused: a closed ring of segments (no end at all), and a segment ending at something that is not
 * piping (an instrument function), which is an instrument connection rather than a line end. A
 * function of a piping class that pipe segments meet at (inline-functions.ts) is an item of the line.
 */
import type { Component, ComponentType, LineEnd, Rating } from "../../design/index.js";
import { actuatingSystems, referencedValveName } from "./actuation.js";
import { canBeControlValve, componentTypeOf, FITTING_PATTERN, JUNCTION_PATTERN } from "./classes.js";
import type { EquipmentResult, ImportedEquipment } from "./equipment.js";
import { BoxGrid, type Point } from "./grid.js";
import { inlineFunctions, isInstrumentLeader } from "./inline-functions.js";
import { ancestor, centerLines, componentClass, connectionOf, describe, extentOf, genericAttr } from "./model.js";
import type { ImportContext } from "./report.js";
import { normaliseTag, sanitiseLineId, uniqueId } from "./tags.js";
import { nominalDiameterElement, nominalDiameterOf, nominalDiameterWithNodes, parseDn, ratingOf } from "./values.js";
import type { XmlElement } from "./xml.js";

/** DN used when neither the segment, its system, nor the nozzles at its ends give a size. */
export const DEFAULT_LINE_SIZE = 50;

/** Inline items a segment holds in flow order. */
const INLINE = new Set(["PipingComponent", "ProcessInstrument", "PropertyBreak", "PipeConnectorSymbol"]);

/** An inline item, or equipment drawn in the pipe (COMOS writes a flow element as an Equipment inside the segment). */
const isInline = (el: XmlElement) =>
  INLINE.has(el.name) || (el.name === "Equipment" && el.parent?.name === "PipingNetworkSegment");

export interface ImportedLine {
  readonly id: string;
  readonly from: LineEnd;
  readonly to: LineEnd;
  readonly size: number;
  readonly spec?: string;
  readonly fluid?: string;
  readonly rating?: Rating;
  readonly components: Component[];
}

export interface PipingResult {
  readonly lines: readonly ImportedLine[];
  /** The line an inline item or a segment ended up in. */
  lineOf(el: XmlElement): string | undefined;
  /** For an item or segment not in any line: a piece of equipment its piping connects to, if one does. */
  equipmentNear(el: XmlElement): string | undefined;
  /** The component an inline item became (mutable: instrumentation may give a control valve a tag). */
  componentOf(el: XmlElement): Component | undefined;
  /** Gives a control valve without a tag the tag a loop names it by. */
  setComponentTag(el: XmlElement, tag: string): void;
  /** The segment holding an inline item. */
  segmentOf(el: XmlElement): XmlElement | undefined;
  /**
   * For an item or segment on no line (an off-line instrument at the end of its measuring line):
   * the nearest line or equipment its piping leads to, walking segment connections both ways.
   */
  reachLine(el: XmlElement): { line: string } | { tag: string } | undefined;
}

type Side = "from" | "to";

interface Segment {
  readonly index: number;
  readonly el: XmlElement;
  readonly system: XmlElement | undefined;
  readonly items: readonly XmlElement[];
  readonly ref: Record<Side, string | undefined>;
  readonly points: Record<Side, [number, number] | undefined>;
}

/** Where a segment end leads, after resolution. */
type Terminal =
  | { kind: "nozzle"; end: { tag: string; nozzle: string } }
  | { kind: "equipment"; equipment: ImportedEquipment }
  | { kind: "branch"; segment: Segment }
  | { kind: "open"; why: string; connector?: XmlElement }
  /** An end at something that is not piping (an instrument function): an instrument connection, not a line end. */
  | { kind: "foreign"; why: string }
  /** A chain that closes on itself: no end to start a line from. */
  | { kind: "ring" };

interface EndKey {
  readonly seg: Segment;
  readonly side: Side;
}

export function importPiping(ctx: ImportContext, equipment: EquipmentResult, tolerance: number): PipingResult {
  const segments = collectSegments(ctx);
  const segOfItem = new Map<XmlElement, Segment>();
  for (const s of segments) for (const it of s.items) segOfItem.set(it, s);
  const segByEl = new Map(segments.map((s) => [s.el, s]));

  // 1. Resolve each segment end to a terminal or a joint (a point where segment ends meet).
  const terminals = new Map<string, Terminal>();
  const joints = new Map<XmlElement, EndKey[]>();
  const key = (e: EndKey) => `${e.seg.index}:${e.side}`;
  const joinAt = (point: XmlElement, end: EndKey) => {
    const list = joints.get(point) ?? [];
    list.push(end);
    joints.set(point, list);
  };

  const inline = inlineFunctions(
    ctx.doc,
    segments.map((s) => s.el),
  );
  const leaders = new Set(segments.filter((s) => isInstrumentLeader(ctx.doc, s.el)));
  const unresolved: EndKey[] = [];
  for (const seg of segments) {
    const leader = leaders.has(seg);
    for (const side of ["from", "to"] as const) {
      const end = { seg, side };
      const id = seg.ref[side];
      if (id === undefined) {
        unresolved.push(end);
        continue;
      }
      const target = ctx.doc.get(id);
      if (!target) {
        const drawn = ctx.doc.graphic(id);
        const why = drawn
          ? `its ${side} end names the ${drawn.name} "${id}", which only draws: nothing is connected there`
          : `its ${side} end names "${id}", which is not in the file`;
        terminals.set(key(end), { kind: "open", why });
        continue;
      }
      const nozzle = equipment.nozzles.get(target);
      if (nozzle) {
        terminals.set(key(end), { kind: "nozzle", end: nozzle });
        continue;
      }
      const eq = equipment.byElement.get(target);
      if (eq) {
        terminals.set(key(end), { kind: "equipment", equipment: eq });
        continue;
      }
      if (target.name === "PipeConnectorSymbol" || /OffPage|Connector/i.test(componentClass(target))) {
        terminals.set(key(end), {
          kind: "open",
          why: `its ${side} end is the connector ${describe(target)}`,
          connector: target,
        });
        continue;
      }
      // A pipe and an instrument leader meet where the instrument reads the pipe (AutoCAD P&ID draws
      // a local gauge's leader to the line's start): a signal, so neither continues into the other.
      const targetSeg = segByEl.get(target);
      if (targetSeg && leaders.has(targetSeg) !== leader) {
        const why = leader
          ? `its ${side} end is on ${describe(target)}, the pipe its instrument reads`
          : `its ${side} end is the instrument leader ${describe(target)}, a signal, not a pipe`;
        terminals.set(key(end), { kind: "open", why });
        continue;
      }
      if (targetSeg || isInline(target) || (inline.has(target) && !leader)) {
        joinAt(target, end);
        continue;
      }
      terminals.set(key(end), { kind: "foreign", why: `its ${side} end is ${describe(target)}, not a piping item` });
    }
  }

  reconcileSharedNozzles(ctx, segments, terminals, key, equipment, tolerance);

  // 2. Each joint: the segment that owns the point (when the point is at its open end) and the
  //    segment ends naming it. Two ends meeting → one line; more → the first two continue, the
  //    rest branch off; a point inside a segment → branches onto that segment's line.
  const links = new Map<string, { to: EndKey; via: XmlElement | undefined }>();
  const link = (a: EndKey, b: EndKey, via: XmlElement | undefined) => {
    links.set(key(a), { to: b, via });
    links.set(key(b), { to: a, via });
  };
  for (const [point, refs] of joints) {
    const owner = segByEl.get(point) ?? segOfItem.get(point);
    const naming = refs.filter((r) => r.seg !== owner);
    const ownEnd = owner ? ownerEnd(owner, point, refs) : undefined;
    const participants = ownEnd ? [ownEnd, ...naming] : naming;
    if (owner && !ownEnd) {
      for (const r of naming) terminals.set(key(r), { kind: "branch", segment: owner });
      for (const r of refs.filter((x) => x.seg === owner)) {
        terminals.set(key(r), {
          kind: "open",
          why: `its ${r.side} end is its own ${describe(point)} with nothing beyond`,
        });
      }
      continue;
    }
    // At a tee the run continues through the two ends whose segments lead somewhere (a nozzle
    // first, then a named item); a dead end branches off instead of cutting the line short.
    const ranked = [...participants].sort((x, y) => farEndRank(y) - farEndRank(x));
    const [a, b, ...rest] = participants.length > 2 ? ranked : participants;
    if (a && b) {
      link(a, b, owner ? undefined : point);
      for (const r of rest) terminals.set(key(r), { kind: "branch", segment: a.seg });
    } else if (a) {
      terminals.set(key(a), { kind: "open", why: `its ${a.side} end stops at ${describe(point)} with nothing beyond` });
    }
    if (!owner) ctx.consume(point);
  }
  function farEndRank(e: EndKey): number {
    const far = { seg: e.seg, side: other(e.side) };
    const t = terminals.get(key(far));
    if (t && (t.kind === "nozzle" || t.kind === "equipment")) return 3;
    if (t?.kind === "open" || t?.kind === "foreign") return 0;
    return e.seg.ref[far.side] !== undefined ? 2 : 1;
  }
  // Ends the file leaves unconnected (and no joint took): the drawing may still show where they go.
  const loose = unresolved.filter((e) => !links.has(key(e)) && !terminals.has(key(e)));
  // A leader drawn to an instrument is no pipe: nothing continues into it or branches off it.
  const pipes = segments.filter((s) => !leaders.has(s));
  const index = loose.length > 0 ? drawingIndex(pipes, equipment, loose, tolerance) : undefined;
  for (const end of loose) {
    if (!index || links.has(key(end)) || terminals.has(key(end))) continue;
    // Nor is a leader's own loose end placed: joined to a pipe drawn there, it would end that line at its instrument.
    if (leaders.has(end.seg)) {
      terminals.set(key(end), {
        kind: "open",
        why: `its ${end.side} end is an instrument leader's, which joins no pipe`,
      });
      continue;
    }
    // The segment's other end already on a nozzle: the open end drawn near it is not a second connection to it.
    const farEnd = terminals.get(key({ seg: end.seg, side: other(end.side) }));
    const placed = geometricEnd(ctx, end, index, tolerance, farEnd?.kind === "nozzle" ? farEnd.end : undefined);
    if (placed.kind !== "join") terminals.set(key(end), placed);
    else if (!links.has(key(placed.other)) && !terminals.has(key(placed.other))) link(end, placed.other, undefined);
    else terminals.set(key(end), { kind: "open", why: `its ${end.side} end meets a segment end that is taken` });
  }

  // 3. Chains of linked segments are lines.
  const chains = buildChains(segments, links, key);
  const chainOf = new Map<Segment, Chain>();
  for (const c of chains) for (const part of c.parts) chainOf.set(part.seg, c);
  const lineIds = new Set<string>();
  const perSystem = new Map<XmlElement | undefined, number>();
  for (const c of chains) {
    const sys = c.parts[0]?.seg.system;
    perSystem.set(sys, (perSystem.get(sys) ?? 0) + 1);
  }
  for (const c of chains) c.id = uniqueId(lineIdBase(c, perSystem), lineIds, 64);

  // 4. Ends → line ends; a ring, a line whose two ends are one nozzle, or a line branching off a
  //    line that is not kept, is refused.
  const endOf = (e: EndKey | undefined): Terminal =>
    e ? (terminals.get(key(e)) ?? { kind: "open", why: "it is not connected" }) : { kind: "ring" };
  let changed = true;
  while (changed) {
    changed = false;
    for (const c of chains) {
      if (c.refused) continue;
      const [h, t2] = [endOf(c.head), endOf(c.tail)];
      if (h.kind === "nozzle" && t2.kind === "nozzle" && h.end.tag === t2.end.tag && h.end.nozzle === t2.end.nozzle) {
        c.refused = `both its ends are nozzle ${h.end.tag}/${h.end.nozzle}: one end is open`;
        changed = true;
        continue;
      }
      for (const t of [h, t2]) {
        const why =
          t.kind === "ring"
            ? "its segments close on themselves: it has no end"
            : t.kind === "foreign"
              ? t.why
              : t.kind === "branch" && chainOf.get(t.segment)?.refused
                ? `it branches off ${describe(t.segment.el)}, which is not a line`
                : undefined;
        if (why !== undefined) {
          c.refused = why;
          changed = true;
          break;
        }
      }
    }
  }

  const byTag = new Map(equipment.items.map((e) => [e.tag, e]));
  const lines: ImportedLine[] = [];
  const lineOfEl = new Map<XmlElement, string>();
  const neighbours = segmentNeighbours(ctx, segments, segByEl, segOfItem, equipment);
  const components = new Map<XmlElement, Component>();
  for (const c of chains) {
    if (c.refused) {
      for (const part of c.parts) ctx.refuse(part.seg.el, `not a line: ${c.refused}`);
      continue;
    }
    const toEnd = (t: Terminal, side: Side): LineEnd => {
      if (t.kind === "nozzle") return { tag: t.end.tag, nozzle: t.end.nozzle };
      if (t.kind === "open") {
        const label = t.connector ? connectorLabel(t.connector) : undefined;
        const edge = t.connector ? genericAttr(t.connector, "edge") : undefined;
        if (t.connector) ctx.consume(t.connector);
        ctx.note(c.parts[0]!.seg.el, `line ${c.id} ${side === "from" ? "starts" : "ends"} in the open: ${t.why}`);
        return {
          open: true,
          ...(label !== undefined ? { label } : {}),
          ...(edge !== undefined && isPlotEdge(edge) ? { edge } : {}),
        };
      }
      if (t.kind === "equipment") {
        const nozzle = equipment.addConnectionNozzle(t.equipment);
        ctx.note(
          c.parts[0]!.seg.el,
          `line ${c.id} connects to ${t.equipment.tag} without a nozzle; nozzle ${nozzle} added`,
        );
        return { tag: t.equipment.tag, nozzle };
      }
      if (t.kind === "branch") {
        // An end drawn on its own line's centre line (within the tolerance) is no branch of anything.
        const onto = chainOf.get(t.segment)!;
        if (onto === c)
          return toEnd({ kind: "open", why: "it is drawn ending on its own line, which it cannot branch off" }, side);
        return { line: onto.id };
      }
      throw new Error("rings and ends at non-piping items are refused above");
    };
    const comps: Component[] = [];
    const size = lineSize(ctx, c, byTag, endOf(c.head), endOf(c.tail));
    // The size the line has reached so far, in flow order: its own, then what reducers and
    // segments of another size make it.
    let current = size;
    for (const [i, part] of c.parts.entries()) {
      const partSize = nominalDiameterOf(part.seg.el);
      if (i > 0 && partSize !== undefined && partSize !== current) {
        sizeChange(ctx, c.id, comps, current, partSize, part.seg.el);
        ctx.consume(nominalDiameterElement(part.seg.el));
        current = partSize;
      }
      const items = part.reversed ? [...part.seg.items].reverse() : part.seg.items;
      for (const it of part.via ? [part.via, ...items] : items) {
        const comp = toComponent(ctx, it, part.reversed, joints.has(it));
        if (comp) {
          comps.push(comp);
          components.set(it, comp);
          if (comp.type === "reducer" && comp.size !== undefined) current = comp.size;
        }
        lineOfEl.set(it, c.id);
      }
      lineOfEl.set(part.seg.el, c.id);
      ctx.consume(part.seg.el, part.seg.system);
    }
    const first = c.parts[0]!.seg;
    // A size written on a segment or an inline item is in the design when it is the line's size.
    for (const part of c.parts) {
      for (const el of [part.seg.el, part.seg.system, ...part.seg.items]) {
        if (el && ctx.isConsumed(el) && nominalDiameterOf(el) === size) ctx.consume(nominalDiameterElement(el));
      }
    }
    const spec = attrOfChain(c, "PipingClassCodeAssignmentClass", "PipingClassCode", "Spec");
    const fluid = attrOfChain(c, "FluidCodeAssignmentClass", "FluidCode", "Medium");
    const rating = ratingOf(first.el) ?? (first.system ? ratingOf(first.system) : undefined);
    lines.push({
      id: c.id,
      from: toEnd(endOf(c.head), "from"),
      to: toEnd(endOf(c.tail), "to"),
      size,
      components: comps,
      ...(spec !== undefined ? { spec: spec.slice(0, 32) } : {}),
      ...(fluid !== undefined && fluid.toLowerCase() !== "none" ? { fluid: fluid.slice(0, 100) } : {}),
      ...(rating !== undefined ? { rating } : {}),
    });
  }

  // Segments are containers of their items: an item of a refused segment is refused with it.
  for (const c of chains) {
    if (!c.refused) continue;
    for (const part of c.parts) {
      for (const it of part.seg.items) ctx.refuse(it, `on ${describe(part.seg.el)}, which is not a line`);
    }
  }
  for (const system of new Set(segments.map((x) => x.system))) if (system) markSystem(ctx, system);

  return {
    lines,
    lineOf: (el) => lineOfEl.get(el),
    equipmentNear(el) {
      const seg = segByEl.get(el) ?? segOfItem.get(el);
      const chain = seg && chainOf.get(seg);
      if (!chain) return undefined;
      for (const t of [endOf(chain.head), endOf(chain.tail)]) {
        if (t.kind === "nozzle") return t.end.tag;
        if (t.kind === "equipment") return t.equipment.tag;
      }
      return undefined;
    },
    componentOf: (el) => components.get(el),
    setComponentTag(el, tag) {
      const comp = components.get(el) as { tag?: string } | undefined;
      if (comp && comp.tag === undefined) comp.tag = tag;
    },
    segmentOf: (el) => segOfItem.get(el)?.el,
    reachLine(el) {
      const start = segByEl.get(el) ?? segOfItem.get(el);
      if (!start) return undefined;
      const seen = new Set<Segment>([start]);
      const queue: Segment[] = [start];
      for (let i = 0; i < queue.length && i < 64; i++) {
        const seg = queue[i]!;
        const line = lineOfEl.get(seg.el);
        if (line) return { line };
        for (const next of neighbours.get(seg) ?? []) {
          if (typeof next === "string") return { tag: next };
          const itemLine = lineOfEl.get(next.item ?? next.seg.el);
          if (itemLine) return { line: itemLine };
          if (!seen.has(next.seg)) {
            seen.add(next.seg);
            queue.push(next.seg);
          }
        }
      }
      return undefined;
    },
  };
}

/** Which segments (and items in them) or equipment each segment's Connection names, both directions. */
function segmentNeighbours(
  ctx: ImportContext,
  segments: readonly Segment[],
  segByEl: ReadonlyMap<XmlElement, Segment>,
  segOfItem: ReadonlyMap<XmlElement, Segment>,
  equipment: EquipmentResult,
): Map<Segment, ({ seg: Segment; item?: XmlElement } | string)[]> {
  const out = new Map<Segment, ({ seg: Segment; item?: XmlElement } | string)[]>();
  const add = (s: Segment, n: { seg: Segment; item?: XmlElement } | string) => {
    const list = out.get(s) ?? [];
    list.push(n);
    out.set(s, list);
  };
  for (const s of segments) {
    for (const side of ["from", "to"] as const) {
      const target = ctx.doc.get(s.ref[side]);
      if (!target) continue;
      const nozzle = equipment.nozzles.get(target);
      const eq = nozzle ? undefined : equipment.byElement.get(target);
      if (nozzle || eq) {
        add(s, nozzle?.tag ?? eq!.tag);
        continue;
      }
      const other = segByEl.get(target) ?? segOfItem.get(target);
      if (!other || other === s) continue;
      add(s, { seg: other, ...(segOfItem.has(target) ? { item: target } : {}) });
      add(other, { seg: s });
    }
  }
  return out;
}

function collectSegments(ctx: ImportContext): Segment[] {
  const out: Segment[] = [];
  for (const el of ctx.doc.items) {
    if (el.name !== "PipingNetworkSegment") continue;
    const conn = connectionOf(el);
    const lines = centerLines(el);
    const firstLine = lines[0];
    const lastLine = lines[lines.length - 1];
    out.push({
      index: out.length,
      el,
      system: ancestor(el, "PipingNetworkSystem"),
      items: el.children.filter(isInline),
      ref: { from: conn?.fromId, to: conn?.toId },
      points: { from: firstLine?.[0], to: lastLine?.[lastLine.length - 1] },
    });
  }
  return out;
}

/** The end of `owner` at which `point` (one of its items, or itself) sits, when nothing else is beyond it there. */
function ownerEnd(owner: Segment, point: XmlElement, refs: readonly EndKey[]): EndKey | undefined {
  if (point === owner.el) {
    // Another segment names this segment itself: it continues from whichever end is open.
    for (const side of ["from", "to"] as const) if (owner.ref[side] === undefined) return { seg: owner, side };
    return undefined;
  }
  const at: Side | undefined =
    owner.items[owner.items.length - 1] === point ? "to" : owner.items[0] === point ? "from" : undefined;
  if (!at) return undefined;
  const ownRef = owner.ref[at];
  const selfNamed = refs.some((r) => r.seg === owner && r.side === at);
  return ownRef === undefined || selfNamed ? { seg: owner, side: at } : undefined;
}

interface ChainPart {
  readonly seg: Segment;
  readonly reversed: boolean;
  /** A free-standing component the previous part joins this one through. */
  readonly via: XmlElement | undefined;
}

interface Chain {
  readonly parts: ChainPart[];
  readonly head: EndKey | undefined;
  readonly tail: EndKey | undefined;
  id: string;
  refused: string | undefined;
}

const other = (side: Side): Side => (side === "from" ? "to" : "from");

function buildChains(
  segments: readonly Segment[],
  links: ReadonlyMap<string, { to: EndKey; via: XmlElement | undefined }>,
  key: (e: EndKey) => string,
): Chain[] {
  const seen = new Set<Segment>();
  const chains: Chain[] = [];
  for (const start of segments) {
    if (seen.has(start)) continue;
    // Walk back to the head of the chain (or round a ring to where we started).
    let entry: EndKey = { seg: start, side: "from" };
    let ring = false;
    const visited = new Set<Segment>([start]);
    for (let l = links.get(key(entry)); l; l = links.get(key(entry))) {
      if (visited.has(l.to.seg)) {
        ring = true;
        break;
      }
      visited.add(l.to.seg);
      entry = { seg: l.to.seg, side: other(l.to.side) };
    }
    const parts: ChainPart[] = [];
    let via: XmlElement | undefined;
    let cur: EndKey = entry;
    let tail: EndKey | undefined;
    for (;;) {
      seen.add(cur.seg);
      parts.push({ seg: cur.seg, reversed: cur.side === "to", via });
      const exit: EndKey = { seg: cur.seg, side: other(cur.side) };
      const l = links.get(key(exit));
      if (!l || seen.has(l.to.seg)) {
        tail = l && seen.has(l.to.seg) ? undefined : exit;
        break;
      }
      via = l.via;
      cur = l.to;
    }
    chains.push({ parts, head: ring ? undefined : entry, tail, id: "", refused: undefined });
  }
  return chains;
}

/** Line number: the system's tag when it holds one line, else system tag + segment tag; the segment's own tag when the system has none. */
function lineIdBase(c: Chain, perSystem: ReadonlyMap<XmlElement | undefined, number>): string {
  const seg = c.parts[0]!.seg;
  const sys = seg.system;
  const sysTag = sys ? (sys.attrs.TagName ?? genericAttr(sys, "LineNumberAssignmentClass", "LineNumber")) : undefined;
  const segTag =
    seg.el.attrs.TagName ?? genericAttr(seg.el, "LineNumberAssignmentClass", "SegmentNumberAssignmentClass");
  let raw: string | undefined;
  if (sysTag && (perSystem.get(sys) ?? 0) <= 1) raw = sysTag;
  else if (sysTag && segTag && segTag !== sysTag) raw = `${sysTag}-${segTag}`;
  else raw = segTag ?? sysTag;
  return (raw && sanitiseLineId(raw)) || sanitiseLineId(seg.el.attrs.ID ?? "") || `L${seg.index + 1}`;
}

function attrOfChain(c: Chain, ...names: string[]): string | undefined {
  for (const part of c.parts) {
    const v = genericAttr(part.seg.el, ...names) ?? (part.seg.system && genericAttr(part.seg.system, ...names));
    if (v !== undefined) return v;
  }
  return undefined;
}

function lineSize(
  ctx: ImportContext,
  c: Chain,
  byTag: ReadonlyMap<string, ImportedEquipment>,
  head: Terminal,
  tail: Terminal,
): number {
  for (const part of c.parts) {
    const dn = nominalDiameterOf(part.seg.el) ?? (part.seg.system && nominalDiameterOf(part.seg.system));
    if (dn !== undefined) return dn;
  }
  for (const t of [head, tail]) {
    if (t.kind !== "nozzle") continue;
    const dn = byTag.get(t.end.tag)?.nozzles.find((n) => n.id === t.end.nozzle)?.size;
    if (dn !== undefined) return dn;
  }
  ctx.note(c.parts[0]!.seg.el, `line ${c.id} has no nominal diameter; DN ${DEFAULT_LINE_SIZE} assumed`);
  return DEFAULT_LINE_SIZE;
}

/**
 * An inline item as a line component. Actuated valves (an actuator drawn inside them, an
 * ActuatingSystem referring to them, an "ActuatorType" other than none) are control valves unless
 * the file says they work on/off. Fittings have no counterpart; they are reported, the line runs on.
 */
function toComponent(
  ctx: ImportContext,
  el: XmlElement,
  reversed: boolean,
  branchPoint: boolean,
): Component | undefined {
  if (el.name === "PipeConnectorSymbol") {
    ctx.consume(el);
    return undefined;
  }
  const cls = componentClass(el) || (el.name === "PropertyBreak" ? "PipingClassBreak" : "");
  if (JUNCTION_PATTERN.test(cls) && branchPoint) {
    // A tee where a branch starts is represented by the branch's `{ line }` end.
    ctx.consume(el);
    return undefined;
  }
  let type: ComponentType | undefined = JUNCTION_PATTERN.test(cls) ? undefined : componentTypeOf(cls);
  if (!type && (JUNCTION_PATTERN.test(cls) || FITTING_PATTERN.test(cls))) {
    ctx.refuse(el, `pipe fitting (${cls}): the contract has no place for it; the line runs through`);
    return undefined;
  }
  if (!type) {
    const what = el.name === "Equipment" ? "equipment drawn in the pipe, class" : "piping component class";
    ctx.refuse(el, `${what} "${cls}" has no PlantGAN component type; the line runs through it`);
    return undefined;
  }
  if (type !== "control_valve" && canBeControlValve(type) && isActuated(ctx, el)) type = "control_valve";
  ctx.consume(el);
  if (type === "control_valve") {
    // The actuator drawn inside the valve, or the actuating system that names it, is represented by the component type.
    for (const c of el.children) if (c.name === "Equipment") ctx.consume(c);
    for (const sys of actuatingSystems(ctx, el)) ctx.consume(sys, ...sys.children);
  }
  const own = el.attrs.TagName ?? genericAttr(el, "PipingComponentNumberAssignmentClass", "Tag");
  const referenced = own === undefined && type === "control_valve" ? referencedValveName(ctx, el) : undefined;
  if (referenced !== undefined) ctx.note(el, `tag "${referenced}" read from the actuating system's reference to it`);
  const raw = own ?? referenced;
  const tag = raw === undefined ? undefined : normaliseTag(raw);
  if (raw !== undefined && tag !== undefined && tag !== raw) ctx.rename(el, raw, tag);
  if (raw !== undefined && tag === undefined) ctx.note(el, `component tag "${raw}" is not a valid tag; left out`);
  const claimed = tag === undefined ? undefined : ctx.tags.claim(tag);
  if (claimed !== undefined && claimed !== tag) ctx.rename(el, raw ?? "", claimed);
  const size = type === "reducer" ? reducerOutlet(ctx, el, reversed) : undefined;
  return {
    type,
    ...(claimed !== undefined ? { tag: claimed } : {}),
    ...(size !== undefined ? { size } : {}),
  };
}

function isActuated(ctx: ImportContext, el: XmlElement): boolean {
  const operation = genericAttr(el, "OperationSpecialization") ?? "";
  if (/on.?off|open.?close/i.test(operation)) return false;
  if (el.children.some((c) => c.name === "Equipment")) return true;
  const actuator = genericAttr(el, "ActuatorType", "ActuatorTypeAssignmentClass");
  if (actuator !== undefined && !/^no\b|none|manual|hand/i.test(actuator)) return true;
  return actuatingSystems(ctx, el).length > 0;
}

/**
 * Where the segments of one line differ in size with no reducer between them (the size changes in
 * a valve body, such as a relief valve's DN 25 inlet and DN 50 outlet), the contract can only say
 * so with a reducer: the last component, when it is a reducer without a size, gets the new size;
 * otherwise a reducer is inserted there, and the note says so.
 */
function sizeChange(
  ctx: ImportContext,
  line: string,
  comps: Component[],
  from: number,
  to: number,
  segment: XmlElement,
): void {
  const last = comps[comps.length - 1] as { type: ComponentType; size?: number } | undefined;
  if (last?.type === "reducer" && last.size === undefined) {
    last.size = to;
    ctx.note(
      segment,
      `line ${line}: its reducer is given DN ${to}, the size of the segment after it (from DN ${from})`,
    );
    return;
  }
  comps.push({ type: "reducer", size: to });
  const after = last ? `after its ${last.type.replace(/_/g, " ")}` : "at its start";
  ctx.note(
    segment,
    `line ${line} changes from DN ${from} to DN ${to} ${after} with no reducer in the file (segment sizes differ): a reducer to DN ${to} is inserted there`,
  );
}

/**
 * A reducer's downstream size: its outlet node (node 2, or node 1 when the segment runs
 * backwards) says it; the reducer's own size is its inlet's in some files, so it comes last.
 */
function reducerOutlet(ctx: ImportContext, el: XmlElement, reversed: boolean): number | undefined {
  return nodeDiameter(ctx, el, reversed ? "1" : "2") ?? nominalDiameterWithNodes(el, reversed ? "1" : "2");
}

/**
 * The nominal diameter on a connection node of an item. SmartPlant writes node sizes in metres
 * under Units="mm" (0.05 for DN 50): a value below 1 "mm" is read as metres, with a note.
 */
function nodeDiameter(ctx: ImportContext, el: XmlElement, name: string): number | undefined {
  const nodes = el.children.find((c) => c.name === "ConnectionPoints")?.children.filter((c) => c.name === "Node") ?? [];
  const node = nodes.find((n) => n.attrs.Name === name) ?? nodes[Number(name)];
  const nd = node && nominalDiameterElement(node);
  if (!nd) return undefined;
  const value = Number(nd.attrs.Value);
  if (Number.isFinite(value) && value > 0 && value < 1 && /^mm$/i.test(nd.attrs.Units ?? "")) {
    const dn = parseDn(String(Math.round(value * 1000)));
    if (dn !== undefined)
      ctx.note(el, `connection node ${name} gives its size as ${nd.attrs.Value} mm, read as metres: DN ${dn}`);
    return dn;
  }
  return node ? nominalDiameterOf(node) : undefined;
}

/** A system is a container: its segments are lines or are reported one by one with their reasons. */
function markSystem(ctx: ImportContext, system: XmlElement): void {
  ctx.consume(system);
}

/** Nozzle boxes, loose segment ends and centre-line edges, read once and gridded, for matching ends by position. */
interface DrawingIndex {
  readonly nozzles: BoxGrid<{ min: Point; max: Point; end: { tag: string; nozzle: string } }>;
  readonly ends: BoxGrid<EndKey>;
  readonly edges: BoxGrid<{ seg: Segment; a: Point; b: Point }>;
}

function drawingIndex(
  segments: readonly Segment[],
  equipment: EquipmentResult,
  loose: readonly EndKey[],
  tolerance: number,
): DrawingIndex {
  // Cells of 50 tolerances: a few cells per nozzle symbol on a typical sheet.
  const cell = Math.max(tolerance * 50, Number.MIN_VALUE);
  const index: DrawingIndex = { nozzles: new BoxGrid(cell), ends: new BoxGrid(cell), edges: new BoxGrid(cell) };
  for (const [el, end] of equipment.nozzles) {
    const ext = extentOf(el);
    if (ext) index.nozzles.insert(ext.min, ext.max, { ...ext, end });
  }
  for (const e of loose) {
    const p = e.seg.points[e.side];
    if (p) index.ends.insert(p, p, e);
  }
  for (const seg of segments) {
    for (const line of centerLines(seg.el)) {
      for (let i = 1; i < line.length; i++) {
        const a = line[i - 1]!;
        const b = line[i]!;
        const min: Point = [Math.min(a[0], b[0]), Math.min(a[1], b[1])];
        const max: Point = [Math.max(a[0], b[0]), Math.max(a[1], b[1])];
        index.edges.insert(min, max, { seg, a, b });
      }
    }
  }
  return index;
}

/** Where an unconnected end lies on the drawing: a nozzle, another segment's loose end (a join), or another centre line (a branch). */
type Placed = Terminal | { kind: "join"; other: EndKey };

/**
 * An end without a reference: the point where the centre line stops, matched (within `tolerance`,
 * drawing units) to the nozzle whose extent holds it, else to another unconnected segment end
 * drawn at the same point (the two continue each other), else to a point on another segment's
 * centre line (a branch).
 */
function geometricEnd(
  ctx: ImportContext,
  end: EndKey,
  index: DrawingIndex,
  tolerance: number,
  notNozzle: { tag: string; nozzle: string } | undefined,
): Placed {
  const { seg, side } = end;
  const p = seg.points[side];
  if (!p) return { kind: "open", why: `its ${side} end is not connected and has no centre line` };
  const found = (what: string) =>
    ctx.note(seg.el, `${side} end has no connection in the file; matched by drawing position to ${what}`);
  let best: { d: number; end: { tag: string; nozzle: string } } | undefined;
  for (const n of index.nozzles.near(p, tolerance)) {
    const d = Math.hypot(Math.max(n.min[0] - p[0], 0, p[0] - n.max[0]), Math.max(n.min[1] - p[1], 0, p[1] - n.max[1]));
    const same = notNozzle !== undefined && n.end.tag === notNozzle.tag && n.end.nozzle === notNozzle.nozzle;
    if (!same && d <= tolerance && (!best || d < best.d)) best = { d, end: n.end };
  }
  if (best) {
    found(`${best.end.tag}/${best.end.nozzle}`);
    return { kind: "nozzle", end: best.end };
  }
  for (const o of index.ends.near(p, tolerance)) {
    const q = o.seg.points[o.side];
    if (o.seg !== seg && q && Math.hypot(q[0] - p[0], q[1] - p[1]) <= tolerance) {
      found(`the ${o.side} end of ${describe(o.seg.el)}`);
      return { kind: "join", other: o };
    }
  }
  for (const e of index.edges.near(p, tolerance)) {
    if (e.seg !== seg && distanceToSegment(p, e.a, e.b) <= tolerance) {
      found(`${describe(e.seg.el)} (branch)`);
      return { kind: "branch", segment: e.seg };
    }
  }
  return { kind: "open", why: `its ${side} end is open (the file names nothing there and nothing is drawn there)` };
}

function distanceToSegment(p: Point, a: Point, b: Point): number {
  const vx = b[0] - a[0];
  const vy = b[1] - a[1];
  const len2 = vx * vx + vy * vy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * vx + (p[1] - a[1]) * vy) / len2));
  return Math.hypot(p[0] - (a[0] + t * vx), p[1] - (a[1] + t * vy));
}

/**
 * What an off-page connector says lies beyond it: its tag, else the pipe it continues as
 * (AVEVA writes that as the generic attribute PipeId). Undefined when it says neither.
 */
function connectorLabel(connector: XmlElement): string | undefined {
  const raw = connector.attrs.TagName?.trim() || genericAttr(connector, "PipeId", "ConnectorReference");
  return raw ? raw.slice(0, 100) : undefined;
}

const PLOT_EDGES = ["north", "east", "south", "west"] as const;
/** A plot edge as PlantGAN's own export writes it on a connector. */
function isPlotEdge(v: string): v is (typeof PLOT_EDGES)[number] {
  return (PLOT_EDGES as readonly string[]).includes(v);
}

/**
 * A nozzle is one flange, so two segment ends the file connects to one nozzle are a drawing error
 * (COMOS writes the suction and the discharge of a pump both onto N03). Where the drawing shows one
 * of those ends on another nozzle of the same item that nothing else takes (its centre line stops
 * inside that nozzle's symbol and not inside the one named), the drawing is followed, with a note.
 */
function reconcileSharedNozzles(
  ctx: ImportContext,
  segments: readonly Segment[],
  terminals: Map<string, Terminal>,
  key: (e: EndKey) => string,
  equipment: EquipmentResult,
  tolerance: number,
): void {
  const claims = new Map<string, EndKey[]>();
  const nozzleKey = (n: { tag: string; nozzle: string }) => `${n.tag}\u0000${n.nozzle}`;
  for (const seg of segments) {
    for (const side of ["from", "to"] as const) {
      const t = terminals.get(key({ seg, side }));
      if (t?.kind !== "nozzle") continue;
      const list = claims.get(nozzleKey(t.end)) ?? [];
      list.push({ seg, side });
      claims.set(nozzleKey(t.end), list);
    }
  }
  const symbols = [...equipment.nozzles].flatMap(([el, end]) => {
    const ext = extentOf(el);
    return ext ? [{ ext, end }] : [];
  });
  const inside = (p: Point, ext: { min: Point; max: Point }) =>
    Math.hypot(Math.max(ext.min[0] - p[0], 0, p[0] - ext.max[0]), Math.max(ext.min[1] - p[1], 0, p[1] - ext.max[1])) <=
    tolerance;
  for (const ends of claims.values()) {
    if (ends.length < 2) continue;
    for (const e of ends) {
      const p = e.seg.points[e.side];
      const named = (terminals.get(key(e)) as { kind: "nozzle"; end: { tag: string; nozzle: string } }).end;
      if (!p || symbols.some((s) => nozzleKey(s.end) === nozzleKey(named) && inside(p, s.ext))) continue;
      const drawn = symbols.find((s) => s.end.tag === named.tag && !claims.has(nozzleKey(s.end)) && inside(p, s.ext));
      if (!drawn) continue;
      terminals.set(key(e), { kind: "nozzle", end: drawn.end });
      claims.set(nozzleKey(drawn.end), [e]);
      ctx.note(
        e.seg.el,
        `its ${e.side} end names nozzle ${named.tag}/${named.nozzle}, which another segment end takes too; the drawing puts it on ${drawn.end.tag}/${drawn.end.nozzle}, which is followed`,
      );
    }
  }
}
