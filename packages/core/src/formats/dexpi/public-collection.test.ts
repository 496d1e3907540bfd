// Cases met in public DEXPI files beyond shared/fixtures (DEXPI/TestCases, read through the search
// tool into a scratch folder, never into the project; bench/dexpi-collection.ts). Each test is a small
// hand-written file that reproduces what the public file does, not a copy of it.
import { describe, expect, it } from "vitest";
import { parseDesign } from "../../design/index.js";
import { importDexpi } from "./index.js";
import { statedTrips } from "./stated-control.js";

const file = (body: string, system = "AutoCAD PnID") => `<?xml version="1.0" encoding="utf-8"?>
<PlantModel>
  <PlantInformation SchemaVersion="4.0.1" OriginatingSystem="${system}" Units="mm"><UnitsOfMeasure Distance="Millimetre"/></PlantInformation>
  <Drawing Name="CASE-1"/>
  ${body}
</PlantModel>`;
const centreLine = (points: number[][]) =>
  `<CenterLine NumPoints="${points.length}">${points.map(([x, y]) => `<Coordinate X="${x}" Y="${y}" Z="0"/>`).join("")}</CenterLine>`;
/** A piping system of one segment: its tag (if any), its connection, its centre line and what it holds. */
const system = (id: string, tag: string | undefined, connection: string, points: number[][], inside = "") =>
  `<PipingNetworkSystem ID="SYS-${id}">
    <PipingNetworkSegment ID="${id}" ComponentClass="PipingNetworkSegment"${tag ? ` TagName="${tag}"` : ""}>
      <Connection ${connection}/>${centreLine(points)}${inside}
    </PipingNetworkSegment>
  </PipingNetworkSystem>`;

/** Gauge PI-043 at (110, 80), its leader segment LEAD drawn down to y = 0, and pipe 007 along y = 0 from x = `from`. */
const gaugeAndPipe = (leader: string, pipe: string, from: number, extra = "") =>
  file(`
  ${system("LEAD", undefined, leader, [
    [110, 54],
    [110, 0],
  ])}
  ${system("PIPE", "?-?-?-007", pipe, [
    [from, 0],
    [190, 0],
  ])}
  ${extra}
  <ProcessInstrumentationFunction ID="PI" ComponentClass="ProcessInstrumentationFunction" TagName="PI-043">
    <Position><Location X="110" Y="80" Z="0"/></Position>
  </ProcessInstrumentationFunction>`);

function imported(xml: string) {
  const r = importDexpi(xml);
  if (!r.success) throw new Error(JSON.stringify(r.issues));
  expect(parseDesign(r.design).success).toBe(true);
  return r;
}

describe("a local gauge's leader drawn to the start of a pipe (I07V01_AUD)", () => {
  // The pipe's FromID names the leader segment, and the leader runs from the gauge to the pipe. Before,
  // the two were joined into one chain that ended at the gauge, and the pipe was refused as "not a line".
  const GAUGE_ON_PIPE = gaugeAndPipe(
    'FromID="PI" ToID="PIPE"',
    'FromID="LEAD"',
    30,
    '<InstrumentationLoopFunction ID="LF" TagName="043"/>',
  );

  it("keeps the pipe as an open line and mounts the gauge on it", () => {
    const { design, report } = imported(GAUGE_ON_PIPE);
    expect(design.lines.map((l) => [l.id, l.from, l.to])).toEqual([["007", { open: true }, { open: true }]]);
    expect(design.instruments?.map((i) => [i.tag, i.on])).toEqual([["PI-043", { line: "007" }]]);
    expect(report.unmapped.filter((u) => u.element === "PipingNetworkSegment")).toEqual([]);
    expect(report.imported.PipingNetworkSegment).toBe(2);
  });
});

describe("a segment end that names a flow arrow drawn in the segment (I07V01_AUD)", () => {
  const ARROW_END = file(
    system(
      "SEG",
      "?-?-?-042",
      'FromID="ARROW"',
      [
        [228, 172],
        [215, 172],
      ],
      `<PipeFlowArrow ID="ARROW" ComponentClass="FlowArrow"><Position><Location X="221" Y="172" Z="0"/></Position></PipeFlowArrow>`,
    ),
  );

  it("says the end names a drawing element, not an ID missing from the file", () => {
    const { design, report } = imported(ARROW_END);
    expect(design.lines.map((l) => [l.from, l.to])).toEqual([[{ open: true }, { open: true }]]);
    const notes = report.notes.map((n) => n.note).filter((n) => n.includes("ARROW"));
    expect(notes).toEqual([
      'line 042 starts in the open: its from end names the PipeFlowArrow "ARROW", which only draws: nothing is connected there',
    ]);
  });
});

