/**
 * Process instrumentation functions → instruments and control loops.
 *
 * Signals are read as a graph: InformationFlow elements (measuring lines, signal lines, signal
 * conveying functions) link functions to each other, to process items (what is measured) and to
 * actuators (what is driven). Where an end points is read from the flow's logical start/end
 * associations, else from its Connection.
 *
 * - An instrument sits `on` what it measures: the equipment of a nozzle or of the equipment itself,
 *   or the line of a piping item or segment (when that item is on no line, the equipment its piping
 *   starts from). A function that measures nothing itself (an indicator, a controller) takes the
 *   mount of the nearest function it gets its signal from.
 * - A controller (a function whose letters after the first hold a C, e.g. LIC) with a measuring function upstream and a valve (or pump/compressor driver)
 *   downstream is a loop: tag = controller, measurement = that instrument, final element = the
 *   valve's tag. The controller is then not listed as an instrument, as in the contract's example.
 * - Trip functions and COMOS trip parts become interlocks (interlocks.ts); the graph's types and
 *   walks are in signal-graph.ts.
 */
import type { Instrument, PlantDesignInput } from "../../design/index.js";
import { drawnTag } from "./drawn-letters.js";
import type { EquipmentResult } from "./equipment.js";
import { isInstrumentLeader } from "./inline-functions.js";
import { inferInterlocks } from "./interlocks.js";
import { functionsByLabelPath, parentByLabelPath } from "./label-path.js";
import { ancestor, componentClass, connectionOf, describe, genericAttr } from "./model.js";
import type { PipingResult } from "./piping.js";
import type { ImportContext } from "./report.js";
import {
  type ActuatorTarget,
  bfs,
  type FunctionInfo,
  type Link,
  type Mount,
  nearest,
  reachable,
  type TripPart,
} from "./signal-graph.js";
import { signalPart } from "./signal-parts.js";
import { loopNumber, normaliseTag, tagLetters } from "./tags.js";
import { levelTappingVessel } from "./tapping.js";
import type { XmlElement } from "./xml.js";

/** DISC/NOAKA type codes of control and shutdown system nodes (process and emergency shutdown, motor control, control and safety systems, fire and gas). */
const SYSTEM_NODE_CODES = new Set(["PSD", "ESD", "MCC", "PCS", "SAS", "F&G"]);

/** A loop as written in a design file (action left to its default). */
type Loop = NonNullable<NonNullable<PlantDesignInput["control"]>["loops"]>[number];

/** An interlock as written in a design file. */
type Interlock = NonNullable<NonNullable<PlantDesignInput["control"]>["interlocks"]>[number];

export interface InstrumentationResult {
  readonly instruments: readonly Instrument[];
  readonly loops: readonly Loop[];
  readonly interlocks: readonly Interlock[];
  /** Sentences for the report's warnings: each instrument imported without a mount, and why. */
  readonly warnings: readonly string[];
}

/** Where a signal end leads. */
type Endpoint =
  | { readonly kind: "pif"; readonly pif: XmlElement; readonly via: readonly XmlElement[] }
  | { readonly kind: "process"; readonly el: XmlElement; readonly via: readonly XmlElement[] }
  | { readonly kind: "actuator"; readonly target: ActuatorTarget; readonly via: readonly XmlElement[] }
  | { readonly kind: "trip"; readonly part: XmlElement; readonly via: readonly XmlElement[] }
  | { readonly kind: "none" };

