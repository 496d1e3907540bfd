import type { Instrument } from "@plantgan/core/design";
import { Box3, Color, InstancedMesh, Matrix4, Quaternion, Vector3 } from "three";
import type { LineEnds, Vec3 } from "./layout.js";
import { instrumentColour } from "./palette.js";
import type { SceneRegistry } from "./registry.js";
import type { SceneResources } from "./resources.js";
import type { PickTarget } from "./types.js";

/** Diameter of an instrument bubble, m. */
export const INSTRUMENT_SIZE = 0.6;

/**
 * Where an instrument is drawn: on equipment, around its top edge (one position per instrument so
 * several do not coincide); on a line, a little above the pipe, spread along it.
 */
export function instrumentPositions(instruments: readonly Instrument[], ends: LineEnds): Map<string, Vec3> {
  const out = new Map<string, Vec3>();
  const perHost = new Map<string, number>();
  for (const inst of instruments) {
    if (!inst.on) continue; // unmounted: nowhere to draw it in 3D
    const host = "tag" in inst.on ? `e:${inst.on.tag}` : `l:${inst.on.line}`;
    const k = perHost.get(host) ?? 0;
    perHost.set(host, k + 1);
    if ("tag" in inst.on) {
      const e = ends.equipmentByTag(inst.on.tag);
      if (!e) continue;
      const angle = (k * Math.PI) / 3 + Math.PI / 4;
      const rx = e.footprint.width / 2 + INSTRUMENT_SIZE;
      const ry = e.footprint.depth / 2 + INSTRUMENT_SIZE;
      out.set(inst.tag, [
        e.x + Math.cos(angle) * rx,
        e.y + Math.sin(angle) * ry,
        e.z + Math.min(e.footprint.height * 0.8, 2 + k * 0.7),
      ]);
    } else {
      const path = ends.path(inst.on.line);
      if (!path) continue;
      const { point } = path.at(Math.min(0.95, 0.35 + 0.15 * k));
      out.set(inst.tag, [point[0], point[1], point[2] + 0.8]);
    }
  }
  return out;
}

/** Instrument bubbles, one InstancedMesh, coloured by measured variable. */
export function buildInstruments(
  instruments: readonly Instrument[],
  positions: ReadonlyMap<string, Vec3>,
  res: SceneResources,
  reg: SceneRegistry,
): InstancedMesh | null {
  const drawn = instruments.filter((i) => positions.has(i.tag));
  if (drawn.length === 0) return null;
  const mesh = new InstancedMesh(res.geometry("sphere"), res.solid(), drawn.length);
  const m = new Matrix4();
  const q = new Quaternion();
  const p = new Vector3();
  const s = new Vector3(INSTRUMENT_SIZE, INSTRUMENT_SIZE, INSTRUMENT_SIZE);
  const colour = new Color();
  const box = new Box3();
  const targets: PickTarget[] = [];
  drawn.forEach((inst, i) => {
    const at = positions.get(inst.tag)!;
    m.compose(p.set(at[0], at[1], at[2]), q, s);
    mesh.setMatrixAt(i, m);
    mesh.setColorAt(i, colour.setHex(instrumentColour(inst.tag)));
    targets.push({ kind: "instrument", id: inst.tag });
    reg.addPaint("instrument", inst.tag, { mesh, instance: i });
    reg.addItem("instrument", inst.tag, box.makeEmpty().expandByPoint(p).expandByScalar(INSTRUMENT_SIZE));
  });
  mesh.name = "instruments";
  mesh.userData = { layer: "instruments" };
  mesh.computeBoundingBox();
  mesh.computeBoundingSphere();
  reg.pickInstances(mesh, targets);
  return mesh;
}
