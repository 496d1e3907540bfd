import { flangeRatingFor } from "../design/flange-rating.js";
import type {
  Component,
  ComponentType,
  EquipmentType,
  Instrument,
  Interlock,
  Loop,
  Rating,
  RulePack,
} from "../design/types.js";
import { EQUIPMENT_TAG_PREFIX as TAG_PREFIX } from "../design/vocabulary.js";
import { drawFootprint, type EquipmentDraft, type ItemSpec, newDraft, type Side, specFor } from "./catalogue.js";
import type { Rng } from "./rng.js";

/** Nozzle height on its item: a number in m, or a place that scales with the item's height. */
export type Height = number | "bottom" | "low" | "mid" | "high" | "top";

/** A line end while drawing: a new nozzle on a side of an item, an existing nozzle, or a tee on a line. */
export type EndRef =
  | { readonly tag: string; readonly side: Side; readonly dz?: Height; readonly id?: string }
  | { readonly tag: string; readonly nozzle: string }
  | { readonly line: string };

export type Service =
  | "process"
  | "utility"
  | "relief"
  | "vent"
  | "drain"
  | "fuel"
  | "steam"
  | "cooling_water"
  | "instrument_air"
  | "flare";

/** Line-number service codes (the "P" of 150-P-1001-A1). */
const SERVICE_CODE: Readonly<Record<Service, string>> = {
  process: "P",
  utility: "U",
  relief: "RL",
  vent: "V",
  drain: "D",
  fuel: "FG",
  steam: "ST",
  cooling_water: "CW",
  instrument_air: "IA",
  flare: "FL",
};

export interface LineDraft {
  id: string;
  service: Service;
  fluid: string;
  from: { tag: string; nozzle: string } | { line: string };
  to: { tag: string; nozzle: string } | { line: string };
  size: number;
  spec: string;
  rating: Rating;
  components: Component[];
}

export interface LineRequest {
  readonly from: EndRef;
  readonly to: EndRef;
  readonly size: number;
  readonly service?: Service;
  readonly fluid: string;
  readonly components?: readonly Component[];
  /** Flange class; default the from-end's class. */
  readonly rating?: Rating;
}

/** The drawn P&ID: items with their placement hints, lines, instruments and control. */
export interface Topology {
  readonly equipment: readonly EquipmentDraft[];
  readonly lines: readonly LineDraft[];
  readonly instruments: readonly Instrument[];
  readonly loops: readonly Loop[];
  readonly interlocks: readonly Interlock[];
}

/**
 * Draws a P&ID: items with ISA-style tags (P-101A), nozzles made as lines need them, line numbers
 * (size-service-sequence-spec), instruments, loops and interlocks. Ratings and specs follow the
 * design pressure and temperature of the items a line joins (the pack's flangeRatings tables), and both nozzles of a line get the line's size and
 * rating, so flanges and sizes match by construction.
 */
export class PlantBuilder {
  readonly equipment: EquipmentDraft[] = [];
  readonly lines: LineDraft[] = [];
  readonly instruments: Instrument[] = [];
  readonly loops: Loop[] = [];
  readonly interlocks: Interlock[] = [];
  private readonly byTag = new Map<string, EquipmentDraft>();
  private readonly byLine = new Map<string, LineDraft>();
  private readonly numbers = new Map<string, number>();
  private loopNumber: number;
  private lineNumber = 1000;

  constructor(
    readonly rng: Rng,
    readonly pack: RulePack,
    /** Area number: tags run area*100 + 1 upward (unit 1: P-101, FIC-101). */
    readonly area = 1,
  ) {
    this.loopNumber = area * 100;
  }

  /** Adds one item; its tag is the type's prefix and the next number of its area (default the builder's). */
  add(spec: ItemSpec, area = this.area): EquipmentDraft {
    const number = this.nextNumber(TAG_PREFIX[spec.type], area);
    return this.place(`${TAG_PREFIX[spec.type]}-${number}`, spec);
  }

  /** Adds identical items sharing one number with suffixes A, B, C (duty/standby sets). */
  addSet(spec: ItemSpec, count: number, area = this.area): EquipmentDraft[] {
    const number = this.nextNumber(TAG_PREFIX[spec.type], area);
    const footprint = drawFootprint(this.rng, spec);
    const out: EquipmentDraft[] = [];
    for (let k = 0; k < count; k++) {
      const suffix = count > 1 ? String.fromCharCode(65 + k) : "";
      out.push(this.place(`${TAG_PREFIX[spec.type]}-${number}${suffix}`, spec, { ...footprint }));
    }
    return out;
  }

  private place(tag: string, spec: ItemSpec, footprint = drawFootprint(this.rng, spec)): EquipmentDraft {
    if (this.byTag.has(tag)) throw new Error(`duplicate tag ${tag}`);
    const draft = newDraft(tag, spec, footprint);
    this.equipment.push(draft);
    this.byTag.set(tag, draft);
    // An atmospheric tank breathes through a roof vent (API Std 2000 4.3): a free VENT nozzle, its
    // vent or pressure-vacuum valve mounted on it, no line.
    if (draft.type === "tank") {
      const rating = flangeRatingFor(this.pack, draft.designPressure, draft.designTemperature);
      this.nozzle(tag, "N", "top", ventSize(footprint.width), rating, "VENT");
    }
    return draft;
  }

