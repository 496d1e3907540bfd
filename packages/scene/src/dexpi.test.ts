import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseDesign } from "@plantgan/core/design";
import { importDexpi } from "@plantgan/core/dexpi";
import type { InstancedMesh } from "three";
import { describe, expect, it } from "vitest";
import { buildDesignScene } from "./index.js";

// Public DEXPI test cases shared beside the repository (never copied into it).
const FIXTURES = fileURLToPath(new URL("../../../../shared/fixtures/dexpi/", import.meta.url));

function load(name: string) {
  const imported = importDexpi(readFileSync(`${FIXTURES}${name}`, "utf8"));
  if (!imported.success) throw new Error(`import failed: ${JSON.stringify(imported.issues)}`);
  const parsed = parseDesign(imported.design);
  if (!parsed.success) throw new Error(`parse failed: ${JSON.stringify(parsed.issues)}`);
  return parsed.data;
}

describe.skipIf(!existsSync(FIXTURES))("real P&IDs imported from DEXPI", () => {
  it("draws a topology-only COMOS P&ID (pump, tank, loop instruments) at schematic positions", () => {
    const design = load("C05V01-SAG.EX01.xml");
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
    // Its one line is unrouted: a dashed chord between the schematic nozzles.
    expect(scene.stats.linesRouted).toBe(0);
    expect(scene.group.getObjectByName("pipes:unrouted")).toBeDefined();
    const instruments = scene.group.getObjectByName("instruments") as InstancedMesh | undefined;
    expect(instruments?.count ?? 0).toBe(scene.stats.instruments);
    scene.dispose();
  });

  it("draws an AutoCAD P&ID's pump and exchanger with the symbols of their types", () => {
    const design = load("P01V01-AUD.EX01.xml");
    const scene = buildDesignScene(design);
    const names: string[] = [];
    scene.group.traverse((o) => names.push(o.name));
    expect(names.some((n) => n.startsWith("equipment:pump:skid"))).toBe(true);
    expect(names.some((n) => n.startsWith("equipment:heat_exchanger:"))).toBe(true);
    scene.dispose();
  });
});
