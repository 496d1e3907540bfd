import type { Component, RulePack } from "../design/types.js";
import type { EndRef, PlantBuilder, Service } from "./builder.js";
import type { EquipmentDraft, ItemSpec } from "./catalogue.js";

/**
 * P&ID patterns from common practice, each one function: what a pump set, a level loop or a relief
 * path looks like on a P&ID. Templates compose them. References: API RP 14C and IEC 61511 for the
 * trips, API Std 520/521 for relief, PIP PIC001 / ISA-5.1 for the symbols and tags.
 */

export interface PumpSetOptions {
  /** The pump item (name, hazard, design pressure, group, order); each pump of the set is one of these. */
  readonly spec: ItemSpec;
  /** 2: duty and standby (A/B); 3: two duty, one standby. */
  readonly count: number;
  readonly from: EndRef;
  readonly to: EndRef;
  readonly fluid: string;
  readonly suctionSize: number;
  readonly dischargeSize: number;
  /** Flow control on the common discharge: FT, FV and FIC. */
  readonly flowControl?: boolean;
  readonly service?: Service;
}

export interface PumpSet {
  readonly pumps: readonly string[];
  /** The suction header: the line into the first pump (the others tee off it), or the given header. */
  readonly suction: string;
  /** The discharge header: the line from the first pump (the others tee into it), or the given header. */
  readonly discharge: string;
  /** The FIC loop's control valve, when there is one. */
  readonly flowValve?: string;
}

/**
 * A/B pump set. The suction runs from the source into pump A with a block valve and a strainer and
 * the other pumps tee off it; pump A's discharge runs to the destination with a check valve then a
 * block valve (the check valve keeps the running pump from spinning the idle one backwards: ANSI/HI
 * 9.6.6) and the other discharges tee into it the same way. When the source (or destination) is
 * itself a header line, every pump tees off (into) that header: branches hang off one header,
 * never off another branch.
 */
export function pumpSet(b: PlantBuilder, o: PumpSetOptions): PumpSet {
  const pumps = b.addSet(o.spec, o.count);
  const service = o.service ?? "process";
  const suctionParts: Component[] = [{ type: "gate_valve" }, { type: "strainer" }];
  const dischargeParts: Component[] = [{ type: "check_valve" }, { type: "gate_valve" }];
  let suction = "line" in o.from ? o.from.line : undefined;
  let discharge = "line" in o.to ? o.to.line : undefined;
  let ownDischarge: string | undefined;
  for (const p of pumps) {
    const s = b.connect({
      from: suction ? { line: suction } : o.from,
      to: { tag: p.tag, side: "W", dz: "low", id: "S" },
      size: o.suctionSize,
      fluid: o.fluid,
      service,
      components: suctionParts,
    });
    suction ??= s;
    const d = b.connect({
      from: { tag: p.tag, side: "E", dz: "high", id: "D" },
      to: discharge ? { line: discharge } : o.to,
      size: o.dischargeSize,
      fluid: o.fluid,
      service,
      components: dischargeParts,
    });
    discharge ??= d;
    ownDischarge ??= d;
  }
  const tags = pumps.map((p) => p.tag);
  if (!o.flowControl) return { pumps: tags, suction: suction!, discharge: discharge! };
  // Flow is measured where the set's whole flow passes: the common discharge when the set owns it,
  // else pump A's discharge branch (one duty pump at a time).
  const line = "line" in o.to ? ownDischarge! : discharge!;
  const n = b.nextLoop();
  b.instrument(`FT-${n}`, { line });
  b.component(line, "orifice");
  b.component(line, "control_valve", `FV-${n}`);
  b.loop(`FIC-${n}`, `FT-${n}`, `FV-${n}`, "reverse");
  return { pumps: tags, suction: suction!, discharge: discharge!, flowValve: `FV-${n}` };
}

export interface LevelControlOptions {
  /** The line that carries liquid out: it gets the level valve. Absent: the loop drives `speedOf`. */
  readonly outlet?: string;
  /** A pump or compressor driven by the level controller's speed signal instead of a valve. */
  readonly speedOf?: string;
  /** Pumps drawing from the item: low-low level stops them (dry running: API 610, API RP 14C). */
  readonly stopOnLowLow?: readonly string[];
  /** What high-high level acts on (close an inlet valve, trip a compressor downstream). */
  readonly onHighHigh?: readonly { target: string; action: "stop" | "close" | "trip" }[];
  /** Level rises: the valve opens (outlet control: direct action). */
  readonly action?: "direct" | "reverse";
}

