import { parseDesign } from "../design/index.js";
import type { DesignRecord } from "./types.js";

/** Checks one design (JSON text or value) against the contract and says where it came from. */
export function designRecord(where: string, input: unknown, line?: number): DesignRecord {
  const result = parseDesign(input);
  const at = line === undefined ? { where } : { where, line };
  return result.success
    ? { ...at, accepted: true, design: result.data }
    : { ...at, accepted: false, issues: result.issues };
}

/** The first character that is not white space or a byte order mark ("" when there is none). */
export function firstSignificantChar(text: string): string {
  const match = /[^\s\uFEFF]/.exec(text);
  return match ? match[0] : "";
}
