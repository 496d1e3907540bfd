/**
 * Slot graph → full design: the hand-written expansion (README "Decoding"). Reads soft rows as a
 * sampler leaves them (argmax of each categorical, > 0.5 for flags and the mask) and writes a
 * topology-only PlantDesignInput: equipment with invented tags and the nozzles its lines need,
 * lines with ids, ends, DN, service and components in flow order, instruments, loops
 * (measurement → controller → nearest final element of the same variable) and interlocks (cause →
 * every target of the same variable and side that lies nearest to it). With a spec's `spareSets`
 * each set slot is first expanded into its members (spare-sets.ts).
 */
import type { PlantDesignInput, ProcessClass } from "../../design/index.js";
import { EQUIPMENT_TAG_PREFIX, EQUIPMENT_TYPES, HAZARDS, LINE_SERVICES, RATINGS } from "../../design/index.js";
import { convertScalarRanks } from "./scalar-ranks.js";
import { expandSpareSets, type MemberBranch } from "./spare-sets.js";
import { edgeStride, RowWriter, type SlotGraph, type SlotGraphSpec } from "./spec.js";
import {
  DN_STEPS,
  EFFECT_ACTIONS,
  FAIL_POSITIONS,
  FOOTPRINT_MAX,
  HAND_VALVES,
  INSTRUMENT_KINDS,
  LINES_PER_EDGE,
  LIQUID_CLASSES,
  LOOP_ACTIONS,
  NOZZLE_IDS,
  PRESSURE_MAX,
  PRESSURE_MIN,
  SERVICE_CODES,
  SPARE_LETTERS,
  TEMPERATURE_MAX,
  TEMPERATURE_MIN,
  TRIP_FAN_OUT_MAX,
  TRIP_SIDES,
  TRIPS,
  type Trip,
  tripColumn,
  tripSide,
  VALVE_EFFECT_ACTIONS,
  VALVE_LOCKS,
  VARIABLES,
  type Variable,
} from "./vocabulary.js";

/** What the slot graph does not say: the request's class and site, the design id. */
export interface DecodeContext {
  readonly processClass: ProcessClass;
  readonly site: { readonly width: number; readonly depth: number };
  readonly id: string;
  /** Recorded in metadata (the sampler's seed); the expansion itself is deterministic. */
  readonly seed?: number;
  /**
   * Hand-written contract constraints for generated graphs (never needed on real data, whose round
   * trip is exact): a branch is no larger than the line it tees into and meets its rating
   * through a spec break at the tee, keeping its own at the item end (piping.size-match,
   * piping.rating-match, piping.rating-capacity); a control valve that no
   * loop or interlock drives is left out (control.valve-controller); a loop claims, and a trip acts
   * on, only what lies within `maxPathHops` steps of its measurement (control.loop-path,
   * control.trip-senses-protected); a trip beside a loop of its variable gets its own safety
   * transmitter (control.shared-transmitter). Default false.
   */
  readonly contract?: boolean;
  /** The pack's control.maxPathHops for `contract` (steps through lines and items); default 6. */
  readonly maxPathHops?: number;
  /**
   * With the spec's `spareSets`: the member branches the model's data held (its
   * RowMotifs.branches), which the expansion gives the sets' members (spare-sets.ts). Absent: the
   * hand-written branch.
   */
  readonly memberBranches?: readonly MemberBranch[];
}

/** The rows a generator outputs; condition is not read. */
export type SlotGraphRows = Pick<SlotGraph, "nodes" | "mask" | "edges">;

type Equipment = PlantDesignInput["equipment"][number];
type Nozzle = NonNullable<Equipment["nozzles"]>[number];
type Line = PlantDesignInput["lines"][number];
type Component = NonNullable<Line["components"]>[number];
type Instrument = NonNullable<PlantDesignInput["instruments"]>[number];
type Loop = NonNullable<NonNullable<PlantDesignInput["control"]>["loops"]>[number];
type Interlock = NonNullable<NonNullable<PlantDesignInput["control"]>["interlocks"]>[number];
type EffectAction = (typeof EFFECT_ACTIONS)[number];
type Rating = (typeof RATINGS)[number];

/** An item or valve a trip of one variable and side acts on. */
interface Target {
  readonly place: Place;
  readonly variable: Variable;
  readonly side: (typeof TRIP_SIDES)[number];
  readonly action: EffectAction;
}

/** Where instruments sit: an item (slot) or a decoded line (index into `lines`). */
type Place = { readonly slot: number } | { readonly line: number };

