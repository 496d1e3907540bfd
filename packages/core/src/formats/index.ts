/**
 * Design formats: content in (text or bytes, with a file name or media type), designs out, with
 * one report per input. Pure: no file system, no HTTP; the server and the CLI read files and
 * bodies, then come here. The registry lists each format; `readDesigns` is the entry.
 */
export { DEXPI_FORMAT, xmlRootName } from "./dexpi/format.js";
export {
  DEFAULT_FOOTPRINTS,
  DEFAULT_LINE_SIZE,
  type DexpiCounts,
  type DexpiImportOptions,
  type DexpiImportResult,
  type DexpiReport,
  type ImportNote,
  importDexpi,
  normaliseTag,
  type RenamedTag,
  type UnmappedElement,
} from "./dexpi/index.js";
export { DEXPI2_FORMAT } from "./dexpi2/format.js";
export { type Dexpi2ImportResult, importDexpi2 } from "./dexpi2/index.js";
export { EXPORT_FORMATS, type ExportFormat, exportFormatById } from "./export/index.js";
export { JSON_FORMAT, jsonValueRecords } from "./json.js";
export { looksLikeNdjson, NDJSON_FORMAT } from "./ndjson.js";
export {
  contentText,
  designIdFromName,
  type IngestInput,
  type IngestStream,
  readDesigns,
  streamDesigns,
} from "./read.js";
export {
  DESIGN_FORMATS,
  type Detection,
  detectFormat,
  extensionOf,
  type FormatHint,
  formatById,
  formatByMediaType,
  knownExtensions,
  normaliseMediaType,
  SNIFF_CHARS,
} from "./registry.js";
export type {
  AcceptedRecord,
  DesignFormat,
  DesignRecord,
  FormatReading,
  IngestReport,
  ReadOptions,
  RefusedRecord,
} from "./types.js";
