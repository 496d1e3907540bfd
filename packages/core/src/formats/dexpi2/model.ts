/**
 * DEXPI 2.0 XML (root `<Model>`) as objects: each `<Object>` with its type, its data properties
 * (strings; a DataReference keeps its target's name), its references (ids without "#") and its
 * component objects by property. Safe reading as for DEXPI 1.x: no DTD, no entity, a size and a
 * depth limit, never throws on input.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { DocumentIssue } from "../../design/index.js";

export interface Dexpi2Object {
  readonly id: string | undefined;
  /** As written: "Plant/ProcessEquipment.CentrifugalPump". */
  readonly type: string;
  /** The class name without package: "CentrifugalPump". */
  readonly cls: string;
  readonly data: ReadonlyMap<string, string>;
  readonly refs: ReadonlyMap<string, readonly string[]>;
  readonly components: ReadonlyMap<string, readonly Dexpi2Object[]>;
  readonly parent: Dexpi2Object | undefined;
  /** The property of the parent that holds this object ("Nozzles", "Items"…). */
  readonly role: string | undefined;
}

export interface Dexpi2Model {
  readonly name: string;
  readonly uri: string;
  readonly roots: readonly Dexpi2Object[];
  readonly byId: ReadonlyMap<string, Dexpi2Object>;
  /** Every object, in document order. */
  readonly all: readonly Dexpi2Object[];
}

export type Dexpi2Parse = { ok: true; model: Dexpi2Model } | { ok: false; issue: DocumentIssue };

const MAX_BYTES = 20 * 1024 * 1024;
const MAX_DEPTH = 128;

type Node = Record<string, unknown>;

export function parseDexpi2(text: string): Dexpi2Parse {
  if (text.length > MAX_BYTES) return fail("too_large", `the document is larger than the limit of ${MAX_BYTES} bytes`);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // DEXPI 2.0 files point at an XSD; a DTD could declare entities, so none is accepted.
  if (/<!(ENTITY|DOCTYPE)/i.test(body)) return fail("invalid_xml", "a DOCTYPE or entity declaration is not accepted");
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    return fail("invalid_xml", `not well-formed XML at line ${valid.err.line}: ${valid.err.msg}`);
  }
  let nodes: Node[];
  try {
    nodes = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: "",
      removeNSPrefix: true,
      parseTagValue: false,
      parseAttributeValue: false,
      processEntities: true,
      htmlEntities: false,
      ignoreDeclaration: true,
      ignorePiTags: true,
      maxNestedTags: MAX_DEPTH,
    }).parse(body) as Node[];
  } catch (e) {
    return fail("invalid_xml", `not well-formed XML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const root = nodes.find((n) => nameOf(n) !== undefined);
  if (!root || nameOf(root) !== "Model") {
    return fail("invalid_xml", `not a DEXPI 2.0 file: the root element is <${root ? nameOf(root) : "?"}>, not <Model>`);
  }
  const attrs = attrsOf(root);
  const all: Dexpi2Object[] = [];
  const roots = children(root)
    .filter((n) => nameOf(n) === "Object")
    .map((n) => toObject(n, undefined, undefined, all));
  const byId = new Map<string, Dexpi2Object>();
  for (const o of all) if (o.id !== undefined && !byId.has(o.id)) byId.set(o.id, o);
  return { ok: true, model: { name: attrs.name ?? "", uri: attrs.uri ?? "", roots, byId, all } };
}

function toObject(
  node: Node,
  parent: Dexpi2Object | undefined,
  role: string | undefined,
  all: Dexpi2Object[],
): Dexpi2Object {
  const attrs = attrsOf(node);
  const type = attrs.type ?? "";
  const data = new Map<string, string>();
  const refs = new Map<string, string[]>();
  const components = new Map<string, Dexpi2Object[]>();
  const obj: Dexpi2Object = {
    id: attrs.id,
    type,
    cls: type.split(/[/.]/).pop() ?? type,
    data,
    refs,
    components,
    parent,
    role,
  };
  all.push(obj);
  for (const child of children(node)) {
    const a = attrsOf(child);
    const property = a.property ?? "";
    switch (nameOf(child)) {
      case "Data":
        data.set(property, dataValue(child));
        break;
      case "References":
        refs.set(
          property,
          (a.objects ?? "")
            .split(/\s+/)
            .filter(Boolean)
            .map((r) => r.replace(/^#/, "")),
        );
        break;
      case "Components":
        components.set(
          property,
          children(child)
            .filter((n) => nameOf(n) === "Object")
            .map((n) => toObject(n, obj, property, all)),
        );
        break;
    }
  }
  return obj;
}

/** A scalar's text, or the name a DataReference points at; "" for undefined or aggregated values. */
function dataValue(node: Node): string {
  const value = children(node).find((n) => nameOf(n) !== undefined);
  if (!value) return "";
  if (nameOf(value) === "DataReference") return attrsOf(value).data ?? "";
  return children(value)
    .map((n) => (typeof n["#text"] === "string" ? n["#text"] : ""))
    .join("")
    .trim();
}

function nameOf(node: Node): string | undefined {
  return Object.keys(node).find((k) => k !== ":@" && !k.startsWith("#") && !k.startsWith("?"));
}

function children(node: Node): Node[] {
  const name = nameOf(node);
  const kids = name === undefined ? undefined : node[name];
  return Array.isArray(kids) ? (kids as Node[]) : [];
}

function attrsOf(node: Node): Record<string, string> {
  const raw = node[":@"];
  const out: Record<string, string> = Object.create(null);
  if (raw && typeof raw === "object") {
    for (const [k, v] of Object.entries(raw)) if (typeof v === "string") out[k] = v;
  }
  return out;
}

/** A data property by its name, with or without a profile prefix ("ItemTag" finds "DiscProfile/ItemTag"). */
export function dataOf(o: Dexpi2Object, name: string): string | undefined {
  const exact = o.data.get(name);
  if (exact !== undefined) return exact || undefined;
  for (const [k, v] of o.data) if (k.endsWith(`/${name}`) && v) return v;
  return undefined;
}

export function refOf(o: Dexpi2Object, name: string): readonly string[] {
  return o.refs.get(name) ?? [];
}

export function componentsOf(o: Dexpi2Object, name: string): readonly Dexpi2Object[] {
  return o.components.get(name) ?? [];
}

function fail(code: DocumentIssue["code"], message: string): Dexpi2Parse {
  return { ok: false, issue: { code, pointer: "", message } };
}