/**
 * Level control on a drum, column or tank: LT on the item, LIC driving a valve on the liquid outlet
 * (or a pump speed), and an independent trip transmitter LZT (IEC 61511: the trip does not share the
 * control transmitter) for the low-low and high-high interlocks.
 */
export function levelControl(b: PlantBuilder, item: string, o: LevelControlOptions): { valve?: string } {
  const n = b.nextLoop();
  b.instrument(`LT-${n}`, { tag: item });
  let valve: string | undefined;
  if (o.outlet !== undefined) {
    valve = `LV-${n}`;
    b.component(o.outlet, "control_valve", valve);
    b.loop(`LIC-${n}`, `LT-${n}`, valve, o.action ?? "direct");
  } else if (o.speedOf !== undefined) {
    b.loop(`LIC-${n}`, `LT-${n}`, o.speedOf, o.action ?? "direct");
  }
  const lowLow = o.stopOnLowLow ?? [];
  const highHigh = o.onHighHigh ?? [];
  if (lowLow.length > 0 || highHigh.length > 0) b.instrument(`LZT-${n}`, { tag: item });
  if (lowLow.length > 0) {
    b.interlock(
      `I-${n}LL`,
      `LZT-${n}`,
      "LL",
      lowLow.map((target) => ({ target, action: "stop" as const })),
    );
  }
  if (highHigh.length > 0) b.interlock(`I-${n}HH`, `LZT-${n}`, "HH", highHigh);
  return valve !== undefined ? { valve } : {};
}

export interface PressureControlOptions {
  /** A line whose valve the controller moves (a vapour outlet, a back-pressure valve). */
  readonly valveLine?: string;
  /** A compressor or pump whose speed the controller sets. */
  readonly speedOf?: string;
  readonly action?: "direct" | "reverse";
  /** What high-high pressure trips (a compressor, a fuel valve): API RP 14C PSHH. */
  readonly onHighHigh?: readonly { target: string; action: "stop" | "close" | "trip" }[];
  /** What low-low pressure trips (a compressor on low suction pressure). */
  readonly onLowLow?: readonly { target: string; action: "stop" | "close" | "trip" }[];
}

/** Pressure control on an item or a line: PT, PIC, a valve or a speed, and PZT trips. */
export function pressureControl(
  b: PlantBuilder,
  on: { tag: string } | { line: string },
  o: PressureControlOptions,
): void {
  const n = b.nextLoop();
  b.instrument(`PT-${n}`, on);
  if (o.valveLine !== undefined) {
    b.component(o.valveLine, "control_valve", `PV-${n}`);
    b.loop(`PIC-${n}`, `PT-${n}`, `PV-${n}`, o.action ?? "direct");
  } else if (o.speedOf !== undefined) {
    b.loop(`PIC-${n}`, `PT-${n}`, o.speedOf, o.action ?? "reverse");
  }
  const hh = o.onHighHigh ?? [];
  const ll = o.onLowLow ?? [];
  if (hh.length > 0 || ll.length > 0) b.instrument(`PZT-${n}`, on);
  if (hh.length > 0) b.interlock(`I-${n}HH`, `PZT-${n}`, "HH", hh);
  if (ll.length > 0) b.interlock(`I-${n}LL`, `PZT-${n}`, "LL", ll);
}

export interface TemperatureControlOptions {
  /** Where the temperature is measured: the outlet line, or the item itself (a column tray). */
  readonly measure: { tag: string } | { line: string };
  /** The line whose valve sets the heat duty: cooling water, hot oil, fuel gas, a bypass. */
  readonly valveLine: string;
  readonly action?: "direct" | "reverse";
  /** High-high temperature trip (a furnace on its outlet temperature: API RP 556). */
  readonly onHighHigh?: readonly { target: string; action: "stop" | "close" | "trip" }[];
}

/** Temperature control: TT, TIC and TV; a TZT trip when asked. Returns the valve tag. */
export function temperatureControl(b: PlantBuilder, o: TemperatureControlOptions): string {
  const n = b.nextLoop();
  b.instrument(`TT-${n}`, o.measure);
  b.component(o.valveLine, "control_valve", `TV-${n}`);
  b.loop(`TIC-${n}`, `TT-${n}`, `TV-${n}`, o.action ?? "reverse");
  const hh = o.onHighHigh ?? [];
  if (hh.length > 0) {
    b.instrument(`TZT-${n}`, o.measure);
    b.interlock(`I-${n}HH`, `TZT-${n}`, "HH", hh);
  }
  return `TV-${n}`;
}

