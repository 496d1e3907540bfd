// A cascade: the master controller sets the slave's set point, the slave drives the valve. The contract
// gives a final element one loop, the slave's. Where the slave passes its output on through a relay
// (FIC → FY → valve), the master's signal path reaches the valve through the slave as well; the
// master must not take the valve too. A small hand-written file.
import { describe, expect, it } from "vitest";
import { parseDesign } from "../../design/index.js";
import { importDexpi } from "./index.js";

/** A function with category, functions and number attributes, and the signal lines it starts. */
const fn = (id: string, category: string, functions: string, to: string[]) => `
  <ProcessInstrumentationFunction ID="${id}" ComponentClass="ProcessInstrumentationFunction">
    <GenericAttributes Set="DexpiAttributes">
      <GenericAttribute Name="ProcessInstrumentationFunctionCategoryAssignmentClass" Format="string" Value="${category}"/>
      <GenericAttribute Name="ProcessInstrumentationFunctionNumberAssignmentClass" Format="string" Value="101"/>
      <GenericAttribute Name="ProcessInstrumentationFunctionsAssignmentClass" Format="string" Value="${functions}"/>
    </GenericAttributes>
    ${to
      .map(
        (end) => `<InformationFlow ID="${id}-${end}" ComponentClass="SignalConveyingFunction">
      <Association Type="has logical start" ItemID="${id}"/>
      <Association Type="has logical end" ItemID="${end}"/>
    </InformationFlow>`,
      )
      .join("")}
  </ProcessInstrumentationFunction>`;

/** Pump → valve V1 → tank; TT → TIC (master) → FIC (slave) ← FT; FIC → `slaveOut`… → actuator of V1. */
const cascade = (slaveOutput: string) => `<?xml version="1.0" encoding="UTF-8"?>
<PlantModel>
  <PlantInformation SchemaVersion="4.1.1" OriginatingSystem="pnb unit test" Units="mm"><UnitsOfMeasure/></PlantInformation>
  <Equipment ID="P1" ComponentClass="CentrifugalPump" TagName="P-1">
    <Position><Location X="0" Y="0" Z="0"/></Position>
    <Nozzle ID="PN" ComponentClass="Nozzle" TagName="N2"><Position><Location X="10" Y="0" Z="0"/></Position></Nozzle>
  </Equipment>
  <Equipment ID="T1" ComponentClass="Tank" TagName="T-1">
    <Position><Location X="200" Y="0" Z="0"/></Position>
    <Nozzle ID="TN" ComponentClass="Nozzle" TagName="N1"><Position><Location X="190" Y="0" Z="0"/></Position></Nozzle>
  </Equipment>
  <PipingNetworkSystem ID="SYS" TagName="100-L-1">
    <PipingNetworkSegment ID="SEG" ComponentClass="PipingNetworkSegment">
      <PipingComponent ID="V1" ComponentClass="GlobeValve" TagName="FV-101">
        <Position><Location X="100" Y="0" Z="0"/></Position>
      </PipingComponent>
      <Connection FromID="PN" ToID="TN"/>
    </PipingNetworkSegment>
  </PipingNetworkSystem>
  ${fn("TT", "T", "T", ["TIC"])}
  ${fn("TIC", "T", "IC", ["FIC"])}
  ${fn("FT", "F", "T", ["FIC"])}
  ${slaveOutput}
  <ActuatingFunction ID="AF" ComponentClass="ActuatingFunction">
    <Association Type="is fulfilled by" ItemID="AS"/>
  </ActuatingFunction>
  <ActuatingSystem ID="AS" ComponentClass="ActuatingSystem">
    <Association Type="fulfills" ItemID="AF"/>
    <ActuatingSystemComponent ID="CA" ComponentClass="ControlledActuator"/>
    <ActuatingSystemComponent ID="OVR" ComponentClass="OperatedValveReference">
      <Association Type="refers to" ItemID="V1"/>
    </ActuatingSystemComponent>
  </ActuatingSystem>
</PlantModel>`;

function imported(xml: string) {
  const r = importDexpi(xml);
  if (!r.success) throw new Error(JSON.stringify(r.issues));
  expect(parseDesign(r.design).success).toBe(true);
  return r;
}

describe("a cascade's final element takes one loop, the slave's", () => {
  it("slave drives the actuator itself: the master is refused as a cascade", () => {
    const { design, report } = imported(cascade(fn("FIC", "F", "IC", ["AF"])));
    expect(design.control?.loops).toEqual([{ tag: "FIC-101", measurement: "FT-101", finalElement: "FV-101" }]);
    expect(report.unmapped.filter((u) => u.element === "ControlLoop").map((u) => u.reason)).toEqual([
      expect.stringContaining("cascade"),
    ]);
  });

  it("slave drives the actuator through a relay (FIC → FY): the master does not take the valve too", () => {
    const { design, report } = imported(cascade(`${fn("FIC", "F", "IC", ["FY"])}${fn("FY", "F", "Y", ["AF"])}`));
    const loops = design.control?.loops ?? [];
    expect(loops).toEqual([{ tag: "FIC-101", measurement: "FT-101", finalElement: "FV-101" }]);
    expect(new Set(loops.map((l) => l.finalElement)).size).toBe(loops.length);
    const refused = report.unmapped.filter((u) => u.element === "ControlLoop");
    expect(refused.map((u) => u.reason)).toEqual([expect.stringMatching(/TIC-101.*FIC-101.*cascade/)]);
    expect(report.counts.loops).toBe(1);
  });
});
