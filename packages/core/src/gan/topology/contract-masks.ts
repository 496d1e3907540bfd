/**
 * Hand-written contract masks on a generated slot graph (issue #14: raw validity). The model's
 * sample is kept wherever the design contract allows it; only choices the contract forbids are
 * overridden, and only where the contract leaves one allowed value (so overriding the hard sample
 * equals sampling with the forbidden classes masked out):
 *
 * - a line leaving a pump holds a check valve and no hand valve before it
 *   (piping.pump-check-valve, piping.pump-discharge-order), and a spare pump's a block valve after
 *   it (piping.spare-isolation);
 * - a liquid line leaving a tank starts, and one entering a tank ends, with a block valve at the
 *   shell: a gate valve where the model drew none (piping.tank-shell-valve);
 * - a line that holds a relief valve has its hand valves car-sealed open and no shut-off or
 *   control valve that could isolate the relief path (piping.relief-block-valve);
 * - an item designed above the pack's relief threshold, none of whose lines holds a relief valve,
 *   gets one on a relief or flare line leaving it, else on a process line at it (the contract's
 *   thermal relief), never on a line into a flare or a tank (piping.relief-path); an item with no
 *   such line is left as drawn;
 * - a flange class holds the design pressure it meets: a line, spec break or item rating below
 *   the item's design pressure at its design temperature is raised to the lowest class of its
 *   family that holds it (piping.rating-capacity);
 * - only a vessel (a knock-out drum) runs a line into a flare, and one of its lines there is plain
 *   (no relief valve); other lines into a flare are not drawn (piping.flare-knock-out);
 * - only a pump or compressor (speed control) is a loop's final element among equipment
 *   (control.loop-references);
 * - a tank keeps a VENT nozzle (piping.tank-vent);
 * - no relief or flare line runs into a tank (piping.relief-into-atmospheric-tank).
 *
 * Generation only (learned-topology.ts; eval reports the learned source with and without them).
 * Never used in training, so what the model learns is never hidden by them.
 */
import { AMBIENT_TEMPERATURE, allowedWorkingPressure } from "../../design/flange-rating.js";
import type { Rating, RulePack } from "../../design/types.js";
import { EQUIPMENT_TYPES, LINE_SERVICES, RATINGS } from "../../design/vocabulary.js";
import { convertScalarRanks } from "./scalar-ranks.js";
import { edgeStride, RowWriter, requireGroup, type SlotGraph, type SlotGraphSpec } from "./spec.js";
import {
  HAND_VALVES,
  LINES_PER_EDGE,
  NOZZLE_IDS,
  PRESSURE_MAX,
  PRESSURE_MIN,
  TEMPERATURE_MAX,
  TEMPERATURE_MIN,
  VALVE_LOCKS,
} from "./vocabulary.js";

/** Services the tank-shell rule leaves alone (vapour and relief flow), as the validator does. */
const NOT_LIQUID = new Set(["vent", "relief", "flare", "instrument_air", "steam", "fuel"]);
const RELIEF_SERVICES = new Set(["relief", "flare"]);
const GATE = 1 + HAND_VALVES.indexOf("gate_valve");
const CAR_SEALED_OPEN = 1 + VALVE_LOCKS.indexOf("CSO");
const VENT = NOZZLE_IDS.indexOf("VENT");
const SPEED_CONTROLLED = new Set(["pump", "compressor"]);
const unit = (x: number) => Math.min(1, Math.max(0, x));

/** What the masks changed, by rule they serve (counts of line blocks or items). */
export type ContractEdits = Record<
  | "pumpCheckValve"
  | "pumpInletValve"
  | "tankShellValve"
  | "reliefPathLocked"
  | "reliefPathAdded"
  | "ratingRaised"
  | "flareLineDropped"
  | "finalElementDropped"
  | "tankVent"
  | "spareIsolation"
  | "reliefIntoTankDropped"
  | "knockOutOutletPlain",
  number
>;

interface LineBlock {
  readonly cell: number;
  readonly prefix: string;
  readonly from: number;
  readonly to: number;
  readonly service: string;
}

/**
 * Removes line block `b` of an edge cell: the second block moves up into the first when the first
 * goes, and a cell left with no line is cleared (the expansion reads block 1 of every marked cell).
 */
