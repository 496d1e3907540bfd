// What an actuating system says about its valve. "DEXPI Test" (C02V01-VER) names an untagged valve
// only on the ShutOffValveReference that points at it (SubTagNameAssignmentClass "PV 4712.02"); other
// components of the system may point at the valve too (a positioner, a limit switch) and carry their
// own names, which are not the valve's. Small hand-written files, not copies of the public ones.
import { describe, expect, it } from "vitest";
import { parseDesign } from "../../design/index.js";
import { importDexpi } from "./index.js";

const subTag = (name: string) =>
  `<GenericAttributes Set="DexpiAttributes"><GenericAttribute Name="SubTagNameAssignmentClass" Format="string" Value="${name}"/></GenericAttributes>`;

/** Pump P-1 → untagged globe valve V1 → tank T-1, and an actuating system whose components are `components`. */
const valveFile = (components: string) => `<?xml version="1.0" encoding="utf-8"?>
<PlantModel>
  <PlantInformation SchemaVersion="4.0.1" OriginatingSystem="DEXPI Test" Units="mm"><UnitsOfMeasure/></PlantInformation>
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
      <PipingComponent ID="V1" ComponentClass="GlobeValve"><Position><Location X="100" Y="0" Z="0"/></Position></PipingComponent>
      <Connection FromID="PN" ToID="TN"/>
    </PipingNetworkSegment>
  </PipingNetworkSystem>
  <ActuatingSystem ID="AS" ComponentClass="ActuatingSystem">
    ${components}
  </ActuatingSystem>
</PlantModel>`;

function valveTag(xml: string) {
  const r = importDexpi(xml);
  if (!r.success) throw new Error(JSON.stringify(r.issues));
  expect(parseDesign(r.design).success).toBe(true);
  const valve = r.design.lines.flatMap((l) => l.components ?? []).find((c) => c.type === "control_valve");
  return { valve, notes: r.report.notes.filter((n) => n.id === "V1").map((n) => n.note) };
}

describe("the name an actuating system gives its valve", () => {
  it("is taken from the valve reference that points at the valve", () => {
    const { valve, notes } = valveTag(
      valveFile(`<ActuatingSystemComponent ID="REF" ComponentClass="ShutOffValveReference">
        <Association Type="refers to" ItemID="V1"/>${subTag("PV 4712.02")}
      </ActuatingSystemComponent>`),
    );
    expect(valve?.tag).toBe("PV-4712.02");
    expect(notes).toContain(`tag "PV 4712.02" read from the actuating system's reference to it`);
  });

  it("is not taken from another component that points at the valve with its own name (a positioner)", () => {
    const { valve, notes } = valveTag(
      valveFile(`<ActuatingSystemComponent ID="POS" ComponentClass="Positioner">
        <Association Type="refers to" ItemID="V1"/>${subTag("ZT 4712.02")}
      </ActuatingSystemComponent>
      <ActuatingSystemComponent ID="REF" ComponentClass="OperatedValveReference">
        <Association Type="refers to" ItemID="V1"/>
      </ActuatingSystemComponent>`),
    );
    expect(valve).toBeDefined();
    expect(valve?.tag).toBeUndefined();
    expect(notes.filter((n) => n.includes("ZT 4712.02"))).toEqual([]);
  });
});