/** One line as read from its block, before ids and tees are settled. */
interface LineDraft {
  readonly from: number;
  readonly to: number;
  readonly block: number;
  readonly prefix: string;
  readonly service: (typeof LINE_SERVICES)[number];
  /** Mutable: the contract's branch constraint narrows it. */
  size: number;
  rating?: Rating;
  readonly fromNozzle: string | undefined;
  readonly toNozzle: string | undefined;
  readonly fromTee: boolean;
  readonly toTee: boolean;
  id: string;
  components: Component[];
  controlValve?: Component;
  shutoffValve?: Component;
  /** The outlet block valve (last hand valve stage), so an added control valve goes before it. */
  outletValve?: Component;
}

const DEFAULT_DN = 50;
/** The schema's largest footprint height, m (width and depth go to FOOTPRINT_MAX). */
const FOOTPRINT_HEIGHT_MAX = 300;
const FIRST_NUMBER = 101;
/** The default pack's control.maxPathHops. */
const DEFAULT_MAX_PATH_HOPS = 6;

export function decodeSlotGraph(graph: SlotGraphRows, spec: SlotGraphSpec, context: DecodeContext): PlantDesignInput {
  if (spec.spareSets) {
    // Each set slot becomes its members first (spare-sets.ts), then every slot is one item.
    const expanded = expandSpareSets(graph, spec, context.memberBranches);
    return decodeSlotGraph(expanded.graph, expanded.spec, context);
  }
  // Ranked continuous columns back to unit values first (scalar-ranks.ts), on a copy.
  const nodes = spec.scalarRanks ? graph.nodes.slice() : graph.nodes;
  convertScalarRanks(spec, nodes, graph.mask, false);
  const node = new RowWriter(spec.nodeGroups, nodes, spec.nodeWidth);
  const stride = edgeStride(spec);
  const edge = new RowWriter(spec.edgeGroups, graph.edges, stride, 1);
  const slots: number[] = [];
  for (let i = 0; i < spec.nMax; i++) if ((graph.mask[i] as number) > 0.5) slots.push(i);

  const equipment = new Map<number, Equipment>();
  const tags = equipmentTags(slots, node);
  for (const i of slots) equipment.set(i, equipmentAt(i, node, tags.get(i) as string));

  // Lines, block by block, edge by edge in slot order.
  const drafts: LineDraft[] = [];
  for (const i of slots) {
    for (const j of slots) {
      const cell = i * spec.nMax + j;
      if (i === j || (graph.edges[cell * stride] as number) <= 0.5) continue;
      edge.row(cell);
      for (let b = 0; b < LINES_PER_EDGE; b++) {
        const prefix = `line${b + 1}.`;
        const service = edge.argmax(`${prefix}service`);
        if (b > 0 && service === 0) continue;
        drafts.push(lineDraft(edge, prefix, i, j, b, service));
      }
    }
  }
  drafts.forEach((d, k) => {
    d.id = `${d.size}-${SERVICE_CODES[d.service]}-${1001 + k}`;
  });
  // A spare set's key: its members' tag without the letter (P-101 of P-101A and P-101B).
  const setOf = new Map(slots.map((i) => [i, spareSetKey(tags.get(i) as string, node, i)]));
  const lines = connectLines(drafts, equipment, node, context.contract === true, setOf);

  // Numbers: one per place with instruments, loops or trips (ISA loop numbers), then valves.
  let next = FIRST_NUMBER;
  const places: Place[] = [...slots.map((slot) => ({ slot })), ...drafts.map((_, line) => ({ line }))];
  const rowAt = (p: Place): { writer: RowWriter; prefix: string } => {
    if ("slot" in p) {
      node.row(p.slot);
      return { writer: node, prefix: "" };
    }
    const d = drafts[p.line] as LineDraft;
    edge.row(d.from * spec.nMax + d.to);
    return { writer: edge, prefix: d.prefix };
  };
  const adjacency = neighbours(slots, drafts);
  const instruments: Instrument[] = [];
  const loopsWanted: {
    place: Place;
    number: number;
    variable: Variable;
    action: Loop["action"];
    measurement: string;
  }[] = [];
  const trips: { place: Place; number: number; variable: Variable; trip: Trip; instrument: string }[] = [];
  for (const place of places) {
    const { writer, prefix } = rowAt(place);
    const counts = new Map<string, number>();
    for (const kind of INSTRUMENT_KINDS) counts.set(kind, writer.argmax(`${prefix}instrument.${kind}`));
    const loopHere = VARIABLES.map((v) => writer.argmax(`${prefix}loop.${v}`));
    const tripHere: [Variable, Trip][] = [];
    for (const v of VARIABLES) {
      for (const t of TRIPS) if (writer.get(`${prefix}trip`, tripColumn(v, t)) > 0.5) tripHere.push([v, t]);
    }
    // A loop needs its transmitter and a trip its safety transmitter: the expansion adds a missing one.
    VARIABLES.forEach((v, k) => {
      if ((loopHere[k] as number) > 0 && (counts.get(`${v}T`) ?? 0) === 0) counts.set(`${v}T`, 1);
    });
    for (const [v] of tripHere) {
      if ((counts.get(`${v}ZT`) ?? 0) === 0 && (counts.get(`${v}T`) ?? 0) === 0) counts.set(`${v}ZT`, 1);
      // Under the contract a safety function does not share the control loop's transmitter.
      if (context.contract && (loopHere[VARIABLES.indexOf(v)] ?? 0) > 0 && (counts.get(`${v}ZT`) ?? 0) === 0) {
        counts.set(`${v}ZT`, 1);
      }
    }
    // One ISA loop number per measured variable on a place: LT-101, LZT-101, LIC-101, LV-101, I-101LL
    // (X: the unclassified instruments, XI-102).
    for (const v of [...VARIABLES, "X"] as const) {
      const kinds = new Map<string, string[]>();
      for (const kind of INSTRUMENT_KINDS) {
        if (kind[0] !== v || (counts.get(kind) ?? 0) === 0) continue;
        kinds.set(kind, []);
      }
      if (kinds.size === 0) continue;
      const number = next++;
      for (const [kind, own] of kinds) {
        for (let c = 0; c < (counts.get(kind) ?? 0); c++) {
          const tag = `${kind}-${number}${c === 0 ? "" : String.fromCharCode(65 + c)}`;
          own.push(tag);
          instruments.push({
            tag,
            on: "slot" in place ? { tag: tags.get(place.slot) as string } : { line: drafts[place.line]?.id as string },
          });
        }
      }
      if (v === "X") continue;
      const cls = loopHere[VARIABLES.indexOf(v)] as number;
      if (cls > 0) {
        const measurement = kinds.get(`${v}T`)?.[0] as string;
        loopsWanted.push({ place, number, variable: v, action: LOOP_ACTIONS[cls - 1], measurement });
      }
      for (const [tv, t] of tripHere) {
        if (tv !== v) continue;
        const instrument = (kinds.get(`${v}ZT`)?.[0] ?? kinds.get(`${v}T`)?.[0]) as string;
        trips.push({ place, number, variable: v, trip: t, instrument });
      }
    }
  }

  // Steps between two places in the validator's pipe network (items and lines are nodes): two per
  // item hop, one more for each end that is a line. Tees can only add steps, so this is a floor.
  const maxSteps = context.maxPathHops ?? DEFAULT_MAX_PATH_HOPS;
  const pathSteps = (a: Place, b: Place, hops: number): number =>
    hops < 0 ? 0 : 2 * hops + ("line" in a ? 1 : 0) + ("line" in b ? 1 : 0);
  const withinReach = (steps: number): boolean => !context.contract || steps <= maxSteps;

  // Loops: each claims the nearest unclaimed final element of its variable.
  const finals: { place: Place; variable: Variable; claimed: boolean }[] = [];
  for (const place of places) {
    const { writer, prefix } = rowAt(place);
    const cls = writer.argmax(`${prefix}finalElement`);
    if (cls > 0) finals.push({ place, variable: VARIABLES[cls - 1] as Variable, claimed: false });
  }
  const loops: Loop[] = [];
  for (const want of loopsWanted) {
    const distance = distancesFrom(want.place, drafts, adjacency);
    const options = finals.filter(
      (f) =>
        f.variable === want.variable &&
        !f.claimed &&
        withinReach(pathSteps(f.place, want.place, placeDistance(f.place, want.place, distance, drafts))),
    );
    const best = nearest(options, (f) => placeDistance(f.place, want.place, distance, drafts));
    const chosen = best[0];
    if (chosen === undefined) continue;
    chosen.claimed = true;
    let finalElement: string;
    if ("slot" in chosen.place) {
      finalElement = tags.get(chosen.place.slot) as string;
    } else {
      const d = drafts[chosen.place.line] as LineDraft;
      const valve = d.controlValve ?? addControlValve(d);
      finalElement = `${want.variable}V-${want.number}`;
      valve.tag = finalElement;
    }
    loops.push({
      tag: `${want.variable}IC-${want.number}`,
      measurement: want.measurement,
      finalElement,
      ...(want.action === "direct" ? { action: "direct" as const } : {}),
    });
  }

  // Valves with no loop still need tags where a trip acts on them; relief valves always carry one.
  const valveTag = (prefix: string): string => `${prefix}-${next++}`;
  for (const d of drafts) {
    if (d.shutoffValve) d.shutoffValve.tag = valveTag("XV");
    for (const c of d.components) if (c.type === "relief_valve") c.tag = valveTag("PSV");
  }

  // Interlocks: each trip acts on as many targets of its variable and side as its fan-out says,
  // nearest first; a target no trip chose joins its own nearest trip(s), so no effect the graph asks
  // for is dropped.
  const targets: Target[] = [];
  for (const place of places) {
    const { writer, prefix } = rowAt(place);
    for (const v of VARIABLES) {
      for (const side of TRIP_SIDES) {
        const cls = writer.argmax(`${prefix}tripEffect.${v}.${side}`);
        if (cls === 0) continue;
        const action = "slot" in place ? EFFECT_ACTIONS[cls - 1] : VALVE_EFFECT_ACTIONS[cls - 1];
        if (action !== undefined) targets.push({ place, variable: v, side, action });
      }
    }
  }
  const targetTag = (place: Place): string | undefined => {
    if ("slot" in place) return tags.get(place.slot);
    const d = drafts[place.line] as LineDraft;
    const valve = d.shutoffValve ?? d.controlValve;
    if (valve === undefined) return undefined;
    valve.tag ??= valveTag("XV");
    return valve.tag;
  };
  const reachable = targets.filter((g) => targetTag(g.place) !== undefined);
  const tripDistances = trips.map((t) => distancesFrom(t.place, drafts, adjacency));
  const chosen = trips.map(() => new Set<Target>());
  const kindOf = (t: (typeof trips)[number]) => (g: Target) => g.variable === t.variable && g.side === tripSide(t.trip);
  trips.forEach((t, k) => {
    const own = reachable.filter(kindOf(t));
    const dist = tripDistances[k] as Map<number, number>;
    const { writer, prefix } = rowAt(t.place);
    const fanOut = writer.argmax(`${prefix}tripFanOut.${t.variable}.${tripSide(t.trip)}`);
    // Nearest first; a spare set stays together (its members sit in consecutive slots).
    const ranked = own
      .map((g, at) => ({ g, at, d: placeDistance(g.place, t.place, dist, drafts) }))
      .filter((x) => Number.isFinite(x.d) && withinReach(pathSteps(x.g.place, t.place, x.d)))
      .sort((x, y) => x.d - y.d || x.at - y.at);
    const want = Math.max(1, fanOut);
    for (const [r, { g, d }] of ranked.entries()) {
      // The last class means "this many or more": every target as near as the last one counted joins.
      const last = ranked[want - 1];
      if (r >= want && !(fanOut === TRIP_FAN_OUT_MAX && last !== undefined && d <= last.d)) break;
      chosen[k]?.add(g);
    }
  });
  const interlocks: Interlock[] = [];
  trips.forEach((t, k) => {
    const effects = [...(chosen[k] ?? [])].map((g) => ({ target: targetTag(g.place) as string, action: g.action }));
    const [first, ...rest] = effects;
    if (first === undefined) return;
    interlocks.push({
      tag: `I-${t.number}${t.trip}`,
      cause: { instrument: t.instrument, trip: t.trip },
      effects: [first, ...rest],
    });
  });

  if (context.contract) {
    // A control valve that no loop or interlock names is not drawn.
    const driven = new Set<string>(loops.map((l) => l.finalElement));
    for (const i of interlocks) for (const e of i.effects) driven.add(e.target);
    for (const d of drafts) {
      const at = d.components.findIndex((c) => c.type === "control_valve" && !(c.tag && driven.has(c.tag)));
      if (at >= 0) d.components.splice(at, 1);
    }
  }

  return {
    schemaVersion: "1.0",
    id: context.id,
    processClass: context.processClass,
    site: { width: context.site.width, depth: context.site.depth },
    equipment: slots.map((i) => equipment.get(i) as Equipment),
    lines,
    instruments,
    control: { loops, interlocks },
    metadata: {
      generator: "plantgan-topology-expansion",
      ...(context.seed !== undefined ? { seed: context.seed } : {}),
    },
  };
}

