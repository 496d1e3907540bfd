// The DISC/NOAKA convention (equinor/Dexpi2Imf cli/chex/dexpi.xml, a DEXPI 1.3 export of the DISC
// C01_NOA1 P&ID): a field instrument writes no TagName and no category or function letters, only its
// number (ProcessInstrumentationFunctionNumberAssignmentClass) and, in the DexpiCustomAttributes set,
// its letters as TagTypeAssignmentClass ("TI") and its plant tag as ItemTagAssignmentClass
// ("D-20TI0003"). A small hand-written file that reproduces what the public file does, not a copy.
import { describe, expect, it } from "vitest";
import { parseDesign } from "../../design/index.js";
import { importDexpi } from "./index.js";

const attrs = (set: string, values: Record<string, string>) =>
  `<GenericAttributes Set="${set}">${Object.entries(values)
    .map(([name, value]) => `<GenericAttribute Name="${name}" Format="string" Value="${value}"/>`)
    .join("")}</GenericAttributes>`;

/** Pump P-1 → gate valve → tank T-1; TI → TIC → actuator of the gate valve (by OperatedValveReference). */
const loopFile = (measurement: string) => `<?xml version="1.0" encoding="UTF-8"?>
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
      <PipingComponent ID="GV" ComponentClass="GateValve">
        <Position><Location X="100" Y="0" Z="0"/></Position>
        <Association Type="is referenced by" ItemID="OVR"/>
      </PipingComponent>
      <Connection FromID="PN" ToID="TN"/>
    </PipingNetworkSegment>
  </PipingNetworkSystem>
  ${measurement}
  <ProcessInstrumentationFunction ID="TIC" ComponentClass="ProcessInstrumentationFunction">
    ${attrs("DexpiCustomAttributes", { TagTypeAssignmentClass: "TIC", ItemTagAssignmentClass: "D-20TIC0003" })}
    ${attrs("DexpiAttributes", {
      ProcessInstrumentationFunctionCategoryAssignmentClass: "T",
      ProcessInstrumentationFunctionNumberAssignmentClass: "0003",
      ProcessInstrumentationFunctionsAssignmentClass: "IC",
    })}
    <Association Type="is logical end of" ItemID="S17"/>
    <Association Type="is logical start of" ItemID="S16"/>
    <InformationFlow ID="S16" ComponentClass="SignalConveyingFunction">
      <Association Type="has logical start" ItemID="TIC"/>
      <Association Type="has logical end" ItemID="AF"/>
    </InformationFlow>
    <ActuatingFunction ID="AF" ComponentClass="ActuatingFunction">
      <Association Type="is logical end of" ItemID="S16"/>
      <Association Type="is fulfilled by" ItemID="AS"/>
    </ActuatingFunction>
  </ProcessInstrumentationFunction>
  <ActuatingSystem ID="AS" ComponentClass="ActuatingSystem">
    <Association Type="fulfills" ItemID="AF"/>
    <ActuatingSystemComponent ID="CA" ComponentClass="ControlledActuator"/>
    <ActuatingSystemComponent ID="OVR" ComponentClass="OperatedValveReference">
      <Association Type="refers to" ItemID="GV"/>
    </ActuatingSystemComponent>
  </ActuatingSystem>
</PlantModel>`;

const fieldTransmitter = (custom: Record<string, string>) => `
  <ProcessInstrumentationFunction ID="TI" ComponentClass="ProcessInstrumentationFunction">
    ${attrs("DexpiCustomAttributes", custom)}
    ${attrs("DexpiAttributes", { ProcessInstrumentationFunctionNumberAssignmentClass: "0003" })}
    <Association Type="is logical start of" ItemID="S17"/>
    <InformationFlow ID="S17" ComponentClass="SignalConveyingFunction">
      <Association Type="has logical start" ItemID="TI"/>
      <Association Type="has logical end" ItemID="TIC"/>
    </InformationFlow>
  </ProcessInstrumentationFunction>`;

function imported(xml: string) {
  const r = importDexpi(xml);
  if (!r.success) throw new Error(JSON.stringify(r.issues));
  expect(parseDesign(r.design).success).toBe(true);
  return r;
}

describe("a field instrument named only by TagTypeAssignmentClass and its number (DISC/NOAKA)", () => {
  it("reads its letters from TagTypeAssignmentClass, and the controller it feeds forms a loop", () => {
    const { design, report } = imported(
      loopFile(fieldTransmitter({ TagTypeAssignmentClass: "TI", ItemTagAssignmentClass: "D-20TI0003" })),
    );
    expect(design.instruments?.map((i) => i.tag)).toContain("TI-0003");
    expect(design.control?.loops).toEqual([{ tag: "TIC-0003", measurement: "TI-0003", finalElement: "TV-0003" }]);
    expect(report.unmapped.filter((u) => u.element === "ProcessInstrumentationFunction")).toEqual([]);
  });

  it("still refuses a function that states no letters anywhere, with the reason", () => {
    const { design, report } = imported(loopFile(fieldTransmitter({ ItemTagAssignmentClass: "D-20TI0003" })));
    expect(design.control?.loops ?? []).toEqual([]);
    expect(report.unmapped.filter((u) => u.element === "ProcessInstrumentationFunction").map((u) => u.id)).toEqual([
      "TI",
    ]);
  });
});
