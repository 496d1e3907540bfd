import { rename, writeFile } from "node:fs/promises";
import type { DocumentIssue } from "@plantgan/core/design";

/** Writes machine-readable output: one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ""): void {
  process.stdout.write(`${text}\n`);
}

export function printError(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** `file: /pointer: message` lines, as editors and people read them. */
export function issueLines(where: string, issues: readonly DocumentIssue[]): string[] {
  return issues.map((i) => `${where}: ${i.pointer || "/"}: ${i.message}`);
}

/** Writes a file atomically (temp file, then rename) so a crash never leaves half a file. */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, content);
  await rename(temp, path);
}
