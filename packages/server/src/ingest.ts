import { type Design, type DocumentIssue, parseDesign, parseJsonText } from "@plantgan/core/design";
import { importDexpi } from "@plantgan/core/dexpi";

/**
 * Turns uploaded content (a request body or an import blob) into design records, one per
 * design, each accepted (schema-valid, defaults filled) or refused with every issue. The same
 * code serves the synchronous upload route and the import job, so both report records alike.
 * File names from clients are used only as labels in `where`, never as paths.
 */

export type UploadFormat = "json" | "ndjson" | "dexpi";

export type IngestRecord =
  | { readonly where: string; readonly accepted: true; readonly design: Design }
  | { readonly where: string; readonly accepted: false; readonly issues: readonly DocumentIssue[] };

export interface DexpiNotes {
  readonly unmapped: readonly { readonly element: string; readonly id?: string; readonly reason: string }[];
  readonly renamedTags: readonly { readonly from: string; readonly to: string }[];
}

/** Content type (without parameters) → format. */
export function formatOfMediaType(mediaType: string | undefined): UploadFormat | undefined {
  const type = (mediaType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json") return "json";
  if (type === "application/x-ndjson" || type === "application/ndjson" || type === "application/jsonl") return "ndjson";
  if (type === "application/xml" || type === "text/xml" || type === "application/dexpi+xml") return "dexpi";
  return undefined;
}

/** Format from the content itself (multipart parts with a generic type). */
export function sniffFormat(text: string): UploadFormat | undefined {
  const start = text.trimStart();
  if (start.startsWith("<")) return "dexpi";
  if (start.startsWith("[")) return "json";
  if (start.startsWith("{")) return /\}\s*\n\s*\{/.test(start) ? "ndjson" : "json";
  return undefined;
}

function fromValue(where: string, value: unknown): IngestRecord {
  const result = parseDesign(value);
  return result.success
    ? { where, accepted: true, design: result.data }
    : { where, accepted: false, issues: result.issues };
}

/** Non-blank lines of NDJSON text, for progress totals. */
export function countNdjsonRecords(text: string): number {
  let n = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    if (text.slice(start, end).trim() !== "") n += 1;
    start = end + 1;
  }
  return n;
}

/**
 * NDJSON records from line `skip` on (0-based count of non-blank records already consumed),
 * lazily: a large import never holds every parsed design at once.
 */
export function* ndjsonRecords(text: string, label: string, skip = 0): Generator<IngestRecord> {
  let start = 0;
  let lineNo = 0;
  let index = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    lineNo += 1;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === "") continue;
    index += 1;
    if (index <= skip) continue;
    const where = `${label}:${lineNo}`;
    const result = parseDesign(line);
    yield result.success
      ? { where, accepted: true, design: result.data }
      : { where, accepted: false, issues: result.issues };
  }
}

/** A JSON value holding one design, or an array of designs. */
export function jsonValueRecords(value: unknown, label: string): IngestRecord[] {
  if (Array.isArray(value)) return value.map((v, i) => fromValue(`${label}[${i}]`, v));
  return [fromValue(label, value)];
}

/** JSON text holding one design or an array of designs. */
export function jsonTextRecords(text: string, label: string): IngestRecord[] {
  const parsed = parseJsonText(text);
  if (!parsed.ok) return [{ where: label, accepted: false, issues: [parsed.issue] }];
  return jsonValueRecords(parsed.value, label);
}

/** One DEXPI XML document → one design record, with the importer's notes. */
export function dexpiRecords(xml: string, label: string, id?: string): { records: IngestRecord[]; notes: DexpiNotes } {
  const result = importDexpi(xml, id !== undefined ? { id } : {});
  if (!result.success)
    return {
      records: [{ where: label, accepted: false, issues: result.issues }],
      notes: { unmapped: [], renamedTags: [] },
    };
  return {
    records: [fromValue(label, result.design)],
    notes: { unmapped: result.report.unmapped, renamedTags: result.report.renamedTags },
  };
}
