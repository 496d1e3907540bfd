import { readFileSync } from "node:fs";
import { parseDesign } from "@plantgan/core/design";
import { importDexpi } from "@plantgan/core/formats";
import { OWN_DEXPI, readOwnDexpi } from "@plantgan/testing";
import { describeWithFixtures, fixturePath } from "@plantgan/testing/fixtures";
import type { InstancedMesh } from "three";
import { describe, expect, it } from "vitest";
import { buildDesignScene } from "./index.js";

function load(xml: string) {
  const imported = importDexpi(xml);
  if (!imported.success) throw new Error(`import failed: ${JSON.stringify(imported.issues)}`);
  const parsed = parseDesign(imported.design);
  if (!parsed.success) throw new Error(`parse failed: ${JSON.stringify(parsed.issues)}`);
  return parsed.data;
}

/** A topology-only design draws every item at its schematic position, lines as unrouted chords. */
function expectSchematicScene(design: ReturnType<typeof load>) {
  const scene = buildDesignScene(design);
  expect(scene.stats.equipment).toBe(design.equipment.length);
  expect(scene.stats.equipmentSchematic).toBe(design.equipment.length);
  for (const e of design.equipment) {
    const item = scene.find(e.tag).find((r) => r.kind === "equipment")!;
    expect(item.schematic).toBe(true);
    // Inside the plot.
    expect(item.box.min.x).toBeGreaterThanOrEqual(0);
    expect(item.box.min.y).toBeGreaterThanOrEqual(0);
  }
  // Its lines are unrouted: dashed chords between the schematic nozzles.
  expect(scene.stats.linesRouted).toBe(0);
  expect(scene.group.getObjectByName("pipes:unrouted")).toBeDefined();
  const instruments = scene.group.getObjectByName("instruments") as InstancedMesh | undefined;
  expect(instruments?.count ?? 0).toBe(scene.stats.instruments);
  scene.dispose();
}

describe("P&IDs imported from the project's own DEXPI files", () => {
  it("draws a topology-only P&ID (pump, tank, level loop) at schematic positions", () => {
    expectSchematicScene(load(readOwnDexpi(OWN_DEXPI.tankLevelLoop)));
  });

  it("draws a pump, a tank and a vessel with the symbols of their types", () => {
    const scene = buildDesignScene(load(readOwnDexpi(OWN_DEXPI.pump)));
    const names: string[] = [];
    scene.group.traverse((o) => names.push(o.name));
    expect(names.some((n) => n.startsWith("equipment:pump:skid"))).toBe(true);
    expect(names.some((n) => n.startsWith("equipment:tank:"))).toBe(true);
    expect(names.some((n) => n.startsWith("equipment:vessel:"))).toBe(true);
    scene.dispose();
  });
});

// The public DEXPI test cases (third-party, read from outside the repository).
describeWithFixtures("real P&IDs imported from the public DEXPI test cases", () => {
  const real = (name: string) => load(readFileSync(fixturePath("dexpi", name), "utf8"));

  it("draws a topology-only COMOS P&ID (pump, tank, loop instruments) at schematic positions", () => {
    expectSchematicScene(real("C05V01-SAG.EX01.xml"));
  });

  it("draws an AutoCAD P&ID's pump and exchanger with the symbols of their types", () => {
    const scene = buildDesignScene(real("P01V01-AUD.EX01.xml"));
    const names: string[] = [];
    scene.group.traverse((o) => names.push(o.name));
    expect(names.some((n) => n.startsWith("equipment:pump:skid"))).toBe(true);
    expect(names.some((n) => n.startsWith("equipment:heat_exchanger:"))).toBe(true);
    scene.dispose();
  });
});
