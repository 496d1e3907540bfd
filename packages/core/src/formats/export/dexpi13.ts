/**
 * DEXPI 1.3 (Proteus 4 XML, root <PlantModel>) export: the design as a P&ID model that the DEXPI
 * 1.x importer reads back. Standard DEXPI carries what a P&ID has (tags, classes, nozzles, sizes,
 * ratings, piping classes, fluids, design conditions, segment connections, instrument locations,
 * signal lines, actuating systems); positions go in <Position> (plot metres) and line routes in
 * <CenterLine>. What DEXPI has no attribute for (footprint, hazard, site, line service, interlocks,
 * loop action...) is written as generic attributes of the set "PlantGAN", named as the contract
 * names them, so nothing in the design is left out of the file.
 */
import type {
  Component,
  ComponentType,
  Design,
  Equipment,
  EquipmentType,
  Interlock,
  Line,
  LineEnd,
  Loop,
  Nozzle,
} from "../../design/index.js";
import { isBranchEnd, isNozzleEnd, isOpenEnd } from "../../design/index.js";
import { type Attrs, el, num, type XmlNode, xmlDocument } from "./xml.js";

/** A DEXPI 1.3 equipment class per PlantGAN type (the importer maps each back to the same type). */
export const DEXPI_EQUIPMENT_CLASS: Readonly<Record<EquipmentType, string>> = {
  pump: "CentrifugalPump",
  compressor: "CentrifugalCompressor",
  vessel: "Vessel",
  column: "ProcessColumn",
  heat_exchanger: "ShellAndTubeHeatExchanger",
  air_cooler: "AirCooledHeatExchanger",
  tank: "Tank",
  furnace: "Furnace",
  reactor: "Reactor",
  filter: "LiquidFilter",
  cooling_tower: "CoolingTower",
  flare: "Flare",
};

/** A DEXPI 1.3 piping component class per component type. */
export const DEXPI_COMPONENT_CLASS: Readonly<Record<ComponentType, string>> = {
  gate_valve: "GateValve",
  globe_valve: "GlobeValve",
  ball_valve: "BallValve",
  butterfly_valve: "ButterflyValve",
  check_valve: "SwingCheckValve",
  control_valve: "OperatedValve",
  relief_valve: "SpringLoadedGlobeSafetyValve",
  reducer: "PipeReducer",
  spec_break: "PipingClassBreak",
  strainer: "ConicalStrainer",
  orifice: "RestrictionOrifice",
  plug_valve: "PlugValve",
  needle_valve: "NeedleValve",
  blind: "LineBlind",
  flame_arrestor: "FlameArrestor",
  flow_meter: "VolumeFlowMeter",
};

/** Generic attributes; undefined values are left out, and an empty set is not written. */
function generic(set: string, values: Record<string, string | number | boolean | undefined>, units: Attrs = {}) {
  const items = Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([name, v]) =>
      el("GenericAttribute", {
        Name: name,
        Value: typeof v === "number" ? num(v) : String(v),
        Format: typeof v === "number" ? "double" : "string",
        Units: units[name],
      }),
    );
  return items.length > 0 ? el("GenericAttributes", { Set: set, Number: items.length }, ...items) : undefined;
}

function position(x: number, y: number, z: number, rotation = 0): XmlNode {
  const a = (rotation * Math.PI) / 180;
  return el(
    "Position",
    {},
    el("Location", { X: x, Y: y, Z: z }),
    el("Axis", { X: 0, Y: 0, Z: 1 }),
    el("Reference", { X: round(Math.cos(a)), Y: round(Math.sin(a)), Z: 0 }),
  );
}

function round(v: number): number {
  return Math.round(v * 1e9) / 1e9;
}

/** The plot position of a nozzle: the equipment centre plus its offset turned by the rotation. */
function nozzlePoint(e: Equipment, n: Nozzle): [number, number, number] | undefined {
  if (e.x === undefined || e.y === undefined || n.dx === undefined || n.dy === undefined) return undefined;
  const a = (e.rotation * Math.PI) / 180;
  const dx = n.dx * Math.cos(a) - n.dy * Math.sin(a);
  const dy = n.dx * Math.sin(a) + n.dy * Math.cos(a);
  return [round(e.x + dx), round(e.y + dy), round(e.z + (n.dz ?? 0))];
}

/** Element IDs: positional, so any tag or line number is safe, and unique by construction. */
class Ids {
  readonly equipment = new Map<string, string>();
  readonly nozzles = new Map<string, string>();
  readonly segments = new Map<string, string>();
  readonly components = new Map<string, string>();
  readonly instruments = new Map<string, string>();
  nozzleKey = (tag: string, nozzle: string) => `${tag}\u0000${nozzle}`;
}

