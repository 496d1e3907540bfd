import type { EquipmentType, Hazard, Rating } from "../design/types.js";
import { type Rng, round } from "./rng.js";

/** A side of a footprint in the item's own frame (before rotation): west, east, south, north. */
export type Side = "W" | "E" | "S" | "N";

/** Where an item goes on the plot (placement.ts): its area, and its place in the process order. */
export type Zone = "process" | "fired" | "tankage" | "flare" | "utility";

/** A nozzle while the P&ID is drawn; its offsets are fixed once every nozzle of its side is known. */
export interface NozzleDraft {
  id: string;
  side: Side;
  /** Height above the base, m. */
  dz: number;
  size: number;
  rating: Rating;
}

/** An item while the P&ID is drawn: the contract's fields plus where placement should put it. */
export interface EquipmentDraft {
  tag: string;
  type: EquipmentType;
  name: string;
  footprint: { width: number; depth: number; height: number };
  hazard: Hazard;
  designPressure?: number;
  designTemperature?: number;
  nozzles: NozzleDraft[];
  zone: Zone;
  /** Items of one group (a pump set, a column with its drum) are placed side by side. */
  group: string;
  /** Process order: groups are laid out along the rack by this number. */
  seq: number;
  /** Row away from the rack: 0 pumps, 1 drums and exchangers, 2 columns, reactors, compressors. */
  row: number;
}

/** Default row away from the rack, by type (small items nearest, tall items farthest: PIP PNE00003). */
const ROW: Readonly<Record<EquipmentType, number>> = {
  pump: 0,
  filter: 1,
  heat_exchanger: 1,
  vessel: 1,
  air_cooler: 1,
  compressor: 2,
  column: 2,
  reactor: 2,
  tank: 2,
  furnace: 2,
  cooling_tower: 2,
  flare: 2,
};

/** Size class of an item: scales its footprint within the ranges below. */
export type Scale = "small" | "medium" | "large";

export interface ItemSpec {
  readonly type: EquipmentType;
  readonly name: string;
  readonly hazard: Hazard;
  readonly designPressure?: number;
  readonly designTemperature?: number;
  readonly zone?: Zone;
  readonly group: string;
  readonly seq: number;
  readonly scale?: Scale;
  /** Vessels: a vertical drum (scrubber, receiver) instead of a horizontal one. */
  readonly vertical?: boolean;
  /** Tanks: diameter, m (tank farms pick it per product). */
  readonly diameter?: number;
}

const scaleFactor = (s: Scale | undefined) => (s === "small" ? 0 : s === "large" ? 1 : 0.5);

/**
 * Plan footprint and height by type, drawn within typical vendor ranges and rounded to 0.1 m. The
 * numbers are screening sizes, enough for layout and routing (PIP PNE00003 typical dimensions).
 */
export function drawFootprint(rng: Rng, spec: ItemSpec): { width: number; depth: number; height: number } {
  const f = scaleFactor(spec.scale);
  const span = (lo: number, hi: number) =>
    round(lo + (hi - lo) * Math.min(1, Math.max(0, f + rng.float(-0.25, 0.25))), 0.1);
  switch (spec.type) {
    case "pump": {
      const w = span(1.6, 4.5);
      return { width: w, depth: round(Math.max(0.8, w * 0.45), 0.1), height: span(1.0, 2.0) };
    }
    case "compressor":
      return { width: span(5, 10), depth: span(3, 5), height: span(2.5, 4) };
    case "vessel": {
      if (spec.vertical) {
        const d = span(1.2, 3.5);
        return { width: d, depth: d, height: span(4, 10) };
      }
      const d = span(1.6, 3.6);
      return { width: span(Math.max(4, 2.5 * d), 12), depth: d, height: round(d + 0.8, 0.1) };
    }
    case "column": {
      const d = span(1.5, 5);
      return { width: d, depth: d, height: span(18, 55) };
    }
    case "heat_exchanger":
      return { width: span(4, 8), depth: span(1, 2), height: span(1.5, 2.5) };
    case "air_cooler":
      return { width: span(6, 12), depth: span(4, 9), height: span(4, 6) };
    case "tank": {
      const d = spec.diameter ?? span(8, 36);
      return { width: d, depth: d, height: span(8, 18) };
    }
    case "furnace":
      return { width: span(8, 16), depth: span(6, 11), height: span(15, 35) };
    case "reactor": {
      const d = span(2.5, 5);
      return { width: d, depth: d, height: span(10, 25) };
    }
    case "filter": {
      const d = span(1.0, 3.0);
      return { width: d, depth: d, height: span(2, 5) };
    }
    case "cooling_tower":
      return { width: span(8, 15), depth: span(8, 15), height: span(10, 15) };
    case "flare": {
      const d = span(2, 4);
      return { width: d, depth: d, height: span(30, 80) };
    }
  }
}

export function newDraft(tag: string, spec: ItemSpec, footprint: EquipmentDraft["footprint"]): EquipmentDraft {
  return {
    tag,
    type: spec.type,
    name: spec.name,
    footprint,
    hazard: spec.hazard,
    ...(spec.designPressure !== undefined ? { designPressure: spec.designPressure } : {}),
    ...(spec.designTemperature !== undefined ? { designTemperature: spec.designTemperature } : {}),
    nozzles: [],
    zone: spec.zone ?? defaultZone(spec.type),
    group: spec.group,
    seq: spec.seq,
    row: ROW[spec.type],
  };
}

function defaultZone(type: EquipmentType): Zone {
  if (type === "furnace") return "fired";
  if (type === "tank") return "tankage";
  if (type === "flare") return "flare";
  if (type === "cooling_tower") return "utility";
  return "process";
}

/** Piping class letter for a flange class (A1 for CL150 ... as in many company specs). */
export function specFor(rating: Rating): string {
  switch (rating) {
    case "CL150":
      return "A1";
    case "CL300":
      return "B1";
    case "CL600":
      return "C1";
    case "CL900":
      return "D1";
    default:
      return "E1";
  }
}

/** Standard DN sizes (ASME B36.10M / EN ISO 6708). */
export const PIPE_SIZES = [25, 40, 50, 80, 100, 150, 200, 250, 300, 350, 400, 450, 500, 600, 750, 900] as const;

/** The standard size at `index` steps from `base` (clamped), e.g. a pump suction one size above discharge. */
export function sizeStep(base: number, steps: number): number {
  const i = PIPE_SIZES.findIndex((s) => s >= base);
  const k = Math.min(PIPE_SIZES.length - 1, Math.max(0, (i < 0 ? PIPE_SIZES.length - 1 : i) + steps));
  return PIPE_SIZES[k]!;
}