export function importInstrumentation(
  ctx: ImportContext,
  equipment: EquipmentResult,
  piping: PipingResult,
  /** Elements another reader took (a PlantGAN export's interlocks): not functions, not signals here. */
  handled: ReadonlySet<XmlElement> = new Set(),
  /** Instruments that already initiate an interlock read as written: no second one is inferred. */
  interlockCauses: ReadonlySet<string> = new Set(),
): InstrumentationResult {
  const fns = new Map<XmlElement, FunctionInfo>();
  for (const el of ctx.doc.items) {
    if (handled.has(el) || !isInstrumentFunction(el, piping)) continue;
    const { candidate, letters } = instrumentTag(ctx, el);
    fns.set(el, { el, candidate, letters, measures: [], actuates: [], inbound: [], outbound: [], own: [] });
  }
  const trips = new Map<XmlElement, TripPart>();
  for (const el of ctx.doc.items) {
    const part = signalPart(ctx.doc, el);
    if (part?.trip !== undefined && fns.has(part.fn))
      trips.set(el, { part: { ...part, trip: part.trip }, signals: [], actuates: [] });
  }
  const resolver = new EndpointResolver(ctx, equipment, piping, fns, trips);

  // Signal graph from every information flow (DEXPI 1.2+), signal line (the older ProteusSchema 3.x
  // style) and instrument leader drawn as a segment that is on no line (AutoCAD P&ID).
  for (const flow of ctx.doc.items) {
    const leader =
      flow.name === "PipingNetworkSegment" && piping.lineOf(flow) === undefined && isInstrumentLeader(ctx.doc, flow);
    if ((flow.name !== "InformationFlow" && flow.name !== "SignalLine" && !leader) || handled.has(flow)) continue;
    const [start, end] = flowEnds(ctx, flow);
    const a = start ? resolver.resolve(start) : ({ kind: "none" } as const);
    const b = end ? resolver.resolve(end) : ({ kind: "none" } as const);
    for (const [p, q] of [
      [a, b],
      [b, a],
    ] as const) {
      if (p.kind === "trip") {
        // A signal line from a trip part carries the trip to a function (the logic) or an actuator.
        const trip = trips.get(p.part);
        const via = [flow, ...p.via, ...(q.kind === "none" ? [] : q.via)];
        if (q.kind === "pif") trip?.signals.push({ fn: q.pif, via });
        else if (q.kind === "actuator") trip?.actuates.push({ target: q.target, via });
      }
      if (p.kind !== "pif") continue;
      const info = fns.get(p.pif);
      if (!info) continue;
      const via = [flow, ...p.via, ...(q.kind === "none" ? [] : q.via)];
      // A signal from the function to a control valve in the line commands it (I02V02_AUD: HC-002 → HV-002).
      // A leader only ties a bubble to what it belongs to, drawn either way: a controller's leader to a
      // control valve is the valve's controller (I06V02_AUD draws it from CV-? to YCS-033).
      const drives = p === a || (componentClass(flow) === "Leader" && isController(info));
      if (q.kind === "process" && drives && piping.componentOf(q.el)?.type === "control_valve")
        info.actuates.push({ target: { valve: q.el }, via });
      else if (q.kind === "process") info.measures.push({ el: q.el, via });
      else if (q.kind === "actuator") info.actuates.push({ target: q.target, via });
    }
    if (a.kind === "pif" && b.kind === "pif" && a.pif === b.pif) fns.get(a.pif)?.own.push(flow, ...a.via, ...b.via);
    if (a.kind === "pif" && b.kind === "pif" && a.pif !== b.pif) {
      const link: Link = { from: a.pif, to: b.pif, via: [flow, ...a.via, ...b.via] };
      fns.get(a.pif)?.outbound.push(link);
      fns.get(b.pif)?.inbound.push(link);
    }
  }
  // Sensors and actuating functions written inside the function, and its own location.
  for (const info of fns.values()) {
    for (const child of info.el.children) {
      if (child.name === "ProcessSignalGeneratingFunction") {
        const at = locationOf(ctx, child);
        const r = at ? resolver.resolve(at) : undefined;
        if (r?.kind === "process") info.measures.push({ el: r.el, via: [child, ...r.via] });
      } else if (child.name === "ActuatingFunction") {
        const r = resolver.resolve(child);
        if (r.kind === "actuator") info.actuates.push({ target: r.target, via: [child, ...r.via] });
      }
    }
    const own = locationOf(ctx, info.el);
    const r = own ? resolver.resolve(own) : undefined;
    if (r?.kind === "process") info.measures.push({ el: r.el, via: r.via });
    // An off-line ProcessInstrument measures where the measuring line it ends leads.
    const seg = info.el.name === "ProcessInstrument" ? piping.segmentOf(info.el) : undefined;
    if (seg) info.measures.push({ el: seg, via: [] });
  }

  /** `letters`: the measuring function's, when it is known (a level function reads a vessel through its tapping). */
  const mountOf = (el: XmlElement, via: readonly XmlElement[], letters = ""): Mount | undefined => {
    const nozzle = equipment.nozzles.get(el);
    if (nozzle) return { on: { tag: nozzle.tag }, via };
    const eq = equipment.byElement.get(el);
    if (eq) return { on: { tag: eq.tag }, via };
    const line = piping.lineOf(el);
    const imported = line === undefined ? undefined : piping.lines.find((l) => l.id === line);
    const vessel = letters.startsWith("L") && imported ? levelTappingVessel(imported, equipment) : undefined;
    if (vessel) {
      return {
        on: { tag: vessel },
        via,
        note: `measures level through ${describe(el)} on line ${line}, a tapping from ${vessel} that ends in the open; mounted on ${vessel}`,
      };
    }
    if (line) return { on: { line }, via };
    const near = piping.equipmentNear(el);
    if (near) {
      return {
        on: { tag: near },
        via,
        note: `measures at ${describe(el)}, which is on no line; mounted on ${near}, where that piping starts`,
      };
    }
    const reached = piping.reachLine(el);
    if (reached) {
      const where = "line" in reached ? `line ${reached.line}` : reached.tag;
      return { on: reached, via, note: `measures through ${describe(el)}, which leads to ${where}` };
    }
    return undefined;
  };
  for (const info of fns.values()) {
    for (const m of info.measures) {
      const mount = mountOf(m.el, m.via, info.letters);
      if (mount) {
        info.direct = mount;
        break;
      }
    }
  }

  // Mounts: own measurement, else the nearest upstream (then any) function's, else the driven valve's line.
  const mounts = new Map<XmlElement, Mount>();
  for (const info of fns.values()) {
    if (info.direct) {
      mounts.set(info.el, info.direct);
      continue;
    }
    const found =
      nearest(
        fns,
        info.el,
        (f) => f.inbound,
        (f) => f.direct !== undefined,
      ) ??
      nearest(
        fns,
        info.el,
        (f) => [...f.inbound, ...f.outbound],
        (f) => f.direct !== undefined,
      );
    if (found) {
      const source = fns.get(found.target)!;
      const tag = source.candidate ?? describe(source.el);
      mounts.set(info.el, {
        on: source.direct!.on,
        via: [...found.via, ...source.direct!.via],
        note: `mounted where ${tag} is, which it gets its signal from`,
      });
      continue;
    }
    for (const act of info.actuates) {
      const el = act.target.valve ?? act.target.machine ?? act.target.at;
      const mount = el && mountOf(el, act.via);
      if (mount) {
        mounts.set(info.el, { ...mount, note: `mounted where the ${describe(el)} it drives is` });
        break;
      }
    }
  }

  // Why a controller or trip function formed no loop or interlock, for its loop function's entry.
  const notFormed = new Map<XmlElement, string>();

  // Loops.
  /** `measurement` is absent for a hand controller (HC, HIC): the operator sets its output. */
  const loops: { controller: FunctionInfo; measurement?: FunctionInfo; final: string; via: XmlElement[] }[] = [];
  const usedAsMeasurement = new Set<XmlElement>();
  for (const info of fns.values()) {
    if (!isController(info)) continue;
    const tag = info.candidate ?? describe(info.el);
    const upstream = reachable(fns, info.el, (f) => f.inbound);
    // The measurement: the nearest function upstream that measures something (mounted or not), else
    // the controller itself when it measures, else the nearest function that sends it a signal at all
    // (an unmounted transmitter, as a PlantGAN export writes one).
    // A controller that sends it a signal sets its set point (a cascade's master), so one that does
    // not control comes first.
    const m =
      nearest(fns, info.el, (f) => f.inbound, measures) ??
      (measures(info)
        ? undefined
        : (nearest(
            fns,
            info.el,
            // Not through another controller: a master's own transmitter is not this one's measurement.
            (f) => (f !== info && isController(f) ? [] : f.inbound),
            (f) => !isController(f),
          ) ??
          nearest(
            fns,
            info.el,
            (f) => f.inbound,
            () => true,
          )));
    const measurement = m ? fns.get(m.target) : measures(info) ? info : undefined;
    let final: { tag: string; via: XmlElement[] } | string | undefined;
    for (const [candidate, path] of bfs(fns, info.el, (f) =>
      [...f.outbound, ...f.inbound].filter((l) => !upstream.has(l.from === f.el ? l.to : l.from)),
    )) {
      const next = fns.get(candidate);
      // Another controller that drives something owns what it drives: this one sets it (a cascade),
      // and a final element takes one loop's output (I06V02_AUD: YCS-032 → YCS-033 → the valve).
      if (candidate !== info.el && next && isController(next) && next.actuates.length > 0) {
        const slave = next.candidate ?? describe(next.el);
        final = `its output goes to controller ${slave}, which drives the final element (a cascade: the contract gives a final element one loop)`;
        break;
      }
      for (const act of next?.actuates ?? []) {
        const found = finalElement(ctx, piping, equipment, info, act.target);
        final = typeof found === "object" ? { tag: found.tag, via: [...path, ...act.via] } : found;
        if (final) break;
      }
      if (final) break;
    }
    const fail = (reason: string) => {
      ctx.refuseDerived({ element: "ControlLoop", ...(info.el.attrs.ID ? { id: info.el.attrs.ID } : {}), reason });
      notFormed.set(info.el, `its controller is no loop: ${reason}`);
    };
    const hand = /^HI?C/.test(info.letters);
    if (info.candidate === undefined) fail(`controller ${tag} has no readable tag`);
    else if (!measurement && !hand) fail(`controller ${tag}: no measuring instrument sends it a signal`);
    else if (measurement && measurement.candidate === undefined)
      fail(`controller ${tag}: its measurement ${describe(measurement.el)} has no readable tag`);
    else if (final === undefined) fail(`controller ${tag}: no valve or driven machine receives its output`);
    else if (typeof final === "string") fail(`controller ${tag}: ${final}`);
    else {
      loops.push({
        controller: info,
        ...(measurement ? { measurement } : {}),
        final: final.tag,
        via: [...final.via, ...(m?.via ?? [])],
      });
      if (measurement) usedAsMeasurement.add(measurement.el);
    }
  }
  // A cascade's final element takes one loop, the slave's. Where the slave passes its output on
  // through a relay (FIC → FY → valve), the master's signal path reaches the valve through the slave
  // too: a controller whose output reaches another controller of the same final element (and not the
  // other way round) is that cascade's master, and refused. Controllers that do not reach each other
  // share the element as the file draws them (a selector or split range; the validator judges it).
  const byFinal = new Map<string, typeof loops>();
  for (const l of loops) byFinal.set(l.final, [...(byFinal.get(l.final) ?? []), l]);
  for (const group of byFinal.values()) {
    if (group.length < 2) continue;
    const downstream = new Map(group.map((l) => [l, reachable(fns, l.controller.el, (f) => f.outbound)]));
    const reaches = (a: (typeof loops)[number], b: (typeof loops)[number]) =>
      downstream.get(a)?.has(b.controller.el) === true;
    for (const l of group) {
      const slave = group.find((k) => k !== l && reaches(l, k) && !reaches(k, l));
      if (!slave) continue;
      loops.splice(loops.indexOf(l), 1);
      const tag = l.controller.candidate ?? describe(l.controller.el);
      const kept = slave.controller.candidate ?? describe(slave.controller.el);
      const reason = `controller ${tag}: its output goes to controller ${kept}, which drives the final element ${l.final} (a cascade: the contract gives a final element one loop)`;
      ctx.refuseDerived({
        element: "ControlLoop",
        ...(l.controller.el.attrs.ID ? { id: l.controller.el.attrs.ID } : {}),
        reason,
      });
      notFormed.set(l.controller.el, `its controller is no loop: ${reason}`);
      if (l.measurement && !loops.some((o) => o.measurement === l.measurement))
        usedAsMeasurement.delete(l.measurement.el);
    }
  }
  const controllers = new Set(loops.map((l) => l.controller.el));

  // Tags, claimed in document order so duplicates get the suffix, not the first holder.
  const tags = new Map<XmlElement, string>();
  const claim = (info: FunctionInfo): string | undefined => {
    const existing = tags.get(info.el);
    if (existing !== undefined || info.candidate === undefined) return existing;
    const tag = ctx.tags.claim(info.candidate);
    if (tag === undefined) return undefined;
    tags.set(info.el, tag);
    const raw = info.el.attrs.TagName;
    if (tag !== raw) ctx.rename(info.el, raw ?? "", tag);
    return tag;
  };

  const instruments: Instrument[] = [];
  const warnings: string[] = [];
  for (const info of fns.values()) {
    const mount = mounts.get(info.el);
    if (controllers.has(info.el) && !usedAsMeasurement.has(info.el)) continue;
    const tag = claim(info);
    if (tag === undefined) {
      // DISC/NOAKA writes the nodes of the shutdown and control systems (PSD, ESD, MCC) as untagged
      // functions with only their system's type code.
      const code = genericAttr(info.el, "TypeCodeAssignmentClass")?.trim().toUpperCase();
      const system = code !== undefined && SYSTEM_NODE_CODES.has(code) ? code : undefined;
      ctx.refuse(
        info.el,
        system !== undefined
          ? `a node of the ${system} system (TypeCodeAssignmentClass ${system}) with no tag: the contract has no place for a control or shutdown system node`
          : "no tag could be read from it (TagName, category and number, or its loop number)",
      );
      continue;
    }
    if (!mount) {
      // The contract allows an unmounted instrument: kept for its loops and interlocks, and said so.
      instruments.push({ tag });
      ctx.consume(info.el, ...info.own);
      warnings.push(
        `instrument ${tag} has no mount in the file: nothing it measures or drives is in the design, so it is imported unmounted`,
      );
      continue;
    }
    instruments.push({ tag, on: mount.on });
    ctx.consume(info.el, ...mount.via, ...info.own);
    // Further connections to what it measures (the second leg of a differential measurement) belong to it too.
    for (const m of info.measures) if (mountOf(m.el, m.via)) ctx.consume(...m.via);
    if (mount.note) ctx.note(info.el, `${tag}: ${mount.note}`);
  }
  const result: Loop[] = [];
  for (const l of loops) {
    const tag = claim(l.controller);
    const measurement = l.measurement && (tags.get(l.measurement.el) ?? claim(l.measurement));
    if (tag === undefined || (l.measurement && measurement === undefined)) continue;
    result.push({ tag, ...(measurement ? { measurement } : {}), finalElement: l.final });
    ctx.consume(l.controller.el, ...l.via, ...l.controller.own);
  }

  const instrumentTags = new Set(instruments.map((i) => i.tag));
  const interlocks = inferInterlocks({
    ctx,
    piping,
    equipment,
    fns,
    trips,
    tags,
    instrumentTags,
    explicitCauses: interlockCauses,
    notFormed,
  });

  // Signals to actuators that no loop or interlock took: say which valve they drive.
  for (const info of fns.values()) {
    for (const act of info.actuates) {
      const el = act.target.valve ?? act.target.machine ?? act.target.at;
      const first = act.via[0];
      if (el && first) ctx.refuse(first, `drives ${describe(el)}, which is not the final element of a mapped loop`);
    }
  }

  // A loop function (DEXPI) is a loop or interlock when one of its functions leads one, else it is
  // reported with why not; the older InstrumentLoop grouping is represented when one of its instruments is.
  const leaders = new Set<XmlElement>([
    ...loops.filter((l) => result.some((r) => r.tag === tags.get(l.controller.el))).map((l) => l.controller.el),
    ...interlocks.map((il) => il.from),
  ]);
  const measurementOf = new Map(
    loops.flatMap((l) => (l.measurement ? [[l.measurement.el, tags.get(l.controller.el)] as const] : [])),
  );
  for (const el of ctx.doc.items) {
    if (el.name !== "InstrumentationLoopFunction" && el.name !== "InstrumentLoop") continue;
    const members = loopMembers(ctx, el);
    if (el.name === "InstrumentLoop") {
      if (members.some((m) => ctx.isConsumed(m))) ctx.consume(el);
      else ctx.refuse(el, "loop grouping whose instruments were not mapped");
    } else if (members.some((m) => leaders.has(m))) ctx.consume(el);
    else ctx.refuse(el, loopFunctionReason(members, fns, tags, notFormed, measurementOf));
  }
  return { instruments, loops: result, interlocks: interlocks.map((il) => il.interlock), warnings };
}

