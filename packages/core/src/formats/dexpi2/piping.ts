/**
 * DEXPI 2.0 piping → contract lines. Segments name their ends (SourceItem/SourceNode,
 * TargetItem/TargetNode). The piping graph is walked, not the document order:
 * - segments meeting at a pass-through item (a property break) are one line;
 * - at a tee, the run is two segment ends that lead on to nozzles (the two on one tee node when
 *   they do), one line; the other ends are branches, lines that start at `{ line: run }`;
 * - an end at a nozzle is that nozzle; an end at an off-page connector (PlantGAN's own export
 *   writes an open end as one) is an open end labelled as the connector says; any other end the
 *   file leaves open (a dead end, nothing, a reference to nothing) is an unlabelled open end, with
 *   a note, as the DEXPI 1.x importer reads them;
 * - refused, with why: a closed ring of segments, and three or more segment ends meeting at an item
 *   that is no tee.
 */
import type { Component, ComponentType, LineEnd, NozzleEnd, OpenEnd, PlantDesignInput } from "../../design/index.js";
import { canBeControlValve, componentTypeOf, FITTING_PATTERN, JUNCTION_PATTERN } from "../dexpi/classes.js";
import { DEFAULT_LINE_SIZE } from "../dexpi/piping.js";
import { sanitiseLineId, uniqueId } from "../dexpi/tags.js";
import { type Dexpi2Context, describe2 } from "./context.js";
import type { EquipmentImport } from "./equipment.js";
import { componentsOf, type Dexpi2Object, dataOf, refOf } from "./model.js";
import { contractTag, rawTag } from "./tags.js";

type Line = PlantDesignInput["lines"][number];
type Side = "source" | "target";

interface Segment {
  readonly obj: Dexpi2Object;
  readonly system: Dexpi2Object | undefined;
  readonly ends: Record<Side, { item: string | undefined; node: string | undefined }>;
  readonly items: readonly Dexpi2Object[];
}

interface Slot {
  readonly seg: Segment;
  readonly side: Side;
}

/** `limit`: an open end the line keeps (a battery limit); `refused`: an end no line can have. */
type Terminal =
  | { kind: "nozzle"; end: NozzleEnd }
  | { kind: "junction"; item: string }
  | { kind: "limit"; end: OpenEnd; why: string; connector?: Dexpi2Object }
  | { kind: "refused"; why: string };

interface Chain {
  readonly steps: readonly { seg: Segment; forward: boolean }[];
  readonly start: Terminal;
  readonly end: Terminal;
  /** Junction items a chain runs through (tees merged at, or carried inline). */
  readonly through: ReadonlySet<string>;
}

export interface PipingImport {
  readonly lines: readonly Line[];
  /** Piping item or segment object id → the id of the line holding it. */
  readonly lineOf: ReadonlyMap<string, string>;
  /** Valve object id → the component tag it got. */
  readonly valveTags: ReadonlyMap<string, string>;
  /** Item or segment id on a stub that is not a line (one end open) → the equipment its nozzle end is on. */
  readonly stubEquipment: ReadonlyMap<string, string>;
}

/** Inch sizes written on items ("14″") → DN. */
const INCH_TO_DN: Readonly<Record<string, number>> = {
  "0.5": 15,
  "0.75": 20,
  "1": 25,
  "1.25": 32,
  "1.5": 40,
  "2": 50,
  "2.5": 65,
  "3": 80,
  "4": 100,
  "5": 125,
  "6": 150,
  "8": 200,
  "10": 250,
  "12": 300,
  "14": 350,
  "16": 400,
  "18": 450,
  "20": 500,
  "24": 600,
  "28": 700,
  "30": 750,
  "36": 900,
};

