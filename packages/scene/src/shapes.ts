import type { Equipment, EquipmentType } from "@plantgan/core/design";
import type { UnitShape } from "./resources.js";

/**
 * One solid of an equipment symbol, in the equipment's unit box (x, y ∈ [-0.5, 0.5], z ∈ [0, 1]):
 * the part's matrix is T(t) · Rz(turn) · S(s), applied before the equipment's T · Rz · S(footprint).
 */
export interface Part {
  readonly name: string;
  readonly shape: UnitShape;
  readonly t?: readonly [number, number, number];
  readonly s?: readonly [number, number, number];
  /** Quarter turns about z inside the unit box (a shell along y instead of x). */
  readonly turn?: 0 | 1;
  /** Colour instead of the type's colour. */
  readonly colour?: number;
}

const STEEL = 0x57606f;
const DARK = 0x2f3542;
const FLAME = 0xff7f11;

/** A symbol variant: the parts drawn for one equipment type in one proportion. */
export interface Variant {
  readonly key: string;
  readonly parts: readonly Part[];
}

const vertical = (body = 0.92): Part[] => [
  { name: "body", shape: "vcyl", s: [1, 1, body] },
  { name: "head", shape: "dome", t: [0, 0, body], s: [1, 1, (1 - body) * 2] },
];

/** A shell lying along the unit x axis (turned to y when `turn`), on two saddles. */
const horizontal = (turn: 0 | 1, length = 1): Part[] => {
  const sx = (x: number): [number, number, number] => (turn ? [0, x, 0] : [x, 0, 0]);
  const saddle: [number, number, number] = turn ? [0.7, 0.08, 0.25] : [0.08, 0.7, 0.25];
  return [
    { name: "shell", shape: "hcyl", t: [0, 0, 0.15], s: [length, 1, 0.85], turn },
    { name: "saddle", shape: "box", t: sx(-0.3), s: saddle, colour: STEEL },
    { name: "saddle", shape: "box", t: sx(0.3), s: saddle, colour: STEEL },
  ];
};

const VARIANTS: Record<string, readonly Part[]> = {
  tank: vertical(0.9),
  column: vertical(0.96),
  filter: vertical(0.85),
  reactor: [
    { name: "body", shape: "vcyl", t: [0, 0, 0.12], s: [1, 1, 0.78] },
    { name: "head", shape: "dome", t: [0, 0, 0.9], s: [1, 1, 0.2] },
    { name: "skirt", shape: "vcyl", s: [0.8, 0.8, 0.12], colour: STEEL },
  ],
  "vessel:vertical": vertical(0.9),
  "vessel:x": horizontal(0),
  "vessel:y": horizontal(1),
  "heat_exchanger:x": [
    ...horizontal(0, 0.85),
    { name: "channel", shape: "hcyl", t: [0.45, 0, 0.2], s: [0.1, 0.9, 0.75], colour: STEEL },
  ],
  "heat_exchanger:y": [
    ...horizontal(1, 0.85),
    { name: "channel", shape: "hcyl", t: [0, 0.45, 0.2], s: [0.1, 0.9, 0.75], turn: 1, colour: STEEL },
  ],
  pump: [
    { name: "skid", shape: "box", s: [1, 1, 0.15], colour: DARK },
    { name: "casing", shape: "hcyl", t: [0.28, 0, 0.15], s: [0.4, 0.75, 0.7] },
    { name: "driver", shape: "hcyl", t: [-0.2, 0, 0.15], s: [0.5, 0.6, 0.6], colour: STEEL },
  ],
  compressor: [
    { name: "skid", shape: "box", s: [1, 1, 0.12], colour: DARK },
    { name: "casing", shape: "box", t: [0.2, 0, 0.12], s: [0.5, 0.8, 0.75] },
    { name: "driver", shape: "hcyl", t: [-0.27, 0, 0.12], s: [0.4, 0.6, 0.6], colour: STEEL },
  ],
  furnace: [
    { name: "firebox", shape: "box", s: [1, 1, 0.55] },
    { name: "convection", shape: "box", t: [0, 0, 0.55], s: [0.6, 0.6, 0.2], colour: STEEL },
    { name: "stack", shape: "vcyl", t: [0, 0, 0.75], s: [0.2, 0.2, 0.25], colour: DARK },
  ],
  air_cooler: [
    { name: "bundle", shape: "box", t: [0, 0, 0.72], s: [1, 1, 0.14] },
    { name: "fan", shape: "vcyl", t: [-0.25, 0, 0.86], s: [0.45, 0.9, 0.1], colour: STEEL },
    { name: "fan", shape: "vcyl", t: [0.25, 0, 0.86], s: [0.45, 0.9, 0.1], colour: STEEL },
    { name: "leg", shape: "box", t: [-0.46, -0.46, 0], s: [0.05, 0.05, 0.72], colour: STEEL },
    { name: "leg", shape: "box", t: [0.46, -0.46, 0], s: [0.05, 0.05, 0.72], colour: STEEL },
    { name: "leg", shape: "box", t: [-0.46, 0.46, 0], s: [0.05, 0.05, 0.72], colour: STEEL },
    { name: "leg", shape: "box", t: [0.46, 0.46, 0], s: [0.05, 0.05, 0.72], colour: STEEL },
  ],
  cooling_tower: [
    { name: "body", shape: "box", s: [1, 1, 0.8] },
    { name: "fanStack", shape: "vcyl", t: [0, 0, 0.8], s: [0.55, 0.55, 0.2], colour: STEEL },
  ],
  flare: [
    { name: "stack", shape: "vcyl", s: [0.18, 0.18, 0.97] },
    { name: "base", shape: "box", s: [0.5, 0.5, 0.02], colour: DARK },
    { name: "tip", shape: "vcyl", t: [0, 0, 0.97], s: [0.26, 0.26, 0.03], colour: FLAME },
  ],
};

/**
 * The symbol for an equipment item: tanks, columns, filters and reactors as vertical cylinders;
 * exchangers (and low, long drums) as horizontal shells along their longer plan side; pumps and
 * compressors as skids with a driver; furnaces with a convection section and stack; air coolers as a
 * bundle on legs; the flare as a thin stack. Part 0 is the body, at the equipment's x/y/z.
 */
export function variantFor(e: Pick<Equipment, "type" | "footprint">): Variant {
  const { width, depth, height } = e.footprint;
  const type: EquipmentType = e.type;
  let key: string = type;
  if (type === "vessel") {
    key = height >= 1.2 * Math.max(width, depth) ? "vessel:vertical" : width >= depth ? "vessel:x" : "vessel:y";
  } else if (type === "heat_exchanger") {
    key = width >= depth ? "heat_exchanger:x" : "heat_exchanger:y";
  }
  const parts = VARIANTS[key] ?? VARIANTS.tank!;
  return { key: VARIANTS[key] ? key : "tank", parts };
}