/**
 * The functions a loop grouping holds: by association or as children; a loop function that names
 * none (AutoCAD P&ID writes it apart) holds the functions that carry its loop number.
 */
function loopMembers(ctx: ImportContext, loop: XmlElement): XmlElement[] {
  const members = new Set([
    ...ctx.doc.related(loop, "is a collection including"),
    ...ctx.doc.relatedFrom(loop, "is a part of"),
    ...loop.children.filter((c) => c.name === "ProcessInstrumentationFunction"),
    ...functionsByLabelPath(ctx.doc, loop),
  ]);
  if (members.size > 0 || loop.name !== "InstrumentationLoopFunction") return [...members];
  const number = loopNumber(
    genericAttr(loop, "InstrumentationLoopFunctionNumberAssignmentClass") ?? loop.attrs.TagName ?? "",
  );
  if (number === undefined) return [];
  return ctx.doc.items.filter(
    (el) =>
      el.name === "ProcessInstrumentationFunction" &&
      loopNumber(genericAttr(el, "ProcessInstrumentationFunctionNumberAssignmentClass") ?? "") === number,
  );
}

/** Why a loop function holds no loop or interlock, from what became of its functions. */
function loopFunctionReason(
  members: readonly XmlElement[],
  fns: ReadonlyMap<XmlElement, FunctionInfo>,
  tags: ReadonlyMap<XmlElement, string>,
  notFormed: ReadonlyMap<XmlElement, string>,
  measurementOf: ReadonlyMap<XmlElement, string | undefined>,
): string {
  const failed = members.flatMap((m) => {
    const why = notFormed.get(m);
    return why ? [`${tags.get(m) ?? fns.get(m)?.candidate ?? describe(m)}: ${why}`] : [];
  });
  if (failed.length > 0) return `no loop or interlock: ${failed.join("; ")}`;
  const named = members.filter((m) => fns.has(m)).map((m) => tags.get(m) ?? fns.get(m)?.candidate ?? describe(m));
  if (named.length === 0) return "no loop or interlock: it groups no instrument function";
  const part = members.flatMap((m) => {
    const loop = measurementOf.get(m);
    return loop ? [`${tags.get(m)} is the measurement of loop ${loop}`] : [];
  });
  return (
    `no loop or interlock: none of its functions (${named.join(", ")}) controls (C) or switches with a trip condition (S/Z + H/L)` +
    (part.length > 0 ? `; ${part.join("; ")}` : "")
  );
}

