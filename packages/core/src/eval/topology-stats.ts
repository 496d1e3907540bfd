/**
 * Type-aware graph statistics of a topology, one fixed-length vector per design, for realism MMD.
 * Every entry is a count on the raw topology (no layout):
 * - degree histogram by node type (equipment by type, components, instruments by measured class,
 *   controllers, tees; degree over every edge, bins 0..4 and 5+);
 * - lines by service, components by type, lines by number of components (0..4, 5+), branch ends;
 * - loops by measured class × final element (control valve, equipment, other), direct-acting loops;
 * - interlock causes by measured class × trip, effects by action × target (equipment, component);
 * - motifs (motifs.ts).
 */
import type { Design } from "../design/types.js";
import { COMPONENT_TYPES, EQUIPMENT_TYPES, LINE_SERVICES } from "../design/vocabulary.js";
import { INSTRUMENT_CLASSES, instrumentClassOf } from "../views/vocabulary.js";
import {
  controlValveStations,
  pumpGroups,
  pumpsWithCheckValve,
  tanksFeedingPumps,
  tanksWithHighAndLowTrips,
} from "./motifs.js";
import { topologyGraph } from "./topology-graph.js";

const DEGREE_BINS = 6;
const DEGREE_TYPES = [
  ...EQUIPMENT_TYPES.map((t) => `E:${t}`),
  "component",
  ...INSTRUMENT_CLASSES.map((c) => `I:${c}`),
  "controller",
  "tee",
];
const TRIPS = ["LL", "L", "H", "HH"] as const;
const ACTIONS = ["stop", "start", "open", "close", "trip"] as const;
const FINAL_ELEMENTS = ["control_valve", "equipment", "other"] as const;
const MOTIFS = [
  "pumpWithCheckValve",
  "controlValveWithBlocks",
  "controlValveStation",
  "tankHighLowTrips",
  "pumpsAlone",
  "pumpsSparedAB",
  "pumps2oo3",
  "pumpsLargerGroup",
  "tankFeedsPump",
  "tankFeedsPumpLowLow",
] as const;

const cross = <A extends string, B extends string>(as: readonly A[], bs: readonly B[], prefix: string) =>
  as.flatMap((a) => bs.map((b) => `${prefix}:${a}:${b}`));

/** The name of each entry of `topologyStats`, in order. */
export const TOPOLOGY_STAT_NAMES: readonly string[] = [
  ...DEGREE_TYPES.flatMap((t) => Array.from({ length: DEGREE_BINS }, (_, d) => `degree:${t}:${d}`)),
  ...LINE_SERVICES.map((s) => `service:${s}`),
  ...COMPONENT_TYPES.map((c) => `component:${c}`),
  ...Array.from({ length: 6 }, (_, k) => `lineComponents:${k}`),
  "branchEnds",
  ...cross(INSTRUMENT_CLASSES, FINAL_ELEMENTS, "loop"),
  "loopDirect",
  ...cross(INSTRUMENT_CLASSES, TRIPS, "cause"),
  ...cross(ACTIONS, ["equipment", "component"] as const, "effect"),
  ...MOTIFS.map((m) => `motif:${m}`),
];

const POSITION = new Map(TOPOLOGY_STAT_NAMES.map((name, i) => [name, i]));

function degreeType(label: string): string {
  if (label.startsWith("E:")) return label;
  if (label.startsWith("C:")) return "component";
  if (label.startsWith("I:")) return `I:${instrumentClassOf(label.slice(2))}`;
  if (label.startsWith("K:")) return "controller";
  return "tee";
}

/** The statistics vector of a parsed design, in TOPOLOGY_STAT_NAMES order. */
export function topologyStats(design: Design): number[] {
  const v = new Array<number>(TOPOLOGY_STAT_NAMES.length).fill(0);
  const add = (name: string, by = 1) => {
    const at = POSITION.get(name);
    if (at !== undefined) v[at]! += by;
  };

  const graph = topologyGraph(design);
  const degree = new Array<number>(graph.nodeLabels.length).fill(0);
  for (const e of graph.edges) {
    degree[e.from]!++;
    degree[e.to]!++;
  }
  graph.nodeLabels.forEach((label, i) => {
    add(`degree:${degreeType(label)}:${Math.min(DEGREE_BINS - 1, degree[i]!)}`);
  });

  const componentTypeOf = new Map<string, string>();
  for (const line of design.lines) {
    add(`service:${line.service}`);
    add(`lineComponents:${Math.min(5, line.components.length)}`);
    for (const c of line.components) {
      add(`component:${c.type}`);
      if (c.tag !== undefined) componentTypeOf.set(c.tag, c.type);
    }
    if (!("tag" in line.from)) add("branchEnds");
    if (!("tag" in line.to)) add("branchEnds");
  }

  const equipment = new Set(design.equipment.map((e) => e.tag));
  for (const loop of design.control.loops) {
    const final =
      componentTypeOf.get(loop.finalElement) === "control_valve"
        ? "control_valve"
        : equipment.has(loop.finalElement)
          ? "equipment"
          : "other";
    add(`loop:${loop.measurement === undefined ? "hand" : instrumentClassOf(loop.measurement)}:${final}`);
    if (loop.action === "direct") add("loopDirect");
  }
  for (const il of design.control.interlocks) {
    add(`cause:${instrumentClassOf(il.cause.instrument)}:${il.cause.trip}`);
    for (const effect of il.effects) {
      add(`effect:${effect.action}:${equipment.has(effect.target) ? "equipment" : "component"}`);
    }
  }

  const stations = controlValveStations(design);
  add("motif:pumpWithCheckValve", pumpsWithCheckValve(design));
  add("motif:controlValveWithBlocks", stations.filter((s) => s.blocksBothSides).length);
  add("motif:controlValveStation", stations.filter((s) => s.blocksBothSides && s.bypass).length);
  add("motif:tankHighLowTrips", tanksWithHighAndLowTrips(design));
  for (const group of pumpGroups(design)) {
    const n = group.length;
    add(
      n === 1
        ? "motif:pumpsAlone"
        : n === 2
          ? "motif:pumpsSparedAB"
          : n === 3
            ? "motif:pumps2oo3"
            : "motif:pumpsLargerGroup",
    );
  }
  const feeding = tanksFeedingPumps(design);
  add("motif:tankFeedsPump", feeding.length);
  add("motif:tankFeedsPumpLowLow", feeding.filter((t) => t.lowLow).length);
  return v;
}
