import type { ErrorObject } from "ajv";
import { SCHEMA_IDS, type SchemaName, sharedAjv } from "./ajv.js";
import type { DocumentIssue, ParseResult } from "./issues.js";
import { checkJsonSafety, DEFAULT_LIMITS, parseJsonText, type SafetyLimits } from "./safety.js";
import type { Design, ModelCard, ParsedGenerationRequest, RulePack, ValidationReport } from "./types.js";

export interface ParseOptions {
  readonly limits?: Partial<SafetyLimits>;
  /** Most schema issues reported (the rest are counted in a last issue). Default 100. */
  readonly maxIssues?: number;
}

interface DocumentTypes {
  plantDesign: Design;
  generationRequest: ParsedGenerationRequest;
  validationReport: ValidationReport;
  rulePack: RulePack;
  modelCard: ModelCard;
}

/**
 * Checks a document against one of the contract's schemas. `input` is JSON text or an
 * already-parsed value (which is deep-copied: defaults are filled into the copy, never into
 * the caller's object). Returns every problem with its JSON pointer, or the typed document.
 */
export function parseDocument<K extends SchemaName>(
  schema: K,
  input: unknown,
  options: ParseOptions = {},
): ParseResult<DocumentTypes[K]> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  let value: unknown;
  if (typeof input === "string") {
    const parsed = parseJsonText(input, limits);
    if (!parsed.ok) return { success: false, issues: [parsed.issue] };
    value = parsed.value;
  } else {
    value = input;
  }
  const unsafe = checkJsonSafety(value, limits);
  if (unsafe) return { success: false, issues: [unsafe] };
  if (typeof input !== "string") value = structuredClone(value);

  const validate = sharedAjv().getSchema(SCHEMA_IDS[schema]);
  if (!validate) throw new Error(`schema ${schema} is not registered`);
  if (validate(value)) return { success: true, data: value as DocumentTypes[K] };
  return { success: false, issues: toIssues(validate.errors ?? [], options.maxIssues ?? 100) };
}

/** Parses a plant design (JSON text or value): the typed design with defaults, or every issue. */
export function parseDesign(input: unknown, options?: ParseOptions): ParseResult<Design> {
  return parseDocument("plantDesign", input, options);
}

/** Parses a generation request (JSON text or value): the request with the schema's defaults, or every issue. */
export function parseGenerationRequest(input: unknown, options?: ParseOptions): ParseResult<ParsedGenerationRequest> {
  return parseDocument("generationRequest", input, options);
}

function toIssues(errors: readonly ErrorObject[], maxIssues: number): DocumentIssue[] {
  const issues = dropOneOfNoise(errors).map(toIssue);
  const unique = [...new Map(issues.map((i) => [`${i.pointer}\u0000${i.message}`, i])).values()];
  if (unique.length <= maxIssues) return unique;
  const rest = unique.length - maxIssues;
  return [...unique.slice(0, maxIssues), { code: "schema", pointer: "", message: `and ${rest} more issues` }];
}

/**
 * A failed `oneOf` (line ends, instrument mounts) makes Ajv report each branch's complaints.
 * When some complaint sits deeper than the oneOf value (e.g. a bad tag inside a nozzle end) it is
 * the real one; otherwise one sentence naming the alternatives says more than the branches do.
 */
function dropOneOfNoise(errors: readonly ErrorObject[]): ErrorObject[] {
  const oneOfPaths = errors.filter((e) => e.keyword === "oneOf").map((e) => e.instancePath);
  if (oneOfPaths.length === 0) return [...errors];
  return errors.filter((e) => {
    const owner = oneOfPaths.find((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`));
    if (owner === undefined) return true;
    const hasDeeper = errors.some((o) => o.instancePath.startsWith(`${owner}/`));
    if (hasDeeper) return e.instancePath !== owner;
    return e.keyword === "oneOf";
  });
}

function toIssue(e: ErrorObject): DocumentIssue {
  const p = e.params as Record<string, unknown>;
  let pointer = e.instancePath;
  let message: string;
  switch (e.keyword) {
    case "required":
      pointer = `${e.instancePath}/${String(p.missingProperty)}`;
      message = `required field "${String(p.missingProperty)}" is missing`;
      break;
    case "additionalProperties":
      pointer = `${e.instancePath}/${String(p.additionalProperty)}`;
      message = `unknown field "${String(p.additionalProperty)}"`;
      break;
    case "enum":
      message = `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}; got ${JSON.stringify(e.data)}`;
      break;
    case "const":
      message = `must be ${JSON.stringify(p.allowedValue)}; got ${JSON.stringify(e.data)}`;
      break;
    case "type":
      message = `must be ${String(p.type)}; got ${describe(e.data)}`;
      break;
    case "pattern": {
      const description = (e.parentSchema as { description?: string } | undefined)?.description;
      message = `${JSON.stringify(e.data)} is not a valid value${description ? `: ${description}` : ` (pattern ${String(p.pattern)})`}`;
      break;
    }
    case "oneOf": {
      const description = (e.parentSchema as { description?: string } | undefined)?.description;
      message = description ? `must be exactly one of: ${description}` : "must match exactly one alternative";
      break;
    }
    default:
      message = `${e.message ?? "is invalid"}${e.data !== undefined && typeof e.data !== "object" ? `; got ${JSON.stringify(e.data)}` : ""}`;
  }
  return { code: "schema", pointer, message, keyword: e.keyword };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}