export function writeDexpi13(design: Design): string {
  const ids = new Ids();
  design.equipment.forEach((e, i) => {
    ids.equipment.set(e.tag, `EQ-${i + 1}`);
    for (const [j, n] of e.nozzles.entries()) ids.nozzles.set(ids.nozzleKey(e.tag, n.id), `EQ-${i + 1}-N${j + 1}`);
  });
  design.lines.forEach((l, i) => {
    ids.segments.set(l.id, `SEG-${i + 1}`);
    l.components.forEach((c, j) => {
      if (c.tag) ids.components.set(c.tag, `SEG-${i + 1}-C${j + 1}`);
    });
  });
  for (const [i, ins] of design.instruments.entries()) ids.instruments.set(ins.tag, `PIF-${i + 1}`);

  // A branch end names a tee on the line it leaves: one tee per branch end, on that line's segment.
  const tees = new Map<string, { id: string; branch: string }[]>();
  const teeOf = new Map<string, string>();
  for (const [i, l] of design.lines.entries()) {
    for (const side of ["from", "to"] as const) {
      const end = l[side];
      if (!isBranchEnd(end)) continue;
      const list = tees.get(end.line) ?? [];
      const id = `SEG-${i + 1}-${side === "from" ? "FROM" : "TO"}-TEE`;
      list.push({ id, branch: l.id });
      tees.set(end.line, list);
      teeOf.set(`${l.id}\u0000${side}`, id);
    }
  }
  // Machines driven by a speed controller get a motor, the element the controller's signal reaches.
  const driven = new Set(design.control.loops.map((l) => l.finalElement).filter((t) => ids.equipment.has(t)));

  // A loop whose controller is an instrument of the design (a PICSA both measuring and
  // controlling) is written on that instrument's function: one function per tag.
  const controlled = new Map<string, XmlNode[]>();
  design.control.loops.forEach((loop, i) => {
    if (ids.instruments.has(loop.tag)) controlled.set(loop.tag, controllerParts(loop, i, ids));
  });

  const plot = design.site;
  const children: XmlNode[] = [
    el(
      "PlantInformation",
      {
        SchemaVersion: "4.1.1",
        OriginatingSystem: "PlantGAN",
        OriginatingSystemVendor: "PlantGAN",
        Is3D: "yes",
        Units: "Metre",
        Discipline: "PID",
        ProjectName: design.name,
      },
      el("UnitsOfMeasure", { Distance: "Metre" }),
    ),
    el(
      "Drawing",
      { Name: design.id, Title: design.name, Type: "PID" },
      el("Extent", {}, el("Min", { X: 0, Y: 0 }), el("Max", { X: plot.width, Y: plot.depth })),
      generic("PlantGAN", designAttributes(design)),
    ),
    ...design.equipment.map((e) => equipmentNode(e, ids, driven.has(e.tag))),
    ...design.lines.map((l, i) => lineNode(l, i, ids, tees.get(l.id) ?? [], teeOf)),
    ...design.instruments.map((ins) => instrumentNode(ins, ids, controlled.get(ins.tag))),
    ...design.control.loops.flatMap((loop, i) => (ids.instruments.has(loop.tag) ? [] : loopNodes(loop, i, ids))),
    ...design.control.loops.flatMap((loop, i) => actuatingSystem(loop, i, ids) ?? []),
    ...design.control.interlocks.map((il, i) => interlockNode(il, i, ids)),
  ];
  return xmlDocument(
    el(
      "PlantModel",
      {
        "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
        "xsi:noNamespaceSchemaLocation": "http://sandbox.dexpi.org/xsd/ProteusPI_4.1.1.xsd",
      },
      ...children,
    ),
  );
}

/** What the design says about itself and its plot, which a P&ID has no element for. */
function designAttributes(d: Design): Record<string, string | number | undefined> {
  const { site } = d;
  return {
    schemaVersion: d.schemaVersion,
    id: d.id,
    processClass: d.processClass,
    "site.width": site.width,
    "site.depth": site.depth,
    "site.gridSize": site.gridSize,
    "site.windFrom": site.windFrom,
    "site.keepOut": site.keepOut.length > 0 ? JSON.stringify(site.keepOut) : undefined,
    "site.racks": site.racks.length > 0 ? JSON.stringify(site.racks) : undefined,
    metadata: d.metadata && Object.keys(d.metadata).length > 0 ? JSON.stringify(d.metadata) : undefined,
  };
}

