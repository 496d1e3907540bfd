/**
 * DEXPI 2.0 export (the class-library XML, root <Model>), laid out as the published DEXPI 2.0
 * examples are: one Core/EngineeringModel whose Plant/PlantModel holds TaggedPlantItems (equipment
 * with Nozzles), PipingNetworkSystems (one system and one segment per line, its valves as Items,
 * its ends as SourceItem/TargetItem), ProcessInstrumentationFunctions (a sensing location per
 * instrument; a controller per loop driving an ActuatingSystem), InstrumentationLoopFunctions and
 * ActuatingSystems. A branch end names a PipeTee on the line it leaves, one tee per branch end, as
 * the DEXPI 2.0 importer reads it. What Plant has no property for (line service, loop action,
 * interlock trips and effects) goes in the "PlantGAN" profile. The generic DEXPI XML Schema
 * constrains names and ids: ids are positional ("Equipment3_Nozzle2"), so any tag is safe.
 * Positions and routes are not written: DEXPI 2.0 carries them only as diagram graphics.
 */
import type {
  Component,
  ComponentType,
  Design,
  Equipment,
  Interlock,
  Line,
  LineEnd,
  Loop,
} from "../../design/index.js";
import { isBranchEnd, isNozzleEnd, isOpenEnd } from "../../design/index.js";
import { DEXPI_COMPONENT_CLASS, DEXPI_EQUIPMENT_CLASS } from "./dexpi13.js";
import { el, num, type XmlNode, xmlDocument } from "./xml.js";

const PROFILE = "PlantGAN";
const PROFILE_URI = "https://plantgan.dev/dexpi/2.0/profile";

/** DEXPI 2.0 keeps the DEXPI 1.3 piping component class names. */
const COMPONENT_CLASS: Readonly<Record<ComponentType, string>> = DEXPI_COMPONENT_CLASS;

type Value = string | number | boolean;

function data(property: string, value: Value | undefined): XmlNode | undefined {
  if (value === undefined) return undefined;
  const scalar =
    typeof value === "boolean"
      ? el("Boolean", {}, String(value))
      : typeof value === "number"
        ? Number.isInteger(value)
          ? el("Integer", {}, String(value))
          : el("Double", {}, num(value))
        : el("String", {}, value);
  return el("Data", { property }, scalar);
}

function refs(property: string, ids: readonly (string | undefined)[]): XmlNode | undefined {
  const present = ids.filter((i): i is string => i !== undefined);
  return present.length > 0
    ? el("References", { property, objects: present.map((i) => `#${i}`).join(" ") })
    : undefined;
}

function components(property: string, objects: readonly XmlNode[]): XmlNode | undefined {
  return objects.length > 0 ? el("Components", { property }, ...objects) : undefined;
}

function object(type: string, id: string | undefined, ...children: (XmlNode | undefined)[]): XmlNode {
  return el("Object", { id, type }, ...children);
}

/** Positional object ids, built once so that references can be written before their target. */
class Ids {
  readonly equipment = new Map<string, string>();
  readonly nozzles = new Map<string, string>();
  readonly segments = new Map<string, string>();
  /** Component tag → the id of its item. */
  readonly components = new Map<string, string>();
  readonly instruments = new Map<string, string>();
  readonly controllers = new Map<string, string>();
  /** "line\0from" → the tee on the run line that this branch end names. */
  readonly branchTees = new Map<string, string>();
  /** Run line id → the tees on it, in the order the branches are listed. */
  readonly teesOn = new Map<string, string[]>();
  nozzleKey = (tag: string, nozzle: string) => `${tag}\u0000${nozzle}`;

