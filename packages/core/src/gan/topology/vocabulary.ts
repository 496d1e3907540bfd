/**
 * What a slot graph's columns mean: the motif vocabulary of the topology generator, read from the
 * design contract (schemas/plant-design.schema.json through design/vocabulary.ts) and from what the
 * designer writes into datasets/synthetic-v1 (nozzle marks, ISA instrument kinds, inline component
 * order). README.md explains each group. Pure data.
 */
import { EQUIPMENT_TYPES, HAZARDS, LINE_SERVICES, RATINGS, schemas } from "../../design/index.js";
import type { GroupDef } from "./spec.js";

const defs = schemas.plantDesignSchema.$defs;

/** NFPA 30 liquid classes of a tank, schema order. */
export const LIQUID_CLASSES = defs.LiquidClass.enum;
/** Control-valve fail positions, schema order. */
export const FAIL_POSITIONS = defs.FailPosition.enum;
/** Hand-valve locks, schema order. */
export const VALVE_LOCKS = defs.ValveLock.enum;

/**
 * Nozzle marks, by how often the designer writes them in synthetic-v1 (train+val+test). A line end on
 * a mark outside this list is the class "other" and comes back as N1, N2...
 */
export const NOZZLE_IDS = [
  "IN",
  "D",
  "S",
  "RV",
  "OUT",
  "VENT",
  "LOUT",
  "RI",
  "VOUT",
  "RI2",
  "BWI",
  "BWO",
  "SI",
  "SO",
  "RI3",
  "FG",
  "RI4",
  "TI",
  "TO",
  "CI",
  "CO",
  "RI5",
  "RI6",
  "FEED",
  "OVHD",
  "REFLUX",
  "REBOUT",
  "REBIN",
  "BTMS",
  "STM",
  "RET",
  "DRN",
  "DR",
  "V1",
  "HI",
  "HO",
  "OG",
  "BW",
  "CR",
  "BFW",
  "BYP",
  "MU",
  "RI7",
  "V2",
  "RI8",
  "V3",
  "RI9",
  "RI10",
] as const;

/**
 * Field instruments by their ISA letters (first letter = measured variable; T transmitter, ZT safety
 * transmitter, I indicator). The eight transmitters are every instrument of synthetic-v1; indicators
 * are common on uploaded P&IDs. Any other tag counts as the indicator of its variable (LIC, LY → LI)
 * or, for other first letters, as XI (ISA X: unclassified): the count survives, the function letters not.
 */
export const INSTRUMENT_KINDS = [
  "LT",
  "LZT",
  "PT",
  "PZT",
  "TT",
  "TZT",
  "FT",
  "FZT",
  "LI",
  "PI",
  "TI",
  "FI",
  "XI",
] as const;
export type InstrumentKind = (typeof INSTRUMENT_KINDS)[number];
/** Instruments of one kind on one item or line: 0, 1, 2 or 3+ (synthetic-v1 never has more than 1). */
export const INSTRUMENT_COUNT_CLASSES = 4;

/** The kind an instrument tag counts as (see INSTRUMENT_KINDS). */
export function instrumentKind(tag: string): InstrumentKind {
  const letters = tag.split("-")[0] ?? "";
  if ((INSTRUMENT_KINDS as readonly string[]).includes(letters)) return letters as InstrumentKind;
  const first = letters[0] ?? "";
  return (["L", "P", "T", "F"].includes(first) ? `${first}I` : "XI") as InstrumentKind;
}

/** Measured variables of loops and trips (controller LIC/PIC/FIC/TIC, valve LV/PV/FV/TV). */
export const VARIABLES = ["L", "P", "F", "T"] as const;
export type Variable = (typeof VARIABLES)[number];
/** A loop's controller action; index 0 of the categorical means "no loop". */
export const LOOP_ACTIONS = ["reverse", "direct"] as const;
/** Interlock trip conditions, schema order. */
export const TRIPS = defs.Interlock.properties.cause.properties.trip.enum;
export type Trip = (typeof TRIPS)[number];
/** A trip condition's side: LL and L are "low", H and HH "high" (how an effect names its cause). */
export const TRIP_SIDES = ["low", "high"] as const;
export function tripSide(trip: Trip): (typeof TRIP_SIDES)[number] {
  return trip === "LL" || trip === "L" ? "low" : "high";
}
/** Effects per trip, as a categorical: class k = k effects, the last class = that many or more (0: no trip). */
export const TRIP_FAN_OUT_MAX = 8;
/** Interlock effect actions, schema order. */
export const EFFECT_ACTIONS = defs.Interlock.properties.effects.items.properties.action.enum;
/** What a trip does to a valve on a line. */
export const VALVE_EFFECT_ACTIONS = ["close", "open"] as const;

/** Hand valves, in the order a categorical lists them (index 0 = none). */
export const HAND_VALVES = [
  "gate_valve",
  "globe_valve",
  "ball_valve",
  "butterfly_valve",
  "plug_valve",
  "needle_valve",
] as const;
export type HandValve = (typeof HAND_VALVES)[number];

/** Standard DN steps, mm; a line's size is its nearest step. */
export const DN_STEPS = [
  15, 20, 25, 32, 40, 50, 65, 80, 100, 150, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900, 1000, 1200, 1400,
  1600, 2000,
] as const;

/** Spare letters of a parallel set (P-101A, P-101B, P-101C: 2-out-of-3). Index 0: no letter. */
export const SPARE_LETTERS = ["A", "B", "C", "D", "E", "F"] as const;

