// A small hand-written DEXPI 1.2-style file exercising what the public test cases do not: segments
// joined through a valve, a branch off a tee, an actuated control valve in a loop, a reducer,
// a line ending on equipment without a nozzle, off-page connectors, fittings and tag repair.
import { describe, expect, it } from "vitest";
import { parseDesign } from "../../design/index.js";
import { importDexpi } from "./index.js";
import { normaliseTag } from "./tags.js";
import { toBarg, toCelsius } from "./values.js";

const nd = (v: string) =>
  `<GenericAttributes Set="DexpiAttributes"><GenericAttribute Name="NominalDiameterNumericalValueRepresentationAssignmentClass" Value="${v}" Format="string"/></GenericAttributes>`;

const XML = `<?xml version="1.0" encoding="utf-8"?>
<PlantModel>
  <PlantInformation SchemaVersion="4.1.1" OriginatingSystem="HandWritten" Units="mm"><UnitsOfMeasure Distance="Millimetre"/></PlantInformation>
  <Drawing Name="SYN-1" Title="Synthetic"/>
  <Equipment ID="T1" ComponentClass="FlatBottomTank" TagName="T4711">
    <Nozzle ID="T1-N1" TagName="N1"/>
    <Nozzle ID="T1-N2" TagName="N2">${nd("150")}</Nozzle>
  </Equipment>
  <Equipment ID="P1" ComponentClass="CentrifugalPump">
    <GenericAttributes Set="DexpiAttributes">
      <GenericAttribute Name="TagNameSequenceNumberAssignmentClass" Value="101" Format="string"/>
      <GenericAttribute Name="TagNameSuffixAssignmentClass" Value="A" Format="string"/>
    </GenericAttributes>
    <Nozzle ID="P1-S" TagName="S"/>
    <Nozzle ID="P1-D" TagName="D"/>
    <Equipment ID="P1-M" ComponentClass="ElectricMotor"/>
  </Equipment>
  <Equipment ID="E1" ComponentClass="ShellAndTubeHeatExchanger" TagName="E-201"/>
  <Equipment ID="V9" ComponentClass="Separator"/>
  <Equipment ID="X1" ComponentClass="StaticMixer" TagName="M-1"/>
  <PipingNetworkSystem ID="S1" TagName="150-P-1001">
    <PipingNetworkSegment ID="S1-1">
      ${nd("150")}
      <PipingComponent ID="F1" ComponentClass="Flange"/>
      <PipingComponent ID="V1" ComponentClass="GateValve" TagName="HV1001"/>
      <Connection FromID="T1-N2" ToID="V1"/>
    </PipingNetworkSegment>
    <PipingNetworkSegment ID="S1-2">
      <PipingComponent ID="R1" ComponentClass="ConcentricReducer">
        <ConnectionPoints NumPoints="3"><Node ID="R1-0"/><Node ID="R1-1">${nd("150")}</Node><Node ID="R1-2">${nd("100")}</Node></ConnectionPoints>
      </PipingComponent>
      <Connection FromID="V1" ToID="P1-S"/>
    </PipingNetworkSegment>
  </PipingNetworkSystem>
  <PipingNetworkSystem ID="S2">
    <PipingNetworkSegment ID="S2-1" TagName="80-P-1002">
      ${nd("80")}
      <PipingComponent ID="TEE" ComponentClass="PipeTee"/>
      <PipingComponent ID="CV" ComponentClass="GlobeValve"/>
      <PipingComponent ID="CK" ComponentClass="SwingCheckValve"/>
      <Connection FromID="P1-D" ToID="E1"/>
    </PipingNetworkSegment>
    <PipingNetworkSegment ID="S2-2" TagName="50-P-1003">
      <PipingComponent ID="PSV" ComponentClass="SpringLoadedGlobeSafetyValve" TagName="PSV-101"/>
      <Connection FromID="TEE" ToID="T1-N1"/>
    </PipingNetworkSegment>
    <PipingNetworkSegment ID="S2-3" TagName="25-D-1004">
      <Connection FromID="CK" ToID="OPC"/>
    </PipingNetworkSegment>
    <PipeConnectorSymbol ID="OPC" ComponentClass="PipeOffPageConnector"/>
  </PipingNetworkSystem>
  <ActuatingSystem ID="AS1">
    <ActuatingSystemComponent ID="ASC1" ComponentClass="ControlledActuator"/>
    <ActuatingSystemComponent ID="ASC2" ComponentClass="OperatedValveReference"><Association Type="refers to" ItemID="CV"/></ActuatingSystemComponent>
  </ActuatingSystem>
  <ProcessInstrumentationFunction ID="PIF-FT" TagName="FT-101">
    <ProcessSignalGeneratingFunction ID="PSGF1"><Association Type="is located in" ItemID="S2-1"/></ProcessSignalGeneratingFunction>
  </ProcessInstrumentationFunction>
  <ProcessInstrumentationFunction ID="PIF-FIC">
    <GenericAttributes Set="DexpiAttributes">
      <GenericAttribute Name="ProcessInstrumentationFunctionCategoryAssignmentClass" Value="F" Format="string"/>
      <GenericAttribute Name="ProcessInstrumentationFunctionsAssignmentClass" Value="IC" Format="string"/>
      <GenericAttribute Name="ProcessInstrumentationFunctionNumberAssignmentClass" Value="101" Format="string"/>
    </GenericAttributes>
    <ActuatingFunction ID="AF1"><Association Type="is fulfilled by" ItemID="AS1"/></ActuatingFunction>
  </ProcessInstrumentationFunction>
  <InformationFlow ID="IF1" ComponentClass="SignalLineFunction">
    <Association Type="has logical start" ItemID="PIF-FT"/><Association Type="has logical end" ItemID="PIF-FIC"/>
  </InformationFlow>
  <ProcessInstrumentationFunction ID="PIF-LT" TagName="LT 4711">
    <InformationFlow ID="IF2" ComponentClass="MeasuringLineFunction"><Connection FromID="T1" ToID="PIF-LT"/></InformationFlow>
  </ProcessInstrumentationFunction>
  <ProcessInstrumentationFunction ID="PIF-PI" TagName="PI-9"/>
</PlantModel>`;