describe("AutoCAD P&ID's size attribute (E06V02-AUD, P01V02-AUD)", () => {
  // AutoCAD writes a pipe's and a nozzle's size as FunctionalObjectDescriptionAssignmentSize. Before, it
  // was not read: the line was reported as having no nominal diameter and given DN 50.
  const size = (value: string) =>
    `<GenericAttributes Set="DexpiAttributes"><GenericAttribute Name="FunctionalObjectDescriptionAssignmentSize" Format="string" Value="${value}"/></GenericAttributes>`;
  const SIZED = file(`
  ${system(
    "SEG",
    "80-75HB13-BD-412",
    'FromID="N2"',
    [
      [131, 375],
      [180, 375],
    ],
    size("80"),
  )}
  <Equipment ID="P" ComponentClass="CentrifugalPump" TagName="P-4712">
    <Position><Location X="118" Y="375" Z="0"/></Position>
    <Nozzle ID="N2" ComponentClass="Nozzle" TagName="N-2">
      <Position><Location X="126" Y="375" Z="0"/></Position>
      ${size("80")}
    </Nozzle>
  </Equipment>`);

  it("takes the size of the line and of the nozzle from it", () => {
    const { design, report } = imported(SIZED);
    expect(design.lines.map((l) => [l.id, l.size])).toEqual([["80-75HB13-BD-412", 80]]);
    expect(design.equipment[0]?.nozzles?.map((n) => [n.id, n.size])).toEqual([["N-2", 80]]);
    expect(report.notes.filter((n) => n.note.includes("nominal diameter"))).toEqual([]);
  });
});

describe("trip conditions on the signal lines into a switch (P&ID Toolbox, DEXPI 1.3: I08V01-VER)", () => {
  // The switch US-047 has no condition in its letters; the signal lines from PI-044 into it state
  // StatusHighHighPort and StatusLowLowPort. Before, the import said the file gives no trip condition.
  const fn = (id: string, category: string, functions: string, number: string, body = "") =>
    `<ProcessInstrumentationFunction ID="${id}" ComponentClass="ProcessInstrumentationFunction">
      <GenericAttributes Set="DexpiAttributes">
        <GenericAttribute Name="ProcessInstrumentationFunctionCategoryAssignmentClass" Value="${category}"/>
        <GenericAttribute Name="ProcessInstrumentationFunctionNumberAssignmentClass" Value="${number}"/>
        <GenericAttribute Name="ProcessInstrumentationFunctionsAssignmentClass" Value="${functions}"/>
      </GenericAttributes>${body}
    </ProcessInstrumentationFunction>`;
  const signal = (id: string, status: string, end: string) =>
    `<InformationFlow ID="${id}" ComponentClass="SignalLineFunction">
      <GenericAttributes Set="DexpiAttributes"><GenericAttribute Name="PortStatusSpecialization" Value="${status}"/></GenericAttributes>
      <Association Type="has logical start" ItemID="PI"/>
      <Association Type="has logical end" ItemID="${end}"/>
    </InformationFlow>`;
  const toolbox = (withValve: boolean) =>
    file(
      `
  <PipingNetworkSystem ID="SYS"><PipingNetworkSegment ID="SEG" ComponentClass="PipingNetworkSegment">
    <Association Type="is the location of" ItemID="PI-SENSOR"/>
    ${withValve ? `<PipingComponent ID="VALVE" ComponentClass="GlobeValve"><GenericAttributes Set="DexpiAttributes"><GenericAttribute Name="PipingComponentNumberAssignmentClass" Value="XV 47"/></GenericAttributes></PipingComponent>` : ""}
  </PipingNetworkSegment></PipingNetworkSystem>
  ${withValve ? `<ActuatingSystem ID="AS"><Association Type="fulfills" ItemID="US-ACT"/><ActuatingSystemComponent ID="REF" ComponentClass="OperatedValveReference"><Association Type="refers to" ItemID="VALVE"/></ActuatingSystemComponent></ActuatingSystem>` : ""}
  ${fn(
    "PI",
    "P",
    "I",
    "044",
    `<ProcessSignalGeneratingFunction ID="PI-SENSOR"><Association Type="is located in" ItemID="SEG"/></ProcessSignalGeneratingFunction>
    ${signal("S-HH", "StatusHighHighPort", "US")}${signal("S-LL", "StatusLowLowPort", "US")}`,
  )}
  ${fn(
    "US",
    "U",
    "S",
    "047",
    withValve
      ? `<ActuatingFunction ID="US-ACT"><Association Type="is fulfilled by" ItemID="AS"/><Association Type="is logical end of" ItemID="US-OUT"/></ActuatingFunction>
    <InformationFlow ID="US-OUT" ComponentClass="SignalLineFunction"><Association Type="has logical start" ItemID="US"/><Association Type="has logical end" ItemID="US-ACT"/></InformationFlow>`
      : "",
  )}`,
      "P&amp;ID Toolbox",
    );

  it("forms one interlock per stated condition when the switch drives a valve", () => {
    const xml = toolbox(true);
    const { design } = imported(xml);
    expect(design.control?.interlocks?.map((i) => [i.tag, i.cause, i.effects])).toEqual([
      ["USLL-047", { instrument: "US-047", trip: "LL" }, [{ target: "XV-47", action: "close" }]],
      ["USHH-047", { instrument: "US-047", trip: "HH" }, [{ target: "XV-47", action: "close" }]],
    ]);
    expect(statedTrips(xml).map((t) => [t.id, t.by, t.condition, t.effect])).toEqual([
      ["US", "signal lines", "LL", true],
      ["US", "signal lines", "HH", true],
    ]);
  });

  it("says the stated conditions and the missing effect when it drives nothing", () => {
    const { report } = imported(toolbox(false));
    expect(report.unmapped.filter((u) => u.element === "Interlock").map((u) => u.reason)).toEqual([
      "US-047: no tagged valve or machine in the design receives its trip signal (its input signals state LL, HH)",
      "US-047: no tagged valve or machine in the design receives its trip signal (its input signals state LL, HH)",
    ]);
  });
});

