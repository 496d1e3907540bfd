// COMOS trip parts: I07 and I08 write a function's trips (ZHH, SAHH, SAL…) as classless Equipment
// whose FullLabel lies under the function's, and draw the trip's signal line from that part. A part
// whose signal reaches a valve or a machine is an interlock: the function is the cause, the part's
// letters the condition. The file below is written as COMOS writes them, with the logic function
// (U) driving the pump's motor, which none of the public files do.
import { describe, expect, it } from "vitest";
import { parseDesign } from "../../design/index.js";
import { importDexpi } from "./index.js";
import { statedTrips } from "./stated-control.js";

const comos = (attrs: Record<string, string>) =>
  `<GenericAttributes Set="ComosProperties">${Object.entries(attrs)
    .map(([k, v]) => `<GenericAttribute Name="${k}" Value="${v}" Format="string"/>`)
    .join("")}</GenericAttributes>`;

const part = (id: string, label: string, description: string) =>
  `<Equipment ID="${id}" ComponentName="${id}">${comos({ Description: description, Name: label, Label: label, FullLabel: `=A10.002.P.${label}` })}</Equipment>`;

/** A COMOS loop function "=A10.<number>" and its function "=A10.<number>.<letters>" (IDs L<n>, PIF-<letters>). */
const loopWithFunction = (number: string, letters: string, cls: string, inside = "") => {
  const loop = `L${Number(number)}`;
  return `<InstrumentationLoopFunction ID="${loop}" TagName="${number}">${comos({ FullLabel: `=A10.${number}` })}
    <Association Type="is a collection including" ItemID="PIF-${letters}"/>
  </InstrumentationLoopFunction>
  <ProcessInstrumentationFunction ID="PIF-${letters}" ComponentClass="${cls}" TagName="${letters}">
    ${comos({ FullLabel: `=A10.${number}.${letters}` })}<Association Type="is a part of" ItemID="${loop}"/>${inside}
  </ProcessInstrumentationFunction>`;
};

const XML = `<?xml version="1.0"?>
<PlantModel>
  <PlantInformation SchemaVersion="4.0.1" OriginatingSystem="Comos" Units="mm"/>
  <Equipment ID="T1" ComponentClass="Tank" TagName="T-1"><Nozzle ID="T1-N1" TagName="N1"/><Nozzle ID="T1-N2" TagName="N2"/></Equipment>
  <Equipment ID="P1" ComponentClass="CentrifugalPump" TagName="P-101">
    <Nozzle ID="P1-S" TagName="S"/><Nozzle ID="P1-D" TagName="D"/>
    <Equipment ID="P1-M" ComponentClass="ElectricMotor"/>
  </Equipment>
  <PipingNetworkSystem ID="S1" TagName="50-P-1"><PipingNetworkSegment ID="S1-1">
    <Connection FromID="T1-N2" ToID="P1-S"/>
  </PipingNetworkSegment></PipingNetworkSystem>
  ${loopWithFunction("002", "P", "MeasurementFunctionPressure", '<InformationFlow ID="IF-M"><Connection FromID="T1-N1" ToID="PIF-P"/></InformationFlow>')}
  ${loopWithFunction("003", "U", "MeasurementFunctionMutlivariable")}
  ${part("ZHH", "ZHH", "Trigger HH")}
  ${part("AH", "AH", "Alarm H")}
  ${part("SAL", "SAL", "Trigger L")}
  <InformationFlow ID="IF-TRIP"><Association Type="has logical start" ItemID="ZHH"/><Association Type="has logical end" ItemID="PIF-U"/></InformationFlow>
  <InformationFlow ID="IF-OUT"><Association Type="has logical start" ItemID="PIF-U"/><Association Type="has logical end" ItemID="P1-M"/></InformationFlow>
</PlantModel>`;

describe("COMOS trip parts become interlocks where their signal reaches a machine or valve", () => {
  const r = importDexpi(XML);
  if (!r.success) throw new Error(JSON.stringify(r.issues));

  it("ZHH of P-002 signals U-003, which stops P-101: interlock PZHH-002 on P-002 at HH", () => {
    expect(r.design.control?.interlocks).toEqual([
      { tag: "PZHH-002", cause: { instrument: "P-002", trip: "HH" }, effects: [{ target: "P-101", action: "stop" }] },
    ]);
    expect(r.report.counts.interlocks).toBe(1);
    expect(parseDesign(r.design).success).toBe(true);
  });

  it("the part, its signal lines and its loop function are imported; nothing of them is unmapped", () => {
    const unmapped = new Set(r.report.unmapped.map((u) => u.id));
    for (const id of ["ZHH", "IF-TRIP", "IF-OUT", "L2"]) expect(unmapped.has(id), id).toBe(false);
  });

  it("a trip part no signal line leaves is refused as an interlock, saying so; an alarm part is not a trip", () => {
    const reason = (id: string) => r.report.unmapped.find((u) => u.id === id)?.reason;
    expect(reason("SAL")).toMatch(
      /^signal part "SAL" \(Trigger L\) of .*, not plant equipment: a trip at L that forms no interlock: .*no signal line leaves it/,
    );
    expect(r.report.unmapped).toContainEqual(
      expect.objectContaining({
        element: "Interlock",
        id: "SAL",
        reason: expect.stringMatching(/^P-002's SAL: no tagged valve/),
      }),
    );
    expect(reason("AH")).toMatch(/^signal part "AH" \(Alarm H\) .*an alarm or response, not a trip/);
  });

  it("the count read from the text agrees: three parts, two trips, one with an effect", () => {
    expect(statedTrips(XML).map((t) => [t.id, t.by, t.condition, t.effect])).toEqual([
      ["ZHH", "signal part", "HH", true],
      ["SAL", "signal part", "L", false],
    ]);
  });

  it("a trip whose ISA letters would pass six (PDIT with ZHH) is refused, not cut short", () => {
    const t = importDexpi(XML.replace('TagName="P"', 'TagName="PDIT"'));
    if (!t.success) throw new Error(JSON.stringify(t.issues));
    expect(t.design.control?.interlocks).toEqual([]);
    expect(t.report.unmapped).toContainEqual(
      expect.objectContaining({
        element: "Interlock",
        id: "ZHH",
        reason: "PDIT-002's ZHH: PDITZHH is longer than a contract tag's six letters",
      }),
    );
  });

  it("a condition beyond the contract's (ZHHH) is refused, not rounded to HH", () => {
    const t = importDexpi(XML.replace(/"ZHH"/g, '"ZHHH"').replace(/\.ZHH"/, '.ZHHH"'));
    if (!t.success) throw new Error(JSON.stringify(t.issues));
    expect(t.design.control?.interlocks).toEqual([]);
    expect(t.report.unmapped).toContainEqual(
      expect.objectContaining({
        element: "Interlock",
        reason: expect.stringMatching(/ZHHH: its condition HHH is not one the contract holds/),
      }),
    );
  });
});