describe("importDexpi on a synthetic DEXPI 1.2-style file", () => {
  const r = importDexpi(XML, { id: "syn 1" });
  if (!r.success) throw new Error(JSON.stringify(r.issues));
  const { design, report } = r;

  it("maps classes, repairs tags (with renames) and generates missing ones from the type", () => {
    expect(design.equipment.map((e) => [e.tag, e.type])).toEqual([
      ["T-4711", "tank"],
      ["P-101A", "pump"],
      ["E-201", "heat_exchanger"],
      ["V-1", "vessel"],
    ]);
    expect(report.renamedTags.filter((t) => t.element === "Equipment").map((t) => [t.from, t.to])).toEqual([
      ["T4711", "T-4711"],
      ["101A", "P-101A"],
      ["", "V-1"],
    ]);
    expect(report.unmapped.find((u) => u.id === "X1")?.reason).toMatch(/StaticMixer/);
    expect(report.notes.some((n) => n.id === "P1-M" && /folded into P-101A/.test(n.note))).toBe(true);
    expect(design.processClass).toBe("tank_farm");
    expect(design.id).toBe("syn-1");
  });

  it("joins segments through a valve, branches off a tee and adds a nozzle where a line meets bare equipment", () => {
    expect(design.lines).toEqual([
      {
        id: "150-P-1001",
        from: { tag: "T-4711", nozzle: "N2" },
        to: { tag: "P-101A", nozzle: "S" },
        size: 150,
        components: [
          { type: "gate_valve", tag: "HV-1001" },
          { type: "reducer", size: 100 },
        ],
      },
      {
        id: "80-P-1002",
        from: { tag: "P-101A", nozzle: "D" },
        to: { tag: "E-201", nozzle: "C1" },
        size: 80,
        components: [{ type: "control_valve", tag: "FV-101" }, { type: "check_valve" }],
      },
      {
        id: "50-P-1003",
        from: { line: "80-P-1002" },
        to: { tag: "T-4711", nozzle: "N1" },
        size: 50,
        components: [{ type: "relief_valve", tag: "PSV-101" }],
      },
      // A drain that ends at an off-page connector with no tag: an open end without a label.
      { id: "25-D-1004", from: { line: "80-P-1002" }, to: { open: true }, size: 50, components: [] },
    ]);
    // An inlet of a heat exchanger with no drawing: on its inlet end, half way up (the convention).
    expect(design.equipment.find((e) => e.tag === "E-201")?.nozzles).toEqual([{ id: "C1", dx: -3, dy: 0, dz: 0.75 }]);
    expect(report.unmapped.find((u) => u.id === "F1")?.reason).toMatch(/fitting/);
    expect(report.notes.filter((n) => n.id === "S2-3").map((n) => n.note)).toContainEqual(
      expect.stringMatching(/^line 25-D-1004 ends in the open: .*connector/),
    );
    expect(report.unmapped.find((u) => u.id === "TEE")).toBeUndefined();
    expect(report.unmapped.find((u) => u.id === "OPC")).toBeUndefined();
    expect(report.notes.some((n) => n.id === "S2-2" && /DN 50 assumed/.test(n.note))).toBe(true);
  });

  it("forms the flow loop; the untagged control valve takes the ISA name of its controller's valve", () => {
    expect(design.control?.loops).toEqual([{ tag: "FIC-101", measurement: "FT-101", finalElement: "FV-101" }]);
    expect(design.instruments).toEqual([
      { tag: "FT-101", on: { line: "80-P-1002" } },
      { tag: "LT-4711", on: { tag: "T-4711" } },
      { tag: "PI-9" },
    ]);
    // PI-9 measures nothing the file names: kept unmounted, and the report says so.
    expect(report.warnings).toContain(
      "instrument PI-9 has no mount in the file: nothing it measures or drives is in the design, so it is imported unmounted",
    );
    expect(report.counts).toEqual({
      equipment: 4,
      nozzles: 5,
      lines: 4,
      components: 5,
      instruments: 3,
      loops: 1,
      interlocks: 0,
    });
  });

  it("builds an interlock from a trip function: LSLL on the tank stops the pump through its motor", () => {
    const trip = `<ProcessInstrumentationFunction ID="PIF-LS" TagName="LSLL-4712">
      <InformationFlow ID="IF3" ComponentClass="MeasuringLineFunction"><Connection FromID="T1" ToID="PIF-LS"/></InformationFlow>
    </ProcessInstrumentationFunction>
    <InformationFlow ID="IF4" ComponentClass="SignalLineFunction"><Connection FromID="PIF-LS" ToID="P1-M"/></InformationFlow>
    <ProcessInstrumentationFunction ID="PIF-PS" TagName="PSA-4713">
      <InformationFlow ID="IF5" ComponentClass="MeasuringLineFunction"><Connection FromID="T1" ToID="PIF-PS"/></InformationFlow>
    </ProcessInstrumentationFunction>`;
    const t = importDexpi(XML.replace("</PlantModel>", `${trip}</PlantModel>`));
    if (!t.success) throw new Error(JSON.stringify(t.issues));
    expect(t.design.control?.interlocks).toEqual([
      {
        tag: "LSLL-4712",
        cause: { instrument: "LSLL-4712", trip: "LL" },
        effects: [{ target: "P-101A", action: "stop" }],
      },
    ]);
    expect(t.report.unmapped.find((u) => u.element === "Interlock")?.reason).toMatch(/PSA-4713.*no trip condition/);
    expect(t.report.unmapped.find((u) => u.id === "IF4")).toBeUndefined();
    expect(parseDesign(t.design).success).toBe(true);
  });

  it("is accepted by parseDesign and leaves only the reported elements out", () => {
    expect(parseDesign(design).success).toBe(true);
    expect(report.unmapped.map((u) => u.id).sort()).toEqual(["F1", "X1"]);
  });
});