/** Whether a function measures something in the file (mounted or not). */
function measures(f: FunctionInfo): boolean {
  return f.direct !== undefined || f.measures.length > 0;
}

/** Resolves a signal end to a function, a process item or an actuator target. */
class EndpointResolver {
  constructor(
    private readonly ctx: ImportContext,
    private readonly equipment: EquipmentResult,
    private readonly piping: PipingResult,
    private readonly functions: ReadonlyMap<XmlElement, unknown>,
    private readonly trips: ReadonlyMap<XmlElement, unknown>,
  ) {}

  resolve(el: XmlElement, depth = 0): Endpoint {
    if (depth > 4) return { kind: "none" };
    const doc = this.ctx.doc;
    if (this.functions.has(el)) return { kind: "pif", pif: el, via: [] };
    if (this.trips.has(el)) return { kind: "trip", part: el, via: [] };
    switch (el.name) {
      case "ProcessInstrumentationFunction": {
        // A function the piping took as an item of a line: a valve is driven, a flow element measures there.
        const comp = this.piping.componentOf(el);
        if (!comp) return { kind: "pif", pif: el, via: [] };
        return /_valve$/.test(comp.type)
          ? { kind: "actuator", target: { valve: el }, via: [] }
          : { kind: "process", el, via: [] };
      }
      case "InstrumentComponent":
        return this.actuatorComponent(el);
      case "ActuatingFunction":
        return this.actuatingFunction(el);
      case "ActuatingSystem":
        return this.actuatingSystem(el, [el]);
      case "ActuatingSystemComponent": {
        const sys = ancestor(el, "ActuatingSystem");
        return sys ? this.actuatingSystem(sys, [el, sys]) : { kind: "none" };
      }
      case "ProcessSignalGeneratingFunction": {
        const pif = ancestor(el, "ProcessInstrumentationFunction");
        return pif ? { kind: "pif", pif, via: [el] } : { kind: "none" };
      }
      case "ProcessSignalGeneratingSystem":
      case "ProcessSignalGeneratingSystemComponent": {
        const target = doc.related(el, "refers to")[0] ?? locationOf(this.ctx, el);
        const r = target ? this.resolve(target, depth + 1) : undefined;
        return r && r.kind !== "none" ? { ...r, via: [el, ...r.via] } : { kind: "none" };
      }
      case "Equipment": {
        // Equipment drawn in the pipe (a COMOS flow element) is measured where it sits.
        if (el.parent?.name === "PipingNetworkSegment") return { kind: "process", el, via: [] };
        const item = ancestor(el, "PipingComponent", "ProcessInstrument");
        if (item) return { kind: "actuator", target: { valve: item }, via: [el] };
        const parent = ancestor(el, "Equipment");
        if (parent && /Motor|Driver|Drive|Turbine|Engine|Actuator/i.test(componentClass(el))) {
          return { kind: "actuator", target: { machine: parent }, via: [el] };
        }
        return this.equipment.byElement.has(el) ? { kind: "process", el, via: [] } : { kind: "none" };
      }
      case "Nozzle":
      case "PipingComponent":
      case "ProcessInstrument":
      case "PropertyBreak":
      case "PipingNetworkSegment":
        return { kind: "process", el, via: [] };
      default: {
        const pif = ancestor(el, "ProcessInstrumentationFunction");
        return pif ? { kind: "pif", pif, via: [el] } : { kind: "none" };
      }
    }
  }

