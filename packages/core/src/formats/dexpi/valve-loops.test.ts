// Loops and the valves they drive, as public files beyond the fixtures write them. Small hand-written
// files that reproduce what the public files do, not copies of them:
// - the DISC/NOAKA convention (equinor/Dexpi2Imf cli/chex/dexpi.xml, the DISC C01_NOA1 P&ID in DEXPI
//   1.3): a field instrument writes no TagName and no category or function letters, only its number
//   and, in the DexpiCustomAttributes set, its letters as TagTypeAssignmentClass ("TI") and its plant
//   tag as ItemTagAssignmentClass ("D-20TI0003");
// - "DEXPI Test" (C02V01-VER) names an untagged valve only on the ShutOffValveReference that points at
//   it (SubTagNameAssignmentClass "PV 4712.02"); other components of the actuating system may point at
//   the valve too (a positioner) and carry their own names, which are not the valve's;
// - a cascade: the master sets the slave's set point, the slave drives the valve, the contract gives
//   the final element one loop, the slave's, also where the slave drives it through a relay (FIC → FY).
import { describe, expect, it } from "vitest";
import { parseDesign } from "../../design/index.js";
import { importDexpi } from "./index.js";

const attrs = (set: string, values: Record<string, string>) =>
  `<GenericAttributes Set="${set}">${Object.entries(values)
    .map(([name, value]) => `<GenericAttribute Name="${name}" Format="string" Value="${value}"/>`)
    .join("")}</GenericAttributes>`;

/** Pump P-1 → valve V1 (`valve`: its class and attributes) → tank T-1, then `body`. */
const plant = (valve: string, body: string) => `<?xml version="1.0" encoding="UTF-8"?>
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
      <PipingComponent ID="V1" ${valve}><Position><Location X="100" Y="0" Z="0"/></Position></PipingComponent>
      <Connection FromID="PN" ToID="TN"/>
    </PipingNetworkSegment>
  </PipingNetworkSystem>
  ${body}
</PlantModel>`;

/** A function with its generic attributes and the signal lines it starts (to functions or to AF). */
const fn = (id: string, generic: string, to: string[]) => `
  <ProcessInstrumentationFunction ID="${id}" ComponentClass="ProcessInstrumentationFunction">
    ${generic}
    ${to
      .map(
        (end) => `<InformationFlow ID="${id}-${end}" ComponentClass="SignalConveyingFunction">
      <Association Type="has logical start" ItemID="${id}"/><Association Type="has logical end" ItemID="${end}"/>
    </InformationFlow>`,
      )
      .join("")}
  </ProcessInstrumentationFunction>`;
const lettered = (category: string, functions: string, number: string) =>
  attrs("DexpiAttributes", {
    ProcessInstrumentationFunctionCategoryAssignmentClass: category,
    ProcessInstrumentationFunctionNumberAssignmentClass: number,
    ProcessInstrumentationFunctionsAssignmentClass: functions,
  });

/** The actuating function AF, fulfilled by the actuating system AS of `components`. */
const actuating = (components: string) => `
  <ActuatingFunction ID="AF" ComponentClass="ActuatingFunction"><Association Type="is fulfilled by" ItemID="AS"/></ActuatingFunction>
  <ActuatingSystem ID="AS" ComponentClass="ActuatingSystem">
    <Association Type="fulfills" ItemID="AF"/>
    ${components}
  </ActuatingSystem>`;
const reference = (cls: string, subTag?: string) =>
  `<ActuatingSystemComponent ID="${cls}" ComponentClass="${cls}"><Association Type="refers to" ItemID="V1"/>${
    subTag ? attrs("DexpiAttributes", { SubTagNameAssignmentClass: subTag }) : ""
  }</ActuatingSystemComponent>`;

function imported(xml: string) {
  const r = importDexpi(xml);
  if (!r.success) throw new Error(JSON.stringify(r.issues));
  expect(parseDesign(r.design).success).toBe(true);
  return r;
}