describe("normaliseTag", () => {
  it.each([
    ["P-4713", undefined, "P-4713"],
    ["P4711", undefined, "P-4711"],
    ["P-4712?", undefined, "P-4712"],
    ["HC 02", undefined, "HC-02"],
    ["tk 12 b", undefined, "TK-12-B"],
    ["10-P-101A", undefined, "P-101A-10"],
    ["4711", "P", "P-4711"],
    ["P ICSA 4712.02", undefined, "PICSA-4712.02"],
    ["PV 4712.02", undefined, "PV-4712.02"],
    ["TICSA\r4750.03", undefined, "TICSA-4750.03"],
    ["LT", undefined, undefined],
    ["80-75HB13-MNb-47132", undefined, undefined],
  ])("%s (prefix %s) → %s", (raw, prefix, expected) => {
    expect(normaliseTag(raw, prefix)).toBe(expected);
  });
});

describe("an open end drawn beside the nozzle its segment already starts from", () => {
  it("stays open: no line from a nozzle to the same nozzle, the drawn end is an open end", () => {
    const xml = `<PlantModel><PlantInformation SchemaVersion="4.0.1" Units="mm"/>
      <Equipment ID="E" ComponentClass="Vessel" TagName="V-1">
        <Nozzle ID="E1"><GenericAttributes><GenericAttribute Name="SubTagNameAssignmentClass" Value="N7"/></GenericAttributes>
          <Extent><Min X="0" Y="0"/><Max X="5" Y="5"/></Extent></Nozzle>
      </Equipment>
      <PipingNetworkSystem ID="S"><PipingNetworkSegment ID="G"><Connection ToID="E1"/>
        <CenterLine><Coordinate X="4" Y="4"/><Coordinate X="50" Y="4"/><Coordinate X="4.5" Y="4"/></CenterLine>
      </PipingNetworkSegment></PipingNetworkSystem></PlantModel>`;
    const r = importDexpi(xml);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.design.equipment[0]?.nozzles?.map((n) => n.id)).toEqual(["N7"]);
    expect(r.design.lines.map((l) => [l.from, l.to])).toEqual([[{ open: true }, { tag: "V-1", nozzle: "N7" }]]);
    expect(r.report.notes.map((n) => n.note)).toContainEqual(expect.stringMatching(/starts in the open: its from end/));
  });
});