  /**
   * An actuator written as an InstrumentComponent (older style) names no valve: the valve is the
   * member of the same InstrumentLoop that sits in the piping.
   */
  private actuatorComponent(el: XmlElement): Endpoint {
    const doc = this.ctx.doc;
    const loops = [...doc.relatedFrom(el, "is a collection including"), ...doc.related(el, "is a part of")];
    for (const loop of loops) {
      for (const member of doc.related(loop, "is a collection including")) {
        if (member !== el && this.piping.segmentOf(member) && !this.functions.has(member)) {
          return { kind: "actuator", target: { valve: member }, via: [el] };
        }
      }
    }
    return { kind: "none" };
  }

  private actuatingFunction(af: XmlElement): Endpoint {
    const doc = this.ctx.doc;
    for (const sys of [...doc.related(af, "is fulfilled by"), ...doc.relatedFrom(af, "fulfills")]) {
      const r = this.actuatingSystem(sys, [af, sys]);
      if (r.kind === "actuator" && (r.target.valve || r.target.machine)) return r;
    }
    const at = locationOf(this.ctx, af);
    return at ? { kind: "actuator", target: { at }, via: [af] } : { kind: "none" };
  }

  private actuatingSystem(sys: XmlElement, via: XmlElement[]): Endpoint {
    const doc = this.ctx.doc;
    for (const c of sys.children) {
      if (c.name !== "ActuatingSystemComponent") continue;
      const valve = doc.related(c, "refers to")[0] ?? doc.relatedFrom(c, "is referenced by")[0];
      if (valve)
        return {
          kind: "actuator",
          target: { valve },
          via: [...via, ...sys.children.filter((x) => x.name === "ActuatingSystemComponent")],
        };
    }
    for (const af of [...doc.related(sys, "fulfills"), ...doc.relatedFrom(sys, "is fulfilled by")]) {
      const at = locationOf(this.ctx, af);
      if (at) return { kind: "actuator", target: { at }, via: [...via, af] };
    }
    return { kind: "none" };
  }
}

