/**
 * DEXPI ComponentClass names → PlantGAN types, and the defaults an imported topology needs.
 * DEXPI 1.x class names are CamelCase specialisations (CentrifugalPump, PlateAndShellHeatExchanger,
 * VesselWithDishedHeadsWithOptionalAgitator...); exporters also invent their own. Matching is on
 * name fragments, first rule wins, so the more specific fragments come first.
 */
import type { ComponentType, EquipmentType, Footprint, Hazard, ProcessClass } from "../../design/index.js";

const EQUIPMENT_RULES: readonly (readonly [RegExp, EquipmentType])[] = [
  [/AirCooled|AirCooler|FinFan/i, "air_cooler"],
  [/CoolingTower/i, "cooling_tower"],
  [/Furnace|FiredHeater|^Heater$|Boiler|SteamGenerator/i, "furnace"],
  [/Exchanger|Condenser|Reboiler|Evaporator|Cooler|Heater/i, "heat_exchanger"],
  [/Compressor|Blower|Fan$|^Fan/i, "compressor"],
  [/Pump/i, "pump"],
  [/Reactor/i, "reactor"],
  [/Column|Tower/i, "column"],
  [/Tank|Silo/i, "tank"],
  [/Vessel|Separator|Drum|Receiver|Accumulator|KnockOut|Scrubber/i, "vessel"],
  [/Filter/i, "filter"],
  [/Flare/i, "flare"],
];

/** The PlantGAN equipment type for a DEXPI equipment class, or undefined when there is none. */
export function equipmentTypeOf(componentClass: string): EquipmentType | undefined {
  return EQUIPMENT_RULES.find(([re]) => re.test(componentClass))?.[1];
}

/** Body types of inline components. Actuation (→ control_valve) is decided in piping.ts. */
const COMPONENT_RULES: readonly (readonly [RegExp, ComponentType])[] = [
  [/Safety|Relief|BreatherValve|RuptureDis[ck]|BurstingDis[ck]/i, "relief_valve"],
  [/Check|NonReturn/i, "check_valve"],
  [/ControlValve|OperatedValve/i, "control_valve"],
  [/Butterfly/i, "butterfly_valve"],
  [/BallValve/i, "ball_valve"],
  [/PlugValve/i, "plug_valve"],
  [/NeedleValve/i, "needle_valve"],
  [/Globe/i, "globe_valve"],
  [/GateValve|SlideValve/i, "gate_valve"],
  [/FlameArrest/i, "flame_arrestor"],
  [/Reducer|DiameterChange/i, "reducer"],
  [/Strainer|Filter/i, "strainer"],
  [/Orifice/i, "orifice"],
  [/Blind|Spectacle|Spade/i, "blind"],
  [/Flow ?Meter|Flowmeter|MassFlow|VolumeFlow|Rotameter|Venturi/i, "flow_meter"],
  [/PipingClassBreak|SpecBreak|PipingSpecBreak/i, "spec_break"],
  // Generic isolation valves (ShutOffValve, DiaphragmValve, AngleValve, Valve): the usual body is a gate valve.
  [/Valve/i, "gate_valve"],
];

export function componentTypeOf(componentClass: string): ComponentType | undefined {
  return COMPONENT_RULES.find(([re]) => re.test(componentClass))?.[1];
}

/** Valve bodies that an actuator turns into a control valve; safety and check valves stay what they are. */
export function canBeControlValve(type: ComponentType): boolean {
  return /_valve$/.test(type) && type !== "relief_valve" && type !== "check_valve";
}

/**
 * Pipe fittings: the line runs through them and the contract has nothing to hold them. Matched as
 * whole CamelCase words (PipeTee, BlindFlange...), case-sensitive, so "Steel" is no tee.
 */
export const FITTING_PATTERN =
  /(Tee|Cross|Elbow|Bend|Flange|Coupling|Cap|Union|Nipple|Sleeve|Hose|Penetration)([A-Z]|$)|olet$/;

/** Tee-like fittings, where a branch may start. */
export const JUNCTION_PATTERN = /(Tee|Cross)([A-Z]|$)|olet$/;

/**
 * Default plan footprints (m) by type, used because a P&ID carries no sizes. Typical process-plant
 * orders of magnitude: a skid-mounted centrifugal pump 2×1 m (the contract's own example), a
 * shell-and-tube exchanger bundle 6 m long, a 15 m storage tank, a 30 m column. Generation and
 * legalisation may resize; these only make the topology placeable.
 */
export const DEFAULT_FOOTPRINTS: Readonly<Record<EquipmentType, Footprint>> = {
  pump: { width: 2, depth: 1, height: 1.2 },
  compressor: { width: 6, depth: 4, height: 3 },
  vessel: { width: 3, depth: 3, height: 5 },
  column: { width: 3, depth: 3, height: 30 },
  heat_exchanger: { width: 6, depth: 1.5, height: 1.5 },
  air_cooler: { width: 12, depth: 6, height: 5 },
  tank: { width: 15, depth: 15, height: 12 },
  furnace: { width: 10, depth: 8, height: 20 },
  reactor: { width: 4, depth: 4, height: 12 },
  filter: { width: 1.5, depth: 1.5, height: 2 },
  cooling_tower: { width: 12, depth: 12, height: 10 },
  flare: { width: 3, depth: 3, height: 40 },
};

/** Hazards that follow from the type itself; everything else stays "none" (a P&ID does not say). */
export const TYPE_HAZARDS: Readonly<Partial<Record<EquipmentType, Hazard>>> = {
  furnace: "fired",
  flare: "ignition_source",
};

/**
 * The process class guessed from the equipment: the most characteristic unit wins, in this order
 * reactor → reactor_section, column → distillation, compressor → gas_compression,
 * tank → tank_farm; anything else (pumps, vessels, exchangers, nothing) → pump_station.
 */
export function guessProcessClass(types: readonly EquipmentType[]): ProcessClass {
  const has = (t: EquipmentType) => types.includes(t);
  if (has("reactor")) return "reactor_section";
  if (has("column")) return "distillation";
  if (has("compressor")) return "gas_compression";
  if (has("tank")) return "tank_farm";
  return "pump_station";
}

/**
 * A square plot large enough for the equipment: each footprint grown by 3 m of access on every
 * side, times 3 for roads, racks and spacing, rounded up to 10 m; at least 30 m, at most 5000 m.
 */
export function siteSide(footprints: readonly Footprint[]): number {
  const area = footprints.reduce((sum, f) => sum + (f.width + 6) * (f.depth + 6), 0);
  const side = Math.ceil(Math.sqrt(area * 3) / 10) * 10;
  return Math.min(5000, Math.max(30, side));
}
