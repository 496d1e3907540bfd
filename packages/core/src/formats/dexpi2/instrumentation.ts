/**
 * DEXPI 2.0 instrumentation → contract instruments and control loops.
 * - An instrument is a ProcessInstrumentationFunction with a ProcessSignalGeneratingFunction whose
 *   SensingLocation is imported equipment, one of its nozzles, or an item or segment of an
 *   imported line (on a stub with an open end, which is no line: the equipment the stub leaves).
 * - A loop is an InstrumentationLoopFunction holding a controller (function letters with "C"),
 *   whose ActuatingFunction drives, through its ActuatingSystem, a valve on an imported line,
 *   and an imported instrument: tag of the controller, measurement, final element. A hand
 *   controller (HC, HIC) measures nothing: its loop has no measurement.
 */
import type { Instrument, Loop } from "../../design/index.js";
import type { Dexpi2Context } from "./context.js";
import type { EquipmentImport } from "./equipment.js";
import { componentsOf, type Dexpi2Object, dataOf, refOf } from "./model.js";
import type { PipingImport } from "./piping.js";
import { claimTag } from "./tags.js";

const isFunction = (o: Dexpi2Object) => o.role === "ProcessInstrumentationFunctions";

/** Is the function a controller: its letters (ProcessInstrumentationFunctions data or TagType) hold "C". */
function isController(f: Dexpi2Object): boolean {
  const letters = dataOf(f, "ProcessInstrumentationFunctions") ?? dataOf(f, "TagType") ?? "";
  return /C/.test(letters.replace(/^[A-Z]/, ""));
}

/** The valves a function's actuating functions drive (object ids), with the actuation objects on the way. */
function drivenValves(ctx: Dexpi2Context, f: Dexpi2Object): { valves: string[]; via: Dexpi2Object[] } {
  const valves: string[] = [];
  const via: Dexpi2Object[] = [];
  for (const af of componentsOf(f, "ActuatingFunctions")) {
    via.push(af);
    for (const sysId of refOf(af, "Systems")) {
      const sys = ctx.model.byId.get(sysId);
      if (!sys) continue;
      via.push(sys);
      for (const ref of componentsOf(sys, "OperatedValveReference")) valves.push(...refOf(ref, "Valve"));
    }
  }
  return { valves, via };
}

/** Valves a controller drives: they are the final elements, hence control valves. */
export function controlledValves(ctx: Dexpi2Context): Set<string> {
  return new Set(
    ctx.model.all.filter((f) => isFunction(f) && isController(f)).flatMap((f) => drivenValves(ctx, f).valves),
  );
}

