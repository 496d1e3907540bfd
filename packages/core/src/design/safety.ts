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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      issue: { code: "invalid_json", pointer: "", message: `not valid JSON: ${(error as Error).message}` },
    };
  }
  // JSON.parse keeps the last of a repeated key where other parsers keep the first (RFC 8259 4):
  // a document whose meaning depends on the reader is refused.
  const repeated = findRepeatedKey(text);
  if (repeated !== undefined) {
    return {
      ok: false,
      issue: { code: "invalid_json", pointer: repeated, message: "an object repeats this key; each key appears once" },
    };
  }
  return { ok: true, value };
}

interface ObjectFrame {
  readonly pointer: string;
  readonly keys: Set<string>;
  key: string;
  expectKey: boolean;
}
interface ArrayFrame {
  readonly pointer: string;
  index: number;
}
type Frame = ObjectFrame | ArrayFrame;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Index of the quote closing the string whose opening quote is at `start`. */
function stringEnd(text: string, start: number): number {
  let at = start + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    let slashes = 0;
    while (text.charCodeAt(quote - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/**
 * JSON pointer of the first key an object repeats, or undefined. `text` must be valid JSON (it
 * is scanned after JSON.parse accepted it): one pass over the characters, a key set per open
 * object; keys with escapes are decoded so "a" and "\u0061" count as one key.
 */
export function findRepeatedKey(text: string): string | undefined {
  const stack: Frame[] = [];
  const childPointer = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return "";
    return "keys" in top ? `${top.pointer}/${escapePointerToken(top.key)}` : `${top.pointer}/${top.index}`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b) stack.push({ pointer: childPointer(), keys: new Set(), key: "", expectKey: true });
    else if (c === 0x5b) stack.push({ pointer: childPointer(), index: 0 });
    else if (c === 0x7d || c === 0x5d) stack.pop();
    else if (c === 0x2c) {
      const top = stack[stack.length - 1]!;
      if ("keys" in top) top.expectKey = true;
      else top.index++;
    } else if (c === QUOTE) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top && "keys" in top && top.expectKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes("\\") ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        top.key = key;
        if (top.keys.has(key)) return childPointer();
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end;
    }
  }
  return undefined;
}
