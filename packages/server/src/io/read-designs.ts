/**
 * The CLI's file side of ingestion: finds design files under the given paths and reads each one's
 * bytes; what the bytes hold is @plantgan/core/formats' business.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { DEFAULT_LIMITS, type DocumentIssue } from "@plantgan/core/design";
import { designIdFromName, extensionOf, type IngestReport, knownExtensions, readDesigns } from "@plantgan/core/formats";
import type { PipelineOutcome } from "@plantgan/core/validate";

/** The report of one file, `name` and `file` both the path relative to the working folder. */
export interface FileResult extends IngestReport {
  readonly file: string;
  /**
   * For a file of generated candidates (`plantgan generate -o`): what the pipeline could not do
   * for each design, by design id, so validating the file gives the candidates' own verdicts.
   */
  readonly outcomes?: ReadonlyMap<string, PipelineOutcome>;
  /**
   * For the same file: the request each candidate answered (its record's `origin.request`, as
   * written, unparsed), by design id: a topology-mode candidate's findings that the request's own
   * topology has are then marked inherited, as in its report.
   */
  readonly requests?: ReadonlyMap<string, unknown>;
}

/**
 * A line of `plantgan generate -o` output: the candidate with its design (and the pipeline's
 * outcome). Such a file is read as the NDJSON of its designs.
 */
function candidateLines(
  text: string,
): { designs: string; outcomes: Map<string, PipelineOutcome>; requests: Map<string, unknown> } | undefined {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const outcomes = new Map<string, PipelineOutcome>();
  const requests = new Map<string, unknown>();
  const designs: string[] = [];
  for (const line of lines) {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return undefined;
    }
    const r = record as {
      design?: { id?: unknown };
      outcome?: PipelineOutcome;
      report?: unknown;
      origin?: { request?: unknown };
    };
    if (!r || typeof r !== "object" || !r.design || typeof r.design !== "object" || r.report === undefined)
      return undefined;
    designs.push(JSON.stringify(r.design));
    if (typeof r.design.id !== "string") continue;
    if (r.outcome) outcomes.set(r.design.id, r.outcome);
    if (r.origin?.request !== undefined) requests.set(r.design.id, r.origin.request);
  }
  return designs.length > 0 ? { designs: `${designs.join("\n")}\n`, outcomes, requests } : undefined;
}

/** Largest file read, bytes: beyond it the file is refused before it is read. */
export const MAX_FILE_BYTES = DEFAULT_LIMITS.maxLength;

/** Files under the given paths (folders walked recursively, sorted), that have an extension some format claims. */
export async function expandInputs(paths: readonly string[]): Promise<string[]> {
  const extensions = knownExtensions();
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path);
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const entries = await readdir(path, { recursive: true, withFileTypes: true });
    const found = entries
      .filter((e) => e.isFile() && extensions.includes(extensionOf(e.name)))
      .map((e) => join(e.parentPath, e.name))
      .sort();
    files.push(...found);
  }
  return files;
}

/** Reads one file of designs (any registered format). Never throws on content; throws on I/O errors. */
export async function readDesignFile(file: string, base = process.cwd()): Promise<FileResult> {
  const name = relative(base, file) || file;
  const size = (await stat(file)).size;
  if (size > MAX_FILE_BYTES) {
    const issue: DocumentIssue = {
      code: "too_large",
      pointer: "",
      message: `file is ${size} bytes; the limit is ${MAX_FILE_BYTES}`,
    };
    const records = [{ where: name, accepted: false as const, issues: [issue] }];
    return { file: name, name, format: undefined, records, unmapped: [], renamedTags: [] };
  }
  const content = await readFile(file);
  if ([".ndjson", ".jsonl"].includes(extensionOf(file))) {
    const candidates = candidateLines(content.toString("utf8"));
    if (candidates) {
      const report = readDesigns({ content: Buffer.from(candidates.designs), name, id: designIdFromName(file) });
      return { file: name, ...report, outcomes: candidates.outcomes, requests: candidates.requests };
    }
  }
  // A DEXPI drawing carries no id the contract accepts: the file's name gives one.
  const report = readDesigns({ content, name, id: designIdFromName(file) });
  return { file: name, ...report };
}
