import { footprintRect, nozzlePosition } from "@plantgan/core/design";
import { tankFarm, topologyOnly } from "@plantgan/testing";
import { Color, type InstancedMesh, Matrix4, type Mesh, Quaternion, Raycaster, Vector3 } from "three";
import { describe, expect, it } from "vitest";
import { buildDesignScene, HIGHLIGHT_COLOUR, pipeRadius } from "./index.js";

const byName = (scene: ReturnType<typeof buildDesignScene>, prefix: string): InstancedMesh[] => {
  const out: InstancedMesh[] = [];
  scene.group.traverse((o) => {
    if (o.name.startsWith(prefix)) out.push(o as InstancedMesh);
  });
  return out;
};

function expectClose(actual: readonly number[], expected: readonly number[], digits = 4): void {
  expect(actual).toHaveLength(expected.length);
  for (let i = 0; i < actual.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, digits);
}

const sameColour = (a: Color, b: Color): boolean =>
  Math.abs(a.r - b.r) < 1e-5 && Math.abs(a.g - b.g) < 1e-5 && Math.abs(a.b - b.b) < 1e-5;

function instanceTransform(mesh: InstancedMesh, i: number): { p: Vector3; q: Quaternion; s: Vector3 } {
  const m = new Matrix4();
  mesh.getMatrixAt(i, m);
  const p = new Vector3();
  const q = new Quaternion();
  const s = new Vector3();
  m.decompose(p, q, s);
  return { p, q, s };
}

describe("buildDesignScene: equipment", () => {
  it("draws one instanced mesh per symbol part, with one instance per item of that type", () => {
    const scene = buildDesignScene(tankFarm());
    const tankBodies = byName(scene, "equipment:tank:body");
    expect(tankBodies).toHaveLength(1);
    expect(tankBodies[0]!.count).toBe(2);
    const pumpParts = byName(scene, "equipment:pump:");
    expect(pumpParts.map((m) => m.name.split(":")[2])).toEqual(["skid", "casing", "driver"]);
    for (const m of pumpParts) expect(m.count).toBe(2);
    // The exchanger is a horizontal shell along its long side (own x).
    expect(byName(scene, "equipment:heat_exchanger:x:shell")).toHaveLength(1);
    expect(scene.stats.equipment).toBe(5);
    scene.dispose();
  });

  it("puts a tank's body instance at its x/y/z, scaled to its footprint", () => {
    const design = tankFarm();
    const scene = buildDesignScene(design);
    const body = byName(scene, "equipment:tank:body")[0]!;
    const tags = body.userData.tags as string[];
    const i = tags.indexOf("T-102");
    const { p, s } = instanceTransform(body, i);
    expectClose(p.toArray(), [60, 65, 0]);
    expect(s.x).toBeCloseTo(12);
    expect(s.y).toBeCloseTo(12);
    expect(s.z).toBeCloseTo(10 * 0.9);
    scene.dispose();
  });

  it("turns equipment with its rotation; the item box matches core's footprintRect", () => {
    const design = tankFarm();
    const scene = buildDesignScene(design);
    const skid = byName(scene, "equipment:pump:skid")[0]!;
    const i = (skid.userData.tags as string[]).indexOf("P-101B");
    const { p, q } = instanceTransform(skid, i);
    expectClose(p.toArray(), [30, 30, 0.3]);
    const x = new Vector3(1, 0, 0).applyQuaternion(q);
    expect(x.x).toBeCloseTo(0);
    expect(x.y).toBeCloseTo(1);
    const pump = design.equipment.find((e) => e.tag === "P-101B")! as (typeof design.equipment)[number] & {
      x: number;
      y: number;
    };
    const rect = footprintRect(pump);
    const box = scene.find("P-101B")[0]!.box;
    expect(box.min.x).toBeCloseTo(rect.minX);
    expect(box.max.x).toBeCloseTo(rect.maxX);
    expect(box.min.y).toBeCloseTo(rect.minY);
    expect(box.max.y).toBeCloseTo(rect.maxY);
    expect(box.min.z).toBeCloseTo(0.3);
    expect(box.max.z).toBeCloseTo(1.5);
    scene.dispose();
  });

  it("labels every equipment tag above its top", () => {
    const scene = buildDesignScene(tankFarm());
    const label = scene.labels.find((l) => l.id === "T-101")!;
    expect(label).toMatchObject({ kind: "equipment", text: "T-101", x: 30, y: 65 });
    expect(label.z).toBeGreaterThan(10);
    scene.dispose();
  });
});

