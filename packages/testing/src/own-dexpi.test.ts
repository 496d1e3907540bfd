// The importer on the project's own DEXPI files: runs on every clone, third-party fixtures or not.
import { readdirSync } from "node:fs";
import { parseDesign } from "@plantgan/core/design";
import { exportFormatById, importDexpi } from "@plantgan/core/formats";
import { describe, expect, it } from "vitest";
import { OWN_DEXPI, OWN_DEXPI_DIR, readOwnDexpi } from "./own-dexpi.js";

function imported(name: (typeof OWN_DEXPI)[keyof typeof OWN_DEXPI]) {
  const r = importDexpi(readOwnDexpi(name));
  if (!r.success) throw new Error(`${name}: ${JSON.stringify(r.issues)}`);
  return r;
}

describe("the project's own DEXPI files", () => {
  it("are exactly the files listed in OWN_DEXPI", () => {
    const onDisk = readdirSync(OWN_DEXPI_DIR).filter((f) => f.endsWith(".xml"));
    expect(onDisk.sort()).toEqual(Object.values(OWN_DEXPI).sort());
  });

  it.each(Object.values(OWN_DEXPI))("%s imports fully: a contract-valid design, nothing left out", (name) => {
    const { design, report } = imported(name);
    expect(parseDesign(design).success).toBe(true);
    expect(report.unmapped).toEqual([]);
    expect(report.renamedTags).toEqual([]);
    expect(design.metadata?.tool).toBe("PlantGAN tests");
  });

  it("pump: suction and discharge lines between tank, pump and vessel, a transmitter on the discharge", () => {
    const { design, report } = imported(OWN_DEXPI.pump);
    expect(report.counts).toEqual({
      equipment: 3,
      nozzles: 5,
      lines: 2,
      components: 2,
      instruments: 1,
      loops: 0,
      interlocks: 0,
    });
    expect(design.equipment.map((e) => [e.tag, e.type])).toEqual([
      ["T-100", "tank"],
      ["P-101", "pump"],
      ["V-102", "vessel"],
    ]);
    expect(design.lines).toEqual([
      {
        id: "100-P-001",
        from: { tag: "T-100", nozzle: "OUT" },
        to: { tag: "P-101", nozzle: "S" },
        size: 100,
        components: [{ type: "gate_valve", tag: "HV-001" }],
      },
      {
        id: "80-P-002",
        from: { tag: "P-101", nozzle: "D" },
        to: { tag: "V-102", nozzle: "IN" },
        size: 80,
        components: [{ type: "check_valve" }],
      },
    ]);
    expect(design.instruments).toEqual([{ tag: "PT-101", on: { line: "80-P-002" } }]);
  });

  it("tank level loop: transmitter on the tank, controller driving the fill valve", () => {
    const { design, report } = imported(OWN_DEXPI.tankLevelLoop);
    expect(report.counts).toEqual({
      equipment: 2,
      nozzles: 5,
      lines: 1,
      components: 2,
      instruments: 1,
      loops: 1,
      interlocks: 0,
    });
    expect(design.lines.map((l) => [l.id, l.from, l.to, l.components])).toEqual([
      [
        "50-P-201",
        { tag: "P-201", nozzle: "D" },
        { tag: "T-202", nozzle: "IN" },
        [{ type: "control_valve", tag: "LV-201" }, { type: "gate_valve" }],
      ],
    ]);
    expect(design.instruments).toEqual([{ tag: "LT-201", on: { tag: "T-202" } }]);
    expect(design.control?.loops).toEqual([{ tag: "LIC-201", measurement: "LT-201", finalElement: "LV-201" }]);
  });

  it("tee branch: the branch line starts on the main line", () => {
    const { design, report } = imported(OWN_DEXPI.teeBranch);
    expect(report.counts).toEqual({
      equipment: 3,
      nozzles: 4,
      lines: 2,
      components: 2,
      instruments: 0,
      loops: 0,
      interlocks: 0,
    });
    expect(design.lines.map((l) => [l.id, l.from, l.to, l.size])).toEqual([
      ["80-P-301", { tag: "P-301", nozzle: "D" }, { tag: "V-302", nozzle: "IN" }, 80],
      ["50-P-302", { line: "80-P-301" }, { tag: "V-303", nozzle: "IN" }, 50],
    ]);
  });

  it("says which process class and site it assumed, and an export of the design says nothing was assumed", () => {
    const { design, report } = imported(OWN_DEXPI.pump);
    expect(report.warnings).toEqual([
      expect.stringMatching(/states no process class: "tank_farm" was guessed from its equipment types/),
      expect.stringMatching(/has no plot: a \d+ m × \d+ m site was assumed/),
    ]);
    const parsed = parseDesign(design);
    if (!parsed.success) throw new Error("imported design breaks the contract");
    const again = importDexpi(exportFormatById("dexpi")!.write(parsed.data));
    if (!again.success) throw new Error(JSON.stringify(again.issues));
    expect(again.report.warnings).toEqual([]);
  });
});
