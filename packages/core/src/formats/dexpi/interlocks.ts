/**
 * Interlocks inferred from the signal graph (signal-graph.ts): trip functions (S or Z with the
 * condition in their letters) and COMOS trip parts (signal-parts.ts). Each forms an interlock or
 * is reported as an unmapped Interlock with its reason, which its loop function's entry repeats.
 */
import type { PlantDesignInput } from "../../design/index.js";
import type { EquipmentResult } from "./equipment.js";
import { describe, genericAttr } from "./model.js";
import type { PipingResult } from "./piping.js";
import type { ImportContext } from "./report.js";
import { type ActuatorTarget, bfs, type FunctionInfo, type TripPart } from "./signal-graph.js";
import { describePart } from "./signal-parts.js";
import { normaliseTag, tagLetters } from "./tags.js";
import type { XmlElement } from "./xml.js";

/** An interlock as written in a design file. */
type Interlock = NonNullable<NonNullable<PlantDesignInput["control"]>["interlocks"]>[number];
type Trip = Interlock["cause"]["trip"];
type Effect = Interlock["effects"][number];

export interface InterlockInputs {
  readonly ctx: ImportContext;
  readonly piping: PipingResult;
  readonly equipment: EquipmentResult;
  readonly fns: ReadonlyMap<XmlElement, FunctionInfo>;
  readonly trips: ReadonlyMap<XmlElement, TripPart>;
  /** Tags the functions were given. */
  readonly tags: ReadonlyMap<XmlElement, string>;
  /** The instruments of the design: an interlock's cause must be one. */
  readonly instrumentTags: ReadonlySet<string>;
  /** Instruments that already initiate an interlock read as written: no second one is inferred. */
  readonly explicitCauses: ReadonlySet<string>;
  /** Why a function formed no loop or interlock, for its loop function's entry: added to here. */
  readonly notFormed: Map<XmlElement, string>;
}

/** An interlock and the function that leads it (whose loop function it represents). */
interface Inferred {
  readonly interlock: Interlock;
  readonly from: XmlElement;
}

export function inferInterlocks(inputs: InterlockInputs): Inferred[] {
  return [...functionInterlocks(inputs), ...tripPartInterlocks(inputs)];
}

/**
 * Trip functions → interlocks. ISA-5.1: an S (switch) or Z (safety actuation) after the measured
 * variable makes a function act on the process; its trip condition is the H/HH/L/LL that ends its
 * letters (PSHH, LZLL). The contract needs that condition, so a switching function without one
 * (PICSA) is reported, not guessed. Effects: each valve it drives closes, each machine stops.
 */
function functionInterlocks(inputs: InterlockInputs): Inferred[] {
  const { ctx, piping, equipment, fns, tags, instrumentTags, explicitCauses, notFormed } = inputs;
  const out: Inferred[] = [];
  for (const info of fns.values()) {
    if (!/[SZ]/.test(info.letters.slice(1))) continue;
    const own = tags.get(info.el);
    if (own !== undefined && explicitCauses.has(own)) continue;
    const name = info.candidate ?? describe(info.el);
    const fail = (reason: string) => {
      ctx.refuseDerived({ element: "Interlock", ...(info.el.attrs.ID ? { id: info.el.attrs.ID } : {}), reason });
      if (!notFormed.has(info.el)) notFormed.set(info.el, `it forms no interlock: ${reason}`);
    };
    // DEXPI 1.3 may state the conditions on the signal lines into the switch instead (their port
    // status): one interlock each, tagged as ISA-5.1 writes the trip (US-047 at HH -> USHH-047).
    const letterTrip = tripCondition(info.letters);
    const conditions = letterTrip ? [letterTrip] : inputConditions(info);
    const tag = tags.get(info.el);
    if (conditions.length === 0) {
      fail(
        `${name} switches or trips (S/Z) but the file gives no trip condition (LL, L, H, HH), which the contract needs`,
      );
      continue;
    }
    const stated = letterTrip ? "" : ` (its input signals state ${conditions.join(", ")})`;
    if (tag === undefined || !instrumentTags.has(tag)) {
      for (const _ of conditions) fail(`${name}: the initiating instrument is not in the design`);
      continue;
    }
    const { effects, via } = tripEffects(piping, equipment, fns, [{ fn: info.el, via: [] }], []);
    const [first, ...rest] = effects;
    if (!first) {
      for (const _ of conditions)
        fail(`${name}: no tagged valve or machine in the design receives its trip signal${stated}`);
      continue;
    }
    for (const trip of conditions) {
      const letters = tagLetters(tag);
      const written = conditions.length === 1 ? tag : normaliseTag(`${letters}${trip}${tag.slice(letters.length)}`);
      const claimed = written === tag ? tag : written === undefined ? undefined : ctx.tags.claim(written);
      if (claimed === undefined) {
        fail(`${name}: ${letters}${trip} is longer than a contract tag's six letters`);
        continue;
      }
      out.push({
        interlock: { tag: claimed, cause: { instrument: tag, trip }, effects: [first, ...rest] },
        from: info.el,
      });
    }
    ctx.consume(...via);
  }
  return out;
}