  constructor(design: Design) {
    design.equipment.forEach((e, i) => {
      this.equipment.set(e.tag, `Equipment${i + 1}`);
      for (const [j, n] of e.nozzles.entries()) {
        this.nozzles.set(this.nozzleKey(e.tag, n.id), `Equipment${i + 1}_Nozzle${j + 1}`);
      }
    });
    design.lines.forEach((l, i) => {
      this.segments.set(l.id, `Line${i + 1}_Segment`);
      l.components.forEach((c, j) => {
        if (c.tag) this.components.set(c.tag, `Line${i + 1}_Item${j + 1}`);
      });
      for (const side of ["from", "to"] as const) {
        const end = l[side];
        if (!isBranchEnd(end)) continue;
        const tee = `Line${i + 1}_${side === "from" ? "From" : "To"}Tee`;
        this.branchTees.set(`${l.id}\u0000${side}`, tee);
        this.teesOn.set(end.line, [...(this.teesOn.get(end.line) ?? []), tee]);
      }
    });
    for (const [i, ins] of design.instruments.entries()) this.instruments.set(ins.tag, `Instrument${i + 1}`);
    for (const [i, loop] of design.control.loops.entries()) this.controllers.set(loop.tag, `Loop${i + 1}_Controller`);
  }

  end(line: Line, side: "from" | "to"): string | undefined {
    const end: LineEnd = line[side];
    if (isOpenEnd(end)) return connectorId(this.segments.get(line.id)!, side);
    return isNozzleEnd(end)
      ? this.nozzles.get(this.nozzleKey(end.tag, end.nozzle))
      : this.branchTees.get(`${line.id}\u0000${side}`);
  }
}

export function writeDexpi2(design: Design): string {
  const ids = new Ids(design);
  const plantModel = object(
    "Plant/PlantModel",
    "PlantModel1",
    components(
      "ActuatingSystems",
      design.control.loops.map((loop, i) => actuatingSystem(loop, i, ids)),
    ),
    components(
      "InstrumentationLoopFunctions",
      design.control.loops.map((loop, i) => loopFunction(loop, i, ids)),
    ),
    components(
      "PipingNetworkSystems",
      design.lines.map((l, i) => pipingSystem(l, i, ids)),
    ),
    components("ProcessInstrumentationFunctions", [
      ...design.instruments.map((ins) =>
        instrumentFunction(ins.tag, ids.instruments.get(ins.tag)!, ins.name, sensingLocation(ins.on, ids)),
      ),
      ...design.control.loops.map((loop, i) => controllerFunction(loop, i, ids)),
      ...design.control.interlocks.map((il, i) => interlockFunction(il, i, ids)),
    ]),
    components(
      "TaggedPlantItems",
      design.equipment.map((e) => equipmentObject(e, ids)),
    ),
  );
  return xmlDocument(
    el(
      "Model",
      { name: modelName(design.id), uri: `urn:plantgan:design:${encodeURIComponent(design.id)}` },
      el("Import", { prefix: "Core", source: "https://data.dexpi.org/models/2.0.0/Core.xml" }),
      el("Import", { prefix: "Plant", source: "https://data.dexpi.org/models/2.0.0/Plant.xml" }),
      el("Import", { prefix: PROFILE, source: PROFILE_URI }),
      object(
        "Core/EngineeringModel",
        undefined,
        el("Components", { property: "ConceptualModel" }, plantModel),
        data(`${PROFILE}/DesignName`, design.name),
        data(`${PROFILE}/ProcessClass`, design.processClass),
      ),
    ),
  );
}

/** The schema's `name`: a letter or underscore, then letters, digits and underscores. */
export function modelName(id: string): string {
  const s = id.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[A-Za-z_]/.test(s) ? s : `_${s}`;
}

function equipmentObject(e: Equipment, ids: Ids): XmlNode {
  const nozzles = e.nozzles.map((n) =>
    object(
      "Plant/ProcessEquipment.Nozzle",
      ids.nozzles.get(ids.nozzleKey(e.tag, n.id)),
      data("SubTagName", n.id),
      data("NominalDiameterNumericalValueRepresentation", n.size),
      data("NominalPressureRepresentation", n.rating),
    ),
  );
  return object(
    `Plant/ProcessEquipment.${DEXPI_EQUIPMENT_CLASS[e.type]}`,
    ids.equipment.get(e.tag),
    components("Nozzles", nozzles),
    data("TagName", e.tag),
    data("EquipmentDescription", e.name),
    data(`${PROFILE}/DesignPressureBarg`, e.designPressure),
    data(`${PROFILE}/DesignTemperatureCelsius`, e.designTemperature),
  );
}