/** Segments with empty Connections (as AutoCAD P&ID writes them): ends are matched by drawing position. */
function drawnFile(): string {
  const nozzle = (id: string, tag: string, x0: number, x1: number, y = 0) =>
    `<Nozzle ID="${id}" TagName="${tag}"><Extent><Min X="${x0}" Y="${y - 2}" Z="0"/><Max X="${x1}" Y="${y + 2}" Z="0"/></Extent></Nozzle>`;
  const seg = (id: string, pts: [number, number][]) =>
    `<PipingNetworkSegment ID="${id}" TagName="${id}"><Connection/><CenterLine NumPoints="${pts.length}">${pts
      .map(([x, y]) => `<Coordinate X="${x}" Y="${y}" Z="0"/>`)
      .join("")}</CenterLine></PipingNetworkSegment>`;
  return `<PlantModel><PlantInformation SchemaVersion="4.0.1" Units="mm"/>
    <Equipment ID="A" ComponentClass="Pump" TagName="P-1">${nozzle("A1", "D", 0, 5)}</Equipment>
    <Equipment ID="B" ComponentClass="Vessel" TagName="V-1">${nozzle("B1", "IN", 100, 105)}</Equipment>
    <Equipment ID="C" ComponentClass="Vessel" TagName="V-2">${nozzle("C1", "IN", 68, 72, 47)}</Equipment>
    <PipingNetworkSystem ID="SYS">
      ${seg("10-P-1", [
        [5, 0],
        [50, 0],
      ])}
      ${seg("10-P-2", [
        [50, 0],
        [100, 0],
      ])}
      ${seg("10-P-3", [
        [30, 0],
        [30, 40],
        [70, 40],
        [70, 45],
      ])}
    </PipingNetworkSystem></PlantModel>`;
}

describe("unconnected segments matched by drawing position", () => {
  it("joins two segments drawn end to end and makes a third a branch", () => {
    const r = importDexpi(drawnFile());
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.design.lines.map((l) => [l.id, l.from, l.to])).toEqual([
      ["10-P-1", { tag: "P-1", nozzle: "D" }, { tag: "V-1", nozzle: "IN" }],
      ["10-P-3", { line: "10-P-1" }, { tag: "V-2", nozzle: "IN" }],
    ]);
    expect(r.report.notes.some((n) => /from end of PipingNetworkSegment 10-P-2/.test(n.note))).toBe(true);
    expect(parseDesign(r.design).success).toBe(true);
  });
});

describe("connections that name a connection node", () => {
  it("resolve to the item owning the node", () => {
    const xml = `<PlantModel>
      <Equipment ID="A" ComponentClass="Pump" TagName="P-1"><Nozzle ID="A1" TagName="D"><ConnectionPoints><Node ID="A1-n0"/><Node ID="A1-n1"/></ConnectionPoints></Nozzle></Equipment>
      <Equipment ID="B" ComponentClass="Drum" TagName="V-1"><Nozzle ID="B1" TagName="IN"><ConnectionPoints><Node ID="B1-n1"/></ConnectionPoints></Nozzle></Equipment>
      <PipingNetworkSystem ID="S" TagName="25-P-7"><PipingNetworkSegment ID="G"><Connection FromID="A1-n1" ToID="B1-n1"/></PipingNetworkSegment></PipingNetworkSystem>
    </PlantModel>`;
    const r = importDexpi(xml);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.design.lines.map((l) => [l.id, l.from, l.to])).toEqual([
      ["25-P-7", { tag: "P-1", nozzle: "D" }, { tag: "V-1", nozzle: "IN" }],
    ]);
  });
});