function equipmentNode(e: Equipment, ids: Ids, driven: boolean): XmlNode {
  const id = ids.equipment.get(e.tag)!;
  const placed = e.x !== undefined && e.y !== undefined;
  const half =
    e.rotation % 180 === 0
      ? [e.footprint.width / 2, e.footprint.depth / 2]
      : [e.footprint.depth / 2, e.footprint.width / 2];
  return el(
    "Equipment",
    { ID: id, TagName: e.tag, ComponentClass: DEXPI_EQUIPMENT_CLASS[e.type] },
    placed && position(e.x!, e.y!, e.z, e.rotation),
    placed &&
      el(
        "Extent",
        {},
        el("Min", { X: round(e.x! - half[0]!), Y: round(e.y! - half[1]!), Z: e.z }),
        el("Max", { X: round(e.x! + half[0]!), Y: round(e.y! + half[1]!), Z: round(e.z + e.footprint.height) }),
      ),
    generic(
      "DexpiAttributes",
      {
        EquipmentDescriptionAssignmentClass: e.name,
        UpperLimitDesignPressure: e.designPressure,
        UpperLimitDesignTemperature: e.designTemperature,
      },
      { UpperLimitDesignPressure: "barg", UpperLimitDesignTemperature: "DegreeCelsius" },
    ),
    generic("PlantGAN", {
      type: e.type,
      "footprint.width": e.footprint.width,
      "footprint.depth": e.footprint.depth,
      "footprint.height": e.footprint.height,
      rotation: e.rotation,
      // An unplaced item has no <Position> to carry its elevation.
      z: placed || e.z === 0 ? undefined : e.z,
      hazard: e.hazard,
      liquidClass: e.liquidClass,
      dike: e.dike,
      minimumFlow: e.minimumFlow,
    }),
    ...e.nozzles.map((n) => nozzleNode(e, n, ids)),
    driven && el("Equipment", { ID: `${id}-M`, ComponentClass: "ElectricMotor" }),
  );
}

function nozzleNode(e: Equipment, n: Nozzle, ids: Ids): XmlNode {
  const at = nozzlePoint(e, n);
  return el(
    "Nozzle",
    { ID: ids.nozzles.get(ids.nozzleKey(e.tag, n.id))!, TagName: n.id, ComponentClass: "Nozzle" },
    at && position(...at),
    n.size !== undefined && el("NominalDiameter", { Value: n.size, Units: "mm" }),
    generic("DexpiAttributes", {
      NominalDiameterNumericalValueRepresentationAssignmentClass: n.size,
      NominalPressureRepresentationAssignmentClass: n.rating,
    }),
    generic("PlantGAN", { dx: n.dx, dy: n.dy, dz: n.dz }),
  );
}

function endId(line: Line, side: "from" | "to", ids: Ids, teeOf: ReadonlyMap<string, string>): string {
  const end: LineEnd = line[side];
  if (isNozzleEnd(end)) return ids.nozzles.get(ids.nozzleKey(end.tag, end.nozzle)) ?? ids.equipment.get(end.tag) ?? "";
  if (isOpenEnd(end)) return connectorId(ids.segments.get(line.id)!, side);
  return teeOf.get(`${line.id}\u0000${side}`) ?? "";
}

const connectorId = (segment: string, side: "from" | "to") => `${segment}-${side === "from" ? "FROM" : "TO"}-OPC`;

/**
 * An open end (battery limit) as DEXPI writes one: an off-page connector the segment ends at, its
 * tag the label (what lies beyond), and the plot edge in PlantGAN's own attributes.
 */
function connectorNode(l: Line, side: "from" | "to", segment: string): XmlNode | undefined {
  const end = l[side];
  if (!isOpenEnd(end)) return undefined;
  return el(
    "PipeConnectorSymbol",
    {
      ID: connectorId(segment, side),
      TagName: end.label,
      ComponentClass: side === "from" ? "FlowInPipeConnectorSymbol" : "FlowOutPipeConnectorSymbol",
    },
    generic("PlantGAN", { edge: end.edge }),
  );
}

