import type * as Raw from "./generated/types.js";

export type {
  BranchEnd,
  ComponentType,
  EquipmentType,
  Footprint,
  GenerationRequest,
  Hazard,
  LineEnd,
  ModelCard,
  NozzleEnd,
  OpenEnd,
  Point3,
  ProcessClass,
  Rating,
  RulePack,
  SpacingEntry,
  SpacingSelector,
  ValidationReport,
  Violation,
} from "./generated/types.js";

/** The design as written in a file: every optional field may be absent. */
export type PlantDesignInput = Raw.PlantDesign;

type WithDefaults<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: Exclude<T[P], undefined> };

/** A nozzle; offsets are absent in topology-only designs. */
export type Nozzle = Readonly<Raw.Nozzle>;
/** Equipment after defaults: z 0, rotation 0, hazard none, no nozzles. x/y absent = not placed. */
export type Equipment = Readonly<WithDefaults<Raw.Equipment, "z" | "rotation" | "hazard" | "nozzles">>;
export type Component = Readonly<Raw.Component>;
/** A line after defaults: service process, no components. `route` absent = not routed. */
export type Line = Readonly<WithDefaults<Raw.Line, "service" | "components">>;
export type Instrument = Readonly<Raw.Instrument>;
export type KeepOut = Readonly<WithDefaults<Raw.KeepOut, "kind">>;
export type Rack = Readonly<Raw.Rack>;
export type Site = Readonly<
  Omit<WithDefaults<Raw.Site, "gridSize" | "keepOut" | "racks">, "keepOut"> & { keepOut: readonly KeepOut[] }
>;
export type Loop = Readonly<WithDefaults<Raw.Loop, "action">>;
export type Interlock = Readonly<Raw.Interlock>;
export type Control = Readonly<{ loops: readonly Loop[]; interlocks: readonly Interlock[] }>;

/**
 * A design as `parseDesign` returns it: schema-valid, with the contract's defaults filled in.
 * Units: metres, barg, degrees C, DN mm; origin south-west, x east, y north, z up.
 */
export type Design = Readonly<
  Omit<Raw.PlantDesign, "site" | "equipment" | "lines" | "instruments" | "control"> & {
    site: Site;
    equipment: readonly Equipment[];
    lines: readonly Line[];
    instruments: readonly Instrument[];
    control: Control;
  }
>;

/**
 * A generation request as `parseGenerationRequest` returns it: schema-valid, with mode, equipment,
 * fixed, count and truncation filled from the schema's defaults. Assignable to GenerationRequest.
 */
export type ParsedGenerationRequest = WithDefaults<
  Raw.GenerationRequest,
  "mode" | "equipment" | "fixed" | "count" | "truncation"
>;

/** True when the equipment has a plan position. */
export function isPlaced(e: Equipment): e is Equipment & { x: number; y: number } {
  return e.x !== undefined && e.y !== undefined;
}

/** A line end that is an equipment nozzle. */
export function isNozzleEnd(end: Raw.LineEnd): end is Raw.NozzleEnd {
  return "tag" in end;
}

/** A line end that tees off or into another line. */
export function isBranchEnd(end: Raw.LineEnd): end is Raw.BranchEnd {
  return "line" in end;
}

/** The line a branch end tees off or into; undefined for a nozzle or an open end. */
export function branchLine(end: Raw.LineEnd): string | undefined {
  return "line" in end ? end.line : undefined;
}

/** A line end where the line leaves the plot (a battery limit): no nozzle and no other line. */
export function isOpenEnd(end: Raw.LineEnd): end is Raw.OpenEnd {
  return "open" in end;
}
