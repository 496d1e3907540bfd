// AutoCAD P&ID's way of drawing instrumentation (I02V01_AUD, I03V01_AUD, I11V01_AUD, I12V01_AUD of
// the public collection): a control valve or venturi tube is a ProcessInstrumentationFunction of a
// piping class that the pipe's two segments start at, and the bubble's connection to what it reads
// or drives is a "leader" segment without a tag. Before, those pipes were refused (their end is an
// instrument function), so the lines, the valves and the hand loops were lost. Minimal files here.
import { describe, expect, it } from "vitest";
import { parseDesign } from "../../design/index.js";
import { importDexpi } from "./index.js";

// AutoCAD P&ID writes the loop number on each function too: a loop function names none of its members.
const pif = (id: string, cls: string, tag: string, at: [number, number]) =>
  `<ProcessInstrumentationFunction ID="${id}" ComponentClass="${cls}" TagName="${tag}">
    <Position><Location X="${at[0]}" Y="${at[1]}" Z="0"/></Position>
    <GenericAttributes Set="DexpiAttributes"><GenericAttribute Name="ProcessInstrumentationFunctionNumberAssignmentClass" Value="${tag.split("-")[1]}"/></GenericAttributes>
  </ProcessInstrumentationFunction>`;
const segment = (id: string, tag: string | undefined, from: string, to: string | undefined, line: number[][]) =>
  `<PipingNetworkSegment ID="${id}" ComponentClass="PipingNetworkSegment"${tag ? ` TagName="${tag}"` : ""}>
    <Connection FromID="${from}"${to ? ` ToID="${to}"` : ""}/>
    <CenterLine NumPoints="${line.length}">${line.map(([x, y]) => `<Coordinate X="${x}" Y="${y}" Z="0"/>`).join("")}</CenterLine>
  </PipingNetworkSegment>`;
/** A pipe as AutoCAD P&ID writes one through an inline item: two segments that both start at it. */
const pipeThrough = (item: string, tag: string, up: number[][], down: number[][]) =>
  segment(`${item}-UP`, tag, item, undefined, up) + segment(`${item}-DOWN`, tag, item, undefined, down);
const file = (body: string) => `<?xml version="1.0" encoding="utf-8"?>
<PlantModel>
  <PlantInformation SchemaVersion="4.0.1" OriginatingSystem="AutoCAD PnID" Units="mm"><UnitsOfMeasure Distance="Millimetre"/></PlantInformation>
  <Drawing Name="AUD-1"/>
  ${body}
</PlantModel>`;

function imported(xml: string) {
  const r = importDexpi(xml);
  if (!r.success) throw new Error(JSON.stringify(r.issues));
  expect(parseDesign(r.design).success).toBe(true);
  return r;
}