export function importPiping(
  ctx: Dexpi2Context,
  equipment: EquipmentImport,
  controlledValves: ReadonlySet<string>,
): PipingImport {
  const segments = ctx.model.all.filter((o) => o.cls === "PipingNetworkSegment").map(toSegment);
  const slotsAt = new Map<string, Slot[]>();
  for (const seg of segments) {
    for (const side of ["source", "target"] as const) {
      const item = seg.ends[side].item;
      if (item) slotsAt.set(item, [...(slotsAt.get(item) ?? []), { seg, side }]);
    }
  }

  // Which segment ends join into one line, and what each unjoined end is.
  const link = new Map<string, Slot>();
  const terminal = new Map<string, Terminal>();
  const key = (s: Slot) => `${s.seg.obj.id ?? ""}#${s.side}`;
  const join = (a: Slot, b: Slot) => {
    link.set(key(a), b);
    link.set(key(b), a);
  };
  for (const [itemId, slots] of slotsAt) {
    const item = ctx.model.byId.get(itemId);
    const nozzle = equipment.nozzleEnds.get(itemId);
    if (nozzle) {
      for (const s of slots) terminal.set(key(s), { kind: "nozzle", end: nozzle });
      continue;
    }
    if (!item) {
      for (const s of slots) terminal.set(key(s), openEnd(`an end names "${itemId}", which is not in the file`));
      continue;
    }
    if (OFF_PAGE_CONNECTOR.test(item.cls) && slots.length === 1) {
      terminal.set(key(slots[0]!), connectorEnd(item));
      continue;
    }
    if (JUNCTION_PATTERN.test(item.cls)) {
      const byNode = new Map<string, Slot[]>();
      for (const s of slots) {
        const node = s.seg.ends[s.side].node ?? "";
        byNode.set(node, [...(byNode.get(node) ?? []), s]);
      }
      const pair = mainRun(
        slots,
        [...byNode.values()].find((g) => g.length === 2),
        (s) => reachesNozzle(s, slotsAt, equipment),
      );
      if (pair) join(pair[0]!, pair[1]!);
      for (const s of slots) if (!pair?.includes(s)) terminal.set(key(s), { kind: "junction", item: itemId });
      continue;
    }
    if (slots.length === 2) {
      join(slots[0]!, slots[1]!);
      continue;
    }
    const end: Terminal =
      slots.length === 1
        ? openEnd(`an end stops at ${describe2(item)} with nothing beyond`)
        : { kind: "refused", why: `${slots.length} segments meet at ${describe2(item)}, which is no tee` };
    for (const s of slots) terminal.set(key(s), end);
  }

  const chains = walkChains(segments, link, key, (s) => terminal.get(key(s)) ?? openEnd("an end is not connected"));
  return buildLines(ctx, chains, controlledValves);
}

/** Flow-in and flow-out off-page connectors of piping (not of signals). */
const OFF_PAGE_CONNECTOR = /^Flow(In|Out)PipeOffPageConnector$/;
const PLOT_EDGES: readonly string[] = ["north", "east", "south", "west"];

function openEnd(why: string): Terminal {
  return { kind: "limit", end: { open: true }, why };
}

/**
 * An off-page connector as an open end: the label PlantGAN's export wrote, else the connector's
 * tag, else what its reference names (the other drawing's descriptor or number, and the connector
 * number); the plot edge where PlantGAN's export wrote one.
 */
function connectorEnd(connector: Dexpi2Object): Terminal {
  const reference = componentsOf(connector, "ConnectorReference")[0];
  const drawing =
    reference && (dataOf(reference, "ReferencedDrawingDescriptor") ?? dataOf(reference, "ReferencedDrawingNumber"));
  const number =
    dataOf(connector, "PipeConnectorNumber") ?? (reference && dataOf(reference, "ReferencedConnectorNumber"));
  const referenced = [drawing, number && `connector ${number}`].filter(Boolean).join(", ");
  const label = (dataOf(connector, "PlantGAN/Label") ?? rawTag(connector) ?? referenced).trim().slice(0, 100);
  const edge = dataOf(connector, "PlantGAN/Edge");
  const end: OpenEnd = {
    open: true,
    ...(label ? { label } : {}),
    ...(edge && PLOT_EDGES.includes(edge) ? { edge: edge as NonNullable<OpenEnd["edge"]> } : {}),
  };
  return { kind: "limit", end, why: `off-page connector ${describe2(connector)}`, connector };
}

