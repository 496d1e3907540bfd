export { createAjv, SCHEMA_IDS, type SchemaName, sharedAjv } from "./ajv.js";
export * as schemas from "./generated/schemas.js";
export * from "./geometry.js";
export type { DocumentIssue, DocumentIssueCode, ParseResult } from "./issues.js";
export { formatIssues } from "./issues.js";
export { type ParseOptions, parseDesign, parseDocument } from "./parse.js";
export { checkJsonSafety, DEFAULT_LIMITS, parseJsonText, type SafetyLimits } from "./safety.js";
export { type DesignSummary, summariseDesign } from "./summary.js";
export * from "./types.js";