describe("instrument functions drawn in the pipe (AutoCAD P&ID)", () => {
  // The sheet is 3 units wide (the file says mm, the drawing is in inches): the pipe's open ends lie
  // within the 1-unit tolerance of the leader, which must not catch them as a branch.
  const HAND_LOOP = file(`
  <PipingNetworkSystem ID="SYS-L">${segment("LEAD", undefined, "HC", "HV", [
    [3.4, 5.4],
    [4.3, 5.4],
  ])}</PipingNetworkSystem>
  <PipingNetworkSystem ID="SYS-P">
    ${pipeThrough(
      "HV",
      "?-?-?-012",
      [
        [4.8, 5.7],
        [4.8, 6.4],
      ],
      [
        [4.8, 5.1],
        [4.8, 4.6],
      ],
    )}
  </PipingNetworkSystem>
  <InstrumentationLoopFunction ID="LF" TagName="012"/>
  ${pif("HC", "ProcessInstrumentationFunction", "HC-012", [3.0, 5.4])}
  ${pif("HV", "ControlValve", "HV-012", [4.8, 5.4])}
  <ActuatingSystem ID="AS"><ActuatingSystemComponent ID="DIA" ComponentClass="Diaphragm">
    <Position><Location X="4.8" Y="5.4" Z="0"/></Position>
  </ActuatingSystemComponent></ActuatingSystem>`);

  it("makes the two segments at a ControlValve function one line through the valve", () => {
    const { design, report } = imported(HAND_LOOP);
    expect(design.lines.map((l) => [l.from, l.to, l.components])).toEqual([
      [{ open: true }, { open: true }, [{ type: "control_valve", tag: "HV-012" }]],
    ]);
    expect(report.unmapped.filter((u) => u.element === "PipingNetworkSegment")).toEqual([]);
  });

  // The actuating system names no valve; its diaphragm is drawn at the valve's position: part of the control valve.
  it("reads the leader from HC-012 to the valve as its signal: a hand loop, the valve not an instrument", () => {
    const { design, report } = imported(HAND_LOOP);
    expect(design.control?.loops).toEqual([{ tag: "HC-012", finalElement: "HV-012" }]);
    expect(design.instruments).toEqual([]);
    expect(report.imported).toMatchObject({
      PipingNetworkSegment: 3,
      ProcessInstrumentationFunction: 2,
      InstrumentationLoopFunction: 1,
      ActuatingSystem: 1,
    });
    expect(report.unmapped).toEqual([]);
  });

  const FLOW_AND_LEVEL = file(`
  <Equipment ID="T" ComponentClass="Tank" TagName="T-566"><Nozzle ID="N2" TagName="N-2"/></Equipment>
  <PipingNetworkSystem ID="SYS-1">
    ${segment("TAP", undefined, "N2", "LI", [
      [17, 37],
      [17, 43],
    ])}
    ${segment("IMP", undefined, "FE", "FI", [
      [60, 18],
      [60, 30],
    ])}
    ${pipeThrough(
      "FE",
      "?-?-?-011",
      [
        [55, 18],
        [30, 18],
      ],
      [
        [65, 18],
        [90, 18],
      ],
    )}
  </PipingNetworkSystem>
  ${pif("LI", "ProcessInstrumentationFunction", "LI-003", [17, 46])}
  ${pif("FE", "VenturiTube", "FE-1111", [60, 18])}
  ${pif("FI", "ProcessInstrumentationFunction", "FI-1111", [60, 32])}`);

  it("keeps a venturi tube in its line and mounts what reads it there; a leader from a nozzle mounts on the tank", () => {
    const { design, report } = imported(FLOW_AND_LEVEL);
    expect(design.lines.map((l) => [l.id, l.from, l.to, l.components])).toEqual([
      ["011", { open: true }, { open: true }, [{ type: "flow_meter", tag: "FE-1111" }]],
    ]);
    expect(design.instruments).toEqual([
      { tag: "LI-003", on: { tag: "T-566" } },
      { tag: "FI-1111", on: { line: "011" } },
    ]);
    expect(report.unmapped).toEqual([]);
  });

  it("leaves a piping-class function that only one segment reaches an instrument, and that segment no line", () => {
    const { design, report } = imported(
      file(`
  <PipingNetworkSystem ID="S">${segment("ONE", "P-1", "CV", undefined, [
    [0, 0],
    [50, 0],
  ])}</PipingNetworkSystem>
  ${pif("CV", "ControlValve", "FV-7", [0, 0])}`),
    );
    expect(design.lines).toEqual([]);
    expect(design.instruments?.map((i) => i.tag)).toEqual(["FV-7"]);
    expect(report.unmapped).toContainEqual(
      expect.objectContaining({
        element: "PipingNetworkSegment",
        id: "ONE",
        reason: expect.stringMatching(/^not a line: /),
      }),
    );
  });

  it("leaves open a pipe end drawn on its own line's other segment, within the tolerance (no line branches off itself)", () => {
    const { design, report } = imported(
      file(`
  <PipingNetworkSystem ID="S">
    ${pipeThrough(
      "CV",
      "P-1",
      [
        [0, 0.2],
        [0, 3],
      ],
      [
        [0, -0.2],
        [0, 0.5],
      ],
    )}
  </PipingNetworkSystem>
  ${pif("CV", "ControlValve", "FV-7", [0, 0])}`),
    );
    expect(design.lines.map((l) => [l.from, l.to])).toEqual([[{ open: true }, { open: true }]]);
    expect(report.notes.map((n) => n.note)).toContain(
      "line P-1 starts in the open: it is drawn ending on its own line, which it cannot branch off",
    );
  });
});