export function importInstrumentation(
  ctx: Dexpi2Context,
  equipment: EquipmentImport,
  piping: PipingImport,
): { instruments: Instrument[]; loops: Loop[] } {
  const functions = ctx.model.all.filter(isFunction);
  const instruments: Instrument[] = [];
  const instrumentTag = new Map<Dexpi2Object, string>();
  for (const f of functions) {
    const sensing = componentsOf(f, "ProcessSignalGeneratingFunctions");
    const location = sensing.flatMap((s) => refOf(s, "SensingLocation"))[0];
    if (location === undefined) continue;
    const on = locate(location, equipment, piping);
    if (on && "tag" in on && !equipment.tagById.has(location) && !equipment.nozzleEnds.has(location)) {
      ctx.note(f, `sensing location ${location} is on a stub from ${on.tag} that is not a line: placed on ${on.tag}`);
    }
    if (!on) {
      ctx.refuse(f, `its sensing location ${location} is on no imported equipment or line`);
      continue;
    }
    const tag = claimTag(ctx, f, () => "");
    if (!tag) {
      ctx.refuse(f, `its tag ${JSON.stringify(dataOf(f, "ItemTag") ?? "")} cannot be read as an ISA tag`);
      continue;
    }
    ctx.consume(
      f,
      ...sensing,
      ...componentsOf(f, "SignalConveyingFunctions").filter((s) => s.cls === "MeasuringLineFunction"),
    );
    instrumentTag.set(f, tag);
    instruments.push({ tag, on });
  }

  const loops: Loop[] = [];
  for (const lf of ctx.model.all.filter((o) => o.cls === "InstrumentationLoopFunction")) {
    const members = refOf(lf, "ProcessInstrumentationFunctions")
      .map((id) => ctx.model.byId.get(id))
      .filter((m): m is Dexpi2Object => m !== undefined);
    const number = dataOf(lf, "InstrumentationLoopFunctionNumber") ?? "?";
    const refuse = (reason: string) => {
      ctx.refuse(lf, reason);
      ctx.refuseDerived({
        element: "ControlLoop",
        ...(lf.id ? { id: lf.id } : {}),
        reason: `loop ${number}: ${reason}`,
      });
    };
    const controller = members.find(isController);
    if (!controller) {
      refuse("no controller (function letters with C) in the loop");
      continue;
    }
    const measuring = members.find((m) => instrumentTag.has(m));
    // ISA-5.1 hand controller: H (hand) initiates, then C or IC, as the DEXPI 1.x importer reads it.
    const hand = /^HI?C/.test(
      dataOf(controller, "ProcessInstrumentationFunctions") ?? dataOf(controller, "TagType") ?? "",
    );
    if (!measuring && !hand) {
      refuse("no imported measuring instrument in the loop");
      continue;
    }
    const { valves, via } = drivenValves(ctx, controller);
    const finalElement = valves.map((v) => piping.valveTags.get(v)).find((t) => t !== undefined);
    if (!finalElement) {
      refuse("the controller drives no tagged valve on an imported line");
      continue;
    }
    const tag = claimTag(ctx, controller, () => "");
    if (!tag) {
      refuse("the controller's tag cannot be read as an ISA tag");
      continue;
    }
    ctx.consume(lf, controller, ...via, ...via.flatMap((s) => [...s.components.values()].flat()));
    for (const m of members) ctx.consume(...componentsOf(m, "SignalConveyingFunctions"));
    const measurement = measuring && instrumentTag.get(measuring);
    loops.push({ tag, ...(measurement ? { measurement } : {}), finalElement, ...loopSettings(controller) });
  }
  for (const f of functions) {
    if (/SafetyFunction/.test(f.cls))
      ctx.refuse(
        f,
        "process safety function: the file gives it no trip condition (LL, L, H, HH), which an interlock in the contract needs",
      );
    else ctx.refuse(f, "neither a field instrument (no sensing location) nor the controller of an imported loop");
  }
  return { instruments, loops };
}

/**
 * The controller's action, setpoint and shared final element as PlantGAN's export writes them
 * (profile data); a file that does not say is a reverse-acting loop, the usual case.
 */
function loopSettings(controller: Dexpi2Object): Pick<Loop, "action" | "setpoint" | "sharedFinalElement"> {
  const action = dataOf(controller, "PlantGAN/ControllerAction");
  const setpoint = Number(dataOf(controller, "PlantGAN/Setpoint") ?? Number.NaN);
  const shared = dataOf(controller, "PlantGAN/SharedFinalElement");
  return {
    action: action === "direct" ? "direct" : "reverse",
    ...(Number.isFinite(setpoint) ? { setpoint } : {}),
    ...(shared === "selector" || shared === "split_range" ? { sharedFinalElement: shared } : {}),
  };
}

function locate(id: string, equipment: EquipmentImport, piping: PipingImport): Instrument["on"] | undefined {
  const nozzle = equipment.nozzleEnds.get(id);
  if (nozzle) return { tag: nozzle.tag };
  const tag = equipment.tagById.get(id);
  if (tag) return { tag };
  const line = piping.lineOf.get(id);
  if (line) return { line };
  // A stub with one open end (a pressure gauge's nipple, a drain) measures the equipment it leaves.
  const stub = piping.stubEquipment.get(id);
  return stub ? { tag: stub } : undefined;
}