function lineNode(
  l: Line,
  index: number,
  ids: Ids,
  tees: readonly { id: string; branch: string }[],
  teeOf: ReadonlyMap<string, string>,
): XmlNode {
  const seg = ids.segments.get(l.id)!;
  const lineAttrs = generic("DexpiAttributes", {
    LineNumberAssignmentClass: l.id,
    NominalDiameterNumericalValueRepresentationAssignmentClass: l.size,
    PipingClassCodeAssignmentClass: l.spec,
    FluidCodeAssignmentClass: l.fluid,
    NominalPressureRepresentationAssignmentClass: l.rating,
  });
  const contractOnly = generic(
    "PlantGAN",
    {
      service: l.service,
      designPressure: l.designPressure,
      designTemperature: l.designTemperature,
      minimumFlow: l.minimumFlow,
    },
    { designPressure: "barg", designTemperature: "DegreeCelsius" },
  );
  return el(
    "PipingNetworkSystem",
    { ID: `PNS-${index + 1}`, TagName: l.id, ComponentClass: "PipingNetworkSystem" },
    el("NominalDiameter", { Value: l.size, Units: "mm" }),
    lineAttrs,
    contractOnly,
    connectorNode(l, "from", seg),
    connectorNode(l, "to", seg),
    el(
      "PipingNetworkSegment",
      { ID: seg, TagName: l.id, ComponentClass: "PipingNetworkSegment" },
      el("NominalDiameter", { Value: l.size, Units: "mm" }),
      lineAttrs,
      ...l.components.map((c, j) => componentNode(l, c, `${seg}-C${j + 1}`)),
      // Tees where other lines branch off; the branch's segment names the tee as its end.
      ...tees.map((t) =>
        el("PipingComponent", { ID: t.id, ComponentClass: "PipeTee" }, generic("PlantGAN", { branch: t.branch })),
      ),
      l.route &&
        el(
          "CenterLine",
          { NumPoints: l.route.length },
          ...l.route.map(([x, y, z]) => el("Coordinate", { X: x, Y: y, Z: z })),
        ),
      el("Connection", {
        FromID: endId(l, "from", ids, teeOf),
        ToID: endId(l, "to", ids, teeOf),
      }),
    ),
  );
}

function componentNode(l: Line, c: Component, id: string): XmlNode {
  const contractOnly = generic(
    "PlantGAN",
    {
      type: c.type,
      // A reducer's size is on its outlet node (below); any other component's only here.
      size: c.type === "reducer" ? undefined : c.size,
      rating: c.rating,
      failPosition: c.failPosition,
      lock: c.lock,
      setPressure: c.setPressure,
      at: c.at,
    },
    { setPressure: "barg" },
  );
  if (c.type === "spec_break") {
    return el("PropertyBreak", { ID: id, TagName: c.tag, ComponentClass: "PipingClassBreak" }, contractOnly);
  }
  // A reducer's sizes are on its connection nodes: node 1 upstream (the line's), node 2 downstream.
  const nodes =
    c.type === "reducer" && c.size !== undefined
      ? el(
          "ConnectionPoints",
          { NumPoints: 3 },
          el("Node", { ID: `${id}-0`, Type: "process" }),
          el("Node", { ID: `${id}-1`, Type: "process" }, el("NominalDiameter", { Value: l.size, Units: "mm" })),
          el("Node", { ID: `${id}-2`, Type: "process" }, el("NominalDiameter", { Value: c.size, Units: "mm" })),
        )
      : undefined;
  return el(
    "PipingComponent",
    { ID: id, TagName: c.tag, ComponentClass: DEXPI_COMPONENT_CLASS[c.type] },
    nodes,
    generic("DexpiAttributes", {
      PipingComponentNumberAssignmentClass: c.tag,
      SetPressureHigh: c.setPressure,
    }),
    contractOnly,
  );
}

function instrumentNode(ins: Design["instruments"][number], ids: Ids, control: readonly XmlNode[] = []): XmlNode {
  // An unmounted instrument is written without "is located in", which the importer reads back as unmounted.
  const where = !ins.on ? undefined : "tag" in ins.on ? ids.equipment.get(ins.on.tag) : ids.segments.get(ins.on.line);
  const letters = /^[A-Z]+/.exec(ins.tag)?.[0] ?? "";
  return el(
    "ProcessInstrumentationFunction",
    { ID: ids.instruments.get(ins.tag)!, TagName: ins.tag, ComponentClass: "ProcessInstrumentationFunction" },
    generic("DexpiAttributes", {
      ProcessInstrumentationFunctionCategoryAssignmentClass: letters.slice(0, 1),
      ProcessInstrumentationFunctionsAssignmentClass: letters.slice(1),
      ProcessInstrumentationFunctionNumberAssignmentClass: ins.tag.slice(letters.length + 1),
      InstrumentDescriptionAssignmentClass: ins.name,
    }),
    where !== undefined && el("Association", { Type: "is located in", ItemID: where }),
    ...control,
  );
}