function dropLineBlock(graph: SlotGraph, spec: SlotGraphSpec, cell: number, b: number): void {
  const stride = edgeStride(spec);
  const width = spec.edgeWidth / LINES_PER_EDGE;
  const base = cell * stride + 1;
  const service = requireGroup(spec.edgeGroups, "line2.service");
  const secondPresent = (): boolean => {
    for (let k = 1; k < service.size; k++) if (graph.edges[base + service.offset + k]! > 0.5) return true;
    return false;
  };
  if (b === 0 && !secondPresent()) {
    graph.edges.fill(0, cell * stride, (cell + 1) * stride);
    return;
  }
  if (b === 0) graph.edges.copyWithin(base, base + width, base + 2 * width);
  graph.edges.fill(0, base + width, base + 2 * width);
}

/** A copy of `graph` with the contract masks applied, and what they changed. */
export function applyContractMasks(
  graph: SlotGraph,
  spec: SlotGraphSpec,
  pack: Pick<RulePack, "relief" | "flangeRatings">,
): { graph: SlotGraph; edits: ContractEdits } {
  const out: SlotGraph = { ...graph, nodes: graph.nodes.slice(), edges: graph.edges.slice() };
  const edits: ContractEdits = {
    pumpCheckValve: 0,
    pumpInletValve: 0,
    tankShellValve: 0,
    reliefPathLocked: 0,
    reliefPathAdded: 0,
    ratingRaised: 0,
    flareLineDropped: 0,
    finalElementDropped: 0,
    tankVent: 0,
    spareIsolation: 0,
    reliefIntoTankDropped: 0,
    knockOutOutletPlain: 0,
  };
  const node = new RowWriter(spec.nodeGroups, out.nodes, spec.nodeWidth);
  const edge = new RowWriter(spec.edgeGroups, out.edges, edgeStride(spec), 1);
  // Pressures and temperatures are read as unit values, also where the spec ranks them (scalar-ranks.ts).
  const scalars = unitScalars(out, spec);
  const present: number[] = [];
  for (let i = 0; i < spec.nMax; i++) if (out.mask[i]! > 0.5) present.push(i);
  const typeOf = new Map<number, string>();
  for (const i of present) {
    node.row(i);
    const type = EQUIPMENT_TYPES[node.argmax("type")]!;
    typeOf.set(i, type);
    if (!SPEED_CONTROLLED.has(type) && node.argmax("finalElement") !== 0) {
      node.oneHot("finalElement", 0);
      edits.finalElementDropped++;
    }
    if (type === "tank" && VENT >= 0 && node.get("nozzles", VENT) <= 0.5) {
      node.set("nozzles", VENT, 1);
      edits.tankVent++;
    }
  }
  // Lines into a flare start at a knock-out drum (a vessel); any other is not drawn.
  const stride = edgeStride(spec);
  for (const i of present) {
    for (const j of present) {
      const cell = i * spec.nMax + j;
      if (i === j || typeOf.get(j) !== "flare" || typeOf.get(i) === "vessel" || out.edges[cell * stride]! <= 0.5)
        continue;
      out.edges.fill(0, cell * stride, (cell + 1) * stride);
      edits.flareLineDropped++;
    }
  }

  // A knock-out drum's outlet to the flare is plain: where every line from a vessel to a flare holds
  // a relief valve, the first one's is not drawn (the drum's other lines can take its relief).
  for (const i of present) {
    if (typeOf.get(i) !== "vessel") continue;
    for (const j of present) {
      const cell = i * spec.nMax + j;
      if (i === j || typeOf.get(j) !== "flare" || out.edges[cell * stride]! <= 0.5) continue;
      edge.row(cell);
      const second = edge.argmax("line2.service") !== 0;
      const relieved = (b: number) => edge.get(`line${b + 1}.reliefValve`, 0) > 0.5;
      if (relieved(0) && (!second || relieved(1))) {
        edge.set("line1.reliefValve", 0, 0);
        edits.knockOutOutletPlain++;
      }
    }
  }

  // Relief flow never goes into atmospheric storage: a relief or flare line into a tank is not drawn.
  for (const i of present) {
    for (const j of present) {
      const cell = i * spec.nMax + j;
      if (i === j || typeOf.get(j) !== "tank" || out.edges[cell * stride]! <= 0.5) continue;
      edge.row(cell);
      for (let b = LINES_PER_EDGE - 1; b >= 0; b--) {
        const service = edge.argmax(`line${b + 1}.service`);
        if ((b > 0 && service === 0) || !RELIEF_SERVICES.has(LINE_SERVICES[service - 1] ?? "process")) continue;
        dropLineBlock(out, spec, cell, b);
        edits.reliefIntoTankDropped++;
      }
    }
  }

  // The line blocks the expansion (decode.ts) reads: block 1 of every cell, block 2 when it has a service.
  const blocks: LineBlock[] = [];
  for (const i of present) {
    for (const j of present) {
      const cell = i * spec.nMax + j;
      if (i === j || out.edges[cell * edgeStride(spec)]! <= 0.5) continue;
      edge.row(cell);
      for (let b = 0; b < LINES_PER_EDGE; b++) {
        const prefix = `line${b + 1}.`;
        const service = edge.argmax(`${prefix}service`);
        if (b > 0 && service === 0) continue;
        blocks.push({ cell, prefix, from: i, to: j, service: service === 0 ? "process" : LINE_SERVICES[service - 1]! });
      }
    }
  }
  const flag = (b: LineBlock, name: string) => {
    edge.row(b.cell);
    return edge.get(`${b.prefix}${name}`, 0) > 0.5;
  };

  const lockReliefPath = (b: LineBlock) => {
    edge.row(b.cell);
    edge.oneHot(`${b.prefix}valveLock`, CAR_SEALED_OPEN);
    edge.oneHot(`${b.prefix}shutoffValve`, 0);
    edge.set(`${b.prefix}controlValve`, 0, 0);
    edge.oneHot(`${b.prefix}failPosition`, 0);
    // No loop may claim this line's valve as its final element: the expansion would add one back.
    edge.oneHot(`${b.prefix}finalElement`, 0);
  };

  // With spare sets a set's further members get branches that do not copy the line's shut-off
  // valve (spare-sets.ts), so it isolates only the first; a slot per pump keeps its own lines.
  const headerBlock = spec.spareSets ? [] : ["shutoffValve"];
  const isSpare = (slot: number) => {
    node.row(slot);
    return node.argmax("spare") !== 0;
  };
  const ownBlock = (b: LineBlock, groups: readonly string[]) => {
    edge.row(b.cell);
    return groups.some((g) => edge.argmax(`${b.prefix}${g}`) !== 0);
  };

  for (const b of blocks) {
    edge.row(b.cell);
    if (typeOf.get(b.from) === "pump") {
      if (!flag(b, "checkValve")) {
        edge.set(`${b.prefix}checkValve`, 0, 1);
        edits.pumpCheckValve++;
      }
      if (edge.argmax(`${b.prefix}inletValve`) !== 0) {
        edge.oneHot(`${b.prefix}inletValve`, 0);
        edits.pumpInletValve++;
      }
      // A spare pump is isolated on its own discharge: a block valve after the check valve.
      if (isSpare(b.from) && !ownBlock(b, ["dischargeValve", "outletValve", ...headerBlock])) {
        edge.oneHot(`${b.prefix}dischargeValve`, GATE);
        edits.spareIsolation++;
      }
    }
    // And on its own suction: a block valve at the pump's end where the line has none of its own.
    if (typeOf.get(b.to) === "pump" && isSpare(b.to) && !ownBlock(b, ["inletValve", "outletValve", ...headerBlock])) {
      edge.oneHot(`${b.prefix}outletValve`, GATE);
      edits.spareIsolation++;
    }
    if (!NOT_LIQUID.has(b.service)) {
      if (typeOf.get(b.from) === "tank" && edge.argmax(`${b.prefix}inletValve`) === 0) {
        edge.oneHot(`${b.prefix}inletValve`, GATE);
        edits.tankShellValve++;
      }
      if (typeOf.get(b.to) === "tank") {
        if (flag(b, "blind")) edge.set(`${b.prefix}blind`, 0, 0);
        if (edge.argmax(`${b.prefix}outletValve`) === 0) {
          edge.oneHot(`${b.prefix}outletValve`, GATE);
          edits.tankShellValve++;
        }
      }
    }
    if (flag(b, "reliefValve")) {
      lockReliefPath(b);
      edits.reliefPathLocked++;
    }
  }

  // Relief path: an item above the threshold with no relief valve on its lines gets one on a relief
  // or flare line that leaves it (the contract's "relief valve on a line leaving the equipment").
  const { pressureThreshold, exemptTypes } = pack.relief;
  const exempt = new Set<string>(exemptTypes);
  for (const i of present) {
    scalars.row(i);
    if (scalars.get("pressureKnown", 0) <= 0.5 || exempt.has(typeOf.get(i)!)) continue;
    if (designPressure(scalars) <= pressureThreshold) continue;
    const at = blocks.filter((b) => b.from === i || b.to === i);
    if (at.some((b) => flag(b, "reliefValve"))) continue;
    // A relief or flare line leaving the item first; else a process line at it (the contract's
    // thermal relief), leaving it first, a plain end (not a tee) first, one without a control valve
    // first. Never a line into a flare (a knock-out drum's plain outlet stays plain) or into another
    // item's atmospheric storage (this item, designed above the threshold, is not atmospheric).
    const open = at.filter((b) => b.to === i || (typeOf.get(b.to) !== "flare" && typeOf.get(b.to) !== "tank"));
    const rank = (b: LineBlock) =>
      (b.from === i && RELIEF_SERVICES.has(b.service) ? 0 : 8) +
      (b.from === i ? 0 : 4) +
      (flag(b, b.from === i ? "fromTee" : "toTee") ? 2 : 0) +
      (flag(b, "controlValve") ? 1 : 0);
    const relief = open.sort((a, b) => rank(a) - rank(b))[0];
    if (relief === undefined) continue;
    edge.row(relief.cell);
    edge.set(`${relief.prefix}reliefValve`, 0, 1);
    lockReliefPath(relief);
    edits.reliefPathAdded++;
  }
  if (pack.flangeRatings)
    edits.ratingRaised = raiseRatings(out, spec, scalars, present, blocks, pack.flangeRatings.classes);
  return { graph: out, edits };
}

