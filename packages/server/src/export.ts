import { type Design, isPlaced } from "@plantgan/core/design";
import { EXPORT_FORMATS as FILE_FORMATS } from "@plantgan/core/formats";
import { buildDesignScene, exportGltf } from "@plantgan/scene/node";

export interface ExportFormatInfo {
  readonly title: string;
  /** The response's Content-Type (text formats with their charset). */
  readonly type: string;
  /** The file name's extension, with its dot. */
  readonly extension: string;
  /** Text from the design (the core's writers), or undefined for the 3D scene, which the scene package builds. */
  readonly write?: (design: Design) => string;
}

/**
 * Export formats by id: every file format of @plantgan/core (json, DEXPI 1.3 and 2.0, PCF,
 * Cause & Effect CSV, PLCopen), then the viewer's 3D scene as glTF and GLB.
 */
export const EXPORT_FORMATS: Readonly<Record<string, ExportFormatInfo>> = Object.freeze({
  ...Object.fromEntries(
    FILE_FORMATS.map((f) => [
      f.id,
      { title: f.title, type: `${f.mediaType}; charset=utf-8`, extension: f.extension, write: f.write },
    ]),
  ),
  gltf: { title: "3D scene (glTF 2.0, embedded buffer)", type: "model/gltf+json", extension: ".gltf" },
  glb: { title: "3D scene (binary glTF)", type: "model/gltf-binary", extension: ".glb" },
});
export type ExportFormat = string;

export function isExportFormat(value: string): value is ExportFormat {
  return Object.hasOwn(EXPORT_FORMATS, value);
}

/** A design with no placed equipment has no scene to export. */
export class NotPlacedError extends Error {
  constructor(designId: string, format: string) {
    super(
      `design ${designId} has no placed equipment (topology only): a ${format} model needs plan positions; ` +
        "format json exports the design itself",
    );
    this.name = "NotPlacedError";
  }
}

/**
 * A design as a file, for the API's export route and `plantgan export`: the core's text formats
 * (the document itself, DEXPI, PCF, C&E, PLCopen), or the 3D scene the viewer draws
 * (`@plantgan/scene`, y-up, metres) as glTF JSON with an embedded buffer or as GLB. Unplaced items
 * of a partly placed design sit at schematic positions south of the plot, as in the viewer; with
 * none placed there is no layout, and the scene formats refuse rather than invent one.
 */
export async function exportDesign(
  design: Design,
  format: ExportFormat,
  options: { readonly instancing?: boolean } = {},
): Promise<Buffer> {
  const info = EXPORT_FORMATS[format];
  if (!info) throw new Error(`unknown export format ${format}`);
  if (info.write) return Buffer.from(info.write(design));
  if (!design.equipment.some(isPlaced)) throw new NotPlacedError(design.id, format);
  const scene = buildDesignScene(design);
  try {
    // Plain nodes per tag unless asked: generic loaders lack EXT_mesh_gpu_instancing.
    const out = await exportGltf(scene.group, { binary: format === "glb", instancing: options.instancing ?? false });
    return out instanceof ArrayBuffer ? Buffer.from(out) : Buffer.from(JSON.stringify(out));
  } finally {
    scene.dispose();
  }
}
