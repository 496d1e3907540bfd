import { type Design, isPlaced } from "@plantgan/core/design";
import { buildDesignScene, exportGltf } from "@plantgan/scene/node";

/** Export formats: media type and file extension of each. */
export const EXPORT_FORMATS = {
  json: { type: "application/json; charset=utf-8", extension: "json" },
  gltf: { type: "model/gltf+json", extension: "gltf" },
  glb: { type: "model/gltf-binary", extension: "glb" },
} as const;
export type ExportFormat = keyof typeof EXPORT_FORMATS;

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
 * A design as a file, for the API's export route and `plantgan export`: the document itself
 * (json), or the 3D scene the viewer draws (`@plantgan/scene`, y-up, metres) as glTF JSON with an
 * embedded buffer or as GLB. Unplaced items of a partly placed design sit at schematic positions
 * south of the plot, as in the viewer; with none placed there is no layout, and it refuses rather
 * than invent one.
 */
export async function exportDesign(design: Design, format: ExportFormat): Promise<Buffer> {
  if (format === "json") return Buffer.from(`${JSON.stringify(design, null, 2)}\n`);
  if (!design.equipment.some(isPlaced)) throw new NotPlacedError(design.id, format);
  const scene = buildDesignScene(design);
  try {
    const out = await exportGltf(scene.group, { binary: format === "glb" });
    return out instanceof ArrayBuffer ? Buffer.from(out) : Buffer.from(JSON.stringify(out));
  } finally {
    scene.dispose();
  }
}