describe("buildDesignScene: pipes", () => {
  it("merges every routed line into one tube mesh whose vertices follow the routes", () => {
    const design = tankFarm();
    const scene = buildDesignScene(design);
    const pipes = scene.group.getObjectByName("pipes") as Mesh;
    expect(pipes).toBeDefined();
    expect(pipes.userData.lines).toEqual(["150-P-1001-A1", "100-P-1002-A1"]);
    // Segments: four on the first route, six on the second.
    expect(scene.stats.pipeSegments).toBe(4 + 6);
    expect(scene.stats.linesRouted).toBe(2);

    // Every vertex of the first line lies at one pipe radius from some segment of its route.
    const line = design.lines[0]!;
    const r = pipeRadius(line.size, { radiusScale: 1, minRadius: 0.06, radialSegments: 6 });
    const pos = pipes.geometry.getAttribute("position");
    const route = line.route!.map((p) => new Vector3(...p));
    const segmentsOfLine = route.length - 1;
    const verticesOfLine = segmentsOfLine * 2 * 6;
    const v = new Vector3();
    const closest = new Vector3();
    for (let k = 0; k < verticesOfLine; k++) {
      v.fromBufferAttribute(pos, k);
      let best = Number.POSITIVE_INFINITY;
      for (let s = 1; s < route.length; s++) {
        const a = route[s - 1]!;
        const b = route[s]!;
        const ab = b.clone().sub(a);
        const t = Math.min(Math.max(v.clone().sub(a).dot(ab) / ab.lengthSq(), 0), 1);
        closest.copy(a).addScaledVector(ab, t);
        // Inner joints are lengthened by the radius: measure against the extended segment too.
        best = Math.min(best, v.distanceTo(closest));
      }
      expect(best).toBeLessThanOrEqual(Math.SQRT2 * r + 1e-4);
      expect(best).toBeGreaterThanOrEqual(r - 1e-4);
    }
    // Colours by service: the cooling-water line is unrouted, the process lines are amber.
    const colours = pipes.geometry.getAttribute("color");
    const amber = new Color(0xe1a032);
    expect(colours.getX(0)).toBeCloseTo(amber.r);
    expect(colours.getY(0)).toBeCloseTo(amber.g);
    scene.dispose();
  });

  it("draws an unrouted line as a chord from its (rotated) nozzle to the line it tees into", () => {
    const design = tankFarm();
    const scene = buildDesignScene(design);
    const chords = scene.group.getObjectByName("pipes:unrouted") as Mesh;
    const pos = chords.geometry.getAttribute("position");
    const pump = design.equipment.find((e) => e.tag === "P-101B")! as (typeof design.equipment)[number] & {
      x: number;
      y: number;
    };
    const d = nozzlePosition(pump, pump.nozzles.find((n) => n.id === "D")!);
    expectClose(d, [30, 31, 0.9]);
    expectClose([pos.getX(0), pos.getY(0), pos.getZ(0)], d);
    scene.dispose();
  });

  it("places inline components at their `at` along the route, or spread evenly", () => {
    const design = tankFarm();
    const scene = buildDesignScene(design);
    const valves = byName(scene, "components:valves")[0]!;
    expect(valves.count).toBe(3);
    // HV-1001 at 0.2 of the first route (length 19 + 12 + 4 + 3.0017 = 38.0017 m): on the first leg.
    const hv = scene.find("HV-1001")[0]!;
    const centre = hv.box.getCenter(new Vector3());
    expect(centre.x).toBeCloseTo(30);
    expect(centre.y).toBeCloseTo(59 - 0.2 * 38.00166, 2);
    // The untagged check valve gets `line#index` as its id.
    expect(scene.find("100-P-1002-A1#0")).toHaveLength(1);
    scene.dispose();
  });
});