/**
 * The run through a tee: two of its segment ends. The segment ends that lead on to some nozzle
 * come first, so the line through the tee (and every branch hanging off it) reaches equipment at
 * both ends; among those, the two on one tee node, as the file draws the run; with fewer than two
 * leading anywhere, the file's own run. A branch towards an off-page connector is then the stub
 * that is left out, not the run.
 */
function mainRun(
  slots: readonly Slot[],
  onOneNode: readonly Slot[] | undefined,
  leadsToNozzle: (s: Slot) => boolean,
): readonly Slot[] | undefined {
  const leading = slots.filter(leadsToNozzle);
  if (leading.length >= 2) return onOneNode?.every((s) => leading.includes(s)) ? onOneNode : leading.slice(0, 2);
  if (onOneNode) return onOneNode;
  // Fewer than two lead to a nozzle: the run goes on through the one that does towards an open end.
  return slots.length >= 2 ? [...leading, ...slots.filter((s) => !leading.includes(s))].slice(0, 2) : undefined;
}

/** Whether the piping beyond a segment end, walked away from it through items and tees, reaches a nozzle. */
function reachesNozzle(start: Slot, slotsAt: ReadonlyMap<string, Slot[]>, equipment: EquipmentImport): boolean {
  const other = (side: Side): Side => (side === "source" ? "target" : "source");
  const seen = new Set<Segment>([start.seg]);
  const stack: Slot[] = [{ seg: start.seg, side: other(start.side) }];
  while (stack.length > 0) {
    const { seg, side } = stack.pop()!;
    const item = seg.ends[side].item;
    if (!item) continue;
    if (equipment.nozzleEnds.has(item)) return true;
    for (const s of slotsAt.get(item) ?? []) {
      if (seen.has(s.seg)) continue;
      seen.add(s.seg);
      stack.push({ seg: s.seg, side: other(s.side) });
    }
  }
  return false;
}

function toSegment(obj: Dexpi2Object): Segment {
  const end = (side: "Source" | "Target") => ({
    item: refOf(obj, `${side}Item`)[0],
    node: refOf(obj, `${side}Node`)[0],
  });
  let system: Dexpi2Object | undefined = obj.parent;
  while (system && system.cls !== "PipingNetworkSystem") system = system.parent;
  return { obj, system, ends: { source: end("Source"), target: end("Target") }, items: componentsOf(obj, "Items") };
}

/** Follows joined ends from each chain start; a chain of joined ends with no start is a ring. */
function walkChains(
  segments: readonly Segment[],
  link: ReadonlyMap<string, Slot>,
  key: (s: Slot) => string,
  terminalOf: (s: Slot) => Terminal,
): Chain[] {
  const other = (side: Side): Side => (side === "source" ? "target" : "source");
  const seen = new Set<Segment>();
  const chains: Chain[] = [];
  const starts = segments.flatMap((seg) =>
    (["source", "target"] as const).filter((side) => !link.has(key({ seg, side }))).map((side) => ({ seg, side })),
  );
  for (const first of [...starts, ...segments.map((seg) => ({ seg, side: "source" as Side }))]) {
    if (seen.has(first.seg)) continue;
    const steps: { seg: Segment; forward: boolean }[] = [];
    const through = new Set<string>();
    let at: Slot = first;
    let ring = false;
    for (;;) {
      seen.add(at.seg);
      steps.push({ seg: at.seg, forward: at.side === "source" });
      const exit: Slot = { seg: at.seg, side: other(at.side) };
      const next = link.get(key(exit));
      if (!next) break;
      const joint = exit.seg.ends[exit.side].item;
      if (joint) through.add(joint);
      if (seen.has(next.seg)) {
        ring = true;
        break;
      }
      at = next;
    }
    for (const { seg } of steps)
      for (const item of seg.items) if (item.id && JUNCTION_PATTERN.test(item.cls)) through.add(item.id);
    const last = steps[steps.length - 1]!;
    const start: Terminal = ring ? { kind: "refused", why: "the segments form a closed ring" } : terminalOf(first);
    const end = ring ? start : terminalOf({ seg: last.seg, side: last.forward ? "target" : "source" });
    chains.push({ steps, start, end, through });
  }
  return chains;
}

