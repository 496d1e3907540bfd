/** JSON: one design document, or an array of designs (each checked on its own). */
import { parseJsonText } from "../design/index.js";
import { looksLikeNdjson } from "./ndjson.js";
import { designRecord, firstSignificantChar } from "./record.js";
import type { DesignFormat, DesignRecord } from "./types.js";

/** Records of an already-parsed JSON value (an HTTP body the server parsed): one design or an array. */
export function jsonValueRecords(value: unknown, label: string): DesignRecord[] {
  if (Array.isArray(value)) return value.map((item, i) => designRecord(`${label}[${i}]`, item));
  return [designRecord(label, value)];
}

export const JSON_FORMAT: DesignFormat = {
  id: "json",
  title: "JSON design (one, or an array)",
  mediaTypes: ["application/json"],
  extensions: [".json"],
  sniff(head) {
    const first = firstSignificantChar(head);
    return first === "[" || (first === "{" && !looksLikeNdjson(head));
  },
  count(text) {
    const parsed = parseJsonText(text);
    return parsed.ok && Array.isArray(parsed.value) ? parsed.value.length : 1;
  },
  read(text, { label, skip = 0 }) {
    const parsed = parseJsonText(text);
    const records: DesignRecord[] = parsed.ok
      ? jsonValueRecords(parsed.value, label)
      : [{ where: label, accepted: false, issues: [parsed.issue] }];
    return { records: records.slice(skip), unmapped: [], renamedTags: [] };
  },
};
