/**
 * The one way in for designs: content (text or bytes) with a name or media type → the report of
 * what it holds. The server's upload routes, its import job and the CLI all come through here.
 */
import type { DocumentIssue } from "../design/index.js";
import { decodeContent } from "./encoding.js";
import { DESIGN_FORMATS, detectFormat, formatById } from "./registry.js";
import type { DesignFormat, FormatReading, IngestReport } from "./types.js";

export interface IngestInput {
  /** Text, or bytes in UTF-8 or UTF-16 (by byte order mark or XML declaration). A leading byte order mark is dropped. */
  readonly content: string | Uint8Array;
  /** File name: its extension helps detection; it is the label when `label` is absent. Never opened. */
  readonly name?: string;
  readonly mediaType?: string;
  /** Names the input in each record's `where`. Default: `name`, else "input". */
  readonly label?: string;
  /** A format id known beforehand (an import job reading what its upload detected): no detection. */
  readonly format?: string;
  /** Design id, for formats whose documents carry none the contract accepts (DEXPI). */
  readonly id?: string;
  /** Records to skip: an interrupted import resuming. */
  readonly skip?: number;
}

/** Like IngestReport, with records produced as they are consumed. */
export interface IngestStream extends FormatReading {
  readonly name: string;
  readonly format: string | undefined;
}

/**
 * Text of the content: bytes decoded as their byte order mark or XML declaration says (UTF-8 or
 * UTF-16; malformed UTF-8 becomes U+FFFD). Throws, naming the encoding, for any other encoding;
 * `readDesigns` reports that as a refused record instead.
 */
export function contentText(content: string | Uint8Array): string {
  const decoded = decodeContent(content);
  if (!decoded.ok) throw new Error(decoded.message);
  return decoded.text;
}

/** Reads every design of an input, eagerly: the report of one input. `formats`: the registry to use. */
export function readDesigns(input: IngestInput, formats = DESIGN_FORMATS): IngestReport {
  const stream = streamDesigns(input, formats);
  return { ...stream, records: [...stream.records] };
}

/** Reads the designs of an input lazily: an NDJSON batch is parsed line by line as it is consumed. */
export function streamDesigns(input: IngestInput, formats = DESIGN_FORMATS): IngestStream {
  const name = input.label ?? input.name ?? "input";
  const decoded = decodeContent(input.content);
  const text = decoded.ok ? decoded.text : "";
  const chosen: ReturnType<typeof chooseFormat> = decoded.ok
    ? chooseFormat(input, text, formats)
    : { ok: false, message: decoded.message };
  if (!chosen.ok) {
    const issue: DocumentIssue = { code: "unknown_format", pointer: "", message: chosen.message };
    return {
      name,
      format: undefined,
      records: [{ where: name, accepted: false, issues: [issue] }],
      unmapped: [],
      renamedTags: [],
    };
  }
  const reading = chosen.format.read(text, {
    label: name,
    ...(input.id !== undefined ? { id: input.id } : {}),
    ...(input.skip !== undefined ? { skip: input.skip } : {}),
  });
  return { name, format: chosen.format.id, ...reading };
}

function chooseFormat(
  input: IngestInput,
  text: string,
  formats: readonly DesignFormat[],
): { ok: true; format: DesignFormat } | { ok: false; message: string } {
  if (input.format === undefined) {
    return detectFormat(
      {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.mediaType !== undefined ? { mediaType: input.mediaType } : {}),
        head: text,
      },
      formats,
    );
  }
  const format = formatById(input.format, formats);
  return format ? { ok: true, format } : { ok: false, message: `no design format has the id "${input.format}"` };
}

/** A design id from a file name: its base name without extension, characters the contract refuses as "-". */
export function designIdFromName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "design";
  const stem = base.replace(/\.[^.]+$/, "");
  return (
    stem
      .replace(/[^A-Za-z0-9._:-]/g, "-")
      .replace(/^[^A-Za-z0-9]+/, "")
      .slice(0, 128) || "design"
  );
}
