import { Group, type Object3D } from "three";
import { GLTFExporter } from "three/examples/jsm/exporters/GLTFExporter.js";

export interface ExportOptions {
  /** GLB (one binary file) rather than glTF JSON with an embedded buffer (default true). */
  readonly binary?: boolean;
  /** The scene is z-up (design coordinates, the default): turn it to glTF's y-up while exporting. */
  readonly zUp?: boolean;
}

/**
 * Exports a built design scene with three's GLTFExporter. Instanced equipment goes out as
 * EXT_mesh_gpu_instancing (one node per symbol part, instance colours in `_COLOR_0`), pipes as one
 * mesh with vertex colours. Works in browsers, and in Node through `@plantgan/scene/node` (which
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