describe("design conditions written on a vessel's chambers (E02V01-VER)", () => {
  // DEXPI writes a tank's design pressure and temperature on its Chamber sub-equipment. Before, the
  // chambers were folded into the tank and their conditions dropped without a word.
  const chamber = (id: string, barg: string, celsius: string) =>
    `<Equipment ID="${id}" ComponentClass="Chamber">
      <GenericAttributes Set="DexpiAttributes">
        <GenericAttribute Name="UpperLimitDesignPressure" Value="${barg}" Format="double" Units="BarGauge"/>
        <GenericAttribute Name="UpperLimitDesignTemperature" Value="${celsius}" Format="double" Units="DegreeCelsius"/>
      </GenericAttributes>
    </Equipment>`;
  const tank = (own: string) =>
    file(
      `<Equipment ID="TANK" ComponentClass="Tank" TagName="T4750">${own}${chamber("C1", "0.1", "100")}${chamber("C2", "3", "80")}</Equipment>`,
      "DEXPI Test",
    );

  it("gives the tank the highest of its chambers' and says where each value went", () => {
    const { design, report } = imported(tank(""));
    expect(design.equipment.map((e) => [e.tag, e.designPressure, e.designTemperature])).toEqual([["T-4750", 3, 100]]);
    expect(report.notes.filter((n) => /design (pressure|temperature)/.test(n.note)).map((n) => n.note)).toEqual([
      "Equipment C1 (Chamber)'s design pressure 0.1 barg is below T-4750's, which is the highest of its parts (3 barg)",
      "design pressure of T-4750 (3 barg) taken from Equipment C2 (Chamber), folded into it",
      "Equipment C2 (Chamber)'s design temperature 80 °C is below T-4750's, which is the highest of its parts (100 °C)",
      "design temperature of T-4750 (100 °C) taken from Equipment C1 (Chamber), folded into it",
    ]);
  });

  it("keeps the tank's own condition and notes a chamber's other value", () => {
    const own = `<GenericAttributes Set="DexpiAttributes"><GenericAttribute Name="DesignPressure" Value="5" Units="barg"/></GenericAttributes>`;
    const { design, report } = imported(tank(own));
    expect(design.equipment[0]?.designPressure).toBe(5);
    expect(report.notes.map((n) => n.note)).toContain(
      "Equipment C2 (Chamber)'s design pressure 3 barg is not in the design: T-4750 writes its own (5 barg), and the contract holds one per equipment",
    );
  });

  it("takes a chamber's element that repeats the tank's own value as held, not unmapped", () => {
    const own = `<GenericAttributes Set="DexpiAttributes"><GenericAttribute Name="DesignPressure" Value="2" Units="barg"/></GenericAttributes>`;
    const { design, report } = imported(
      file(
        `<Equipment ID="TANK" ComponentClass="Tank" TagName="T4750">${own}<Equipment ID="C1" ComponentClass="Chamber"><MaximumDesignPressure Value="2" Units="Barg"/></Equipment></Equipment>`,
        "DEXPI Test",
      ),
    );
    expect(design.equipment[0]?.designPressure).toBe(2);
    expect(report.unmapped.filter((u) => u.element === "MaximumDesignPressure")).toEqual([]);
  });
});