describe("a large file", () => {
  it("imports 2000 pumps with 2000 unconnected lines in well under the test timeout", () => {
    const parts: string[] = ['<PlantModel><PlantInformation Units="mm"/>'];
    for (let i = 0; i < 2000; i++) {
      const x = i * 200;
      parts.push(
        `<Equipment ID="E${i}" ComponentClass="CentrifugalPump" TagName="P${1000 + i}"><Nozzle ID="N${i}" TagName="D"><Extent><Min X="${x}" Y="0" Z="0"/><Max X="${x + 5}" Y="5" Z="0"/></Extent></Nozzle></Equipment>`,
        `<PipingNetworkSystem ID="S${i}"><PipingNetworkSegment ID="G${i}" TagName="50-P-${i}"><Connection/><PipingComponent ID="V${i}" ComponentClass="BallValve" TagName="HV${i}"/><CenterLine><Coordinate X="${x + 5}" Y="2" Z="0"/><Coordinate X="${x + 100}" Y="2" Z="0"/></CenterLine></PipingNetworkSegment></PipingNetworkSystem>`,
      );
    }
    parts.push("</PlantModel>");
    const started = performance.now();
    const r = importDexpi(parts.join("\n"));
    const ms = performance.now() - started;
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.report.counts.equipment).toBe(2000);
    expect(r.report.renamedTags.filter((t) => t.element === "Equipment")).toHaveLength(2000);
    // Each line has one open end (nothing drawn at x+100): an open end, never guessed onto a nozzle.
    expect(r.report.counts.lines).toBe(2000);
    expect(r.design.lines.filter((l) => "open" in l.from || "open" in l.to)).toHaveLength(2000);
    expect(ms).toBeLessThan(20_000);
  });
});

