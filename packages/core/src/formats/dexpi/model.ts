/**
 * Read access to a Proteus (DEXPI 1.x) element tree: which elements are model items, the ID
 * index, generic attributes, associations and connections. Graphics (the Drawing, the
 * ShapeCatalogue, labels, centre lines) are not model items; the importer skips them by design.
 */
import type { XmlElement } from "./xml.js";

/** Elements that only draw things. Skipped on purpose, counted in the report. */
export const GRAPHIC_ELEMENTS: ReadonlySet<string> = new Set([
  "Drawing",
  "ShapeCatalogue",
  "Label",
  "PipeFlowArrow",
  "CenterLine",
  "Text",
  "DrawingBorder",
  "Symbol",
]);

/** Elements that are parts of their parent item, never items themselves. */
const PART_ELEMENTS: ReadonlySet<string> = new Set([
  "GenericAttributes",
  "GenericAttribute",
  "ConnectionPoints",
  "Node",
  "Connection",
  "Association",
  "PersistentID",
  "Extent",
  "Min",
  "Max",
  "Position",
  "Location",
  "Axis",
  "Reference",
  "Scale",
  "Presentation",
  "Coordinate",
  "Line",
  "PolyLine",
  "Circle",
  "TrimmedCurve",
  "Ellipse",
  "Shape",
  "BsplineCurve",
  "CompositeCurve",
  "UnitsOfMeasure",
  "PlantInformation",
  "History",
  "Description",
]);

export interface Association {
  readonly type: string;
  readonly itemId: string;
}

export interface ConnectionRef {
  readonly fromId: string | undefined;
  readonly fromNode: string | undefined;
  readonly toId: string | undefined;
  readonly toNode: string | undefined;
}

/** The document with its index. Built once per import. */
export class DexpiDocument {
  readonly root: XmlElement;
  /** Model elements by ID (first wins; graphics and parts are not indexed). */
  readonly byId: ReadonlyMap<string, XmlElement>;
  /** Model elements in document order, graphics excluded. */
  readonly items: readonly XmlElement[];
  /** IDs that more than one model element carries. */
  readonly duplicateIds: readonly string[];
  /** Graphic elements met at the top of their subtree, by element name. */
  readonly graphics: Readonly<Record<string, number>>;
  private readonly incoming = new Map<string, Association[]>();
  private readonly nodeOwners = new Map<string, XmlElement>();
  /** Graphic elements that carry an ID (a flow arrow inside a segment), for saying what an end names. */
  private readonly graphicById = new Map<string, XmlElement>();
  /** IDs by their GUID part: SmartPlant writes an association's target as a TagName without the "SP" prefix. */
  private readonly byGuid = new Map<string, string>();

  constructor(root: XmlElement) {
    this.root = root;
    const byId = new Map<string, XmlElement>();
    const items: XmlElement[] = [];
    const duplicates = new Set<string>();
    const graphics: Record<string, number> = Object.create(null);
    const stack: XmlElement[] = [...root.children].reverse();
    while (stack.length > 0) {
      const el = stack.pop()!;
      if (GRAPHIC_ELEMENTS.has(el.name)) {
        graphics[el.name] = (graphics[el.name] ?? 0) + 1;
        if (el.attrs.ID && !this.graphicById.has(el.attrs.ID)) this.graphicById.set(el.attrs.ID, el);
        continue;
      }
      if (PART_ELEMENTS.has(el.name)) {
        // Some exporters connect to a connection node's ID rather than to its item: remember the owner.
        if (el.name === "ConnectionPoints" && el.parent) {
          for (const node of el.children) if (node.attrs.ID) this.nodeOwners.set(node.attrs.ID, el.parent);
        }
        continue;
      }
      items.push(el);
      const id = el.attrs.ID;
      if (id) {
        if (byId.has(id)) duplicates.add(id);
        else byId.set(id, el);
      }
      for (const a of associations(el)) {
        const list = this.incoming.get(a.itemId) ?? [];
        list.push({ type: a.type, itemId: id ?? "" });
        this.incoming.set(a.itemId, list);
      }
      for (let i = el.children.length - 1; i >= 0; i--) stack.push(el.children[i]!);
    }
    for (const id of byId.keys()) {
      const guid = GUID_ID.exec(id)?.[1];
      if (guid && !byId.has(guid)) this.byGuid.set(guid, id);
    }
    for (const [ref, list] of [...this.incoming]) {
      const id = this.byGuid.get(ref);
      if (id) this.incoming.set(id, [...(this.incoming.get(id) ?? []), ...list]);
    }
    this.byId = byId;
    this.items = items;
    this.duplicateIds = [...duplicates];
    this.graphics = graphics;
  }

  /** The model element with this ID, or the item owning the connection node with this ID. */
  get(id: string | undefined): XmlElement | undefined {
    return id ? (this.byId.get(id) ?? this.nodeOwners.get(id)) : undefined;
  }

  /** The graphic element (not a model item) with this ID, if the file has one. */
  graphic(id: string | undefined): XmlElement | undefined {
    return id ? this.graphicById.get(id) : undefined;
  }

  /** Elements the association of `type` on `el` points at. */
  related(el: XmlElement, type: string): XmlElement[] {
    const out: XmlElement[] = [];
    for (const a of associations(el)) {
      if (a.type !== type) continue;
      const target = this.byId.get(a.itemId) ?? this.byId.get(this.byGuid.get(a.itemId) ?? "");
      if (target) out.push(target);
    }
    return out;
  }