describe("a field instrument named only by TagTypeAssignmentClass and its number (DISC/NOAKA)", () => {
  const noaka = (custom: Record<string, string>) =>
    plant(
      'ComponentClass="GateValve"',
      `${fn(
        "TI",
        attrs("DexpiCustomAttributes", custom) +
          attrs("DexpiAttributes", { ProcessInstrumentationFunctionNumberAssignmentClass: "0003" }),
        ["TIC"],
      )}
      ${fn("TIC", attrs("DexpiCustomAttributes", { TagTypeAssignmentClass: "TIC" }) + lettered("T", "IC", "0003"), ["AF"])}
      ${actuating(`<ActuatingSystemComponent ID="CA" ComponentClass="ControlledActuator"/>${reference("OperatedValveReference")}`)}`,
    );

  it("reads its letters from TagTypeAssignmentClass, and the controller it feeds forms a loop", () => {
    const { design, report } = imported(noaka({ TagTypeAssignmentClass: "TI", ItemTagAssignmentClass: "D-20TI0003" }));
    expect(design.instruments?.map((i) => i.tag)).toContain("TI-0003");
    expect(design.control?.loops).toEqual([{ tag: "TIC-0003", measurement: "TI-0003", finalElement: "TV-0003" }]);
    expect(report.unmapped.filter((u) => u.element === "ProcessInstrumentationFunction")).toEqual([]);
  });

  it("still refuses a function that states no letters anywhere, with the reason", () => {
    const { design, report } = imported(noaka({ ItemTagAssignmentClass: "D-20TI0003" }));
    expect(design.control?.loops ?? []).toEqual([]);
    const refused = report.unmapped.filter((u) => u.element === "ProcessInstrumentationFunction");
    expect(refused.map((u) => u.id)).toEqual(["TI"]);
  });

  it("says a shutdown system's node (TypeCodeAssignmentClass PSD, no tag) is one", () => {
    const psd = fn("PSD", attrs("DexpiCustomAttributes", { TypeCodeAssignmentClass: "PSD" }), []);
    const { report } = imported(plant('ComponentClass="GateValve"', psd));
    const refused = report.unmapped.filter((u) => u.element === "ProcessInstrumentationFunction");
    expect(refused.map((u) => [u.id, u.reason])).toEqual([
      [
        "PSD",
        "a node of the PSD system (TypeCodeAssignmentClass PSD) with no tag: the contract has no place for a control or shutdown system node",
      ],
    ]);
  });
});

describe("the name an actuating system gives its untagged valve", () => {
  const named = (components: string) => {
    const { design, report } = imported(plant('ComponentClass="GlobeValve"', actuating(components)));
    const valve = design.lines.flatMap((l) => l.components ?? []).find((c) => c.type === "control_valve");
    return { valve, notes: report.notes.filter((n) => n.id === "V1").map((n) => n.note) };
  };

  it("is taken from the valve reference that points at the valve", () => {
    const { valve, notes } = named(reference("ShutOffValveReference", "PV 4712.02"));
    expect(valve?.tag).toBe("PV-4712.02");
    expect(notes).toContain(`tag "PV 4712.02" read from the actuating system's reference to it`);
  });

  it("is not taken from another component that points at the valve with its own name (a positioner)", () => {
    const { valve, notes } = named(`${reference("Positioner", "ZT 4712.02")}${reference("OperatedValveReference")}`);
    expect(valve).toBeDefined();
    expect(valve?.tag).toBeUndefined();
    expect(notes.filter((n) => n.includes("ZT 4712.02"))).toEqual([]);
  });
});

describe("a cascade's final element takes one loop, the slave's", () => {
  /** TT → TIC (master) → FIC (slave) ← FT; the slave's output through `slave` to AF, the actuator of FV-101. */
  const cascade = (slave: string) =>
    plant(
      'ComponentClass="GlobeValve" TagName="FV-101"',
      `${fn("TT", lettered("T", "T", "101"), ["TIC"])}
      ${fn("TIC", lettered("T", "IC", "101"), ["FIC"])}
      ${fn("FT", lettered("F", "T", "101"), ["FIC"])}
      ${slave}
      ${actuating(`<ActuatingSystemComponent ID="CA" ComponentClass="ControlledActuator"/>${reference("OperatedValveReference")}`)}`,
    );
  const slaveLoop = { tag: "FIC-101", measurement: "FT-101", finalElement: "FV-101" };

  it("slave drives the actuator itself: the master is refused as a cascade, the slave measures FT", () => {
    const { design, report } = imported(cascade(fn("FIC", lettered("F", "IC", "101"), ["AF"])));
    expect(design.control?.loops).toEqual([slaveLoop]);
    const refused = report.unmapped.filter((u) => u.element === "ControlLoop");
    expect(refused.map((u) => u.reason)).toEqual([expect.stringContaining("cascade")]);
  });

  it("slave drives the actuator through a relay (FIC → FY): the master does not take the valve too", () => {
    const relay = `${fn("FIC", lettered("F", "IC", "101"), ["FY"])}${fn("FY", lettered("F", "Y", "101"), ["AF"])}`;
    const { design, report } = imported(cascade(relay));
    expect(design.control?.loops).toEqual([slaveLoop]);
    const refused = report.unmapped.filter((u) => u.element === "ControlLoop");
    expect(refused.map((u) => u.reason)).toEqual([expect.stringMatching(/TIC-101.*FIC-101.*cascade/)]);
    expect(report.counts.loops).toBe(1);
  });
});