/** The spare set an item belongs to: its tag without the spare letter, or the tag for an item with none. */
function spareSetKey(tag: string, node: RowWriter, slot: number): string {
  node.row(slot);
  return node.argmax("spare") > 0 ? tag.slice(0, -1) : tag;
}

/** Tags by type prefix and a number per type from 101; a spare set (A, B, C...) shares its number. */
function equipmentTags(slots: readonly number[], node: RowWriter): Map<number, string> {
  const tags = new Map<number, string>();
  const nextNumber = new Map<string, number>();
  const used = new Set<string>();
  let previous: { type: number; letter: number; number: number } | undefined;
  for (const i of slots) {
    node.row(i);
    const type = node.argmax("type");
    const letter = node.argmax("spare");
    const prefix = EQUIPMENT_TAG_PREFIX[EQUIPMENT_TYPES[type] as (typeof EQUIPMENT_TYPES)[number]];
    const continues =
      previous !== undefined && letter > 0 && previous.type === type && previous.letter > 0 && letter > previous.letter;
    let number: number;
    if (continues && previous) {
      number = previous.number;
    } else {
      number = nextNumber.get(prefix) ?? FIRST_NUMBER;
      nextNumber.set(prefix, number + 1);
    }
    let tag = `${prefix}-${number}${letter > 0 ? SPARE_LETTERS[letter - 1] : ""}`;
    while (used.has(tag)) {
      number = nextNumber.get(prefix) ?? FIRST_NUMBER;
      nextNumber.set(prefix, number + 1);
      tag = `${prefix}-${number}${letter > 0 ? SPARE_LETTERS[letter - 1] : ""}`;
    }
    used.add(tag);
    tags.set(i, tag);
    previous = { type, letter, number };
  }
  return tags;
}