  /** Elements whose association of `type` points at `el` (associations are often written on one side only). */
  relatedFrom(el: XmlElement, type: string): XmlElement[] {
    const id = el.attrs.ID;
    if (!id) return [];
    const out: XmlElement[] = [];
    for (const a of this.incoming.get(id) ?? []) {
      if (a.type !== type) continue;
      const source = this.byId.get(a.itemId);
      if (source) out.push(source);
    }
    return out;
  }
}

export function childElements(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

export function firstChild(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** An ID made of a short prefix and a 32-digit GUID (SmartPlant: SP…, SG…, SY…). */
const GUID_ID = /^[A-Z]{1,3}([0-9A-F]{32})$/;

/** Associations of `el`; one without ItemID names its target by TagName (a GUID, see DexpiDocument). */
export function associations(el: XmlElement): Association[] {
  const out: Association[] = [];
  for (const c of el.children) {
    if (c.name !== "Association") continue;
    const type = c.attrs.Type;
    const itemId =
      c.attrs.ItemID ?? (c.attrs.TagName && /^[0-9A-F]{32}$/.test(c.attrs.TagName) ? c.attrs.TagName : undefined);
    if (type && itemId) out.push({ type, itemId });
  }
  return out;
}

/** The element's own `Connection` child (segments and information flows carry one). */
export function connectionOf(el: XmlElement): ConnectionRef | undefined {
  const c = firstChild(el, "Connection");
  if (!c) return undefined;
  return {
    fromId: nonEmpty(c.attrs.FromID),
    fromNode: nonEmpty(c.attrs.FromNode),
    toId: nonEmpty(c.attrs.ToID),
    toNode: nonEmpty(c.attrs.ToNode),
  };
}

/**
 * The value of the first generic attribute with one of `names` (in the order given) that is not
 * empty, looking through every GenericAttributes set of `el` (not of its children).
 */
export function genericAttr(el: XmlElement, ...names: string[]): string | undefined {
  for (const name of names) {
    for (const set of el.children) {
      if (set.name !== "GenericAttributes") continue;
      for (const ga of set.children) {
        if (ga.name !== "GenericAttribute" || ga.attrs.Name !== name) continue;
        const v = nonEmpty(ga.attrs.Value);
        if (v !== undefined) return v;
      }
    }
  }
  return undefined;
}

/** A generic attribute's value with its Units attribute. */
export function genericAttrWithUnits(
  el: XmlElement,
  name: string,
): { value: string; units: string | undefined } | undefined {
  for (const set of el.children) {
    if (set.name !== "GenericAttributes") continue;
    for (const ga of set.children) {
      if (ga.name !== "GenericAttribute" || ga.attrs.Name !== name) continue;
      const value = nonEmpty(ga.attrs.Value);
      if (value !== undefined) return { value, units: nonEmpty(ga.attrs.Units) };
    }
  }
  return undefined;
}

export function componentClass(el: XmlElement): string {
  return el.attrs.ComponentClass ?? "";
}

/** A short human reference for reports: `PipingComponent XMP_16 (GlobeValve "V001")`. */
export function describe(el: XmlElement): string {
  const cls = el.attrs.ComponentClass;
  const tag = el.attrs.TagName;
  const detail = [cls, tag ? JSON.stringify(tag) : undefined].filter(Boolean).join(" ");
  return `${el.name}${el.attrs.ID ? ` ${el.attrs.ID}` : ""}${detail ? ` (${detail})` : ""}`;
}

/** The nearest ancestor (not `el` itself) with one of the given element names. */
export function ancestor(el: XmlElement, ...names: string[]): XmlElement | undefined {
  for (let p = el.parent; p; p = p.parent) if (names.includes(p.name)) return p;
  return undefined;
}

/** Plan point of an element: its Position/Location, in drawing units. */
export function locationOf(el: XmlElement): [number, number] | undefined {
  const loc = firstChild(el, "Position")?.children.find((c) => c.name === "Location");
  return loc ? point(loc) : undefined;
}

/** Bounding box of an element: its Extent, in drawing units. */
export function extentOf(el: XmlElement): { min: [number, number]; max: [number, number] } | undefined {
  const ext = firstChild(el, "Extent");
  const min = ext && firstChild(ext, "Min");
  const max = ext && firstChild(ext, "Max");
  const a = min && point(min);
  const b = max && point(max);
  return a && b ? { min: a, max: b } : undefined;
}

/** Coordinates of each CenterLine child, in order. */
export function centerLines(el: XmlElement): [number, number][][] {
  const out: [number, number][][] = [];
  for (const cl of childElements(el, "CenterLine")) {
    const pts: [number, number][] = [];
    for (const c of childElements(cl, "Coordinate")) {
      const p = point(c);
      if (p) pts.push(p);
    }
    if (pts.length > 0) out.push(pts);
  }
  return out;
}

function point(el: XmlElement): [number, number] | undefined {
  const x = Number(el.attrs.X);
  const y = Number(el.attrs.Y);
  return Number.isFinite(x) && Number.isFinite(y) && el.attrs.X !== undefined && el.attrs.Y !== undefined
    ? [x, y]
    : undefined;
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}