describe("buildDesignScene: site, instruments, control", () => {
  it("draws the plot, the road and each rack's posts and levels", () => {
    const scene = buildDesignScene(tankFarm());
    expect(scene.group.getObjectByName("plot")).toBeDefined();
    expect((scene.group.getObjectByName("keepOut") as InstancedMesh).count).toBe(1);
    const levels = scene.group.getObjectByName("rack:levels") as InstancedMesh;
    expect(levels.count).toBe(2);
    const top = instanceTransform(levels, 1).p;
    expect(top.z).toBeCloseTo(7 - 0.15);
    const posts = scene.group.getObjectByName("rack:posts") as InstancedMesh;
    // 140 m at a 6 m bay: 23 bays, 24 bents, two posts each.
    expect(posts.count).toBe(48);
    expect(scene.bounds.min.x).toBeLessThanOrEqual(0);
    expect(scene.bounds.max.x).toBeGreaterThanOrEqual(160);
    expect(scene.bounds.max.z).toBeGreaterThanOrEqual(10);
    scene.dispose();
  });

  it("draws instruments and the loop and interlock overlay", () => {
    const scene = buildDesignScene(tankFarm());
    expect(scene.stats.instruments).toBe(2);
    expect(scene.stats.loops).toBe(1);
    expect(scene.stats.interlocks).toBe(1);
    expect(scene.overlay.getObjectByName("overlay:markers")).toBeDefined();
    expect(scene.labels.map((l) => l.id)).toContain("LIC-101");
    // The loop spans its measurement (on T-101) and its final element (FV-101 on the first line).
    const loop = scene.find("LIC-101")[0]!;
    const fv = scene.find("FV-101")[0]!.box.getCenter(new Vector3());
    expect(loop.box.containsPoint(fv)).toBe(true);
    scene.dispose();
  });
});

describe("picking", () => {
  it("maps instance ids, pipe faces and chord segments back to tags and line ids", () => {
    const scene = buildDesignScene(tankFarm());
    const skid = byName(scene, "equipment:pump:skid")[0]!;
    expect(scene.pickMap.resolve(skid, { instanceId: 0 })).toEqual({ kind: "equipment", id: "P-101A" });
    expect(scene.pickMap.resolve(skid, { instanceId: 1 })).toEqual({ kind: "equipment", id: "P-101B" });
    const pipes = scene.group.getObjectByName("pipes")!;
    // First line: 4 segments × 12 triangles; the next triangle belongs to the second line.
    expect(scene.pickMap.resolve(pipes, { faceIndex: 0 })).toEqual({ kind: "line", id: "150-P-1001-A1" });
    expect(scene.pickMap.resolve(pipes, { faceIndex: 47 })).toEqual({ kind: "line", id: "150-P-1001-A1" });
    expect(scene.pickMap.resolve(pipes, { faceIndex: 48 })).toEqual({ kind: "line", id: "100-P-1002-A1" });
    const chords = scene.group.getObjectByName("pipes:unrouted")!;
    expect(scene.pickMap.resolve(chords, { index: 0 })).toEqual({ kind: "line", id: "100-CW-2001" });
    scene.dispose();
  });

  it("resolves a real ray cast from above onto a tank", () => {
    const scene = buildDesignScene(tankFarm());
    scene.group.updateMatrixWorld(true);
    const ray = new Raycaster(new Vector3(60, 65, 100), new Vector3(0, 0, -1));
    const hits = ray.intersectObjects(scene.pickMap.objects as never[], false);
    const first = hits[0]!;
    expect(scene.pickMap.resolve(first.object, first)).toEqual({ kind: "equipment", id: "T-102" });
    // And onto the rack run of the second line (at z 7).
    const down = new Raycaster(new Vector3(40, 43, 50), new Vector3(0, 0, -1));
    const pipeHit = down.intersectObjects(scene.pickMap.objects as never[], false)[0]!;
    expect(scene.pickMap.resolve(pipeHit.object, pipeHit)).toEqual({ kind: "line", id: "100-P-1002-A1" });
    scene.dispose();
  });
});

