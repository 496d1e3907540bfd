// The public DEXPI test cases (shared/fixtures/dexpi, see SOURCES.md): what each file really holds,
// counted from the XML by hand and with grep, against what the importer makes of it.
import { readFileSync } from "node:fs";
import { describeWithFixtures, fixturePath } from "@plantgan/testing/fixtures";
import { expect, it } from "vitest";
import { parseDesign } from "../../design/index.js";
import { type DexpiImportResult, importDexpi } from "./index.js";

function load(name: string): string {
  return readFileSync(fixturePath("dexpi", `${name}.xml`), "utf8");
}

function imported(name: string): Extract<DexpiImportResult, { success: true }> {
  const r = importDexpi(load(name));
  if (!r.success) throw new Error(`${name}: ${JSON.stringify(r.issues)}`);
  return r;
}

describeWithFixtures("E03V01-AUD (AutoCAD P&ID: a pump with a nozzle)", () => {
  const { design, report } = imported("E03V01-AUD.EX01");

  it("imports the one tagged pump with its nozzle and design conditions", () => {
    expect(design.equipment.map((e) => [e.tag, e.type])).toEqual([["P-4713", "pump"]]);
    // Its one nozzle is drawn left of the pump symbol: placed on the pump's end, on the shell.
    expect(design.equipment[0]?.nozzles).toEqual([{ id: "N-1", dx: -1, dy: 0, dz: expect.any(Number) }]);
    expect(design.equipment[0]).toMatchObject({ designPressure: 60, designTemperature: 80 });
    expect(design.equipment[0]?.x).toBeUndefined();
    expect(report.counts).toEqual({
      equipment: 1,
      nozzles: 1,
      lines: 0,
      components: 0,
      instruments: 0,
      loops: 0,
      interlocks: 0,
    });
  });

  it("is schema-valid, leaves nothing unmapped and records its source", () => {
    expect(parseDesign(design).success).toBe(true);
    expect(report.unmapped).toEqual([]);
    expect(report.skipped).toMatchObject({ Drawing: 1, ShapeCatalogue: 1 });
    expect(design.metadata).toMatchObject({ tool: "AutoCAD PnID", proteusSchemaVersion: "4.0.1", source: "dexpi" });
    expect(design.processClass).toBe("pump_station");
  });
});

describeWithFixtures("P01V01-AUD (AutoCAD P&ID: a pipe from nozzle to nozzle)", () => {
  const { design, report } = imported("P01V01-AUD.EX01");

  it("normalises the tag 'P-4712?' and reports the rename", () => {
    expect(design.equipment.map((e) => [e.tag, e.type])).toEqual([
      ["P-4712", "pump"],
      ["H-1009", "heat_exchanger"],
    ]);
    expect(report.renamedTags).toEqual([{ from: "P-4712?", to: "P-4712", element: "Equipment", id: "XMP_7015" }]);
  });

  it("connects the line by drawing position (the file's Connection is empty) and says so", () => {
    expect(design.lines).toEqual([
      {
        id: "80-75HB13-MNb-47132",
        from: { tag: "P-4712", nozzle: "N-1" },
        to: { tag: "H-1009", nozzle: "N-1" },
        size: 80,
        spec: "75HB13",
        components: [],
      },
    ]);
    expect(report.notes.filter((n) => /drawing position/.test(n.note))).toHaveLength(2);
    expect(report.counts).toEqual({
      equipment: 2,
      nozzles: 2,
      lines: 1,
      components: 0,
      instruments: 0,
      loops: 0,
      interlocks: 0,
    });
  });

  it("is schema-valid with nothing unmapped", () => {
    expect(parseDesign(design).success).toBe(true);
    expect(report.unmapped).toEqual([]);
  });
});

