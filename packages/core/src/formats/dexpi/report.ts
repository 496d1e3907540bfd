/**
 * What an import did: counts, renamed tags, assumptions, and every model element that did not make
 * it into the design with the reason why. The import context records as it goes; `finish` lists
 * each model element that nothing consumed (never a silent drop).
 */
import { type DexpiDocument, describe } from "./model.js";
import { TagRegistry } from "./tags.js";
import type { XmlElement } from "./xml.js";

export interface UnmappedElement {
  /** XML element name (Equipment, PipingNetworkSegment...) or "ControlLoop" for a loop that could not be formed. */
  readonly element: string;
  readonly id?: string;
  readonly componentClass?: string;
  readonly reason: string;
}

export interface RenamedTag {
  /** As written in the file; "" when the item had no tag. */
  readonly from: string;
  readonly to: string;
  readonly element: string;
  readonly id?: string;
}

/** An assumption the importer made (a default size, a connection inferred from the drawing...). */
export interface ImportNote {
  readonly element: string;
  readonly id?: string;
  readonly note: string;
}

export interface DexpiCounts {
  readonly equipment: number;
  readonly nozzles: number;
  readonly lines: number;
  readonly components: number;
  readonly instruments: number;
  readonly loops: number;
}

export interface DexpiReport {
  readonly counts: DexpiCounts;
  readonly renamedTags: readonly RenamedTag[];
  readonly unmapped: readonly UnmappedElement[];
  readonly notes: readonly ImportNote[];
  /** Graphic-only elements skipped by design (Drawing, ShapeCatalogue, Label...), by element name. */
  readonly skipped: Readonly<Record<string, number>>;
}

/** Shared state of one import: the document, the tag registry and what has been used or refused. */
export class ImportContext {
  readonly doc: DexpiDocument;
  readonly tags = new TagRegistry();
  private readonly consumed = new Set<XmlElement>();
  private readonly reasons = new Map<XmlElement, string>();
  private readonly extraUnmapped: UnmappedElement[] = [];
  private readonly renamed: RenamedTag[] = [];
  private readonly notesList: ImportNote[] = [];

  constructor(doc: DexpiDocument) {
    this.doc = doc;
  }

  /** Marks elements as represented in the design (mapped or folded into something mapped). */
  consume(...els: (XmlElement | undefined)[]): void {
    for (const el of els) if (el) this.consumed.add(el);
  }

  isConsumed(el: XmlElement): boolean {
    return this.consumed.has(el);
  }

  /** Records why `el` is not in the design (the first reason given wins). */
  refuse(el: XmlElement, reason: string): void {
    if (!this.reasons.has(el)) this.reasons.set(el, reason);
  }

  /** Something that is not one element (e.g. a control loop spread over several) could not be mapped. */
  refuseDerived(entry: UnmappedElement): void {
    this.extraUnmapped.push(entry);
  }

  rename(el: XmlElement, from: string, to: string): void {
    this.renamed.push(withId({ from, to, element: el.name }, el.attrs.ID));
  }

  note(el: XmlElement, note: string): void {
    this.notesList.push(withId({ element: el.name, note }, el.attrs.ID));
  }

  /** Every model element nothing consumed, outermost first (an unmapped element's parts are implied). */
  finish(counts: DexpiCounts): DexpiReport {
    const unmapped: UnmappedElement[] = [];
    const reported = new Set<XmlElement>();
    for (const el of this.doc.items) {
      if (this.consumed.has(el)) continue;
      let covered = false;
      for (let p = el.parent; p && !covered; p = p.parent) covered = reported.has(p);
      reported.add(el);
      if (covered) continue;
      const entry: UnmappedElement = withId(
        { element: el.name, reason: this.reasons.get(el) ?? defaultReason(el) },
        el.attrs.ID,
      );
      const cls = el.attrs.ComponentClass;
      unmapped.push(cls ? { ...entry, componentClass: cls } : entry);
    }
    for (const id of this.doc.duplicateIds) {
      unmapped.push({ element: "ID", id, reason: "more than one element carries this ID; only the first is used" });
    }
    return {
      counts,
      renamedTags: this.renamed,
      unmapped: [...unmapped, ...this.extraUnmapped],
      notes: this.notesList,
      skipped: { ...this.doc.graphics },
    };
  }
}

function defaultReason(el: XmlElement): string {
  switch (el.name) {
    case "InformationFlow":
      return "signal line that no mapped instrument or loop uses";
    case "Nozzle":
      return "nozzle outside any mapped equipment";
    case "InstrumentationLoopFunction":
      return "loop grouping whose functions were not mapped";
    case "ActuatingSystem":
    case "ActuatingSystemComponent":
    case "ActuatingFunction":
      return "actuation of a valve that is not on a mapped line, or of no valve";
    default:
      return `no PlantGAN counterpart for ${describe(el)}`;
  }
}

/** Adds `id` only when there is one (the report's optional fields are absent, never undefined). */
export function withId<T extends object>(value: T, id: string | undefined): T & { id?: string } {
  return id ? { ...value, id } : value;
}