function equipmentAt(i: number, node: RowWriter, tag: string): Equipment {
  node.row(i);
  const type = EQUIPMENT_TYPES[node.argmax("type")] as Equipment["type"];
  // A generator's continuous outputs may stray outside [0, 1]; the schema's bounds hold after clamping.
  const side = (k: number): number =>
    Math.min(
      k === 2 ? FOOTPRINT_HEIGHT_MAX : FOOTPRINT_MAX,
      Math.max(0.1, round(Math.expm1(unit(node.get("footprint", k)) * Math.log1p(FOOTPRINT_MAX)), 2)),
    );
  const e: Equipment = { tag, type, footprint: { width: side(0), depth: side(1), height: side(2) } };
  if (node.get("pressureKnown", 0) > 0.5) {
    const v = unit(node.get("designPressure", 0));
    e.designPressure = round(Math.expm1(v * Math.log1p(PRESSURE_MAX - PRESSURE_MIN)) + PRESSURE_MIN, 3);
  }
  if (node.get("temperatureKnown", 0) > 0.5) {
    e.designTemperature = round(
      TEMPERATURE_MIN + unit(node.get("designTemperature", 0)) * (TEMPERATURE_MAX - TEMPERATURE_MIN),
      2,
    );
  }
  const hazard = HAZARDS[node.argmax("hazard")];
  if (hazard !== undefined && hazard !== "none") e.hazard = hazard;
  const liquid = node.argmax("liquidClass");
  if (liquid > 0) e.liquidClass = LIQUID_CLASSES[liquid - 1] as NonNullable<Equipment["liquidClass"]>;
  if (node.get("diked", 0) > 0.5) e.dike = "DIKE-1";
  e.nozzles = [];
  const rating = node.argmax("rating");
  NOZZLE_IDS.forEach((id, k) => {
    if (node.get("nozzles", k) > 0.5) {
      const nz: Nozzle = { id, size: DEFAULT_DN };
      if (rating > 0) nz.rating = RATINGS[rating - 1] as Rating;
      e.nozzles?.push(nz);
    }
  });
  return e;
}