  private nextNumber(prefix: string, area: number): number {
    const key = `${prefix}:${area}`;
    const n = (this.numbers.get(key) ?? area * 100) + 1;
    this.numbers.set(key, n);
    return n;
  }

  item(tag: string): EquipmentDraft {
    const e = this.byTag.get(tag);
    if (!e) throw new Error(`no item ${tag}`);
    return e;
  }

  line(id: string): LineDraft {
    const l = this.byLine.get(id);
    if (!l) throw new Error(`no line ${id}`);
    return l;
  }

  count(type: EquipmentType): number {
    return this.equipment.filter((e) => e.type === type).length;
  }

  /** A new instrument loop number (shared by transmitter, controller and valve: LT-, LIC-, LV-). */
  nextLoop(): number {
    this.loopNumber += 1;
    return this.loopNumber;
  }

  /** Adds a nozzle to an item; the id is `id` or N1, N2... made unique on the item. */
  nozzle(tag: string, side: Side, dz: Height, size: number, rating: Rating, id?: string): string {
    const e = this.item(tag);
    let name = id ?? `N${e.nozzles.length + 1}`;
    for (let k = 2; e.nozzles.some((n) => n.id === name); k++) name = `${id ?? "N"}${k}`;
    e.nozzles.push({ id: name, side, dz: heightOf(e, dz), size, rating });
    return name;
  }

  /**
   * Draws a line, making the nozzles its ends ask for. Returns the line id. A new nozzle takes its
   * item's flange class; the line takes its from-end's class, and where the to-end's class differs
   * a spec break (after the relief valve, if any) names it: the flanges mate at both ends.
   */
  connect(req: LineRequest): string {
    const service = req.service ?? "process";
    const classOf = (ref: EndRef): Rating => {
      if ("line" in ref) return this.line(ref.line).rating;
      if ("nozzle" in ref) {
        const n = this.item(ref.tag).nozzles.find((z) => z.id === ref.nozzle);
        if (!n) throw new Error(`no nozzle ${ref.tag}/${ref.nozzle}`);
        return n.rating;
      }
      const e = this.item(ref.tag);
      return flangeRatingFor(this.pack, e.designPressure, e.designTemperature);
    };
    const fromRating = classOf(req.from);
    const toRating = classOf(req.to);
    const rating = req.rating ?? fromRating;
    const spec = specFor(rating);
    const end = (ref: EndRef, r: Rating): LineDraft["from"] => {
      if ("line" in ref) return { line: ref.line };
      if ("nozzle" in ref) return { tag: ref.tag, nozzle: ref.nozzle };
      return { tag: ref.tag, nozzle: this.nozzle(ref.tag, ref.side, ref.dz ?? "mid", req.size, r, ref.id) };
    };
    this.lineNumber += 1;
    const id = `${req.size}-${SERVICE_CODE[service]}-${this.lineNumber}-${spec}`;
    const components = [...(req.components ?? [])];
    if (toRating !== rating) {
      const psv = components.findIndex((c) => c.type === "relief_valve");
      components.splice(psv < 0 ? components.length : psv + 1, 0, { type: "spec_break", rating: toRating });
    }
    if (fromRating !== rating) components.unshift({ type: "spec_break", rating: fromRating });
    const draft: LineDraft = {
      id,
      service,
      fluid: req.fluid,
      from: end(req.from, fromRating),
      to: end(req.to, toRating),
      size: req.size,
      spec,
      rating,
      components,
    };
    this.lines.push(draft);
    this.byLine.set(id, draft);
    return id;
  }

  /** Appends an inline component to a line (in flow order). */
  component(lineId: string, type: ComponentType, tag?: string): void {
    this.line(lineId).components.push(tag !== undefined ? { type, tag } : { type });
  }

  instrument(tag: string, on: { tag: string } | { line: string }): string {
    this.instruments.push({ tag, on });
    return tag;
  }

  loop(tag: string, measurement: string, finalElement: string, action: "direct" | "reverse", setpoint?: number): void {
    this.loops.push({ tag, measurement, finalElement, action, ...(setpoint !== undefined ? { setpoint } : {}) });
  }

  interlock(
    tag: string,
    instrument: string,
    trip: "LL" | "L" | "H" | "HH",
    effects: readonly { target: string; action: "stop" | "start" | "open" | "close" | "trip" }[],
  ): void {
    const [first, ...rest] = effects.map((e) => ({ ...e }));
    if (!first) throw new Error(`interlock ${tag} has no effect`);
    this.interlocks.push({ tag, cause: { instrument, trip }, effects: [first, ...rest] });
  }

  topology(): Topology {
    return {
      equipment: this.equipment,
      lines: this.lines,
      instruments: this.instruments,
      loops: this.loops,
      interlocks: this.interlocks,
    };
  }
}

/** Roof vent DN by tank diameter, m: larger tanks move more vapour when filled or heated. */
function ventSize(diameter: number): number {
  return diameter <= 12 ? 100 : diameter <= 24 ? 150 : 200;
}

function heightOf(e: EquipmentDraft, dz: Height): number {
  const h = e.footprint.height;
  const r = (v: number) => Math.round(v * 10) / 10;
  switch (dz) {
    case "bottom":
      return r(Math.min(0.3, h / 2));
    case "low":
      return r(Math.min(0.6, h / 2));
    case "mid":
      return r(h / 2);
    case "high":
      return r(Math.max(h / 2, h - 0.6));
    case "top":
      return r(h);
    default:
      return r(dz);
  }
}
