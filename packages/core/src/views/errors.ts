/** Why a view could not be built. Codes are stable: callers and tests key on them, not on messages. */
export type ViewErrorCode =
  /** The design has more nodes than the encoding's nMax. */
  | "too_many_nodes"
  /** Two nodes of the design share a key (tag, or line id), so references are ambiguous. */
  | "duplicate_key"
  /** An EncodingSpec or GridOptions value is out of range. */
  | "bad_spec"
  /** An encoding's feature or relation names differ from those of its spec. */
  | "layout_mismatch"
  /** Decoding without an index needs the site and process class from the caller. */
  | "missing_context"
  /** The grid would exceed GridOptions.maxCells. */
  | "grid_too_large";

/** Thrown when a view function is misused or given a design it cannot represent. */
export class ViewError extends Error {
  readonly code: ViewErrorCode;

  constructor(code: ViewErrorCode, message: string) {
    super(message);
    this.name = "ViewError";
    this.code = code;
  }
}
