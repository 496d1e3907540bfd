/**
 * Back from tensors to a design document.
 *
 * With an index (an encoded design, or a generated sample conditioned on a given topology):
 * the index's design with the layout taken from X: for each equipment row, rotation = argmax of
 * the rotation one-hot, and when the placed flag is ≥ 0.5, x = snap(X[x]·site.width),
 * y = snap(X[y]·site.depth), snapped to the nearest multiple of site.gridSize. Everything else
 * (types, footprints, hazards, tags, nozzles, lines, instruments, control) comes from the index:
 * decode(encode(d)) is d with its placed positions snapped to the grid.
 *
 * Without an index (a generated sample) see decode-sample.ts: tags, nozzles and lines are
 * invented from X and A, and the caller supplies the site and process class.
 */
import type { Design, PlantDesignInput, ProcessClass } from "../design/types.js";
import { decodeSample } from "./decode-sample.js";
import type { Encoding } from "./encode.js";
import { ViewError } from "./errors.js";
import { argmax, snapToGrid } from "./snap.js";
import { type EncodingLayout, type EncodingSpec, encodingLayout, ROTATIONS } from "./vocabulary.js";

/** What decoding reads: an Encoding, or the GAN's output in the same layout. */
export type DecodableEncoding = Pick<Encoding, "X" | "A" | "mask" | "featureNames" | "relationNames" | "index"> & {
  readonly spec: EncodingSpec;
};

/** Needed when decoding without an index; ignored otherwise. */
export interface DecodeContext {
  readonly site: PlantDesignInput["site"] | Design["site"];
  readonly processClass: ProcessClass;
  /** Default "generated". */
  readonly id?: string;
  readonly name?: string;
}

/** Something of a generated sample that could not become part of a valid design. */
export interface DecodeNote {
  readonly code: "dropped_line" | "dropped_instrument" | "dropped_loop" | "dropped_effect" | "unused_segment";
  /** Rows of X involved. */
  readonly rows: readonly number[];
  readonly message: string;
}

export interface DecodeResult {
  readonly design: PlantDesignInput;
  /**
   * Per row of X, the key that row's node has in the decoded design's graph view (tag,
   * `${line}#${i}` or `${line}@end`); undefined for padding and for what was dropped.
   */
  readonly keys: readonly (string | undefined)[];
  /** Empty when decoding with an index. */
  readonly notes: readonly DecodeNote[];
}

/** Checks that an encoding's arrays and names fit its spec; returns the layout. */
export function checkLayout(encoding: DecodableEncoding): EncodingLayout {
  const layout = encodingLayout(encoding.spec);
  const n = layout.spec.nMax;
  const same = (a: readonly string[], b: readonly string[]): boolean =>
    a.length === b.length && a.every((v, i) => v === b[i]);
  if (!same(encoding.featureNames, layout.featureNames) || !same(encoding.relationNames, layout.relationNames)) {
    throw new ViewError("layout_mismatch", "feature or relation names differ from those of the spec");
  }
  if (encoding.X.length !== n * layout.F || encoding.A.length !== layout.R * n * n || encoding.mask.length !== n) {
    throw new ViewError("layout_mismatch", `array lengths do not fit nMax ${n}, F ${layout.F}, R ${layout.R}`);
  }
  return layout;
}

/** Decodes and reports what each row became and what was dropped. */
export function decodeDesignWithReport(encoding: DecodableEncoding, context?: DecodeContext): DecodeResult {
  const layout = checkLayout(encoding);
  if (encoding.index === undefined) {
    if (context === undefined) {
      throw new ViewError("missing_context", "decoding without an index needs the site and process class");
    }
    return decodeSample(encoding, layout, context);
  }
  const { design: stored, nodes } = encoding.index;
  const design = structuredClone(stored);
  const { width, depth, gridSize } = design.site;
  const g = gridSize ?? 1;
  nodes.forEach((node, row) => {
    if (node.kind !== "equipment") return;
    const e = design.equipment[node.at];
    if (e === undefined) throw new ViewError("layout_mismatch", `index row ${row} names equipment ${node.at}`);
    const base = row * layout.F;
    e.rotation = ROTATIONS[Math.max(0, argmax(encoding.X, base + layout.offsets.rotation, ROTATIONS.length))]!;
    if (encoding.X[base + layout.offsets.placed]! >= 0.5) {
      e.x = snapToGrid(encoding.X[base + layout.offsets.position]! * width, g);
      e.y = snapToGrid(encoding.X[base + layout.offsets.position + 1]! * depth, g);
    }
  });
  return { design, keys: nodes.map((n) => n.key), notes: [] };
}

/**
 * Decodes an encoding (or a generated sample in the same layout) into a design document.
 * Without `encoding.index` the context is required (ViewError "missing_context").
 */
export function decodeDesign(encoding: DecodableEncoding, context?: DecodeContext): PlantDesignInput {
  return decodeDesignWithReport(encoding, context).design;
}