describe("highlight", () => {
  it("recolours the instances and pipe vertices involved, returns their box, and undoes it", () => {
    const scene = buildDesignScene(tankFarm());
    const body = byName(scene, "equipment:tank:body")[0]!;
    const before = new Color();
    body.getColorAt(0, before);
    const box = scene.highlight({ tags: ["T-101"], lines: ["150-P-1001-A1"], location: { x: 30, y: 50, z: 0 } });
    const pink = new Color(HIGHLIGHT_COLOUR);
    const now = new Color();
    body.getColorAt(0, now);
    expect(sameColour(now, pink)).toBe(true);
    body.getColorAt(1, now);
    expect(sameColour(now, before)).toBe(true);
    const pipes = scene.group.getObjectByName("pipes") as Mesh;
    expect(pipes.geometry.getAttribute("color").getX(0)).toBeCloseTo(pink.r);
    expect(box.containsPoint(new Vector3(30, 65, 5))).toBe(true);
    expect(box.containsPoint(new Vector3(21, 36, 0.4))).toBe(true);
    expect(scene.group.getObjectByName("highlight")).toBeDefined();

    const empty = scene.highlight({});
    expect(empty.isEmpty()).toBe(true);
    body.getColorAt(0, now);
    expect(sameColour(now, before)).toBe(true);
    expect(scene.group.getObjectByName("highlight")).toBeUndefined();
    scene.dispose();
  });
});

describe("topology-only designs", () => {
  it("draws unplaced equipment at schematic positions in the plot without overlaps", () => {
    const scene = buildDesignScene(topologyOnly());
    expect(scene.stats.equipmentSchematic).toBe(5);
    const boxes = ["T-101", "T-102", "P-101A", "P-101B", "E-101"].map((t) => scene.find(t)[0]!);
    for (const b of boxes) expect(b.schematic).toBe(true);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) expect(boxes[i]!.box.intersectsBox(boxes[j]!.box)).toBe(false);
    // Lines are chords between the schematic nozzles.
    expect(scene.stats.linesRouted).toBe(0);
    expect(scene.group.getObjectByName("pipes:unrouted")).toBeDefined();
    scene.dispose();
  });

  it("leaves unplaced equipment out when asked", () => {
    const scene = buildDesignScene(topologyOnly(), { placeUnplaced: false });
    expect(scene.stats.equipment).toBe(0);
    scene.dispose();
  });
});

describe("dispose", () => {
  it("frees every geometry and material once", () => {
    const scene = buildDesignScene(tankFarm());
    const geometries = new Set<{ dispose(): void }>();
    const materials = new Set<{ dispose(): void }>();
    scene.group.traverse((o) => {
      const m = o as Mesh;
      if (m.geometry) geometries.add(m.geometry);
      if (m.material) for (const x of [m.material].flat()) materials.add(x);
    });
    let disposed = 0;
    for (const g of [...geometries, ...materials])
      (g as unknown as { addEventListener(t: string, f: () => void): void }).addEventListener(
        "dispose",
        () => disposed++,
      );
    // Shared: one unit box serves plot, keep-outs, racks, skids and markers.
    expect(geometries.size).toBeLessThan(20);
    scene.dispose();
    expect(disposed).toBe(geometries.size + materials.size);
    expect(scene.group.children).toHaveLength(0);
    scene.dispose();
    expect(disposed).toBe(geometries.size + materials.size);
  });
});

describe("yUp", () => {
  it("turns the root so design z becomes y (glTF convention)", () => {
    const scene = buildDesignScene(tankFarm(), { yUp: true });
    expect(scene.bounds.max.y).toBeGreaterThanOrEqual(10);
    expect(scene.bounds.min.z).toBeLessThanOrEqual(-90 + 1e-6);
    scene.dispose();
  });
});
