import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join, relative } from "node:path";
import { DEFAULT_LIMITS, type Design, type DocumentIssue, parseDesign } from "@plantgan/core/design";
import { importDexpi } from "@plantgan/core/dexpi";

export type InputFormat = "dexpi" | "json" | "ndjson";

/** One design found in a file: accepted, or refused with every issue. */
export type DesignRecord =
  | { readonly where: string; readonly accepted: true; readonly design: Design }
  | { readonly where: string; readonly accepted: false; readonly issues: readonly DocumentIssue[] };

export interface FileResult {
  readonly file: string;
  readonly format: InputFormat | "unknown";
  readonly records: readonly DesignRecord[];
  /** DEXPI elements that could not be mapped (the importer's report). */
  readonly unmapped: readonly { readonly element: string; readonly id?: string; readonly reason: string }[];
  readonly renamedTags: readonly { readonly from: string; readonly to: string }[];
}

const EXTENSIONS: Record<string, InputFormat> = {
  ".xml": "dexpi",
  ".json": "json",
  ".ndjson": "ndjson",
  ".jsonl": "ndjson",
};

/** Largest file read, bytes: beyond it the file is refused before it is read. */
export const MAX_FILE_BYTES = DEFAULT_LIMITS.maxLength;

/** Files under the given paths (folders walked recursively, sorted), that have a known extension. */
export async function expandInputs(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path);
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const entries = await readdir(path, { recursive: true, withFileTypes: true });
    const found = entries
      .filter((e) => e.isFile() && extname(e.name).toLowerCase() in EXTENSIONS)
      .map((e) => join(e.parentPath, e.name))
      .sort();
    files.push(...found);
  }
  return files;
}

/** Format from the extension, else from the first non-blank character. */
export function detectFormat(file: string, text: string): InputFormat | "unknown" {
  const byExtension = EXTENSIONS[extname(file).toLowerCase()];
  if (byExtension) return byExtension;
  const first = text.trimStart()[0];
  if (first === "<") return "dexpi";
  if (first === "{" || first === "[") return text.trim().includes("\n{") ? "ndjson" : "json";
  return "unknown";
}

function refused(where: string, issue: DocumentIssue): DesignRecord {
  return { where, accepted: false, issues: [issue] };
}

function fromParse(where: string, value: unknown): DesignRecord {
  const result = parseDesign(value);
  return result.success
    ? { where, accepted: true, design: result.data }
    : { where, accepted: false, issues: result.issues };
}

/** Reads one file of designs (DEXPI XML, a JSON design or array of designs, NDJSON). Never throws on content. */
export async function readDesignFile(file: string, base = process.cwd()): Promise<FileResult> {
  const name = relative(base, file) || file;
  const empty = { unmapped: [], renamedTags: [] };
  const size = (await stat(file)).size;
  if (size > MAX_FILE_BYTES) {
    const issue: DocumentIssue = {
      code: "too_large",
      pointer: "",
      message: `file is ${size} bytes; the limit is ${MAX_FILE_BYTES}`,
    };
    return { file: name, format: "unknown", records: [refused(name, issue)], ...empty };
  }
  const text = await readFile(file, "utf8");
  const format = detectFormat(file, text);
  switch (format) {
    case "dexpi": {
      const result = importDexpi(text, { id: idFromFile(file) });
      if (!result.success)
        return { file: name, format, records: [{ where: name, accepted: false, issues: result.issues }], ...empty };
      return {
        file: name,
        format,
        records: [fromParse(name, result.design)],
        unmapped: result.report.unmapped,
        renamedTags: result.report.renamedTags,
      };
    }
    case "json": {
      const parsed = parseDesign(text);
      // A JSON array holds several designs; anything else is one design.
      if (!parsed.success && text.trimStart().startsWith("[")) {
        let values: unknown;
        try {
          values = JSON.parse(text);
        } catch {
          return { file: name, format, records: [{ where: name, accepted: false, issues: parsed.issues }], ...empty };
        }
        if (Array.isArray(values)) {
          return { file: name, format, records: values.map((v, i) => fromParse(`${name}[${i}]`, v)), ...empty };
        }
      }
      const record: DesignRecord = parsed.success
        ? { where: name, accepted: true, design: parsed.data }
        : { where: name, accepted: false, issues: parsed.issues };
      return { file: name, format, records: [record], ...empty };
    }
    case "ndjson": {
      const records: DesignRecord[] = [];
      text.split("\n").forEach((line, i) => {
        if (line.trim() === "") return;
        const where = `${name}:${i + 1}`;
        const result = parseDesign(line);
        records.push(
          result.success
            ? { where, accepted: true, design: result.data }
            : { where, accepted: false, issues: result.issues },
        );
      });
      return { file: name, format, records, ...empty };
    }
    default:
      return {
        file: name,
        format,
        records: [
          refused(name, { code: "invalid_json", pointer: "", message: "not a DEXPI XML, JSON or NDJSON file" }),
        ],
        ...empty,
      };
  }
}

/** A design id from a file name: its base name with characters outside the id pattern replaced. */
export function idFromFile(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? "design";
  const stem = base.replace(/\.[^.]+$/, "");
  return (
    stem
      .replace(/[^A-Za-z0-9._:-]/g, "-")
      .replace(/^[^A-Za-z0-9]+/, "")
      .slice(0, 128) || "design"
  );
}