function lineDraft(
  edge: RowWriter,
  prefix: string,
  from: number,
  to: number,
  block: number,
  service: number,
): LineDraft {
  const nozzle = (name: string): string | undefined => {
    const cls = edge.argmax(`${prefix}${name}`);
    return cls >= 1 && cls <= NOZZLE_IDS.length ? NOZZLE_IDS[cls - 1] : undefined;
  };
  const dn = edge.argmax(`${prefix}dn`);
  const rating = edge.argmax(`${prefix}rating`);
  const d: LineDraft = {
    from,
    to,
    block,
    prefix,
    service: service === 0 ? "process" : (LINE_SERVICES[service - 1] as LineDraft["service"]),
    size: dn === 0 ? DEFAULT_DN : (DN_STEPS[dn - 1] as number),
    ...(rating > 0 ? { rating: RATINGS[rating - 1] as Rating } : {}),
    fromNozzle: nozzle("fromNozzle"),
    toNozzle: nozzle("toNozzle"),
    fromTee: edge.get(`${prefix}fromTee`, 0) > 0.5,
    toTee: edge.get(`${prefix}toTee`, 0) > 0.5,
    id: "",
    components: [],
  };
  const flag = (name: string): boolean => edge.get(`${prefix}${name}`, 0) > 0.5;
  const hand = (name: string): void => {
    const cls = edge.argmax(`${prefix}${name}`);
    if (cls === 0) return;
    const c: Component = { type: HAND_VALVES[cls - 1] as Component["type"] };
    const lock = edge.argmax(`${prefix}valveLock`);
    if (lock > 0 && name !== "shutoffValve") c.lock = VALVE_LOCKS[lock - 1] as NonNullable<Component["lock"]>;
    d.components.push(c);
    if (name === "shutoffValve") d.shutoffValve = c;
    if (name === "outletValve") d.outletValve = c;
  };
  const specBreak = (name: string): void => {
    const cls = edge.argmax(`${prefix}${name}`);
    if (cls > 0) d.components.push({ type: "spec_break", rating: RATINGS[cls - 1] as Rating });
  };
  hand("inletValve");
  if (flag("reducer")) d.components.push({ type: "reducer" });
  if (flag("strainer")) d.components.push({ type: "strainer" });
  if (flag("checkValve")) d.components.push({ type: "check_valve" });
  hand("dischargeValve");
  hand("shutoffValve");
  specBreak("specBreak");
  if (flag("orifice")) d.components.push({ type: "orifice" });
  if (flag("flowMeter")) d.components.push({ type: "flow_meter" });
  if (flag("controlValve")) {
    const c: Component = { type: "control_valve" };
    const fail = edge.argmax(`${prefix}failPosition`);
    if (fail > 0) c.failPosition = FAIL_POSITIONS[fail - 1] as NonNullable<Component["failPosition"]>;
    d.components.push(c);
    d.controlValve = c;
  }
  if (flag("reliefValve")) d.components.push({ type: "relief_valve" });
  specBreak("reliefSpecBreak");
  if (flag("flameArrestor")) d.components.push({ type: "flame_arrestor" });
  hand("outletValve");
  if (flag("blind")) d.components.push({ type: "blind" });
  if (edge.get(`${prefix}minimumFlow`, 0) > 0.5) (d as { minimumFlow?: boolean }).minimumFlow = true;
  return d;
}

