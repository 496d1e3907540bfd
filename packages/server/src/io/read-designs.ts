/**
 * The CLI's file side of ingestion: finds design files under the given paths and reads each one's
 * bytes; what the bytes hold is @plantgan/core/formats' business.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { DEFAULT_LIMITS, type DocumentIssue } from "@plantgan/core/design";
import { designIdFromName, extensionOf, type IngestReport, knownExtensions, readDesigns } from "@plantgan/core/formats";

/** The report of one file, `name` and `file` both the path relative to the working folder. */
export interface FileResult extends IngestReport {
  readonly file: string;
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
  // A DEXPI drawing carries no id the contract accepts: the file's name gives one.
  const report = readDesigns({ content: await readFile(file), name, id: designIdFromName(file) });
  return { file: name, ...report };
}