/** Footprint sides (m) map to [0, 1] by log1p(x) / log1p(FOOTPRINT_MAX). */
export const FOOTPRINT_MAX = 500;
/** Design pressure (barg) maps to [0, 1] by log1p(p - PRESSURE_MIN) / log1p(PRESSURE_MAX - PRESSURE_MIN). */
export const PRESSURE_MIN = -1.01325;
export const PRESSURE_MAX = 2000;
/** Design temperature (degrees C) maps to [0, 1] linearly over the schema's range. */
export const TEMPERATURE_MIN = -273.15;
export const TEMPERATURE_MAX = 1500;

/** Lines one edge (an ordered pair of items) carries; synthetic-v1 has at most 2 (e.g. relief + flare). */
export const LINES_PER_EDGE = 2;

const cat = (name: string, classes: number): GroupDef => ({ name, size: classes, kind: "categorical" });
const bin = (name: string, size = 1): GroupDef => ({ name, size, kind: "binary" });
const cont = (name: string, size = 1): GroupDef => ({ name, size, kind: "continuous" });

/** Instrument counts, loops measured, final element, trips raised and trip effects: items and lines alike. */
function controlGroups(prefix: string, effectActions: number): GroupDef[] {
  return [
    ...INSTRUMENT_KINDS.map((k) => cat(`${prefix}instrument.${k}`, INSTRUMENT_COUNT_CLASSES)),
    ...VARIABLES.map((v) => cat(`${prefix}loop.${v}`, 1 + LOOP_ACTIONS.length)),
    cat(`${prefix}finalElement`, 1 + VARIABLES.length),
    bin(`${prefix}trip`, VARIABLES.length * TRIPS.length),
    ...VARIABLES.flatMap((v) => TRIP_SIDES.map((s) => cat(`${prefix}tripEffect.${v}.${s}`, 1 + effectActions))),
    ...VARIABLES.flatMap((v) => TRIP_SIDES.map((s) => cat(`${prefix}tripFanOut.${v}.${s}`, 1 + TRIP_FAN_OUT_MAX))),
  ];
}

/** Node (equipment) groups, in column order. */
export const NODE_GROUP_DEFS: readonly GroupDef[] = [
  cat("type", EQUIPMENT_TYPES.length),
  cont("footprint", 3),
  bin("pressureKnown"),
  cont("designPressure"),
  bin("temperatureKnown"),
  cont("designTemperature"),
  cat("rating", 1 + RATINGS.length),
  cat("hazard", HAZARDS.length),
  cat("liquidClass", 1 + LIQUID_CLASSES.length),
  bin("diked"),
  cat("spare", 1 + SPARE_LETTERS.length),
  bin("nozzles", NOZZLE_IDS.length),
  bin("reliefValve"),
  ...controlGroups("", EFFECT_ACTIONS.length),
];

/** One line's groups; an edge holds LINES_PER_EDGE of them, prefixed line1., line2. */
function lineGroups(prefix: string): GroupDef[] {
  return [
    cat(`${prefix}service`, 1 + LINE_SERVICES.length),
    cat(`${prefix}dn`, 1 + DN_STEPS.length),
    cat(`${prefix}rating`, 1 + RATINGS.length),
    cat(`${prefix}fromNozzle`, 2 + NOZZLE_IDS.length),
    cat(`${prefix}toNozzle`, 2 + NOZZLE_IDS.length),
    bin(`${prefix}fromTee`),
    bin(`${prefix}toTee`),
    bin(`${prefix}minimumFlow`),
    // Inline components, in the flow order the decoder writes them.
    cat(`${prefix}inletValve`, 1 + HAND_VALVES.length),
    bin(`${prefix}reducer`),
    bin(`${prefix}strainer`),
    bin(`${prefix}checkValve`),
    cat(`${prefix}dischargeValve`, 1 + HAND_VALVES.length),
    cat(`${prefix}shutoffValve`, 1 + HAND_VALVES.length),
    cat(`${prefix}specBreak`, 1 + RATINGS.length),
    bin(`${prefix}orifice`),
    bin(`${prefix}flowMeter`),
    bin(`${prefix}controlValve`),
    cat(`${prefix}failPosition`, 1 + FAIL_POSITIONS.length),
    bin(`${prefix}reliefValve`),
    cat(`${prefix}reliefSpecBreak`, 1 + RATINGS.length),
    bin(`${prefix}flameArrestor`),
    cat(`${prefix}outletValve`, 1 + HAND_VALVES.length),
    cat(`${prefix}valveLock`, 1 + VALVE_LOCKS.length),
    bin(`${prefix}blind`),
    ...controlGroups(prefix, VALVE_EFFECT_ACTIONS.length),
  ];
}

/** Edge groups, in column order (after the existence flag at column 0 of each edge cell). */
export const EDGE_GROUP_DEFS: readonly GroupDef[] = Array.from({ length: LINES_PER_EDGE }, (_, k) =>
  lineGroups(`line${k + 1}.`),
).flat();

/** Column of a trip (variable, condition) inside a "trip" group. */
export function tripColumn(variable: Variable, trip: Trip): number {
  return VARIABLES.indexOf(variable) * TRIPS.length + TRIPS.indexOf(trip);
}

/** Short service code inside invented line numbers (150-P-1001). */
export const SERVICE_CODES: Readonly<Record<(typeof LINE_SERVICES)[number], string>> = {
  process: "P",
  utility: "U",
  relief: "RL",
  vent: "VT",
  drain: "D",
  fuel: "FG",
  steam: "ST",
  cooling_water: "CW",
  instrument_air: "IA",
  flare: "FL",
};