describe("AutoCAD P&ID's revised export (I02V02_AUD): the valve a piping component, the signal drawn to it", () => {
  const xml = file(`
  <PipingNetworkSystem ID="SYS">
    <PipingNetworkSegment ID="UP" TagName="?-?-PW-02">
      <Connection FromID="HV"/>
      <PipingComponent ID="HV" ComponentClass="ShutOffValve" TagName="HV-002">
        <GenericAttributes Set="DefaultAttributes"><GenericAttribute Name="ActuatorType" Value="5103 Diaphragm actuator"/></GenericAttributes>
      </PipingComponent>
    </PipingNetworkSegment>
    <PipingNetworkSegment ID="DOWN" TagName="?-?-PW-02"><Connection FromID="HV"/></PipingNetworkSegment>
  </PipingNetworkSystem>
  <InstrumentationLoopFunction ID="LF" TagName="002"/>
  ${pif("HC", "ProcessInstrumentationFunction", "HC-002", [0, 85])}
  <InformationFlow ID="SIG"><Connection FromID="HC" ToID="HV"/></InformationFlow>
  <ActuatingSystem ID="AS">
    <ActuatingSystemComponent ID="REF" ComponentClass="ShutOffValveReference"><Association Type="refers to" ItemID="HV"/></ActuatingSystemComponent>
    <ActuatingSystemComponent ID="DIA" ComponentClass="Diaphragm"/>
  </ActuatingSystem>`);

  it("reads a signal from the function to an actuated valve as its command: the hand loop HC-002", () => {
    const { design } = imported(xml);
    expect(design.lines.map((l) => l.components)).toEqual([[{ type: "control_valve", tag: "HV-002" }]]);
    expect(design.control?.loops).toEqual([{ tag: "HC-002", finalElement: "HV-002" }]);
  });

  it("accounts for the actuating system that names the valve as part of the control valve", () => {
    const { report } = imported(xml);
    expect(report.imported.ActuatingSystem).toBe(1);
    expect(report.unmapped).toEqual([]);
  });
});

describe("COMOS (I05V01-SAG, I06V01-SAG): a flow element written as an Equipment inside the segment", () => {
  const xml = `<?xml version="1.0"?>
<PlantModel>
  <PlantInformation SchemaVersion="4.0.1" OriginatingSystem="Comos" Units="mm"/>
  <ProcessInstrumentationFunction ID="F" ComponentClass="MeasurementFunctionFlow" TagName="F">
    <InformationFlow ID="IF"><Connection FromID="FE" ToID="F"/></InformationFlow>
  </ProcessInstrumentationFunction>
  <InstrumentationLoopFunction ID="LF" TagName="001"><Association Type="is a collection including" ItemID="F"/></InstrumentationLoopFunction>
  <PipingNetworkSystem ID="Q" ComponentClass="Pipe" TagName="Q001">
    <PipingNetworkSegment ID="S1" ComponentClass="PipeSection" TagName="001">
      <Equipment ID="FE"/>
      <Connection FromID="" ToID="FE"/>
    </PipingNetworkSegment>
    <PipingNetworkSegment ID="S2" ComponentClass="PipeSection" TagName="002"><Connection FromID="FE" ToID=""/></PipingNetworkSegment>
  </PipingNetworkSystem>
</PlantModel>`;

  it("joins the two segments through it into one line and mounts the flow function there", () => {
    const { design, report } = imported(xml);
    expect(design.lines.map((l) => [l.id, l.from, l.to])).toEqual([["Q001", { open: true }, { open: true }]]);
    expect(design.instruments).toEqual([{ tag: "F-001", on: { line: "Q001" } }]);
    expect(report.unmapped.map((u) => [u.element, u.id, u.reason])).toEqual([
      [
        "InstrumentationLoopFunction",
        "LF",
        expect.stringMatching(/^no loop or interlock: none of its functions \(F-001\)/),
      ],
      [
        "Equipment",
        "FE",
        'equipment drawn in the pipe, class "" has no PlantGAN component type; the line runs through it',
      ],
    ]);
  });
});