/**
 * Elements read as instrument functions: DEXPI's ProcessInstrumentationFunction, and in the older
 * style an off-line ProcessInstrument (one the piping did not take as an inline component) or an
 * InstrumentComponent that is not an actuator.
 */
function isInstrumentFunction(el: XmlElement, piping: PipingResult): boolean {
  if (el.name === "ProcessInstrumentationFunction") return !piping.componentOf(el);
  if (el.name === "ProcessInstrument") {
    if (piping.componentOf(el)) return false;
    const letters = tagLetters(el.attrs.TagName ?? "");
    return letters !== "" && !letters.endsWith("V") && !/valve|regulator/i.test(componentClass(el));
  }
  if (el.name === "InstrumentComponent") return !/actuator/i.test(componentClass(el));
  return false;
}

/** Logical start and end of a flow (associations first, then the Connection). */
function flowEnds(ctx: ImportContext, flow: XmlElement): [XmlElement | undefined, XmlElement | undefined] {
  const doc = ctx.doc;
  const conn = connectionOf(flow);
  const start =
    doc.related(flow, "has logical start")[0] ??
    doc.relatedFrom(flow, "is logical start of")[0] ??
    doc.get(conn?.fromId);
  const end =
    doc.related(flow, "has logical end")[0] ?? doc.relatedFrom(flow, "is logical end of")[0] ?? doc.get(conn?.toId);
  return [start, end];
}

