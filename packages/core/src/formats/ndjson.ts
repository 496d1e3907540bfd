/** NDJSON (JSON Lines): a batch, one design per non-blank line, each reported with its line number. */
import { designRecord, firstSignificantChar } from "./record.js";
import type { DesignFormat, DesignRecord } from "./types.js";

/** Two objects on consecutive lines: what tells a batch from one (pretty-printed) JSON design. */
export function looksLikeNdjson(head: string): boolean {
  return firstSignificantChar(head) === "{" && /\}[ \t]*\r?\n\s*\{/.test(head);
}

/** Non-blank lines, each with its 1-based line number, lazily. */
function* nonBlankLines(text: string): Generator<{ line: number; content: string }> {
  let start = 0;
  let line = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    line += 1;
    const content = text.slice(start, end);
    start = end + 1;
    if (content.trim() !== "") yield { line, content };
  }
}

/** Records from the `skip`-th non-blank line on, parsed one at a time as they are consumed. */
function* ndjsonRecords(text: string, label: string, skip: number): Generator<DesignRecord> {
  let index = 0;
  for (const { line, content } of nonBlankLines(text)) {
    index += 1;
    if (index <= skip) continue;
    yield designRecord(`${label}:${line}`, content, line);
  }
}

export const NDJSON_FORMAT: DesignFormat = {
  id: "ndjson",
  title: "NDJSON batch (one design per line)",
  mediaTypes: ["application/x-ndjson", "application/ndjson", "application/jsonl"],
  extensions: [".ndjson", ".jsonl"],
  sniff: looksLikeNdjson,
  count(text) {
    let n = 0;
    for (const _ of nonBlankLines(text)) n += 1;
    return n;
  },
  read(text, { label, skip = 0 }) {
    return { records: ndjsonRecords(text, label, skip), unmapped: [], renamedTags: [] };
  },
};