/**
 * COMOS trip parts → interlocks: the part's function is the initiating instrument, the part's
 * letters its condition (ZHH → HH), and what the part's signal lines reach (directly, or through
 * the logic functions they lead to) the effects. The interlock is tagged as ISA-5.1 writes the
 * trip function: the instrument's letters with the part's (P-002 with ZHH → PZHH-002).
 */
function tripPartInterlocks(inputs: InterlockInputs): Inferred[] {
  const { ctx, piping, equipment, fns, trips, tags, instrumentTags, explicitCauses, notFormed } = inputs;
  const out: Inferred[] = [];
  for (const [el, { part, signals, actuates }] of trips) {
    const cause = tags.get(part.fn);
    const name = `${cause ?? fns.get(part.fn)?.candidate ?? describe(part.fn)}'s ${part.label}`;
    const fail = (reason: string) => {
      ctx.refuseDerived({
        element: "Interlock",
        ...(el.attrs.ID ? { id: el.attrs.ID } : {}),
        reason: `${name}: ${reason}`,
      });
      ctx.refuse(
        el,
        `${describePart(part)}, not plant equipment: a trip at ${part.trip} that forms no interlock: ${reason}`,
      );
      for (const s of [...signals, ...actuates])
        for (const v of s.via) ctx.refuse(v, `trip signal of ${name}, which forms no interlock`);
      const before = notFormed.get(part.fn);
      const why = `its ${part.label} (trip ${part.trip}) forms no interlock: ${reason}`;
      notFormed.set(part.fn, before ? `${before}; ${why}` : why);
    };
    const trip = CONTRACT_TRIPS.find((t) => t === part.trip);
    if (trip === undefined) {
      fail(`its condition ${part.trip} is not one the contract holds (LL, L, H, HH)`);
      continue;
    }
    if (cause === undefined || !instrumentTags.has(cause)) {
      fail("the initiating instrument is not in the design");
      continue;
    }
    if (explicitCauses.has(cause)) {
      fail(`${cause} already initiates an interlock the file writes as PlantGAN's`);
      continue;
    }
    const { effects, via } = tripEffects(piping, equipment, fns, signals, actuates);
    const [first, ...rest] = effects;
    if (!first) {
      const reached = signals.map((s) => tags.get(s.fn) ?? fns.get(s.fn)?.candidate ?? describe(s.fn));
      fail(
        "no tagged valve or machine in the design receives its trip signal" +
          (reached.length > 0
            ? ` (it signals ${reached.join(", ")}, which ${reached.length > 1 ? "drive" : "drives"} none)`
            : " (no signal line leaves it)"),
      );
      continue;
    }
    const letters = tagLetters(cause);
    const written = normaliseTag(`${letters}${part.label}${cause.slice(letters.length)}`);
    const tag = written === undefined ? undefined : ctx.tags.claim(written);
    if (tag === undefined) {
      fail(`${letters}${part.label} is longer than a contract tag's six letters`);
      continue;
    }
    out.push({ interlock: { tag, cause: { instrument: cause, trip }, effects: [first, ...rest] }, from: part.fn });
    ctx.consume(el, ...via);
  }
  return out;
}

