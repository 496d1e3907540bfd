import { Group, type Object3D } from "three";
import { GLTFExporter } from "three/examples/jsm/exporters/GLTFExporter.js";

type Loadable = { result: ArrayBuffer | string | null; onloadend: (() => void) | null };

/**
 * GLTFExporter reads its buffers through FileReader, which Node 20 lacks. This is the smallest
 * stand-in for the two calls it makes; browsers keep their own.
 */
function ensureFileReader(): void {
  const g = globalThis as { FileReader?: unknown };
  if (typeof g.FileReader !== "undefined") return;
  class NodeFileReader implements Loadable {
    result: ArrayBuffer | string | null = null;
    onloadend: (() => void) | null = null;
    readAsArrayBuffer(blob: Blob): void {
      void blob.arrayBuffer().then((b) => {
        this.result = b;
        this.onloadend?.();
      });
    }
    readAsDataURL(blob: Blob): void {
      void blob.arrayBuffer().then((b) => {
        const bytes = new Uint8Array(b);
        let text = "";
        for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        this.result = `data:${blob.type || "application/octet-stream"};base64,${btoa(text)}`;
        this.onloadend?.();
      });
    }
  }
  g.FileReader = NodeFileReader;
}

export interface ExportOptions {
  /** GLB (one binary file) rather than glTF JSON with an embedded buffer (default true). */
  readonly binary?: boolean;
  /** The scene is z-up (design coordinates, the default): turn it to glTF's y-up while exporting. */
  readonly zUp?: boolean;
}

/**
 * Exports a built design scene with three's GLTFExporter. Instanced equipment goes out as
 * EXT_mesh_gpu_instancing (one node per symbol part, instance colours in `_COLOR_0`), pipes as one
 * mesh with vertex colours. Works in browsers and in Node (for the server's export).
 */
export async function exportGltf(
  object: Object3D,
  options: ExportOptions = {},
): Promise<ArrayBuffer | Record<string, unknown>> {
  ensureFileReader();
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
