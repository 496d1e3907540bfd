/**
 * Design → slot graph. Works on placed designs and topology-only ones (DEXPI imports) alike: only
 * the topology is read. Slot order: EQUIPMENT_TYPES order, then tag in natural order (P-2 before
 * P-10, P-101A before P-101B), so spares of one set sit in consecutive slots.
 */

import {
  type Design,
  EQUIPMENT_TYPES,
  HAZARDS,
  LINE_SERVICES,
  type PlantDesignInput,
  RATINGS,
} from "../../design/index.js";
import { conditionVector } from "../condition.js";
import { convertScalarRanks } from "./scalar-ranks.js";
import { collapseSpareSets, type MemberBranch } from "./spare-sets.js";
import {
  edgeStride,
  emptySlotGraph,
  type FeatureGroup,
  RowWriter,
  type SlotGraph,
  type SlotGraphSpec,
} from "./spec.js";
import {
  DN_STEPS,
  EFFECT_ACTIONS,
  FAIL_POSITIONS,
  FOOTPRINT_MAX,
  HAND_VALVES,
  type HandValve,
  INSTRUMENT_COUNT_CLASSES,
  instrumentKind,
  LINES_PER_EDGE,
  LIQUID_CLASSES,
  LOOP_ACTIONS,
  NOZZLE_IDS,
  PRESSURE_MAX,
  PRESSURE_MIN,
  SPARE_LETTERS,
  TEMPERATURE_MAX,
  TEMPERATURE_MIN,
  TRIP_FAN_OUT_MAX,
  type Trip,
  tripColumn,
  tripSide,
  VALVE_EFFECT_ACTIONS,
  VALVE_LOCKS,
  VARIABLES,
  type Variable,
} from "./vocabulary.js";

export type SlotGraphErrorCode =
  /** The design has more equipment than the spec's nMax. */
  | "too_many_equipment"
  /** Two equipment items share a tag. */
  | "duplicate_tag";

/** Thrown when a design cannot become a slot graph; callers key on `code`. */
export class SlotGraphError extends Error {
  readonly code: SlotGraphErrorCode;

  constructor(code: SlotGraphErrorCode, message: string) {
    super(message);
    this.name = "SlotGraphError";
    this.code = code;
  }
}

/** What the encoding could not hold, by reason (each a count of lines, instruments, loops...). */
export interface EncodeLosses {
  /** Lines whose ends do not lead to two different equipment items (a loop of tees, a missing line). */
  readonly unresolvedLines: number;
  /** Lines beyond LINES_PER_EDGE between one ordered pair. */
  readonly extraLines: number;
  /** Inline components that fit no place of the canonical flow order (README "Inline components"). */
  readonly unplacedComponents: number;
  /** Instruments mounted on nothing encoded (a missing item, a line that was not kept). */
  readonly unmountedInstruments: number;
  /** Loops whose controller letter, measurement or final element is not encodable (hand loops included). */
  readonly droppedLoops: number;
  /** The dropped loops by reason (the counts add up to droppedLoops). */
  readonly droppedLoopReasons: Readonly<Record<string, number>>;
  /** Interlocks whose cause or effects are not encodable. */
  readonly droppedInterlocks: number;
}

export interface EncodeResult {
  readonly graph: SlotGraph;
  /** Equipment tag of each slot, in slot order (a spare set's slot: its first member's). */
  readonly slots: readonly string[];
  readonly losses: EncodeLosses;
  /** With the spec's `spareSets`: what the sets' further members held on the sets' lines (spare-sets.ts MemberBranch). */
  readonly memberBranches?: readonly MemberBranch[];
}

type AnyDesign = Design | PlantDesignInput;
type AnyLine = AnyDesign["lines"][number];
type AnyEnd = AnyLine["from"];
type AnyComponent = NonNullable<AnyLine["components"]>[number];