function pipingSystem(l: Line, i: number, ids: Ids): XmlNode {
  const items = [
    ...l.components.map((c, j) => pipingItem(c, c.tag ? ids.components.get(c.tag)! : `Line${i + 1}_Item${j + 1}`)),
    ...(ids.teesOn.get(l.id) ?? []).map((tee) => object("Plant/Piping.PipeTee", tee)),
    ...(["from", "to"] as const).flatMap((side) => connectorObject(l, side, ids.segments.get(l.id)!) ?? []),
  ];
  const source = ids.end(l, "from");
  const target = ids.end(l, "to");
  const segment = object(
    "Plant/Piping.PipingNetworkSegment",
    ids.segments.get(l.id),
    components("Items", items),
    data("NominalDiameterNumericalValueRepresentation", l.size),
    data("PipingClassCode", l.spec),
    refs("SourceItem", [source]),
    refs("TargetItem", [target]),
  );
  return object(
    "Plant/Piping.PipingNetworkSystem",
    `Line${i + 1}`,
    el("Components", { property: "Segments" }, segment),
    data(`${PROFILE}/ItemTag`, l.id),
    data("FluidCode", l.fluid),
    data("NominalPressureRepresentation", l.rating),
    data(`${PROFILE}/Service`, l.service),
  );
}

const connectorId = (segment: string, side: "from" | "to") => `${segment}_${side === "from" ? "In" : "Out"}Connector`;

/**
 * An open end (battery limit) as DEXPI 2.0 draws one: a flow-in or flow-out off-page connector, an
 * item of the piping system the segment starts or ends at, with the label and plot edge.
 */
function connectorObject(l: Line, side: "from" | "to", segment: string): XmlNode | undefined {
  const end = l[side];
  if (!isOpenEnd(end)) return undefined;
  return object(
    `Plant/Piping.${side === "from" ? "FlowIn" : "FlowOut"}PipeOffPageConnector`,
    connectorId(segment, side),
    data(`${PROFILE}/Label`, end.label),
    data(`${PROFILE}/Edge`, end.edge),
  );
}

function pipingItem(c: Component, id: string): XmlNode {
  return object(
    `Plant/Piping.${COMPONENT_CLASS[c.type]}`,
    id,
    data(`${PROFILE}/ItemTag`, c.tag),
    data("NominalDiameterNumericalValueRepresentation", c.size),
  );
}

function sensingLocation(on: { tag: string } | { line: string } | undefined, ids: Ids): string | undefined {
  if (!on) return undefined; // unmounted: no sensing location
  return "line" in on ? ids.segments.get(on.line) : (ids.equipment.get(on.tag) ?? ids.components.get(on.tag));
}

/** Function letters of an ISA tag: "LIC" of "LIC-101". */
function letters(tag: string): string {
  return /^[A-Z]+/.exec(tag)?.[0] ?? "";
}

function instrumentFunction(tag: string, id: string, name: string | undefined, location: string | undefined): XmlNode {
  const generating = `${id}_Signal`;
  return object(
    "Plant/Instrumentation.ProcessInstrumentationFunction",
    id,
    data(`${PROFILE}/ItemTag`, tag),
    data("ProcessInstrumentationFunctions", letters(tag)),
    data("ProcessInstrumentationFunctionNumber", tag.slice(letters(tag).length + 1)),
    data(`${PROFILE}/Description`, name),
    components("ProcessSignalGeneratingFunctions", [
      object("Plant/Instrumentation.ProcessSignalGeneratingFunction", generating, refs("SensingLocation", [location])),
    ]),
    components("SignalConveyingFunctions", [
      object(
        "Plant/Instrumentation.MeasuringLineFunction",
        `${id}_MeasuringLine`,
        refs("Source", [generating]),
        refs("Target", [id]),
      ),
    ]),
  );
}