describe("design conditions", () => {
  it.each([
    ["10", "Barg", 10],
    ["10", "bar(g)", 10],
    ["100", "psig", 6.895],
    ["250", "kPa", 2.5],
    ["1.6", "MPa", 16],
    ["2", "bara", 0.987],
    ["7", undefined, 7],
  ] as const)("pressure %s %s → %s barg", (value, units, barg) => {
    const r = toBarg(Number(value), units);
    expect(typeof r === "number" ? Math.round(r * 1000) / 1000 : r).toBe(barg);
  });

  it.each([
    ["100", "DegreeCelsius", 100],
    ["80", "° Celsius", 80],
    ["80", "degC", 80],
    ["373.15", "K", 100],
    ["212", "°F", 100],
    ["100", "DegreeFahrenheit", 37.778],
  ] as const)("temperature %s %s → %s °C", (value, units, celsius) => {
    const r = toCelsius(Number(value), units);
    expect(typeof r === "number" ? Math.round(r * 1000) / 1000 : r).toBe(celsius);
  });

  it("refuses pressure written in SI dimensions, naming the unit", () => {
    expect(toBarg(60, "kg/(m·s²)")).toMatch(/kg\/\(m·s²\)/);
  });

  it("reads the element forms and the generic attributes, and notes what it cannot read", () => {
    const xml = `<PlantModel><PlantInformation SchemaVersion="4.0.1" Units="mm"/>
      <Equipment ID="A" ComponentClass="Vessel" TagName="V-1">
        <MaximumDesignPressure Value="35" Units="Barg"/><MaximumDesignTemperature Value="212" Units="DegreeFahrenheit"/>
      </Equipment>
      <Equipment ID="B" ComponentClass="Vessel" TagName="V-2"><GenericAttributes>
        <GenericAttribute Name="UpperLimitDesignPressure" Value="1.6" Units="MPa"/>
        <GenericAttribute Name="UpperLimitDesignTemperature" Value="60" Units="kg/(m·s²)"/>
      </GenericAttributes></Equipment></PlantModel>`;
    const r = importDexpi(xml);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.design.equipment.map((e) => [e.designPressure, e.designTemperature])).toEqual([
      [35, 100],
      [16, undefined],
    ]);
    expect(r.report.unmapped.filter((u) => /Design/.test(u.element))).toEqual([]);
    expect(r.report.notes.find((n) => n.id === "B")?.note).toMatch(/temperature.*not a temperature unit/);
  });

  // Six public AutoCAD files (E01V01-AUD.EX04, E04V02, E05V02, P04V02…) wrote their conditions only so, and lost them.
  it("reads AutoCAD P&ID's DesPressMax and DesTempMax (no units: barg and °C); both Max and Min 0 is its blank", () => {
    const des = (p: string, pMin: string, t: string) => `<GenericAttributes Set="DefaultAttributes">
        <GenericAttribute Name="DesTempMax" Format="string" Value="${t}"/><GenericAttribute Name="DesTempMin" Format="string" Value="-45"/>
        <GenericAttribute Name="DesPressMax" Format="string" Value="${p}"/><GenericAttribute Name="DesPressMin" Format="string" Value="${pMin}"/>
      </GenericAttributes>`;
    const r = importDexpi(`<PlantModel><PlantInformation SchemaVersion="4.0.1" Units="mm"/>
      <Equipment ID="P" ComponentClass="CentrifugalPump" TagName="P-4712">${des("60", "-0.5", "80")}</Equipment>
      <Equipment ID="T" ComponentClass="Tank" TagName="T-4750">${des("0", "0", "")}</Equipment></PlantModel>`);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.design.equipment.map((e) => [e.tag, e.designPressure, e.designTemperature])).toEqual([
      ["P-4712", 60, 80],
      ["T-4750", undefined, undefined],
    ]);
  });

  // I03V01_AUD's T-566 and the public I01V01_AUD's T-123 came in at 0 barg and 0 °C this way.
  it("reads upper and lower limits both 0 (AutoCAD P&ID's blank fields) as no condition, and says so; 0 alone is read", () => {
    const limits = (p: string, t: string) => `<GenericAttributes>
        <GenericAttribute Name="UpperLimitDesignTemperature" Units="° Celsius" Value="${t}"/>
        <GenericAttribute Name="LowerLimitDesignTemperatur" Units="° Celsius" Value="0"/>
        <GenericAttribute Name="UpperLimitDesignPressure" Units="barg" Value="${p}"/>
        <GenericAttribute Name="LowerLimitDesignPressure" Units="barg" Value="0"/>
      </GenericAttributes>`;
    const r = importDexpi(`<PlantModel><PlantInformation SchemaVersion="4.0.1" Units="mm"/>
      <Equipment ID="T" ComponentClass="Tank" TagName="T-123">${limits("0", "0")}</Equipment>
      <Equipment ID="U" ComponentClass="Tank" TagName="T-124">${limits("0", "40")}</Equipment>
      <Equipment ID="V" ComponentClass="Tank" TagName="T-125"><GenericAttributes>
        <GenericAttribute Name="UpperLimitDesignPressure" Units="barg" Value="0"/>
      </GenericAttributes></Equipment></PlantModel>`);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.design.equipment.map((e) => [e.tag, e.designPressure, e.designTemperature])).toEqual([
      ["T-123", undefined, undefined],
      ["T-124", undefined, 40],
      ["T-125", 0, undefined],
    ]);
    expect(r.report.notes.filter((n) => n.id === "T").map((n) => n.note)).toEqual([
      expect.stringMatching(/^design pressure UpperLimitDesignPressure "0 barg" with a lower limit of 0 too/),
      expect.stringMatching(
        /^design temperature UpperLimitDesignTemperature "0 ° Celsius" with a lower limit of 0 too/,
      ),
    ]);
  });
});

