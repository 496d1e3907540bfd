/** Why a document was refused. Codes are stable; tests and the HTTP layer key on them, not on messages. */
export type DocumentIssueCode =
  | "invalid_json"
  | "invalid_xml"
  | "too_large"
  | "too_deep"
  | "forbidden_key"
  | "not_json_value"
  /** No registered design format fits the input (extension, media type and content tried). */
  | "unknown_format"
  | "schema";

export interface DocumentIssue {
  readonly code: DocumentIssueCode;
  /** JSON pointer (RFC 6901) of the offending value; "" is the whole document. */
  readonly pointer: string;
  /** A plain sentence for a person. */
  readonly message: string;
  /** For code "schema": the JSON Schema keyword that failed (required, enum, pattern...). */
  readonly keyword?: string;
}

export type ParseResult<T> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly issues: readonly DocumentIssue[] };

/** Formats issues one per line: `/equipment/0/tag: must match ...`. */
export function formatIssues(issues: readonly DocumentIssue[]): string {
  return issues.map((i) => `${i.pointer || "/"}: ${i.message}`).join("\n");
}

export function escapePointerToken(token: string | number): string {
  return String(token).replace(/~/g, "~0").replace(/\//g, "~1");
}
