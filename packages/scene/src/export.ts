import { Color, Group, InstancedMesh, type Material, Matrix4, Mesh, MeshStandardMaterial, type Object3D } from "three";
import { GLTFExporter } from "three/examples/jsm/exporters/GLTFExporter.js";

export interface ExportOptions {
  /** GLB (one binary file) rather than glTF JSON with an embedded buffer (default true). */
  readonly binary?: boolean;
  /** The scene is z-up (design coordinates, the default): turn it to glTF's y-up while exporting. */
  readonly zUp?: boolean;
  /**
   * Keep instanced meshes as EXT_mesh_gpu_instancing (smaller, but only loaders with that
   * extension read it). Default false: plain nodes any glTF 2.0 loader reads (plainScene).
   */
  readonly instancing?: boolean;
}

/**
 * The scene with every instanced mesh written out as plain meshes: equipment as one node per tag
 * (named by the tag, one child per symbol part), other instances (instrument bubbles, markers) as
 * one node each; each instance's colour becomes a standard material's base colour (glTF
 * baseColorFactor), shared by colour. Geometries are shared, nothing is copied.
 */
export function plainScene(object: Object3D): Object3D {
  const materials = new Map<string, MeshStandardMaterial>();
  const standard = (colour: Color, like: Material): MeshStandardMaterial => {
    const base = like as Partial<MeshStandardMaterial>;
    const key = `${colour.getHexString()}:${base.opacity ?? 1}:${base.transparent ? 1 : 0}`;
    let m = materials.get(key);
    if (!m) {
      m = new MeshStandardMaterial({
        color: colour.clone(),
        metalness: base.metalness ?? 0.1,
        roughness: base.roughness ?? 0.8,
        transparent: base.transparent ?? false,
        opacity: base.opacity ?? 1,
      });
      materials.set(key, m);
    }
    return m;
  };
  const convert = (o: Object3D): Object3D => {
    if (!(o instanceof InstancedMesh)) {
      const copy = o.clone(false);
      // Dash distances (three's lineDistance, written as _LINEDISTANCE) mean nothing to other loaders.
      const geometry = (copy as Partial<Mesh>).geometry;
      if (geometry?.getAttribute("lineDistance")) {
        const plain = geometry.clone();
        plain.deleteAttribute("lineDistance");
        (copy as Mesh).geometry = plain;
      }
      for (const child of o.children) copy.add(convert(child));
      return copy;
    }
    const out = new Group();
    out.name = o.name;
    out.visible = o.visible;
    out.position.copy(o.position);
    out.quaternion.copy(o.quaternion);
    out.scale.copy(o.scale);
    const tags = (o.userData as { tags?: readonly string[] }).tags;
    const part = (o.userData as { part?: string }).part ?? "part";
    const material = Array.isArray(o.material) ? o.material[0]! : o.material;
    const matrix = new Matrix4();
    const colour = new Color();
    for (let i = 0; i < o.count; i++) {
      o.getMatrixAt(i, matrix);
      if (o.instanceColor) o.getColorAt(i, colour);
      else colour.copy((material as MeshStandardMaterial).color ?? new Color(0xaaaaaa));
      const mesh = new Mesh(o.geometry, standard(colour, material));
      matrix.decompose(mesh.position, mesh.quaternion, mesh.scale);
      const tag = tags?.[i];
      mesh.name = tag ? `${tag}:${part}` : `${o.name}:${i}`;
      if (tag) mesh.userData = { tag, part };
      out.add(mesh);
    }
    return out;
  };
  const root = convert(object);
  // Equipment parts of one tag gather under one node named by the tag.
  const byTag = new Map<string, Group>();
  const parts: Mesh[] = [];
  root.traverse((o) => {
    if (o instanceof Mesh && typeof (o.userData as { tag?: unknown }).tag === "string") parts.push(o);
  });
  for (const mesh of parts) {
    const tag = (mesh.userData as { tag: string }).tag;
    const holder = mesh.parent!;
    let node = byTag.get(tag);
    if (!node) {
      node = new Group();
      node.name = tag;
      node.userData = { tags: [tag] };
      byTag.set(tag, node);
      holder.parent?.add(node);
    }
    holder.remove(mesh);
    node.add(mesh);
  }
  // The per-part holders are empty now.
  const empty: Object3D[] = [];
  root.traverse((o) => {
    if (o instanceof Group && o.children.length === 0 && o.name.startsWith("equipment:")) empty.push(o);
  });
  for (const o of empty) o.parent?.remove(o);
  return root;
}

/**
 * Exports a built design scene with three's GLTFExporter: plain glTF 2.0 by default (equipment
 * one node per tag, standard materials; see plainScene), or with `instancing` the instanced
 * meshes as EXT_mesh_gpu_instancing (instance colours in `_COLOR_0`). Pipes are one mesh with
 * vertex colours (COLOR_0). Works in browsers, and in Node through `@plantgan/scene/node` (which
 * supplies the FileReader three's exporter reads its buffers with).
 */
export async function exportGltf(
  object: Object3D,
  options: ExportOptions = {},
): Promise<ArrayBuffer | Record<string, unknown>> {
  if (typeof (globalThis as { FileReader?: unknown }).FileReader === "undefined") {
    throw new Error("exportGltf needs FileReader: in Node, import the scene from @plantgan/scene/node");
  }
  const binary = options.binary ?? true;
  const exporter = new GLTFExporter();
  if (!options.instancing) object = plainScene(object);
  if (options.zUp === false) {
    return (await exporter.parseAsync(object, { binary })) as ArrayBuffer | Record<string, unknown>;
  }
  // Re-parent under a turned root for the export only, then put it back where it was.
  const parent = object.parent;
  const index = parent ? parent.children.indexOf(object) : -1;
  const root = new Group();
  root.name = "plantgan";
  root.rotation.x = -Math.PI / 2;
  root.add(object);
  try {
    return (await exporter.parseAsync(root, { binary })) as ArrayBuffer | Record<string, unknown>;
  } finally {
    root.remove(object);
    if (parent) {
      parent.add(object);
      // Keep the original child order.
      parent.children.splice(parent.children.indexOf(object), 1);
      parent.children.splice(index, 0, object);
    }
  }
}