/** A control valve for a line that is a loop's final element but has none (a repair the expansion makes). */
function addControlValve(d: LineDraft): Component {
  const c: Component = { type: "control_valve" };
  // Before the relief valve, flame arrestor, blind or outlet block valve: the valve stages after it.
  const at = d.components.findIndex(
    (x) => x.type === "relief_valve" || x.type === "flame_arrestor" || x.type === "blind" || x === d.outletValve,
  );
  d.components.splice(at < 0 ? d.components.length : at, 0, c);
  d.controlValve = c;
  return c;
}

/**
 * Line ends: a tee end joins the first plain line leaving (from) or entering (to) the same item at
 * the same nozzle mark; any other end is a nozzle, created on the item when missing (marks outside
 * the vocabulary, or taken, become N1, N2...). Nozzles take the size and rating of their line.
 */
function connectLines(
  drafts: readonly LineDraft[],
  equipment: ReadonlyMap<number, Equipment>,
  node: RowWriter,
  contract: boolean,
  setOf: ReadonlyMap<number, string>,
): Line[] {
  const taken = new Map<number, Set<string>>();
  const isTaken = (slot: number, id: string): boolean => taken.get(slot)?.has(id) ?? false;
  const take = (slot: number, id: string): void => {
    const set = taken.get(slot) ?? new Set<string>();
    set.add(id);
    taken.set(slot, set);
  };
  // A second line of a pair teed at both ends is a bypass of the pair's first line (README "Inline
  // components"): each of its ends tees into that line, which may itself tee into a header at the
  // same mark (a control valve on a branch). The first line of its pair, by draft.
  const firstOfPair = new Map<LineDraft, LineDraft>();
  for (const d of drafts) {
    if (d.block === 0 || !d.fromTee || !d.toTee) continue;
    const first = drafts.find((p) => p.block === 0 && p.from === d.from && p.to === d.to);
    if (first) firstOfPair.set(d, first);
  }
  // Where every line ending at an item's mark is teed there, the first of them is the header: its
  // end is the nozzle and the others tee into it (a generated graph can draw only tees; data never
  // does); a bypass is not a header while another line is there.
  const header = new Set<string>();
  const ending = new Map<string, LineDraft[]>();
  for (const d of drafts)
    for (const side of ["from", "to"] as const) {
      const mark = side === "from" ? d.fromNozzle : d.toNozzle;
      if (mark === undefined) continue;
      const key = `${side}:${side === "from" ? d.from : d.to}:${mark}`;
      ending.set(key, [...(ending.get(key) ?? []), d]);
    }
  for (const [key, group] of ending) {
    const side = key.startsWith("from") ? "from" : "to";
    if (group.every((d) => (side === "from" ? d.fromTee : d.toTee)))
      header.add(`${side}:${drafts.indexOf(group.find((d) => !firstOfPair.has(d)) ?? group[0]!)}`);
  }
  const teeAt = (d: LineDraft, side: "from" | "to"): boolean =>
    (side === "from" ? d.fromTee : d.toTee) && !header.has(`${side}:${drafts.indexOf(d)}`);
  const parentOf = (d: LineDraft, side: "from" | "to"): LineDraft | undefined => {
    const slot = side === "from" ? d.from : d.to;
    const mark = side === "from" ? d.fromNozzle : d.toNozzle;
    const first = firstOfPair.get(d);
    if (first && mark === (side === "from" ? first.fromNozzle : first.toNozzle)) return first;
    if (mark === undefined) return undefined;
    const candidates = drafts.filter(
      (p) =>
        p !== d &&
        (side === "from"
          ? !teeAt(p, "from") && p.from === slot && p.fromNozzle === mark
          : !teeAt(p, "to") && p.to === slot && p.toNozzle === mark),
    );
    // A spare's branch tees into its own set's line where several share the mark.
    const other = (x: LineDraft) => setOf.get(side === "from" ? x.to : x.from);
    return candidates.find((p) => other(p) === other(d)) ?? candidates[0];
  };
  const nozzleEnd = (d: LineDraft, side: "from" | "to"): { tag: string; nozzle: string } => {
    const slot = side === "from" ? d.from : d.to;
    const e = equipment.get(slot) as Equipment;
    let mark = side === "from" ? d.fromNozzle : d.toNozzle;
    if (mark === undefined || isTaken(slot, mark)) {
      let k = 1;
      while (isTaken(slot, `N${k}`) || e.nozzles?.some((z) => z.id === `N${k}`)) k++;
      mark = `N${k}`;
    }
    take(slot, mark);
    const rating = side === "from" ? d.rating : (lastSpecBreak(d.components) ?? d.rating);
    let nz = e.nozzles?.find((z) => z.id === mark);
    if (nz === undefined) {
      nz = { id: mark };
      e.nozzles?.push(nz);
    }
    nz.size = d.size;
    if (rating !== undefined) nz.rating = rating;
    else delete nz.rating;
    return { tag: e.tag, nozzle: mark };
  };
  void node;
  if (contract) {
    // A branch no larger than its parent, and rated to meet it; settled before any nozzle takes
    // the branch's size and rating.
    // Repeated until settled: a branch can be a parent on its other end, so a change travels.
    for (let pass = 0, changed = true; changed && pass < drafts.length; pass++) {
      changed = false;
      for (const d of drafts) {
        for (const side of ["from", "to"] as const) {
          if (!teeAt(d, side)) continue;
          const parent = parentOf(d, side);
          if (parent === undefined) continue;
          if (d.size > parent.size) {
            d.size = parent.size;
            changed = true;
          }
          // Rated as its parent only where no rating along the branch meets one along the parent
          // (a tee may sit on either side of a spec break), so a matching branch keeps its own.
          const along = (x: LineDraft) => [
            x.rating,
            ...x.components.filter((c) => c.type === "spec_break").map((c) => c.rating),
          ];
          const theirs = new Set(along(parent));
          if (parent.rating !== undefined && !along(d).some((r) => r !== undefined && theirs.has(r))) {
            // The tee end meets the parent through a spec break there; the item end keeps the
            // branch's own class, which its nozzle must hold (piping.rating-capacity).
            const own = d.rating;
            if (own !== undefined && side === "to") d.components.push({ type: "spec_break", rating: parent.rating });
            else if (own !== undefined) d.components.unshift({ type: "spec_break", rating: own });
            if (own === undefined || side === "from") d.rating = parent.rating;
            changed = true;
          }
        }
      }
    }
  }
  // Plain ends first, so that a tee's parent already holds its nozzle.
  const ends = new Map<LineDraft, { from?: Line["from"]; to?: Line["to"] }>();
  for (const d of drafts) {
    ends.set(d, {
      ...(teeAt(d, "from") ? {} : { from: nozzleEnd(d, "from") }),
      ...(teeAt(d, "to") ? {} : { to: nozzleEnd(d, "to") }),
    });
  }
  return drafts.map((d) => {
    const own = ends.get(d) ?? {};
    const fromParent = teeAt(d, "from") ? parentOf(d, "from") : undefined;
    const toParent = teeAt(d, "to") ? parentOf(d, "to") : undefined;
    const from = own.from ?? (fromParent ? { line: fromParent.id } : nozzleEnd(d, "from"));
    const to = own.to ?? (toParent ? { line: toParent.id } : nozzleEnd(d, "to"));
    const line: Line = { id: d.id, from, to, size: d.size };
    if (d.service !== "process") line.service = d.service;
    if (d.rating !== undefined) line.rating = d.rating;
    if ((d as { minimumFlow?: boolean }).minimumFlow) line.minimumFlow = true;
    line.components = d.components;
    return line;
  });
}