/** Where a function is located ("is located in", or an item saying it "is the location of" it). */
function locationOf(ctx: ImportContext, el: XmlElement): XmlElement | undefined {
  return (
    ctx.doc.related(el, "is located in")[0] ??
    ctx.doc.relatedFrom(el, "is the location of")[0] ??
    ctx.doc.get(connectionOf(el)?.fromId)
  );
}

/**
 * Tag of a function: its TagName when that reads as a tag ("HC 02" → HC-02), with letters the
 * attributes or its drawing label (drawn-letters.ts) complete; else letters (TagName letters, or category + modifier + functions) with a number (the function's number, or its
 * loop's: COMOS writes "LT" on the function and "100" on the loop → LT-100).
 */
function instrumentTag(ctx: ImportContext, el: XmlElement): { candidate: string | undefined; letters: string } {
  const written = writtenTag(ctx, el);
  const drawn = written.candidate === undefined ? undefined : drawnTag(ctx, el, written.candidate, written.letters);
  if (!drawn) return written;
  ctx.note(
    el,
    `${drawn.candidate}: letters ${drawn.letters} read from the label of ${describe(drawn.from)}; the file's TagName "${el.attrs.TagName ?? ""}" writes only ${written.letters}`,
  );
  return drawn;
}

/** The tag the function's own TagName and attributes spell, before any label completes it. */
function writtenTag(ctx: ImportContext, el: XmlElement): { candidate: string | undefined; letters: string } {
  const tagName = el.attrs.TagName?.trim() ?? "";
  // ISA-5.1 order: measured variable, its modifier (the D of PDI), then the functions ("L", "I" → LI).
  const category = genericAttr(el, "ProcessInstrumentationFunctionCategoryAssignmentClass") ?? "";
  const modifier = genericAttr(el, "ProcessInstrumentationFunctionModifierAssignmentClass") ?? "";
  const functions = genericAttr(el, "ProcessInstrumentationFunctionsAssignmentClass") ?? "";
  const attributed = `${category}${modifier}${functions}`.toUpperCase().replace(/[^A-Z]/g, "");
  // DISC/NOAKA (Dexpi2Imf chex): a field instrument writes neither TagName nor category and function
  // letters, only its number and, among its custom attributes, its letters as TagTypeAssignmentClass
  // ("TI"; its ItemTagAssignmentClass "D-20TI0003" adds the plant prefix). Read only where nothing else states them.
  const typed =
    attributed === "" && tagName === ""
      ? (genericAttr(el, "TagTypeAssignmentClass") ?? "").toUpperCase().replace(/[^A-Z]/g, "")
      : "";
  if (typed !== "")
    ctx.note(
      el,
      `letters ${typed} read from its TagTypeAssignmentClass: it has no TagName and no category or function letters`,
    );
  const written = attributed || typed;
  // A TagName may write only the first letters of what the attributes spell out ("L470103" for
  // L + ICSA, DEXPI's own I01 example), or other letters than they do ("PI_4750.03" on a function
  // of category T with functions ICSA, C02V01-VER): the letters are the attributes' then, the
  // number the TagName's. Where the TagName says more than the attributes (PICSA, attributes P),
  // or the same variable with other letters (PDIC, attributes P + IC: a modifier left unwritten),
  // it stands: the attributes win where they extend it or measure another variable.
  const fromAttributes = (own: string) =>
    written !== "" && !own.startsWith(written) && (written.startsWith(own) || own[0] !== written[0]);
  const letters = fromAttributes(tagLetters(tagName)) ? written : tagLetters(tagName);
  const contradicted = (own: string) => {
    if (own !== "" && !written.startsWith(own) && fromAttributes(own))
      ctx.note(
        el,
        `letters ${written} read from its category and function attributes; the file's TagName "${tagName}" writes ${own}, which they contradict`,
      );
  };
  const direct = tagName ? normaliseTag(tagName) : undefined;
  if (direct !== undefined) {
    const own = tagLetters(direct);
    const whole = fromAttributes(own) ? normaliseTag(`${written}${direct.slice(own.length)}`) : undefined;
    if (whole) contradicted(own);
    return whole ? { candidate: whole, letters: written } : { candidate: direct, letters: own };
  }
  contradicted(tagLetters(tagName));
  const loop =
    ctx.doc.related(el, "is a part of").find((x) => x.name === "InstrumentationLoopFunction") ??
    ctx.doc.relatedFrom(el, "is a collection including")[0] ??
    ancestor(el, "InstrumentationLoopFunction") ??
    parentByLabelPath(ctx.doc, el, "InstrumentationLoopFunction");
  // A ProcessInstrument's TagName reads as the whole tag ("PICSA 4712.02"); its loop is only a grouping.
  const number =
    loopNumber(genericAttr(el, "ProcessInstrumentationFunctionNumberAssignmentClass") ?? "") ??
    loopNumber(tagName) ??
    (loop
      ? loopNumber(loop.attrs.TagName ?? genericAttr(loop, "InstrumentationLoopFunctionNumberAssignmentClass") ?? "")
      : undefined);
  if (!letters || number === undefined) return { candidate: undefined, letters };
  return { candidate: normaliseTag(`${letters}-${number}`), letters };
}