/** Natural order of tags: letters, then the number as a number, then the suffix. */
function compareTags(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

/** Equipment tags in slot order. */
export function slotOrder(design: AnyDesign): string[] {
  return [...design.equipment]
    .sort((a, b) => EQUIPMENT_TYPES.indexOf(a.type) - EQUIPMENT_TYPES.indexOf(b.type) || compareTags(a.tag, b.tag))
    .map((e) => e.tag);
}

/** The slot graph of a design (see encodeSlotGraphWithLosses for what it could not hold). */
export function encodeSlotGraph(design: AnyDesign, spec: SlotGraphSpec): SlotGraph {
  return encodeSlotGraphWithLosses(design, spec).graph;
}

/** Where a line sits in the graph: its edge cell and its block (0 = line1). */
interface LinePlace {
  readonly from: number;
  readonly to: number;
  readonly block: number;
}

/** A place that carries instruments: an item (slot) or a line. */
type Place = { readonly slot: number } | { readonly line: LinePlace };

export function encodeSlotGraphWithLosses(design: AnyDesign, spec: SlotGraphSpec): EncodeResult {
  const n = design.equipment.length;
  if (n > spec.nMax) {
    throw new SlotGraphError(
      "too_many_equipment",
      `design ${design.id} has ${n} equipment items; the slot graph holds at most ${spec.nMax} (nMax)`,
    );
  }
  const slots = slotOrder(design);
  const slotOf = new Map<string, number>();
  for (const [i, tag] of slots.entries()) {
    if (slotOf.has(tag)) throw new SlotGraphError("duplicate_tag", `design ${design.id} has two items tagged ${tag}`);
    slotOf.set(tag, i);
  }
  const graph = emptySlotGraph(spec);
  graph.condition.set(conditionVector(design));
  const node = new RowWriter(spec.nodeGroups, graph.nodes, spec.nodeWidth);
  const losses = {
    unresolvedLines: 0,
    extraLines: 0,
    unplacedComponents: 0,
    unmountedInstruments: 0,
    droppedLoops: 0,
    droppedLoopReasons: {} as Record<string, number>,
    droppedInterlocks: 0,
  };

  const byTag = new Map(design.equipment.map((e) => [e.tag, e]));
  for (const [i, tag] of slots.entries()) {
    const e = byTag.get(tag);
    if (e === undefined) continue;
    graph.mask[i] = 1;
    node.row(i);
    fillAbsent(node, spec.nodeGroups, "");
    node.oneHot("type", EQUIPMENT_TYPES.indexOf(e.type));
    node.set("footprint", 0, logScale(e.footprint.width, FOOTPRINT_MAX));
    node.set("footprint", 1, logScale(e.footprint.depth, FOOTPRINT_MAX));
    node.set("footprint", 2, logScale(e.footprint.height, FOOTPRINT_MAX));
    if (e.designPressure !== undefined) {
      node.set("pressureKnown", 0, 1);
      node.set("designPressure", 0, pressureScale(e.designPressure));
    }
    if (e.designTemperature !== undefined) {
      node.set("temperatureKnown", 0, 1);
      node.set("designTemperature", 0, (e.designTemperature - TEMPERATURE_MIN) / (TEMPERATURE_MAX - TEMPERATURE_MIN));
    }
    node.oneHot("rating", 1 + highestRating(e.nozzles ?? []));
    node.oneHot("hazard", HAZARDS.indexOf(e.hazard ?? "none"));
    node.oneHot("liquidClass", e.liquidClass === undefined ? 0 : 1 + LIQUID_CLASSES.indexOf(e.liquidClass));
    if (e.dike !== undefined) node.set("diked", 0, 1);
    node.oneHot("spare", 1 + SPARE_LETTERS.indexOf(spareLetter(e.tag) as (typeof SPARE_LETTERS)[number]));
    for (const nz of e.nozzles ?? []) {
      const k = NOZZLE_IDS.indexOf(nz.id as (typeof NOZZLE_IDS)[number]);
      if (k >= 0) node.set("nozzles", k, 1);
    }
  }

  // Lines: each resolved to the items its ends lead to, then laid into its pair's next free block.
  const lineById = new Map(design.lines.map((l) => [l.id, l]));
  const placeOf = new Map<string, LinePlace>();
  const used = new Map<number, number>();
  const stride = edgeStride(spec);
  const edge = new RowWriter(spec.edgeGroups, graph.edges, stride, 1);
  const componentPlace = new Map<string, { place: LinePlace; kind: "control" | "shutoff" | "other" }>();
  for (const line of design.lines) {
    const from = resolveEnd(line.from, "from", lineById);
    const to = resolveEnd(line.to, "to", lineById);
    const i = from === undefined ? undefined : slotOf.get(from.tag);
    const j = to === undefined ? undefined : slotOf.get(to.tag);
    if (from === undefined || to === undefined || i === undefined || j === undefined || i === j) {
      losses.unresolvedLines++;
      continue;
    }
    const cell = i * spec.nMax + j;
    const block = used.get(cell) ?? 0;
    if (block >= LINES_PER_EDGE) {
      losses.extraLines++;
      continue;
    }
    used.set(cell, block + 1);
    graph.edges[cell * stride] = 1;
    const place = { from: i, to: j, block };
    placeOf.set(line.id, place);
    edge.row(cell);
    const p = `line${block + 1}.`;
    // A present edge's categoricals all start at class 0 (none; "absent" for a block no line fills).
    if (block === 0) fillAbsent(edge, spec.edgeGroups, "");
    edge.oneHot(`${p}service`, 1 + LINE_SERVICES.indexOf(line.service ?? "process"));
    edge.oneHot(`${p}dn`, 1 + nearestStep(line.size));
    edge.oneHot(`${p}rating`, line.rating === undefined ? 0 : 1 + RATINGS.indexOf(line.rating));
    edge.oneHot(`${p}fromNozzle`, nozzleClass(from.nozzle));
    edge.oneHot(`${p}toNozzle`, nozzleClass(to.nozzle));
    if (!("tag" in line.from)) edge.set(`${p}fromTee`, 0, 1);
    if (!("tag" in line.to)) edge.set(`${p}toTee`, 0, 1);
    if (line.minimumFlow === true) edge.set(`${p}minimumFlow`, 0, 1);
    const parsed = placeComponents(line.components ?? []);
    losses.unplacedComponents += parsed.unplaced;
    writeComponents(edge, p, parsed);
    for (const c of line.components ?? []) {
      if (c.tag === undefined) continue;
      const kind = c.type === "control_valve" ? "control" : isHandValve(c.type) ? "shutoff" : "other";
      componentPlace.set(c.tag, { place, kind });
    }
  }

  // Instruments: counted per kind on their item or line.
  const instrumentPlace = new Map<string, Place>();
  for (const inst of design.instruments ?? []) {
    const place: Place | undefined = !inst.on
      ? undefined
      : "tag" in inst.on
        ? slotOf.has(inst.on.tag)
          ? { slot: slotOf.get(inst.on.tag) as number }
          : undefined
        : placeOf.has(inst.on.line)
          ? { line: placeOf.get(inst.on.line) as LinePlace }
          : undefined;
    if (place === undefined) {
      losses.unmountedInstruments++;
      continue;
    }
    instrumentPlace.set(inst.tag, place);
    const w = writerAt(place, node, edge, spec);
    const name = `${w.prefix}instrument.${instrumentKind(inst.tag)}`;
    const count = w.writer.argmax(name);
    w.writer.oneHot(name, Math.min(count + 1, INSTRUMENT_COUNT_CLASSES - 1));
  }

  // Loops: the action on the measurement's place, the loop's variable on its final element's place.
  const control = design.control ?? { loops: [], interlocks: [] };
  for (const loop of control.loops ?? []) {
    const v = VARIABLES.indexOf(loop.tag[0] as Variable);
    const measured = loop.measurement === undefined ? undefined : instrumentPlace.get(loop.measurement);
    const finalSlot = slotOf.get(loop.finalElement);
    const finalValve = componentPlace.get(loop.finalElement);
    const finalPlace: Place | undefined =
      finalSlot !== undefined ? { slot: finalSlot } : finalValve ? { line: finalValve.place } : undefined;
    const places = loopPlaces(loop, v, measured, finalPlace);
    if ("dropped" in places) {
      losses.droppedLoops++;
      losses.droppedLoopReasons[places.dropped] = (losses.droppedLoopReasons[places.dropped] ?? 0) + 1;
      continue;
    }
    const m = writerAt(places.measured, node, edge, spec);
    m.writer.oneHot(`${m.prefix}loop.${VARIABLES[v]}`, 1 + LOOP_ACTIONS.indexOf(loop.action ?? "reverse"));
    const f = writerAt(places.finalPlace, node, edge, spec);
    f.writer.oneHot(`${f.prefix}finalElement`, 1 + v);
  }

  // Interlocks: the trip on its cause's place, the effect's action on each target's place.
  for (const ilk of control.interlocks ?? []) {
    const v = VARIABLES.indexOf(ilk.cause.instrument[0] as Variable);
    const cause = instrumentPlace.get(ilk.cause.instrument);
    if (v < 0 || cause === undefined) {
      losses.droppedInterlocks++;
      continue;
    }
    const variable = VARIABLES[v] as Variable;
    const c = writerAt(cause, node, edge, spec);
    c.writer.set(`${c.prefix}trip`, tripColumn(variable, ilk.cause.trip), 1);
    const fanOut = `${c.prefix}tripFanOut.${variable}.${tripSide(ilk.cause.trip)}`;
    c.writer.oneHot(fanOut, Math.min(TRIP_FAN_OUT_MAX, c.writer.argmax(fanOut) + ilk.effects.length));
    for (const effect of ilk.effects) {
      writeEffect(effect, variable, ilk.cause.trip, slotOf, componentPlace, node, edge, spec);
    }
  }

  // An item relieved through a line that leaves it with a relief valve on it.
  for (const [i] of slots.entries()) {
    for (let j = 0; j < n; j++) {
      const cell = i * spec.nMax + j;
      if (graph.edges[cell * stride] !== 1) continue;
      edge.row(cell);
      for (let k = 0; k < LINES_PER_EDGE; k++) {
        if (edge.get(`line${k + 1}.reliefValve`, 0) === 1) {
          node.row(i);
          node.set("reliefValve", 0, 1);
        }
      }
    }
  }
  // The continuous columns as ranks within the item's type, where the spec holds a table (scalar-ranks.ts).
  convertScalarRanks(spec, graph.nodes, graph.mask, true);
  if (!spec.spareSets) return { graph, slots, losses };
  // A spare set in one slot (spare-sets.ts): the slot is its first member's.
  const sets = collapseSpareSets(graph, spec);
  return { graph: sets.graph, slots: sets.members.map((m) => slots[m[0]!]!), losses, memberBranches: sets.branches };
}

function writeEffect(
  effect: { target: string; action: (typeof EFFECT_ACTIONS)[number] },
  variable: Variable,
  trip: Trip,
  slotOf: ReadonlyMap<string, number>,
  componentPlace: ReadonlyMap<string, { place: LinePlace }>,
  node: RowWriter,
  edge: RowWriter,
  spec: SlotGraphSpec,
): void {
  const name = `tripEffect.${variable}.${tripSide(trip)}`;
  const slot = slotOf.get(effect.target);
  if (slot !== undefined) {
    node.row(slot);
    node.oneHot(name, 1 + EFFECT_ACTIONS.indexOf(effect.action));
    return;
  }
  const valve = componentPlace.get(effect.target);
  if (valve === undefined) return;
  const w = writerAt({ line: valve.place }, node, edge, spec);
  const action = effect.action === "open" ? "open" : "close";
  w.writer.oneHot(`${w.prefix}${name}`, 1 + VALVE_EFFECT_ACTIONS.indexOf(action));
}

function writerAt(
  place: Place,
  node: RowWriter,
  edge: RowWriter,
  spec: SlotGraphSpec,
): { writer: RowWriter; prefix: string } {
  if ("slot" in place) {
    node.row(place.slot);
    return { writer: node, prefix: "" };
  }
  edge.row(place.line.from * spec.nMax + place.line.to);
  return { writer: edge, prefix: `line${place.line.block + 1}.` };
}

/** Sets class 0 ("none") of every categorical group whose name starts with prefix. */
function fillAbsent(edge: RowWriter, groups: readonly FeatureGroup[], prefix: string): void {
  for (const g of groups) if (g.kind === "categorical" && g.name.startsWith(prefix)) edge.oneHot(g.name, 0);
}

/** A line end followed through tees to the equipment nozzle it starts (from) or ends (to) at. */
export function resolveEnd(
  end: AnyEnd,
  side: "from" | "to",
  lineById: ReadonlyMap<string, AnyLine>,
): { tag: string; nozzle: string } | undefined {
  let at: AnyEnd = end;
  for (let hops = 0; hops <= lineById.size; hops++) {
    if ("tag" in at) return { tag: at.tag, nozzle: at.nozzle };
    if ("open" in at) return undefined;
    const parent = lineById.get(at.line);
    if (parent === undefined) return undefined;
    at = parent[side];
  }
  return undefined;
}

/** The canonical flow order of inline components (README "Inline components"). */
export interface PlacedComponents {
  inletValve?: HandValve;
  reducer: boolean;
  strainer: boolean;
  checkValve: boolean;
  dischargeValve?: HandValve;
  shutoffValve?: HandValve;
  specBreak?: string;
  orifice: boolean;
  flowMeter: boolean;
  controlValve: boolean;
  failPosition?: string;
  reliefValve: boolean;
  reliefSpecBreak?: string;
  flameArrestor: boolean;
  outletValve?: HandValve;
  valveLock?: string;
  blind: boolean;
  /** Components that fit no free place after the previous one. */
  unplaced: number;
}

/** Stages of the canonical order; a component takes the first free stage at or after the last one used. */
const STAGES = [
  "inletValve",
  "reducer",
  "strainer",
  "checkValve",
  "dischargeValve",
  "shutoffValve",
  "specBreak",
  "orifice",
  "flowMeter",
  "controlValve",
  "reliefValve",
  "reliefSpecBreak",
  "flameArrestor",
  "outletValve",
  "blind",
] as const;
type Stage = (typeof STAGES)[number];

function stagesFor(c: AnyComponent): readonly Stage[] {
  switch (c.type) {
    case "reducer":
      return ["reducer"];
    case "strainer":
      return ["strainer"];
    case "check_valve":
      return ["checkValve"];
    case "spec_break":
      return ["specBreak", "reliefSpecBreak"];
    case "orifice":
      return ["orifice"];
    case "flow_meter":
      return ["flowMeter"];
    case "control_valve":
      return ["controlValve"];
    case "relief_valve":
      return ["reliefValve"];
    case "flame_arrestor":
      return ["flameArrestor"];
    case "blind":
      return ["blind"];
    default:
      // A tagged hand valve is actuated (an on/off shut-off valve a trip closes).
      return c.tag !== undefined ? ["shutoffValve"] : ["inletValve", "dischargeValve", "outletValve"];
  }
}

/** Sorts a line's components into the canonical stages, keeping their order. */
export function placeComponents(components: readonly AnyComponent[]): PlacedComponents {
  const out: PlacedComponents = {
    reducer: false,
    strainer: false,
    checkValve: false,
    orifice: false,
    flowMeter: false,
    controlValve: false,
    reliefValve: false,
    flameArrestor: false,
    blind: false,
    unplaced: 0,
  };
  const filled = new Set<Stage>();
  let at = 0;
  for (const c of components) {
    const options = stagesFor(c);
    // A spec break after a relief valve is the relief line's own (its outlet side is rated lower).
    const stage = options.find((s) => STAGES.indexOf(s) >= at && !filled.has(s));
    if (stage === undefined) {
      out.unplaced++;
      continue;
    }
    filled.add(stage);
    at = STAGES.indexOf(stage) + 1;
    switch (stage) {
      case "inletValve":
      case "dischargeValve":
      case "shutoffValve":
      case "outletValve":
        out[stage] = c.type as HandValve;
        if (c.lock !== undefined) out.valveLock = c.lock;
        break;
      case "specBreak":
      case "reliefSpecBreak":
        out[stage] = c.rating ?? "";
        break;
      case "controlValve":
        out.controlValve = true;
        if (c.failPosition !== undefined) out.failPosition = c.failPosition;
        break;
      default:
        out[stage] = true;
    }
  }
  return out;
}

function writeComponents(edge: RowWriter, p: string, c: PlacedComponents): void {
  const valve = (v?: HandValve): number => (v === undefined ? 0 : 1 + HAND_VALVES.indexOf(v));
  const rating = (r?: string): number =>
    r === undefined ? 0 : 1 + Math.max(0, RATINGS.indexOf(r as (typeof RATINGS)[number]));
  edge.oneHot(`${p}inletValve`, valve(c.inletValve));
  edge.oneHot(`${p}dischargeValve`, valve(c.dischargeValve));
  edge.oneHot(`${p}shutoffValve`, valve(c.shutoffValve));
  edge.oneHot(`${p}outletValve`, valve(c.outletValve));
  edge.oneHot(`${p}specBreak`, rating(c.specBreak));
  edge.oneHot(`${p}reliefSpecBreak`, rating(c.reliefSpecBreak));
  edge.oneHot(
    `${p}failPosition`,
    c.failPosition === undefined ? 0 : 1 + FAIL_POSITIONS.indexOf(c.failPosition as (typeof FAIL_POSITIONS)[number]),
  );
  edge.oneHot(
    `${p}valveLock`,
    c.valveLock === undefined ? 0 : 1 + VALVE_LOCKS.indexOf(c.valveLock as (typeof VALVE_LOCKS)[number]),
  );
  for (const flag of [
    "reducer",
    "strainer",
    "checkValve",
    "orifice",
    "flowMeter",
    "controlValve",
    "reliefValve",
    "flameArrestor",
    "blind",
  ] as const) {
    if (c[flag]) edge.set(`${p}${flag}`, 0, 1);
  }
}

/** Hand loops are dropped by this reason; it says why rather than naming a missing measurement. */
export const HAND_LOOP_NOT_ENCODED = "hand loop (no measurement): not encoded";

/**
 * Where a loop is written, or why it cannot be encoded. A hand control loop (HC, HIC) is not
 * encoded: the loop's action sits on its measurement's place and its variable (L, P, F, T) on the
 * final element, and a hand loop has neither; encoding it would change the tensor layout that
 * trained models were saved with.
 */
function loopPlaces(
  loop: { readonly tag: string; readonly measurement?: string | undefined },
  variable: number,
  measured: Place | undefined,
  finalPlace: Place | undefined,
): { readonly measured: Place; readonly finalPlace: Place } | { readonly dropped: string } {
  if (loop.measurement === undefined) return { dropped: HAND_LOOP_NOT_ENCODED };
  if (variable < 0) return { dropped: `controller variable ${loop.tag[0]} is not one of ${VARIABLES.join(", ")}` };
  if (measured === undefined) return { dropped: "measurement is mounted on nothing encoded" };
  if (finalPlace === undefined) return { dropped: "final element is on no encoded item or line" };
  return { measured, finalPlace };
}

function isHandValve(type: string): boolean {
  return (HAND_VALVES as readonly string[]).includes(type);
}

/** Class of a nozzle mark in a fromNozzle/toNozzle group: 1 + its index, or the last class ("other"). */
function nozzleClass(id: string): number {
  const k = NOZZLE_IDS.indexOf(id as (typeof NOZZLE_IDS)[number]);
  return k >= 0 ? 1 + k : 1 + NOZZLE_IDS.length;
}

/** The spare letter of a tag (A of P-101A), or "" for none. */
function spareLetter(tag: string): string {
  const m = /^[A-Z]+-\d+(?:\.\d+)?([A-Z]+)?(?:-|$)/.exec(tag);
  const letter = m?.[1] ?? "";
  return (SPARE_LETTERS as readonly string[]).includes(letter) ? letter : "";
}

function highestRating(nozzles: readonly { rating?: string }[]): number {
  let best = -1;
  for (const nz of nozzles) {
    const k = nz.rating === undefined ? -1 : RATINGS.indexOf(nz.rating as (typeof RATINGS)[number]);
    if (k > best) best = k;
  }
  return best;
}

/** Index of the DN step nearest to a size (by ratio, so 65 is nearer 80 than 50). */
function nearestStep(size: number): number {
  let best = 0;
  for (let k = 1; k < DN_STEPS.length; k++) {
    if (Math.abs(Math.log(size / (DN_STEPS[k] as number))) < Math.abs(Math.log(size / (DN_STEPS[best] as number))))
      best = k;
  }
  return best;
}

function logScale(x: number, max: number): number {
  return Math.min(1, Math.max(0, Math.log1p(x) / Math.log1p(max)));
}

function pressureScale(p: number): number {
  return Math.min(1, Math.max(0, Math.log1p(p - PRESSURE_MIN) / Math.log1p(PRESSURE_MAX - PRESSURE_MIN)));
}
