/**
 * The fixed vocabularies of the views: node types, instrument classes, hazard and rotation
 * one-hots, pipe size classes, relation names, and the feature layout of the encoding.
 * Kept in one place so the encoder, the decoder and the GAN agree on every index.
 */
import { COMPONENT_TYPES, EQUIPMENT_TYPES, HAZARDS, ROTATIONS } from "../design/vocabulary.js";
import { ViewError } from "./errors.js";

// The schema's enumerations, in schema order: their order is the one-hot order of every view.
export { COMPONENT_TYPES, EQUIPMENT_TAG_PREFIX, EQUIPMENT_TYPES, HAZARDS, ROTATIONS } from "../design/vocabulary.js";

/**
 * What an instrument measures, from the first letter of its ISA-5.1 tag (F flow, L level,
 * P pressure, T temperature, A analysis; anything else is "other", letter X).
 */
export const INSTRUMENT_CLASSES = ["flow", "level", "pressure", "temperature", "analysis", "other"] as const;
export type InstrumentClass = (typeof INSTRUMENT_CLASSES)[number];

const CLASS_LETTER: Readonly<Record<InstrumentClass, string>> = {
  flow: "F",
  level: "L",
  pressure: "P",
  temperature: "T",
  analysis: "A",
  other: "X",
};

export function instrumentClassOf(tag: string): InstrumentClass {
  const letter = tag.charAt(0);
  return INSTRUMENT_CLASSES.find((c) => CLASS_LETTER[c] === letter) ?? "other";
}

export function instrumentLetter(c: InstrumentClass): string {
  return CLASS_LETTER[c];
}

/** The five node kinds of the graph view. */
export type NodeKind = "equipment" | "instrument" | "component" | "controller" | "tee";

/** One entry of the node-type one-hot. */
export interface NodeType {
  /** Name used in feature names, e.g. "pump", "instrument_level", "gate_valve", "tee". */
  readonly id: string;
  readonly kind: NodeKind;
  /** The equipment type, component type or instrument class it stands for. */
  readonly value: string;
}

/**
 * The node-type vocabulary, in one-hot order: 12 equipment types, 6 instrument classes,
 * 16 component types, controller, tee (36 entries).
 */
export const NODE_TYPES: readonly NodeType[] = [
  ...EQUIPMENT_TYPES.map((t) => ({ id: t, kind: "equipment" as const, value: t })),
  ...INSTRUMENT_CLASSES.map((c) => ({ id: `instrument_${c}`, kind: "instrument" as const, value: c })),
  ...COMPONENT_TYPES.map((t) => ({ id: t, kind: "component" as const, value: t })),
  { id: "controller", kind: "controller", value: "controller" },
  { id: "tee", kind: "tee", value: "tee" },
];

const TYPE_INDEX = new Map(NODE_TYPES.map((t, i) => [`${t.kind}:${t.value}`, i]));

/** Index of a node type in the one-hot; `value` is the equipment/component type or instrument class. */
export function nodeTypeIndex(kind: NodeKind, value: string): number {
  const i = TYPE_INDEX.get(`${kind}:${kind === "controller" || kind === "tee" ? kind : value}`);
  if (i === undefined) throw new ViewError("bad_spec", `no node type ${kind}:${value}`);
  return i;
}

/** What the encoder needs to know; everything but nMax has a default. */
export interface EncodingSpec {
  /** Rows of X (and side of each A slice); designs with more nodes are refused. */
  readonly nMax: number;
  /** Footprint width/depth/height are divided by this, m. Default 50. */
  readonly footprintScale?: number;
  /**
   * Upper bounds (DN, inclusive, strictly increasing) of the pipe size classes; one more class
   * holds everything above the last. Default [50, 150, 300]: ≤50, ≤150, ≤300, >300.
   */
  readonly sizeClassBounds?: readonly number[];
}

export type ResolvedEncodingSpec = Required<EncodingSpec>;

export const DEFAULT_FOOTPRINT_SCALE = 50;
export const DEFAULT_SIZE_CLASS_BOUNDS: readonly number[] = [50, 150, 300];