/** The controller of a loop: the measurement's signal in, an actuating function out to the loop's system. */
function controllerFunction(loop: Loop, i: number, ids: Ids): XmlNode {
  const id = ids.controllers.get(loop.tag)!;
  return object(
    "Plant/Instrumentation.ProcessInstrumentationFunction",
    id,
    data(`${PROFILE}/ItemTag`, loop.tag),
    data("ProcessInstrumentationFunctions", letters(loop.tag)),
    data("ProcessInstrumentationFunctionNumber", loop.tag.slice(letters(loop.tag).length + 1)),
    data(`${PROFILE}/ControllerAction`, loop.action),
    data(`${PROFILE}/Setpoint`, loop.setpoint),
    data(`${PROFILE}/SharedFinalElement`, loop.sharedFinalElement),
    components("ActuatingFunctions", [
      object("Plant/Instrumentation.ActuatingFunction", `${id}_Actuating`, refs("Systems", [`Loop${i + 1}_Actuation`])),
    ]),
    components("SignalConveyingFunctions", [
      object(
        "Plant/Instrumentation.SignalConveyingFunction",
        `${id}_Input`,
        refs("Source", [loop.measurement === undefined ? undefined : ids.instruments.get(loop.measurement)]),
        refs("Target", [id]),
      ),
    ]),
  );
}

/** What the controller drives: a valve on a line, or (a speed loop) a machine. */
function actuatingSystem(loop: Loop, i: number, ids: Ids): XmlNode {
  const valve = ids.components.get(loop.finalElement);
  return object(
    "Plant/Instrumentation.ActuatingSystem",
    `Loop${i + 1}_Actuation`,
    valve
      ? components("OperatedValveReference", [
          object("Plant/Instrumentation.OperatedValveReference", undefined, refs("Valve", [valve])),
        ])
      : refs(`${PROFILE}/DrivenEquipment`, [ids.equipment.get(loop.finalElement)]),
  );
}

function loopFunction(loop: Loop, i: number, ids: Ids): XmlNode {
  return object(
    "Plant/Instrumentation.InstrumentationLoopFunction",
    `Loop${i + 1}`,
    data("InstrumentationLoopFunctionNumber", loop.tag),
    // The controller first: the importer takes the first member with controller letters.
    refs("ProcessInstrumentationFunctions", [
      ids.controllers.get(loop.tag),
      loop.measurement === undefined ? undefined : ids.instruments.get(loop.measurement),
    ]),
  );
}

/** An interlock: a safety function fed by its cause instrument; trip and effects in the profile. */
function interlockFunction(il: Interlock, i: number, ids: Ids): XmlNode {
  const id = `Interlock${i + 1}`;
  return object(
    "Plant/Instrumentation.ProcessInstrumentationFunction",
    id,
    data(`${PROFILE}/ItemTag`, il.tag),
    data(`${PROFILE}/TripCondition`, il.cause.trip),
    data(`${PROFILE}/Effects`, il.effects.map((e) => `${e.target}:${e.action}`).join(" ")),
    data(`${PROFILE}/SharedSensorAnalysis`, il.sharedSensorAnalysis),
    components("SignalConveyingFunctions", [
      object(
        "Plant/Instrumentation.SignalConveyingFunction",
        `${id}_Cause`,
        refs("Source", [ids.instruments.get(il.cause.instrument)]),
        refs("Target", [id]),
      ),
    ]),
    refs(
      `${PROFILE}/EffectTargets`,
      il.effects.map((e) => ids.equipment.get(e.target) ?? ids.components.get(e.target)),
    ),
  );
}
