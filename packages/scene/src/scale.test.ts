import type { InstancedMesh } from "three";
import { describe, expect, it } from "vitest";
import { buildDesignScene, syntheticPlant } from "./index.js";

describe("a 2,000-equipment / 5,000-segment plant", () => {
  const design = syntheticPlant({ equipment: 2000, segments: 5000 });

  it("is what the benchmark asks for", () => {
    expect(design.equipment).toHaveLength(2000);
    expect(design.lines).toHaveLength(1000);
    expect(design.lines.reduce((t, l) => t + (l.route?.length ?? 1) - 1, 0)).toBe(5000);
    expect(new Set(design.equipment.map((e) => e.tag)).size).toBe(2000);
  });

  it("builds into a few dozen draw objects, with instances and segments all accounted for", () => {
    const t0 = performance.now();
    const scene = buildDesignScene(design);
    const ms = performance.now() - t0;
    expect(scene.stats.equipment).toBe(2000);
    expect(scene.stats.pipeSegments).toBe(5000);
    expect(scene.stats.components).toBe(3000);
    expect(scene.stats.loops).toBe(1000);
    // One mesh per symbol part, not per item: far fewer objects than items.
    expect(scene.stats.drawObjects).toBeLessThan(80);
    let instances = 0;
    const bodies = new Set<string>();
    scene.group.traverse((o) => {
      if (o.name.startsWith("equipment:")) {
        const m = o as InstancedMesh;
        instances += m.count;
        if (o.name.endsWith(":0")) for (const t of m.userData.tags as string[]) bodies.add(t);
      }
    });
    // Every item has exactly one body instance (part 0 of its variant).
    expect(bodies.size).toBe(2000);
    expect(instances).toBeGreaterThan(2000);
    // Lenient bound for a shared 2-core machine; typical is a few hundred ms.
    expect(ms).toBeLessThan(10_000);
    console.info(`synthetic 2000/5000 built in ${ms.toFixed(0)} ms, ${scene.stats.drawObjects} draw objects`);
    scene.dispose();
  });

  it("is the same plant for the same seed", () => {
    const again = syntheticPlant({ equipment: 2000, segments: 5000 });
    expect(again.equipment.map((e) => e.type)).toEqual(design.equipment.map((e) => e.type));
  });
});