const CONTRACT_TRIPS: readonly Trip[] = ["LL", "L", "H", "HH"];

/**
 * What a trip reaches: each valve or machine the starting functions (and the functions they signal)
 * drive, and those it drives directly. A valve closes, a machine stops.
 */
function tripEffects(
  piping: PipingResult,
  equipment: EquipmentResult,
  fns: ReadonlyMap<XmlElement, FunctionInfo>,
  starts: readonly { fn: XmlElement; via: readonly XmlElement[] }[],
  direct: readonly { target: ActuatorTarget; via: readonly XmlElement[] }[],
): { effects: Effect[]; via: XmlElement[] } {
  const effects: Effect[] = [];
  const via: XmlElement[] = [];
  const reached = [
    ...direct.map((d) => ({ ...d, path: [] as XmlElement[] })),
    ...starts.flatMap((s) =>
      [...bfs(fns, s.fn, (f) => f.outbound)].flatMap(([el, path]) =>
        (fns.get(el)?.actuates ?? []).map((act) => ({ ...act, path: [...s.via, ...path] })),
      ),
    ),
  ];
  for (const act of reached) {
    const comp = act.target.valve ? piping.componentOf(act.target.valve) : undefined;
    const machine = act.target.machine ? equipment.byElement.get(act.target.machine) : undefined;
    const target = comp?.tag ?? machine?.tag;
    if (target === undefined || effects.some((e) => e.target === target)) continue;
    effects.push({ target, action: machine ? "stop" : "close" });
    via.push(...act.path, ...act.via);
  }
  return { effects, via };
}

/** DEXPI 1.3's port status of a signal line: the condition at which the signal it carries acts. */
const PORT_STATUS: Readonly<Record<string, Trip>> = {
  StatusHighHighPort: "HH",
  StatusHighPort: "H",
  StatusLowPort: "L",
  StatusLowLowPort: "LL",
};

/**
 * The trip conditions the signal lines into a function state, in contract order: their port status
 * (P&ID Toolbox: PI → US on StatusHighHighPort), or the sending function's limit that trips (AutoCAD
 * P&ID: PI-041 writes HH="ZHH" and signals UZ-042).
 */
function inputConditions(info: FunctionInfo): Trip[] {
  const stated = new Set(
    info.inbound.flatMap((link) => [
      ...link.via.flatMap((flow) => PORT_STATUS[genericAttr(flow, "PortStatusSpecialization")?.trim() ?? ""] ?? []),
      ...(link.to === info.el ? limitTrips(link.from) : []),
    ]),
  );
  return CONTRACT_TRIPS.filter((t) => stated.has(t));
}

/**
 * AutoCAD P&ID writes a function's alarm and trip points as generic attributes named HH, H, L and
 * LL: a value of S or Z (an A may follow) with that same condition ("ZHH" on HH) is a trip; an
 * alarm (AH) or a response (OH) is not.
 */
function limitTrips(el: XmlElement): Trip[] {
  return CONTRACT_TRIPS.filter((t) => new RegExp(`^[SZ]A?${t}$`).test(genericAttr(el, t)?.toUpperCase() ?? ""));
}

/** The trip condition that ends a switching function's letters: PSHH → HH, LSL → L. */
function tripCondition(letters: string): Trip | undefined {
  const m = /[SZ][A-Z]*?(HH|LL|H|L)$/.exec(letters.slice(1));
  return m?.[1] as Trip | undefined;
}