/** The ID of a loop's controller function: its own, or the instrument's it is written on. */
function controllerId(loop: Loop, index: number, ids: Ids): string {
  return ids.instruments.get(loop.tag) ?? `LOOP-${index + 1}`;
}

/**
 * A loop: the controller function, a signal line from the measuring function to it, and its
 * actuating function fulfilled by an actuating system that refers to the control valve (or a
 * signal line to the motor of a driven machine).
 */
function loopNodes(loop: Loop, index: number, ids: Ids): XmlNode[] {
  return [
    el(
      "ProcessInstrumentationFunction",
      { ID: controllerId(loop, index, ids), TagName: loop.tag, ComponentClass: "ProcessInstrumentationFunction" },
      ...controllerParts(loop, index, ids),
    ),
  ];
}

/** What a controller function holds for its loop: the loop's attributes and its signals. */
function controllerParts(loop: Loop, index: number, ids: Ids): XmlNode[] {
  const id = controllerId(loop, index, ids);
  const flowId = `LOOP-${index + 1}`;
  // A hand controller has no measurement: no signal flows into it.
  const measured = loop.measurement === undefined ? undefined : ids.instruments.get(loop.measurement);
  const valve = ids.components.get(loop.finalElement);
  const machine = ids.equipment.get(loop.finalElement);
  return [
    generic("PlantGAN", {
      action: loop.action,
      setpoint: loop.setpoint,
      sharedFinalElement: loop.sharedFinalElement,
    }),
    measured !== undefined &&
      measured !== id &&
      el(
        "InformationFlow",
        { ID: `${flowId}-MEAS`, ComponentClass: "SignalLineFunction" },
        el("Association", { Type: "has logical start", ItemID: measured }),
        el("Association", { Type: "has logical end", ItemID: id }),
      ),
    valve !== undefined &&
      el(
        "ActuatingFunction",
        { ID: `${flowId}-AF`, ComponentClass: "ActuatingFunction" },
        el("Association", { Type: "is fulfilled by", ItemID: `${flowId}-AS` }),
      ),
    machine !== undefined &&
      el(
        "InformationFlow",
        { ID: `${flowId}-OUT`, ComponentClass: "SignalLineFunction" },
        el("Association", { Type: "has logical start", ItemID: id }),
        el("Association", { Type: "has logical end", ItemID: `${machine}-M` }),
      ),
  ].filter((n): n is XmlNode => n !== undefined && n !== false);
}

/** The actuating system that moves a loop's control valve, when its final element is one. */
function actuatingSystem(loop: Loop, index: number, ids: Ids): XmlNode | undefined {
  const valve = ids.components.get(loop.finalElement);
  if (valve === undefined) return undefined;
  const id = `LOOP-${index + 1}`;
  return el(
    "ActuatingSystem",
    { ID: `${id}-AS`, ComponentClass: "ActuatingSystem" },
    el(
      "ActuatingSystemComponent",
      { ID: `${id}-AS-1`, ComponentClass: "ControlValveActuator" },
      el("Association", { Type: "refers to", ItemID: valve }),
    ),
  );
}

/**
 * An interlock: DEXPI 1.3 has no trip matrix, so it is written as a trip function (a process
 * instrumentation function, as CAD tools draw one) with a signal line from its initiating
 * instrument and one to each element it acts on; the trip condition, the actions and the
 * sharing analysis, which DEXPI has no attribute for, are PlantGAN generic attributes.
 */
function interlockNode(il: Interlock, index: number, ids: Ids): XmlNode {
  const id = `IL-${index + 1}`;
  const cause = ids.instruments.get(il.cause.instrument);
  const signal = (suffix: string, from: string, to: string) =>
    el(
      "InformationFlow",
      { ID: `${id}-${suffix}`, ComponentClass: "SignalLineFunction" },
      el("Association", { Type: "has logical start", ItemID: from }),
      el("Association", { Type: "has logical end", ItemID: to }),
    );
  return el(
    "ProcessInstrumentationFunction",
    { ID: id, TagName: il.tag, ComponentClass: "ProcessInstrumentationFunction" },
    generic("PlantGAN", {
      kind: "interlock",
      "cause.instrument": il.cause.instrument,
      "cause.trip": il.cause.trip,
      effects: il.effects.map((e) => `${e.target}:${e.action}`).join(" "),
      sharedSensorAnalysis: il.sharedSensorAnalysis,
    }),
    cause !== undefined && signal("CAUSE", cause, id),
    ...il.effects.map((e, j) => {
      const target = ids.components.get(e.target) ?? ids.equipment.get(e.target);
      return target !== undefined && signal(`EFFECT-${j + 1}`, id, target);
    }),
  );
}