/** Whether the pack asks for a relief path on this item (ASME VIII above 1.03 barg; exempt types). */
export function needsRelief(pack: RulePack, e: EquipmentDraft): boolean {
  const exempt: readonly string[] = pack.relief.exemptTypes ?? [];
  return e.designPressure !== undefined && e.designPressure > pack.relief.pressureThreshold && !exempt.includes(e.type);
}

/**
 * A relief path: a line from a nozzle on top of the item through a relief valve (PSV) to the
 * disposal item (a flare knock-out drum, a blowdown drum, a relief tank): API Std 520/521. The
 * disposal item takes as many direct inlets as its two long sides hold at 2 m pitch, alternating
 * sides; further relief lines tee into those (a relief sub-header), round robin.
 */
export function relief(b: PlantBuilder, tag: string, disposal: string, fluid: string): string | undefined {
  const e = b.item(tag);
  if (!needsRelief(b.pack, e)) return undefined;
  const n = b.nextLoop();
  const d = b.item(disposal);
  const inlets = d.nozzles.filter((z) => z.id.startsWith("RI")).length;
  const perSide = Math.max(1, Math.floor(Math.max(d.footprint.width, d.footprint.depth) / 2) - 1);
  const area = e.footprint.width * e.footprint.depth;
  const size = area > 12 ? 100 : area > 4 ? 80 : 50;
  const direct = b.lines.filter(
    (l) => l.service === "relief" && "tag" in l.to && l.to.tag === disposal && l.to.nozzle.startsWith("RI"),
  );
  const long = d.footprint.width >= d.footprint.depth;
  const sides = long ? (["S", "N"] as const) : (["W", "E"] as const);
  const to: EndRef =
    inlets < 2 * perSide || direct.length === 0
      ? { tag: disposal, side: sides[inlets % 2]!, dz: "high", id: "RI" }
      : { line: direct[(inlets + b.lines.length) % direct.length]!.id };
  const parent = "line" in to ? b.line(to.line) : undefined;
  return b.connect({
    from: { tag, side: "N", dz: "high", id: "RV" },
    to,
    size: parent ? Math.min(size, parent.size) : size,
    fluid,
    service: "relief",
    // The block valves either side of the PSV (for testing it in service) are car-sealed open:
    // shut, they would cut the item off its relief (ASME VIII-1 UG-135(e), Appendix M-5).
    components: [
      { type: "gate_valve", lock: "CSO" },
      { type: "relief_valve", tag: `PSV-${n}` },
      { type: "gate_valve", lock: "CSO" },
    ],
  });
}

/** Services that carry vapour, gas or relief flow rather than liquid: no shell valve asked of them. */
const NOT_LIQUID: ReadonlySet<string> = new Set(["vent", "relief", "flare", "instrument_air", "steam", "fuel"]);

/**
 * Shut-off valves at tank shells (NFPA 30 22.13.1, API Std 2610 8.5): every liquid line leaving a
 * tank starts with a block valve and every one entering it ends with one, so a broken pipe cannot
 * empty the tank; a level-controlled inlet gets a gate valve after its control valve. Run once the
 * P&ID is drawn (control valves are appended to lines as the loops are made).
 */
export function tankShellValves(b: PlantBuilder): void {
  const tanks = new Set(b.equipment.filter((e) => e.type === "tank").map((e) => e.tag));
  const isShutOff = (c: Component | undefined) => c !== undefined && SHUT_OFF.has(c.type);
  for (const line of b.lines) {
    if (NOT_LIQUID.has(line.service)) continue;
    if ("tag" in line.from && tanks.has(line.from.tag) && !isShutOff(line.components[0])) {
      line.components.unshift({ type: "gate_valve" });
    }
    if ("tag" in line.to && tanks.has(line.to.tag) && !isShutOff(line.components.at(-1))) {
      line.components.push({ type: "gate_valve" });
    }
  }
}

/** Hand block valves that shut a line tight (a control valve is not a shut-off valve). */
const SHUT_OFF: ReadonlySet<string> = new Set([
  "gate_valve",
  "ball_valve",
  "globe_valve",
  "butterfly_valve",
  "plug_valve",
]);