function buildLines(ctx: Dexpi2Context, chains: readonly Chain[], controlledValves: ReadonlySet<string>): PipingImport {
  // A branch needs a kept line running through its tee; dropping one line may drop its branches.
  const refusedWhy = new Map<Chain, string>();
  for (const c of chains) {
    const refused = [c.start, c.end].find((t) => t.kind === "refused");
    if (refused?.kind === "refused") refusedWhy.set(c, refused.why);
    else if (c.start.kind === "nozzle" && c.end.kind === "nozzle" && sameNozzle(c.start.end, c.end.end))
      refusedWhy.set(c, "both ends are the same nozzle");
  }
  const runThrough = (item: string, self: Chain) =>
    chains.find((c) => c !== self && c.through.has(item) && !refusedWhy.has(c));
  for (let changed = true; changed; ) {
    changed = false;
    for (const c of chains) {
      if (refusedWhy.has(c)) continue;
      for (const t of [c.start, c.end]) {
        if (t.kind === "junction" && !runThrough(t.item, c)) {
          refusedWhy.set(c, `it branches off a tee (${t.item}) that no imported line runs through`);
          changed = true;
          break;
        }
      }
    }
  }

  const ids = new Set<string>();
  const idOf = new Map<Chain, string>();
  for (const c of chains) {
    if (refusedWhy.has(c)) continue;
    const seg = c.steps[0]!.seg;
    const raw = (seg.system && rawTag(seg.system)) ?? seg.system?.id ?? seg.obj.id ?? "line";
    idOf.set(c, uniqueId(sanitiseLineId(raw) ?? "line", ids, 64));
  }

  const lines: Line[] = [];
  const lineOf = new Map<string, string>();
  const valveTags = new Map<string, string>();
  const stubEquipment = new Map<string, string>();
  for (const c of chains) {
    const why = refusedWhy.get(c);
    if (why !== undefined) {
      const nozzle = [c.start, c.end].find((t) => t.kind === "nozzle");
      for (const { seg } of c.steps) {
        if (nozzle?.kind === "nozzle")
          for (const o of [seg.obj, ...seg.items]) if (o.id) stubEquipment.set(o.id, nozzle.end.tag);
        if (seg.system) ctx.refuse(seg.system, `no segment of it became a line: ${why}`);
        ctx.refuse(seg.obj, `not a line: ${why}`);
        for (const it of seg.items) ctx.refuse(it, `on ${describe2(seg.obj)}, which is not a line`);
      }
      continue;
    }
    const id = idOf.get(c)!;
    const end = (t: Terminal, side: "from" | "to"): LineEnd => {
      if (t.kind === "nozzle") return { ...t.end };
      if (t.kind === "limit") {
        if (t.connector) ctx.consume(t.connector, ...[...t.connector.components.values()].flat());
        else ctx.note(c.steps[0]!.seg.obj, `line ${id} ${side === "from" ? "starts" : "ends"} in the open: ${t.why}`);
        return { ...t.end };
      }
      return { line: idOf.get(runThrough((t as { item: string }).item, c)!)! };
    };
    const components: Component[] = [];
    for (const { seg, forward } of c.steps) {
      ctx.consume(seg.obj, seg.system);
      if (seg.obj.id) lineOf.set(seg.obj.id, id);
      for (const item of forward ? seg.items : [...seg.items].reverse()) {
        if (item.id) lineOf.set(item.id, id);
        const component = toComponent(ctx, item, controlledValves);
        if (component) {
          components.push(component);
          if (component.tag && item.id) valveTags.set(item.id, component.tag);
        }
      }
    }
    const first = c.steps[0]!.seg;
    const spec = dataOf(first.obj, "PipingClassCode") ?? (first.system && dataOf(first.system, "PipingClassCode"));
    lines.push({
      id,
      from: end(c.start, "from"),
      to: end(c.end, "to"),
      size: lineSize(ctx, c),
      ...(spec ? { spec: spec.slice(0, 64) } : {}),
      components,
    });
  }
  // Tees are kept as branch points; a tee on no kept line was refused with its segment above.
  for (const c of chains) if (!refusedWhy.has(c)) for (const t of c.through) ctx.consume(ctx.model.byId.get(t));
  return { lines, lineOf, valveTags, stubEquipment };
}