/**
 * Every rating an item's nozzles take (its own rating group for free nozzles, the from-rating of a
 * line leaving it, the last spec break or the rating of a line entering it) is raised to the lowest
 * class of its family (CL or PN) that holds the item's design pressure at its design temperature.
 */
function raiseRatings(
  graph: SlotGraph,
  spec: SlotGraphSpec,
  scalars: RowWriter,
  present: readonly number[],
  blocks: readonly LineBlock[],
  classes: Partial<Record<string, readonly (readonly number[])[]>>,
): number {
  const node = new RowWriter(spec.nodeGroups, graph.nodes, spec.nodeWidth);
  const edge = new RowWriter(spec.edgeGroups, graph.edges, edgeStride(spec), 1);
  let raised = 0;
  const holds = (rating: Rating, p: number, t: number) => {
    const table = classes[rating];
    if (!table) return true; // no table: the validator passes it too
    const limit = allowedWorkingPressure(table, t);
    return limit !== undefined && p <= limit;
  };
  /** The class to use instead of `cls` (1-based RATINGS index; 0 = unrated, kept). */
  const lift = (cls: number, p: number, t: number): number => {
    if (cls === 0 || holds(RATINGS[cls - 1]!, p, t)) return cls;
    const family = RATINGS[cls - 1]!.slice(0, 2);
    const candidates = RATINGS.map((r, k) => ({ r, k: k + 1 }))
      .filter(({ r }) => r.startsWith(family) && holds(r, p, t) && classes[r])
      .sort((a, b) => allowedWorkingPressure(classes[a.r]!, t)! - allowedWorkingPressure(classes[b.r]!, t)!);
    return candidates[0]?.k ?? cls;
  };
  const liftGroup = (writer: RowWriter, name: string, p: number, t: number) => {
    const cls = writer.argmax(name);
    const next = lift(cls, p, t);
    if (next === cls) return;
    writer.oneHot(name, next);
    raised++;
  };
  for (const i of present) {
    node.row(i);
    scalars.row(i);
    if (scalars.get("pressureKnown", 0) <= 0.5) continue;
    const p = designPressure(scalars);
    const t =
      scalars.get("temperatureKnown", 0) > 0.5
        ? TEMPERATURE_MIN + unit(scalars.get("designTemperature", 0)) * (TEMPERATURE_MAX - TEMPERATURE_MIN)
        : AMBIENT_TEMPERATURE;
    // A little above the decoded value: the expansion rounds pressure to 3 decimals.
    const need = p + 1e-3;
    liftGroup(node, "rating", need, t);
    for (const b of blocks) {
      edge.row(b.cell);
      if (b.from === i) liftGroup(edge, `${b.prefix}rating`, need, t);
      if (b.to === i) {
        const last = [`${b.prefix}reliefSpecBreak`, `${b.prefix}specBreak`].find((g) => edge.argmax(g) !== 0);
        liftGroup(edge, last ?? `${b.prefix}rating`, need, t);
      }
    }
  }
  return raised;
}

/** A reader over the graph's node rows with the continuous columns as unit values (a copy where the spec ranks them). */
function unitScalars(graph: SlotGraph, spec: SlotGraphSpec): RowWriter {
  const nodes = spec.scalarRanks ? graph.nodes.slice() : graph.nodes;
  convertScalarRanks(spec, nodes, graph.mask, false);
  return new RowWriter(spec.nodeGroups, nodes, spec.nodeWidth);
}

/** The design pressure (barg) of the reader's current row, as the expansion decodes it. */
function designPressure(scalars: RowWriter): number {
  return Math.expm1(unit(scalars.get("designPressure", 0)) * Math.log1p(PRESSURE_MAX - PRESSURE_MIN)) + PRESSURE_MIN;
}