describe("a controller's leader drawn from its control valve, and a cascade (I06V02_AUD)", () => {
  // YCS-032 reads the pipe (a leader to the segment) and signals YCS-033; a Leader InformationFlow runs
  // from the control valve, tagged "CV-?", to YCS-033. Before, the leader read as YCS-033 measuring
  // the valve: both controllers were refused as driving nothing. Then both drove the valve, which the
  // validator refuses (one final element, one loop).
  const flow = (id: string, cls: string, from: string, to: string) =>
    `<InformationFlow ID="${id}" ComponentClass="${cls}"><Connection FromID="${from}" ToID="${to}"/></InformationFlow>`;
  const fn = (id: string, tag: string, flows = "") =>
    `<ProcessInstrumentationFunction ID="${id}" ComponentClass="ProcessInstrumentationFunction" TagName="${tag}">${flows}</ProcessInstrumentationFunction>`;
  const CASCADE = file(`
  ${system(
    "SEG",
    "?-?-?-006",
    "",
    [
      [0, 27],
      [100, 27],
    ],
    `<PipingComponent ID="CV" ComponentClass="ShutOffValve" TagName="CV-?">
      <GenericAttributes Set="DefaultAttributes"><GenericAttribute Name="ActuatorType" Value="5101 Actuator - general"/></GenericAttributes>
    </PipingComponent>`,
  )}
  <InstrumentationLoopFunction ID="L033" TagName="033"/>
  <InstrumentationLoopFunction ID="L032" TagName="032"/>
  ${fn("Y33", "YCS-033", flow("LEAD-V", "Leader", "CV", "Y33"))}
  ${fn("Y32", "YCS-032", `${flow("LEAD-P", "Leader", "Y32", "SEG")}${flow("SIG", "SignalConveyingFunction", "Y32", "Y33")}`)}`);

  it("forms the loop of the controller at the valve, names the valve after it and keeps the file's text", () => {
    const { design, report } = imported(CASCADE);
    expect(design.control?.loops).toEqual([{ tag: "YCS-033", measurement: "YCS-032", finalElement: "YV-033" }]);
    expect(report.renamedTags.filter((r) => r.id === "CV")).toEqual([
      { from: "CV-?", to: "YV-033", element: "PipingComponent", id: "CV" },
    ]);
    expect(report.notes.filter((n) => n.id === "CV").map((n) => n.note)).toContain(
      'control valve named YV-033 after its controller YCS-033: the file\'s tag "CV-?" is no valid tag',
    );
  });

  it("refuses the upstream controller's loop as a cascade, not as driving nothing", () => {
    const { report } = imported(CASCADE);
    expect(report.unmapped.filter((u) => u.element === "ControlLoop").map((u) => u.reason)).toEqual([
      "controller YCS-032: its output goes to controller YCS-033, which drives the final element (a cascade: the contract gives a final element one loop)",
    ]);
  });
});