/**
 * ISA-5.1: a C after the measured-variable letter means control (LIC, FC, HC); "…CV" is a
 * self-acting valve. Relays and converters (LY) that pass a controller's output on are not loops.
 */
function isController(info: FunctionInfo): boolean {
  return info.letters.slice(1).includes("C") && !info.letters.endsWith("V");
}

/** The final element's tag for an actuator target, or why there is none. */
function finalElement(
  ctx: ImportContext,
  piping: PipingResult,
  equipment: EquipmentResult,
  controller: FunctionInfo,
  target: ActuatorTarget,
): { tag: string } | string | undefined {
  if (target.machine) {
    const eq = equipment.byElement.get(target.machine);
    if (eq && (eq.type === "pump" || eq.type === "compressor")) return { tag: eq.tag };
    return eq ? `the driven ${eq.tag} is not a pump or compressor` : undefined;
  }
  if (!target.valve)
    return target.at ? `it drives a valve on ${describe(target.at)} that the file does not name` : undefined;
  const comp = piping.componentOf(target.valve);
  if (!comp) {
    const seg = piping.segmentOf(target.valve);
    return `final element ${describe(target.valve)} is not on a mapped line${seg ? ` (${describe(seg)} is not a line)` : ""}`;
  }
  if (comp.type !== "control_valve")
    return `final element ${describe(target.valve)} is an on/off ${comp.type}, not a control valve`;
  if (comp.tag !== undefined) return { tag: comp.tag };
  // An untagged control valve takes the ISA name for its controller's valve, loop suffix and all:
  // LIC-101 → LV-101, PICSA-4712.02 → PV-4712.02.
  const number = loopNumber((controller.candidate ?? "").slice(controller.letters.length));
  const first = controller.letters[0];
  const tag = number && first ? ctx.tags.claim(`${first}V-${number}`) : undefined;
  if (tag === undefined) return `final element ${describe(target.valve)} has no tag`;
  piping.setComponentTag(target.valve, tag);
  // A placeholder the file writes ("CV-?") is no tag, but the report keeps it as the file's text.
  const written = target.valve.attrs.TagName?.trim() ?? "";
  ctx.rename(target.valve, written, tag);
  if (written !== "")
    ctx.note(
      target.valve,
      `control valve named ${tag} after its controller ${controller.candidate}: the file's tag "${written}" is no valid tag`,
    );
  return { tag };
}