function toComponent(
  ctx: Dexpi2Context,
  item: Dexpi2Object,
  controlledValves: ReadonlySet<string>,
): Component | undefined {
  // Tees are branch points and connectors open ends: the line's ends, not its components.
  if (JUNCTION_PATTERN.test(item.cls) || OFF_PAGE_CONNECTOR.test(item.cls)) return undefined;
  if (FITTING_PATTERN.test(item.cls) && !/Blind/.test(item.cls)) {
    ctx.refuse(item, `pipe fitting (${item.cls}): the contract has no place for it; the line runs through`);
    return undefined;
  }
  if (/PropertyBreak|Break$/.test(item.cls)) {
    ctx.refuse(item, `${item.cls}: a change of line properties; the contract keeps one set per line`);
    return undefined;
  }
  let type: ComponentType | undefined = componentTypeOf(item.cls);
  if (!type) {
    ctx.refuse(item, `piping component class "${item.cls}" has no PlantGAN component type`);
    return undefined;
  }
  if (item.id && controlledValves.has(item.id) && canBeControlValve(type)) type = "control_valve";
  ctx.consume(item);
  const raw = rawTag(item);
  const wanted = raw && contractTag(raw);
  const tag = wanted ? ctx.tags.claim(wanted) : undefined;
  if (raw && tag) ctx.rename(item, raw, tag);
  const size = dnOf(item);
  return { ...(tag ? { tag } : {}), type, ...(size ? { size } : {}) };
}

function lineSize(ctx: Dexpi2Context, c: Chain): number {
  for (const { seg } of c.steps) {
    for (const o of [seg.obj, seg.system]) {
      const n = o && Number.parseInt(dataOf(o, "NominalDiameterNumericalValueRepresentation") ?? "", 10);
      if (n && n > 0) return n;
    }
  }
  for (const { seg } of c.steps)
    for (const item of seg.items) {
      const dn = dnOf(item);
      if (dn) return dn;
    }
  ctx.note(c.steps[0]!.seg.obj, `no nominal diameter: DN ${DEFAULT_LINE_SIZE} assumed`);
  return DEFAULT_LINE_SIZE;
}

/** DN from "NominalDiameterNumericalValueRepresentation" or an inch size such as "14″". */
function dnOf(item: Dexpi2Object): number | undefined {
  const numeric = Number.parseInt(dataOf(item, "NominalDiameterNumericalValueRepresentation") ?? "", 10);
  if (numeric > 0) return numeric;
  const inches = /^([0-9.]+)\s*(″|"|in)/.exec(dataOf(item, "NominalDiameterRepresentation") ?? "")?.[1];
  return inches ? INCH_TO_DN[String(Number(inches))] : undefined;
}

function sameNozzle(a: NozzleEnd, b: NozzleEnd): boolean {
  return a.tag === b.tag && a.nozzle === b.nozzle;
}