/** Non-pipe relations, in slice order after the process size classes. */
export const LINK_RELATIONS = ["branch", "mount", "signal", "control", "interlock"] as const;
export type LinkRelation = (typeof LINK_RELATIONS)[number];

/** The tensor layout a spec implies: names and offsets of X columns and A slices. */
export interface EncodingLayout {
  readonly spec: ResolvedEncodingSpec;
  readonly featureNames: readonly string[];
  readonly relationNames: readonly string[];
  /** Columns of X. */
  readonly F: number;
  /** Slices of A. */
  readonly R: number;
  /** First column of each feature block. */
  readonly offsets: {
    readonly type: number;
    readonly size: number;
    readonly position: number;
    readonly rotation: number;
    readonly placed: number;
    readonly hazard: number;
  };
  /** Slice of each non-pipe relation; pipe size class k is slice k. */
  readonly slices: Readonly<Record<LinkRelation, number>>;
  /** Number of pipe size classes (the first slices of A). */
  readonly sizeClasses: number;
}

/** Checks a spec, fills defaults and derives the layout. Throws ViewError "bad_spec". */
export function encodingLayout(spec: EncodingSpec): EncodingLayout {
  const resolved: ResolvedEncodingSpec = {
    nMax: spec.nMax,
    footprintScale: spec.footprintScale ?? DEFAULT_FOOTPRINT_SCALE,
    sizeClassBounds: [...(spec.sizeClassBounds ?? DEFAULT_SIZE_CLASS_BOUNDS)],
  };
  if (!Number.isInteger(resolved.nMax) || resolved.nMax < 1 || resolved.nMax > 4096) {
    throw new ViewError("bad_spec", `nMax must be an integer in 1..4096; got ${spec.nMax}`);
  }
  if (!(resolved.footprintScale > 0) || !Number.isFinite(resolved.footprintScale)) {
    throw new ViewError("bad_spec", `footprintScale must be a positive number; got ${resolved.footprintScale}`);
  }
  const bounds = resolved.sizeClassBounds;
  if (bounds.some((b, i) => !Number.isInteger(b) || b < 6 || b > 1999 || (i > 0 && b <= bounds[i - 1]!))) {
    throw new ViewError("bad_spec", `sizeClassBounds must be strictly increasing integers in 6..1999; got ${bounds}`);
  }
  const sizeClasses = bounds.length + 1;
  const typeNames = NODE_TYPES.map((t) => `type:${t.id}`);
  const featureNames = [
    ...typeNames,
    "size:width",
    "size:depth",
    "size:height",
    "position:x",
    "position:y",
    ...ROTATIONS.map((r) => `rotation:${r}`),
    "placed",
    ...HAZARDS.map((h) => `hazard:${h}`),
  ];
  const offsets = {
    type: 0,
    size: typeNames.length,
    position: typeNames.length + 3,
    rotation: typeNames.length + 5,
    placed: typeNames.length + 9,
    hazard: typeNames.length + 10,
  };
  const pipeNames = bounds.map((b) => `process:dn<=${b}`);
  pipeNames.push(`process:dn>${bounds.at(-1) ?? 0}`);
  const relationNames = [...pipeNames, ...LINK_RELATIONS];
  const slices = Object.fromEntries(LINK_RELATIONS.map((r, i) => [r, sizeClasses + i])) as Record<LinkRelation, number>;
  return {
    spec: resolved,
    featureNames,
    relationNames,
    F: featureNames.length,
    R: relationNames.length,
    offsets,
    slices,
    sizeClasses,
  };
}

/** Size class of a DN: the first bound it does not exceed, else the open top class. */
export function sizeClassOf(size: number, bounds: readonly number[]): number {
  const k = bounds.findIndex((b) => size <= b);
  return k === -1 ? bounds.length : k;
}

/**
 * The DN a decoder writes for a size class: the class's upper bound, or twice the last bound
 * for the open top class (300 → 600). Each representative lies in its own class.
 */
export function sizeOfClass(k: number, bounds: readonly number[]): number {
  const last = bounds.at(-1) ?? 50;
  return k < bounds.length ? bounds[k]! : Math.min(4000, last * 2);
}