function lastSpecBreak(components: readonly Component[]): (typeof RATINGS)[number] | undefined {
  for (let k = components.length - 1; k >= 0; k--) {
    const c = components[k] as Component;
    if (c.type === "spec_break" && c.rating !== undefined) return c.rating;
  }
  return undefined;
}

/** Undirected item adjacency of the decoded lines. */
function neighbours(slots: readonly number[], drafts: readonly LineDraft[]): Map<number, number[]> {
  const adj = new Map<number, number[]>(slots.map((s) => [s, []]));
  for (const d of drafts) {
    adj.get(d.from)?.push(d.to);
    adj.get(d.to)?.push(d.from);
  }
  return adj;
}

/** Hops from a place to every item it reaches (a line starts at both of its items). */
function distancesFrom(
  place: Place,
  drafts: readonly LineDraft[],
  adj: ReadonlyMap<number, number[]>,
): Map<number, number> {
  const start =
    "slot" in place ? [place.slot] : [(drafts[place.line] as LineDraft).from, (drafts[place.line] as LineDraft).to];
  const dist = new Map<number, number>(start.map((s) => [s, 0]));
  const queue = [...start];
  for (let q = 0; q < queue.length; q++) {
    const at = queue[q] as number;
    for (const n of adj.get(at) ?? []) {
      if (dist.has(n)) continue;
      dist.set(n, (dist.get(at) as number) + 1);
      queue.push(n);
    }
  }
  return dist;
}

/** Hops between a place and the origin of `dist`; the origin's own line is -1 (nearer than its items). */
function placeDistance(
  place: Place,
  origin: Place,
  dist: ReadonlyMap<number, number>,
  drafts: readonly LineDraft[],
): number {
  if ("line" in place && "line" in origin && place.line === origin.line) return -1;
  if ("slot" in place) return dist.get(place.slot) ?? Number.POSITIVE_INFINITY;
  const d = drafts[place.line] as LineDraft;
  return Math.min(dist.get(d.from) ?? Number.POSITIVE_INFINITY, dist.get(d.to) ?? Number.POSITIVE_INFINITY);
}

/** Every option at the least finite distance (none when all are unreachable). */
function nearest<T>(options: readonly T[], distance: (o: T) => number): T[] {
  let best = Number.POSITIVE_INFINITY;
  let out: T[] = [];
  for (const o of options) {
    const d = distance(o);
    if (d < best) {
      best = d;
      out = [o];
    } else if (d === best && Number.isFinite(d)) {
      out.push(o);
    }
  }
  return out;
}

/** x clamped to [0, 1]; NaN becomes 0. */
function unit(x: number): number {
  return x > 0 ? Math.min(1, x) : 0;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
