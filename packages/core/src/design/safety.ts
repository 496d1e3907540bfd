import { type DocumentIssue, escapePointerToken } from "./issues.js";

/** Limits that keep a hostile document from hurting the process. */
export interface SafetyLimits {
  /** Largest JSON text accepted, in UTF-16 code units (about bytes for ASCII). Default 64 MiB. */
  readonly maxLength: number;
  /** Deepest nesting of arrays/objects. Default 32 (a design needs about 6). */
  readonly maxDepth: number;
  /** Most values (objects, arrays, scalars) in one document. Default 5,000,000. */
  readonly maxValues: number;
}

export const DEFAULT_LIMITS: SafetyLimits = { maxLength: 64 * 1024 * 1024, maxDepth: 32, maxValues: 5_000_000 };

// Keys that reach Object.prototype when a document is merged or copied naively.
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Walks a value (iteratively: no stack overflow on deep input) and reports the first thing
 * that is not plain JSON or breaks a limit. Returns undefined when the value is safe.
 */
export function checkJsonSafety(value: unknown, limits: SafetyLimits = DEFAULT_LIMITS): DocumentIssue | undefined {
  const stack: Array<{ value: unknown; pointer: string; depth: number }> = [{ value, pointer: "", depth: 0 }];
  let count = 0;
  while (stack.length > 0) {
    const item = stack.pop()!;
    count += 1;
    if (count > limits.maxValues) {
      return { code: "too_large", pointer: "", message: `document holds more than ${limits.maxValues} values` };
    }
    const v = item.value;
    if (v === null || typeof v === "string" || typeof v === "boolean") continue;
    if (typeof v === "number") {
      if (!Number.isFinite(v))
        return { code: "not_json_value", pointer: item.pointer, message: "number is not finite" };
      continue;
    }
    if (typeof v !== "object") {
      return { code: "not_json_value", pointer: item.pointer, message: `a ${typeof v} is not a JSON value` };
    }
    if (item.depth >= limits.maxDepth) {
      return { code: "too_deep", pointer: item.pointer, message: `nesting deeper than ${limits.maxDepth} levels` };
    }
    if (Array.isArray(v)) {
      v.forEach((child, i) => {
        stack.push({ value: child, pointer: `${item.pointer}/${i}`, depth: item.depth + 1 });
      });
      continue;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      return { code: "not_json_value", pointer: item.pointer, message: "value is not a plain JSON object" };
    }
    for (const key of Object.keys(v)) {
      const pointer = `${item.pointer}/${escapePointerToken(key)}`;
      if (FORBIDDEN_KEYS.has(key)) {
        return { code: "forbidden_key", pointer, message: `key "${key}" is not allowed` };
      }
      stack.push({ value: (v as Record<string, unknown>)[key], pointer, depth: item.depth + 1 });
    }
  }
  return undefined;
}

/** Parses JSON text within the limits; never throws. */
export function parseJsonText(
  text: string,
  limits: SafetyLimits = DEFAULT_LIMITS,
): { ok: true; value: unknown } | { ok: false; issue: DocumentIssue } {
  if (text.length > limits.maxLength) {
    return {
      ok: false,
      issue: {
        code: "too_large",
        pointer: "",
        message: `text is ${text.length} characters; the limit is ${limits.maxLength}`,
      },
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return {
      ok: false,
      issue: { code: "invalid_json", pointer: "", message: `not valid JSON: ${(error as Error).message}` },
    };
  }
}
