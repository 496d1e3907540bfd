/**
 * Safe XML reading for uploads: a size limit, no DTD (so no entity can be declared, let alone
 * expanded: billion laughs and XXE are refused before parsing), a nesting limit, and every value
 * kept as a string. fast-xml-parser runs with entity processing off; the five predefined entities
 * and numeric character references are decoded here, nothing else. Never throws on input.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { DocumentIssue } from "../../design/index.js";

/** One XML element as the importer sees it: attributes decoded, text dropped (DEXPI keeps data in attributes). */
export interface XmlElement {
  readonly name: string;
  /** Attribute values with predefined entities and character references decoded. Null prototype. */
  readonly attrs: Readonly<Record<string, string>>;
  /** Child elements in document order. */
  readonly children: readonly XmlElement[];
  readonly parent: XmlElement | undefined;
}

export interface XmlLimits {
  /** Largest accepted document, UTF-8 bytes. */
  readonly maxBytes: number;
  /** Deepest accepted element nesting. */
  readonly maxDepth: number;
  /** Most elements accepted. */
  readonly maxElements: number;
}

/** 20 MB: the largest public DEXPI test cases are a few MB. Depth: Proteus files nest about 12 deep. */
export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 20 * 1024 * 1024, maxDepth: 64, maxElements: 2_000_000 };

export type XmlResult =
  | { readonly ok: true; readonly root: XmlElement }
  | { readonly ok: false; readonly issue: DocumentIssue };

type OrderedNode = Record<string, unknown>;
interface MutableElement {
  name: string;
  attrs: Record<string, string>;
  children: MutableElement[];
  parent: MutableElement | undefined;
}

/** Parses `text` into an element tree, or says why it was refused. */
export function parseXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlResult {
  const bytes = utf8Length(text, limits.maxBytes);
  if (bytes > limits.maxBytes) {
    return fail("too_large", `the document is larger than the limit of ${limits.maxBytes} bytes`);
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;

  const dtd = findDtdProblem(body);
  if (dtd) return fail("invalid_xml", dtd);

  let validation: ReturnType<typeof XMLValidator.validate>;
  try {
    validation = XMLValidator.validate(body, { allowBooleanAttributes: false });
  } catch (e) {
    return fail("invalid_xml", `not well-formed XML: ${errorText(e)}`);
  }
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    const where = col === undefined ? `line ${line}` : `line ${line}, column ${col}`;
    return fail("invalid_xml", `not well-formed XML at ${where}: ${msg}`);
  }

  let ordered: unknown;
  try {
    ordered = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: "",
      allowBooleanAttributes: false,
      removeNSPrefix: true,
      parseTagValue: false,
      parseAttributeValue: false,
      processEntities: false,
      htmlEntities: false,
      ignoreDeclaration: true,
      ignorePiTags: true,
      maxNestedTags: limits.maxDepth,
    }).parse(body);
  } catch (e) {
    const message = errorText(e);
    if (/nested tags/i.test(message)) {
      return fail("too_deep", `elements are nested deeper than the limit of ${limits.maxDepth}`);
    }
    return fail("invalid_xml", `not well-formed XML: ${message}`);
  }

  const built = buildTree(ordered, limits);
  if (typeof built === "string")
    return fail(built === "too many" ? "too_large" : "invalid_xml", messageFor(built, limits));
  return { ok: true, root: built };
}

/** UTF-8 length of `text`, counting no further than just past `stopAfter`. */
function utf8Length(text: string, stopAfter: number): number {
  if (text.length > stopAfter) return text.length;
  let n = 0;
  for (let i = 0; i < text.length && n <= stopAfter; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * A DOCTYPE may only name the root element: an internal subset (where entities are declared) or
 * an external identifier (SYSTEM/PUBLIC: the DTD would be fetched) is refused, as is any ENTITY
 * declaration anywhere. Proteus files never need a DTD (they point at an XSD).
 */
function findDtdProblem(text: string): string | undefined {
  if (/<!ENTITY/i.test(text)) return "entity declarations (<!ENTITY) are not accepted";
  const doctypes = [...text.matchAll(/<!DOCTYPE/gi)];
  if (doctypes.length === 0) return undefined;
  if (doctypes.length > 1) return "more than one DOCTYPE";
  const start = doctypes[0]?.index ?? 0;
  const end = text.indexOf(">", start);
  const decl = end < 0 ? text.slice(start) : text.slice(start, end + 1);
  if (decl.includes("[")) return "a DOCTYPE with an internal subset is not accepted";
  if (/\b(SYSTEM|PUBLIC)\b/i.test(decl)) return "a DOCTYPE with an external DTD (SYSTEM/PUBLIC) is not accepted";
  return undefined;
}

type BuildError = "no root" | "several roots" | "too many";

function messageFor(error: BuildError, limits: XmlLimits): string {
  switch (error) {
    case "no root":
      return "the document has no root element";
    case "several roots":
      return "the document has more than one root element";
    case "too many":
      return `the document has more than ${limits.maxElements} elements`;
  }
}

/** Turns fast-xml-parser's ordered output into linked elements, iteratively (no recursion on input depth). */
function buildTree(ordered: unknown, limits: XmlLimits): MutableElement | BuildError {
  const roots: MutableElement[] = [];
  let count = 0;
  const stack: { nodes: unknown; parent: MutableElement | undefined }[] = [{ nodes: ordered, parent: undefined }];
  while (stack.length > 0) {
    const { nodes, parent } = stack.pop()!;
    if (!Array.isArray(nodes)) continue;
    const made: { el: MutableElement; kids: unknown }[] = [];
    for (const node of nodes as OrderedNode[]) {
      const name = Object.keys(node).find((k) => k !== ":@" && !k.startsWith("#") && !k.startsWith("?"));
      if (name === undefined) continue;
      if (++count > limits.maxElements) return "too many";
      const el: MutableElement = { name, attrs: decodeAttrs(node[":@"]), children: [], parent };
      if (parent) parent.children.push(el);
      else roots.push(el);
      made.push({ el, kids: node[name] });
    }
    // Children are pushed after their parent's list is complete, so sibling order is kept.
    for (let i = made.length - 1; i >= 0; i--) {
      const m = made[i]!;
      stack.push({ nodes: m.kids, parent: m.el });
    }
  }
  if (roots.length === 0) return "no root";
  if (roots.length > 1) return "several roots";
  return roots[0]!;
}

function decodeAttrs(raw: unknown): Record<string, string> {
  const attrs: Record<string, string> = Object.create(null);
  if (raw === null || typeof raw !== "object") return attrs;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v === "string") attrs[k] = decodeEntities(v);
  }
  return attrs;
}

const PREDEFINED: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decodes the five predefined entities and character references; any other `&name;` stays as written. */
export function decodeEntities(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (whole, ref: string) => {
    if (ref[0] !== "#") return PREDEFINED[ref] ?? whole;
    const code = ref[1] === "x" ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
    return valid ? String.fromCodePoint(code) : whole;
  });
}

function fail(code: DocumentIssue["code"], message: string): XmlResult {
  return { ok: false, issue: { code, pointer: "", message } };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