describe("a trip written on the sending function's limit attribute (AutoCAD P&ID: I07V02_AUD)", () => {
  // PI-041 writes HH="ZHH" (and H="AH", an alarm) and signals UZ-042, whose letters give no condition.
  // Before, the import and the trip counter said the file gives no trip condition.
  const limits = (hh: string, h: string) =>
    `<GenericAttributes Set="DefaultAttributes"><GenericAttribute Name="HH" Value="${hh}"/><GenericAttribute Name="H" Value="${h}"/><GenericAttribute Name="LL" Value=" "/></GenericAttributes>`;
  const switchFile = (hh: string) =>
    file(`
  ${system("PIPE", "?-?-?-007", "", [
    [30, 0],
    [190, 0],
  ])}
  <ProcessInstrumentationFunction ID="PI" ComponentClass="ProcessInstrumentationFunction" TagName="PI-041">${limits(hh, "AH")}
    <InformationFlow ID="LEAD" ComponentClass="Leader"><Connection FromID="PI" ToID="PIPE"/></InformationFlow>
    <InformationFlow ID="SIG" ComponentClass="SignalConveyingFunction"><Connection FromID="PI" ToID="UZ"/></InformationFlow>
  </ProcessInstrumentationFunction>
  <ProcessInstrumentationFunction ID="UZ" ComponentClass="ProcessInstrumentationFunction" TagName="UZ-042"/>`);

  it("says the stated condition, and that UZ-042 drives nothing in the file", () => {
    const xml = switchFile("ZHH");
    const { report } = imported(xml);
    expect(report.unmapped.filter((u) => u.element === "Interlock").map((u) => u.reason)).toEqual([
      "UZ-042: no tagged valve or machine in the design receives its trip signal (its input signals state HH)",
    ]);
    expect(statedTrips(xml).map((t) => [t.id, t.by, t.condition, t.effect])).toEqual([
      ["UZ", "signal lines", "HH", false],
    ]);
  });

  it("takes an alarm or a condition under another name for no trip", () => {
    for (const hh of ["AHH", "ZH", " "]) {
      const xml = switchFile(hh);
      expect(statedTrips(xml)).toEqual([]);
      expect(
        imported(xml)
          .report.unmapped.filter((u) => u.element === "Interlock")
          .map((u) => u.reason),
      ).toEqual([
        "UZ-042 switches or trips (S/Z) but the file gives no trip condition (LL, L, H, HH), which the contract needs",
      ]);
    }
  });
});

describe("the trip counter reads a function's letters as the importer does", () => {
  // TagName "PS-101" with category P and functions "SHH": the importer reads PSHH (the attributes
  // complete the TagName) and forms the interlock; before, the counter read only "PS" and stated no trip.
  const trip = (category: string) =>
    file(`
  ${system(
    "PIPE",
    "?-?-?-101",
    "",
    [
      [0, 0],
      [100, 0],
    ],
    `<PipingComponent ID="XV" ComponentClass="GlobeValve" TagName="XV-101"><GenericAttributes Set="DefaultAttributes"><GenericAttribute Name="ActuatorType" Value="Diaphragm"/></GenericAttributes></PipingComponent>`,
  )}
  <ProcessInstrumentationFunction ID="PS" ComponentClass="ProcessInstrumentationFunction" TagName="PS-101">
    <GenericAttributes Set="DexpiAttributes">
      <GenericAttribute Name="ProcessInstrumentationFunctionCategoryAssignmentClass" Value="${category}"/>
      <GenericAttribute Name="ProcessInstrumentationFunctionsAssignmentClass" Value="SHH"/>
    </GenericAttributes>
    <InformationFlow ID="LEAD" ComponentClass="Leader"><Connection FromID="PS" ToID="PIPE"/></InformationFlow>
    <InformationFlow ID="SIG" ComponentClass="SignalConveyingFunction"><Connection FromID="PS" ToID="XV"/></InformationFlow>
  </ProcessInstrumentationFunction>`);

  const PSHH = trip("P");

  it("counts the trip the importer forms", () => {
    const { design } = imported(PSHH);
    expect(design.control?.interlocks?.map((i) => [i.tag, i.cause, i.effects])).toEqual([
      ["PSHH-101", { instrument: "PSHH-101", trip: "HH" }, [{ target: "XV-101", action: "close" }]],
    ]);
    expect(statedTrips(PSHH).map((t) => [t.id, t.by, t.condition, t.effect])).toEqual([["PS", "letters", "HH", true]]);
  });

  it("reads the attributes' letters where the TagName contradicts them (PS-101 on L + SHH)", () => {
    const LSHH = trip("L");
    const { design } = imported(LSHH);
    expect(design.control?.interlocks?.map((i) => [i.tag, i.cause])).toEqual([
      ["LSHH-101", { instrument: "LSHH-101", trip: "HH" }],
    ]);
    expect(statedTrips(LSHH).map((t) => [t.id, t.condition, t.effect])).toEqual([["PS", "HH", true]]);
  });
});