describeWithFixtures("C05V01-SAG (COMOS: pump, vessel, level loop)", () => {
  const { design, report } = imported("C05V01-SAG.EX01");

  it("imports the two model items, not the ShapeCatalogue templates nor the valve's diaphragm", () => {
    expect(design.equipment.map((e) => [e.tag, e.type])).toEqual([
      ["TA-113", "vessel"],
      ["PU-112", "pump"],
    ]);
    expect(design.equipment.map((e) => e.nozzles?.map((n) => n.id))).toEqual([
      ["N01", "N02", "N03", "N04"],
      ["N03", "N04"],
    ]);
  });

  it("makes every segment a line: open ends stay open, and the pump's inlet takes the nozzle the drawing shows", () => {
    const ends = design.lines.map((l) => [l.id, l.from, l.to, (l.components ?? []).map((c) => c.tag)]);
    expect(ends).toEqual([
      ["Q001", { open: true }, { tag: "PU-112", nozzle: "N04" }, []],
      ["Q002", { tag: "PU-112", nozzle: "N03" }, { tag: "TA-113", nozzle: "N01" }, []],
      ["Q003", { tag: "TA-113", nozzle: "N02" }, { open: true }, ["V-001"]],
      ["Q004", { tag: "TA-113", nozzle: "N03" }, { open: true }, ["V-002"]],
      ["Q005", { tag: "TA-113", nozzle: "N04" }, { open: true }, ["V-003"]],
    ]);
    expect(report.notes.some((n) => /DN 50 assumed/.test(n.note))).toBe(true);
    // The file connects both the inlet and the discharge to N03; the inlet is drawn on N04.
    expect(report.notes.map((n) => n.note)).toContainEqual(
      expect.stringMatching(
        /names nozzle PU-112\/N03, which another segment end takes too; the drawing puts it on PU-112\/N04/,
      ),
    );
    expect(report.notes.map((n) => n.note)).toContainEqual(expect.stringMatching(/^line Q005 ends in the open: /));
    expect(report.unmapped.filter((u) => u.element === "PipingNetworkSegment")).toEqual([]);
  });

  // LT-100 reads the tank through root valves V-001 and V-002 on Q003 and Q004, tappings from TA-113
  // that end in the open: it measures the tank's level (LI-103 and LY-102 take its mount).
  it("builds instrument tags from function letters and loop numbers, the level ones mounted on the tank they tap", () => {
    expect(design.instruments).toEqual([
      { tag: "LT-100", on: { tag: "TA-113" } },
      { tag: "LI-103", on: { tag: "TA-113" } },
      { tag: "LY-102", on: { tag: "TA-113" } },
    ]);
    expect(report.notes.map((n) => n.note)).toContainEqual(
      expect.stringMatching(/^LT-100: measures level through .* on line Q003, a tapping from TA-113/),
    );
    expect(report.renamedTags.map((r) => `${r.from}>${r.to}`)).toEqual(
      expect.arrayContaining(["LT>LT-100", "LI>LI-103", "LIC>LIC-101", "LY>LY-102"]),
    );
  });

  it("forms the level loop: LIC-101 measures with LT-100 and drives V-003 on the open-ended outlet", () => {
    expect(design.control?.loops).toEqual([{ tag: "LIC-101", measurement: "LT-100", finalElement: "V-003" }]);
    expect(report.unmapped.filter((u) => u.element === "ControlLoop")).toEqual([]);
    expect(design.lines.find((l) => l.id === "Q005")?.components).toEqual([{ type: "control_valve", tag: "V-003" }]);
  });

  it("is schema-valid with the counts the file holds", () => {
    expect(parseDesign(design).success).toBe(true);
    expect(report.counts).toEqual({
      equipment: 2,
      nozzles: 6,
      lines: 5,
      components: 3,
      instruments: 3,
      loops: 1,
      interlocks: 0,
    });
    expect(design.metadata).toMatchObject({ tool: "Comos", drawingName: "FB.001" });
  });
});

describeWithFixtures("I02V01-HEX (SmartPlant: actuating function and shut-off valve)", () => {
  const { design, report } = imported("I02V01-HEX.EX02");

  it("holds no equipment: the line through HV-02 is open at both ends, and HC-02 is a hand control loop", () => {
    expect(design.equipment).toEqual([]);
    expect(design.lines.map((l) => [l.from, l.to, l.components])).toEqual([
      [{ open: true }, { open: true }, [{ type: "control_valve", tag: "HV-02" }]],
    ]);
    // A hand controller measures nothing: the operator sets the valve, so the loop has no measurement.
    expect(design.control?.loops).toEqual([{ tag: "HC-02", finalElement: "HV-02" }]);
    expect(design.instruments).toEqual([]);
    expect(parseDesign(design).success).toBe(true);
    expect(report.unmapped).toEqual([]);
    expect(design.metadata).toMatchObject({ tool: "SPPID" });
  });
});

describeWithFixtures("C01V01-HEX (SmartPlant: sizes at a reducer and across a relief valve)", () => {
  const r = importDexpi(readFileSync(fixturePath("dexpi-testcases", "C01V01-HEX.EX01.xml"), "utf8"));
  if (!r.success) throw new Error(JSON.stringify(r.issues));
  const line = (id: string) => r.design.lines.find((l) => l.id === id);

  it("reads the reducer's outlet from its node 2 (0.05 under Units mm, metres): DN 80 to the pump's DN 50", () => {
    expect(line("47124-MNc")).toMatchObject({ size: 80, to: { tag: "P-4711", nozzle: "N1" } });
    expect(line("47124-MNc")?.components?.find((c) => c.type === "reducer")).toEqual({ type: "reducer", size: 50 });
    expect(r.report.notes).toContainEqual(
      expect.objectContaining({ note: "connection node 2 gives its size as 0.05 mm, read as metres: DN 50" }),
    );
  });

  it("gives the relief line the reducer its DN 25 and DN 50 segments need, and says it was inserted", () => {
    expect(line("47125-MNc")).toMatchObject({
      size: 25,
      to: { tag: "T-4750", nozzle: "N5" },
      components: [{ type: "relief_valve" }, { type: "reducer", size: 50 }],
    });
    expect(r.report.notes.map((n) => n.note)).toContain(
      "line 47125-MNc changes from DN 25 to DN 50 after its relief valve with no reducer in the file (segment sizes differ): a reducer to DN 50 is inserted there",
    );
  });
});
