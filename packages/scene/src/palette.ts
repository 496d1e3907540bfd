import type { ComponentType, EquipmentType, Line } from "@plantgan/core/design";

/** Equipment body colours by type (sRGB hex). */
export const EQUIPMENT_COLOURS: Readonly<Record<EquipmentType, number>> = {
  pump: 0x3867d6,
  compressor: 0x8854d0,
  vessel: 0xa5b1c2,
  column: 0x778ca3,
  heat_exchanger: 0x20bf6b,
  air_cooler: 0x0fb9b1,
  tank: 0xd1d8e0,
  furnace: 0xeb3b5a,
  reactor: 0xfa8231,
  filter: 0x4b6584,
  cooling_tower: 0x45aaf2,
  flare: 0xa4b0be,
};

export type Service = Line["service"];

/** Pipe colours by service, loosely after common plant colour coding (relief/flare red, water blue, air green). */
export const SERVICE_COLOURS: Readonly<Record<Service, number>> = {
  process: 0xe1a032,
  utility: 0x95a5a6,
  relief: 0xe74c3c,
  vent: 0xbdc3c7,
  drain: 0x8e5a2b,
  fuel: 0xd35400,
  steam: 0xf5f6fa,
  cooling_water: 0x2e86de,
  instrument_air: 0x27ae60,
  flare: 0xb33939,
};

export const COMPONENT_COLOURS: Readonly<Record<ComponentType, number>> = {
  gate_valve: 0x2d3436,
  globe_valve: 0x2d3436,
  ball_valve: 0x2d3436,
  butterfly_valve: 0x2d3436,
  plug_valve: 0x2d3436,
  needle_valve: 0x2d3436,
  check_valve: 0x576574,
  control_valve: 0xfeca57,
  relief_valve: 0xff3838,
  reducer: 0x636e72,
  spec_break: 0xff9f43,
  strainer: 0x636e72,
  orifice: 0x00d2d3,
  blind: 0x222f3e,
  flame_arrestor: 0xee5253,
  flow_meter: 0x00d2d3,
};

/** Valves are drawn as bow-ties along the pipe; everything else as a flange-like disc. */
export const VALVE_TYPES: ReadonlySet<ComponentType> = new Set<ComponentType>([
  "gate_valve",
  "globe_valve",
  "ball_valve",
  "butterfly_valve",
  "plug_valve",
  "needle_valve",
  "check_valve",
  "control_valve",
  "relief_valve",
]);

export const KEEP_OUT_COLOURS: Readonly<Record<string, number>> = {
  road: 0x57606f,
  building: 0xced6e0,
  exclusion: 0xff6b81,
  drainage: 0x70a1ff,
  substation: 0xffa502,
  other: 0xa4b0be,
};

/** Height a keep-out is drawn with, m (roads and zones lie flat). */
export const KEEP_OUT_HEIGHT: Readonly<Record<string, number>> = {
  building: 4,
  substation: 3,
};

/** Instrument bubble colour by measured variable (ISA-5.1 first letter). */
export function instrumentColour(tag: string): number {
  switch (tag.charAt(0)) {
    case "L":
      return 0x1dd1a1;
    case "P":
      return 0xff9ff3;
    case "F":
      return 0x54a0ff;
    case "T":
      return 0xff6b6b;
    case "A":
      return 0xc8d6e5;
    default:
      return 0xfeca57;
  }
}

export const HIGHLIGHT_COLOUR = 0xff00d4;
export const LOOP_COLOUR = 0x00e5ff;
export const INTERLOCK_COLOUR = 0xff4757;
export const PLOT_COLOUR = 0xb8bfae;
export const RACK_COLOUR = 0x7f8fa6;
export const SCHEMATIC_TINT = 0.55;
