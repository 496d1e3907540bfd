import { Box3, Color, InstancedMesh, Matrix4, Quaternion, Vector3 } from "three";
import type { PlacedEquipment } from "./layout.js";
import { EQUIPMENT_COLOURS, SCHEMATIC_TINT } from "./palette.js";
import type { SceneRegistry } from "./registry.js";
import type { SceneResources } from "./resources.js";
import { type Part, variantFor } from "./shapes.js";
import type { PickTarget } from "./types.js";

const Z = new Vector3(0, 0, 1);

/** Matrix of an equipment's unit box: T(x, y, z) · Rz(rotation) · S(width, depth, height). */
export function equipmentMatrix(e: PlacedEquipment, out = new Matrix4()): Matrix4 {
  const q = new Quaternion().setFromAxisAngle(Z, (e.rotation * Math.PI) / 180);
  return out.compose(
    new Vector3(e.x, e.y, e.z),
    q,
    new Vector3(e.footprint.width, e.footprint.depth, e.footprint.height),
  );
}

function partMatrix(p: Part): Matrix4 {
  const t = p.t ?? [0, 0, 0];
  const s = p.s ?? [1, 1, 1];
  const q = new Quaternion().setFromAxisAngle(Z, p.turn ? Math.PI / 2 : 0);
  return new Matrix4().compose(new Vector3(t[0], t[1], t[2]), q, new Vector3(s[0], s[1], s[2]));
}

/**
 * One InstancedMesh per symbol variant and part (e.g. all pump skids in one draw call), each
 * instance at its equipment's footprint. Instance colours carry the type colour so highlights can
 * recolour single instances; picking maps instanceId → tag.
 */
export function buildEquipment(
  placed: readonly PlacedEquipment[],
  res: SceneResources,
  reg: SceneRegistry,
): InstancedMesh[] {
  const byVariant = new Map<string, { parts: readonly Part[]; items: PlacedEquipment[] }>();
  for (const e of placed) {
    const v = variantFor(e);
    const group = byVariant.get(v.key);
    if (group) group.items.push(e);
    else byVariant.set(v.key, { parts: v.parts, items: [e] });
  }

  const meshes: InstancedMesh[] = [];
  const m = new Matrix4();
  const em = new Matrix4();
  const colour = new Color();
  const white = new Color(0xffffff);
  const box = new Box3();
  const corner = new Vector3();

  for (const [key, { parts, items }] of byVariant) {
    const targets: PickTarget[] = items.map((e) => ({ kind: "equipment", id: e.tag }));
    parts.forEach((part, pi) => {
      const mesh = new InstancedMesh(res.geometry(part.shape), res.solid(), items.length);
      mesh.name = `equipment:${key}:${part.name}:${pi}`;
      mesh.userData = { layer: "equipment", variant: key, part: part.name, tags: targets.map((t) => t.id) };
      const pm = partMatrix(part);
      items.forEach((e, i) => {
        equipmentMatrix(e, em);
        m.multiplyMatrices(em, pm);
        mesh.setMatrixAt(i, m);
        colour.setHex(part.colour ?? EQUIPMENT_COLOURS[e.type] ?? 0xaaaaaa);
        if (e.schematic) colour.lerp(white, SCHEMATIC_TINT);
        mesh.setColorAt(i, colour);
        reg.addPaint("equipment", e.tag, { mesh, instance: i });
      });
      mesh.instanceMatrix.needsUpdate = true;
      mesh.computeBoundingBox();
      mesh.computeBoundingSphere();
      reg.pickInstances(mesh, targets);
      meshes.push(mesh);
    });
    for (const e of items) {
      // The item's box: its unit box through the equipment matrix.
      equipmentMatrix(e, em);
      box.makeEmpty();
      for (let c = 0; c < 8; c++) {
        corner.set(c & 1 ? 0.5 : -0.5, c & 2 ? 0.5 : -0.5, c & 4 ? 1 : 0).applyMatrix4(em);
        box.expandByPoint(corner);
      }
      reg.addItem("equipment", e.tag, box, e.schematic);
      reg.labels.push({ kind: "equipment", id: e.tag, text: e.tag, x: e.x, y: e.y, z: e.z + e.footprint.height + 0.6 });
    }
  }
  return meshes;
}