describe("an instrument leader's loose end (AutoCAD P&ID)", () => {
  // The leader from PI-043 names no end; its free end is drawn on the open start of a pipe that names
  // nothing either. Before, the drawing joined the two into one chain, which ended at the gauge, and the
  // pipe was refused as not a line.
  const LOOSE = gaugeAndPipe('FromID="PI"', "", 110);

  it("is placed by no drawing: the pipe stays a line", () => {
    const { design, report } = imported(LOOSE);
    expect(design.lines.map((l) => [l.id, l.from, l.to])).toEqual([["007", { open: true }, { open: true }]]);
    expect(report.notes.filter((n) => n.id === "LEAD" && n.note.includes("drawing position"))).toEqual([]);
  });
});

describe("a loop's valve named where the file names it (DEXPI Test: C02V01-VER)", () => {
  // The controller's actuating function is fulfilled by an actuating system whose reference to the
  // valve carries its name (SubTagNameAssignmentClass); the valve has no TagName.
  const loop = (tag: string, attributes: [string, string, string], valve = "", reference = "") =>
    file(
      `
  <PipingNetworkSystem ID="SYS"><PipingNetworkSegment ID="SEG" ComponentClass="PipingNetworkSegment" TagName="L-1">
    <PipingComponent ID="V" ComponentClass="ShutOffValve"${valve}/>
  </PipingNetworkSegment></PipingNetworkSystem>
  <ProcessInstrumentationFunction ID="F" ComponentClass="ProcessInstrumentationFunction" TagName="${tag}">
    <GenericAttributes Set="DexpiAttributes">
      <GenericAttribute Name="ProcessInstrumentationFunctionCategoryAssignmentClass" Value="${attributes[0]}"/>
      <GenericAttribute Name="ProcessInstrumentationFunctionsAssignmentClass" Value="${attributes[1]}"/>
      <GenericAttribute Name="ProcessInstrumentationFunctionNumberAssignmentClass" Value="${attributes[2]}"/>
    </GenericAttributes>
    <ProcessSignalGeneratingFunction ID="S"><Association Type="is located in" ItemID="SEG"/></ProcessSignalGeneratingFunction>
    <ActuatingFunction ID="AF"><Association Type="is fulfilled by" ItemID="AS"/></ActuatingFunction>
  </ProcessInstrumentationFunction>
  <ActuatingSystem ID="AS">
    <ActuatingSystemComponent ID="REF" ComponentClass="ShutOffValveReference"><Association Type="refers to" ItemID="V"/>${reference}</ActuatingSystemComponent>
  </ActuatingSystem>`,
      "DEXPI Test",
    );
  const subTag = (name: string) =>
    `<GenericAttributes Set="DexpiAttributes"><GenericAttribute Name="SubTagNameAssignmentClass" Value="${name}"/></GenericAttributes>`;

  it("takes the valve's name from the actuating system's reference to it", () => {
    const { design, report } = imported(loop("PIC 101", ["P", "IC", "101"], "", subTag("PV 101A")));
    expect(design.control?.loops).toEqual([{ tag: "PIC-101", measurement: "PIC-101", finalElement: "PV-101A" }]);
    expect(report.notes.filter((n) => n.id === "V").map((n) => n.note)).toContain(
      `tag "PV 101A" read from the actuating system's reference to it`,
    );
  });

  it("keeps the loop suffix when it names an untagged valve after its controller", () => {
    const { design } = imported(loop("PI_4712.02", ["P", "ICSA", "4712.02"]));
    expect(design.control?.loops).toEqual([
      { tag: "PICSA-4712.02", measurement: "PICSA-4712.02", finalElement: "PV-4712.02" },
    ]);
  });

  it("keeps a TagName that writes the attributes' variable with more letters (PDIC 101 on P + IC: no modifier attribute)", () => {
    const xml = loop("PDIC 101", ["P", "IC", "101"], ` TagName="PDV-101"`);
    const { design } = imported(xml);
    expect(design.control?.loops).toEqual([{ tag: "PDIC-101", measurement: "PDIC-101", finalElement: "PDV-101" }]);
  });

  it("reads the letters from the attributes where the TagName contradicts them (PI_4750.03 on T + ICSA)", () => {
    const xml = loop("PI_4750.03", ["T", "ICSA", "4750.03"], ` TagName="TV-4750.03"`);
    const { design, report } = imported(xml);
    expect(design.control?.loops).toEqual([
      { tag: "TICSA-4750.03", measurement: "TICSA-4750.03", finalElement: "TV-4750.03" },
    ]);
    expect(report.notes.filter((n) => n.id === "F").map((n) => n.note)).toContain(
      `letters TICSA read from its category and function attributes; the file's TagName "PI_4750.03" writes PI, which they contradict`,
    );
  });
});