describe("nozzle geometry by convention (no drawing)", () => {
  it("puts pump suction on its end, discharge on top, vessel inlet high and outlet low", () => {
    const xml = `<PlantModel><PlantInformation SchemaVersion="4.0.1" Units="mm"/>
      <Equipment ID="V" ComponentClass="Vessel" TagName="V-1"><Nozzle ID="V1" TagName="OUT"/><Nozzle ID="V2" TagName="IN"/></Equipment>
      <Equipment ID="P" ComponentClass="CentrifugalPump" TagName="P-1"><Nozzle ID="P1" TagName="D"/><Nozzle ID="P2" TagName="S"/></Equipment>
      <PipingNetworkSystem ID="S">
        <PipingNetworkSegment ID="G1"><Connection FromID="V1" ToID="P2"/></PipingNetworkSegment>
        <PipingNetworkSegment ID="G2"><Connection FromID="P1" ToID="V2"/></PipingNetworkSegment>
      </PipingNetworkSystem></PlantModel>`;
    const r = importDexpi(xml);
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    const at = (tag: string, id: string) =>
      r.design.equipment.find((e) => e.tag === tag)?.nozzles?.find((n) => n.id === id);
    expect(at("P-1", "S")).toEqual({ id: "S", dx: -1, dy: 0, dz: 0.6 });
    expect(at("P-1", "D")).toEqual({ id: "D", dx: 0, dy: 0, dz: 1.2 });
    expect(at("V-1", "IN")).toEqual({ id: "IN", dx: -1.5, dy: 0, dz: 4 });
    expect(at("V-1", "OUT")).toEqual({ id: "OUT", dx: 1.5, dy: 0, dz: 0.5 });
  });
});

describe("loop functions (InstrumentationLoopFunction) of the synthetic file", () => {
  const withLoopFunctions = (extra: string) => {
    const r = importDexpi(XML.replace("</PlantModel>", `${extra}</PlantModel>`));
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    return r;
  };

  it("one that holds the loop's controller is imported; one of an indicator is unmapped with why not", () => {
    const { design, report } = withLoopFunctions(`
      <InstrumentationLoopFunction ID="ILF-F" TagName="F-101">
        <Association Type="is a collection including" ItemID="PIF-FT"/>
        <Association Type="is a collection including" ItemID="PIF-FIC"/>
      </InstrumentationLoopFunction>
      <InstrumentationLoopFunction ID="ILF-L" TagName="L-4711">
        <Association Type="is a collection including" ItemID="PIF-LT"/>
      </InstrumentationLoopFunction>`);
    expect(design.control?.loops).toEqual([{ tag: "FIC-101", measurement: "FT-101", finalElement: "FV-101" }]);
    expect(report.imported.InstrumentationLoopFunction).toBe(1);
    expect(report.unmapped.filter((u) => u.element === "InstrumentationLoopFunction")).toEqual([
      {
        element: "InstrumentationLoopFunction",
        id: "ILF-L",
        reason:
          "no loop or interlock: none of its functions (LT-4711) controls (C) or switches with a trip condition (S/Z + H/L)",
      },
    ]);
  });

  it("one that names no functions (AutoCAD P&ID) holds those with its loop number", () => {
    const { report } = withLoopFunctions(`
      <InstrumentationLoopFunction ID="ILF-101" TagName="101">
        <GenericAttributes Set="DexpiAttributes">
          <GenericAttribute Name="InstrumentationLoopFunctionNumberAssignmentClass" Value="101" Format="string"/>
        </GenericAttributes>
      </InstrumentationLoopFunction>`);
    // PIF-FIC carries number 101 and leads loop FIC-101.
    expect(report.imported.InstrumentationLoopFunction).toBe(1);
    expect(report.unmapped.find((u) => u.element === "InstrumentationLoopFunction")).toBeUndefined();
  });

  it("a transmitter that measures nothing in the design is kept unmounted and still measures the loop", () => {
    // FT-101's sensing point is dropped: the loop stays, its measurement now unmounted.
    const r = importDexpi(
      XML.replace(
        `<ProcessSignalGeneratingFunction ID="PSGF1"><Association Type="is located in" ItemID="S2-1"/></ProcessSignalGeneratingFunction>`,
        "",
      ),
    );
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.design.control?.loops).toEqual([{ tag: "FIC-101", measurement: "FT-101", finalElement: "FV-101" }]);
    expect(r.design.instruments).toContainEqual({ tag: "FT-101" });
    expect(r.report.warnings).toContainEqual(expect.stringMatching(/^instrument FT-101 has no mount in the file/));
    expect(parseDesign(r.design).success).toBe(true);
  });
});

describe("an actuating system with nothing in it (I11V01_AUD writes one on a sheet without a valve)", () => {
  it("is unmapped saying it is empty, not that its valve is off a mapped line", () => {
    const r = importDexpi(XML.replace("</PlantModel>", '<ActuatingSystem ID="AS-EMPTY"/></PlantModel>'));
    if (!r.success) throw new Error(JSON.stringify(r.issues));
    expect(r.report.unmapped.find((u) => u.id === "AS-EMPTY")?.reason).toBe(
      "an empty actuating system: it holds no component and names no valve or function, so it actuates nothing",
    );
  });
});
