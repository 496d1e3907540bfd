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
  readonly interlocks: number;
}

/**
 * The model elements every import accounts for one by one: each is either in the design
 * (`imported`) or has its own entry in `unmapped`, so imported + unmapped = what the file holds.
 */
export const ACCOUNTED_ELEMENTS = [
  "Equipment",
  "Nozzle",
  "PipingNetworkSystem",
  "PipingNetworkSegment",
  "PipingComponent",
  "ProcessInstrument",
  "ProcessInstrumentationFunction",
  "InstrumentationLoopFunction",
  "InstrumentLoop",
  "InformationFlow",
  "SignalLine",
  "ActuatingSystem",
] as const;
export type AccountedElement = (typeof ACCOUNTED_ELEMENTS)[number];
const ACCOUNTED: ReadonlySet<string> = new Set(ACCOUNTED_ELEMENTS);

export interface DexpiReport {
  readonly counts: DexpiCounts;
  /** Per accounted element name: how many of them are represented in the design. */
  readonly imported: Readonly<Record<AccountedElement, number>>;
  /** Sentences a user should read before trusting the design (an empty design, for one). */
  readonly warnings: readonly string[];
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

  /**
   * Every model element nothing consumed, outermost first. The parts of an unmapped element are
   * implied by it, except accounted elements (equipment, nozzles, segments...), which always get
   * their own entry, so that each one can be found in the design or in `unmapped`.
   */
  finish(
    counts: DexpiCounts,
    warnings: readonly string[] = [],
    inDesign: (tag: string) => boolean = () => true,
  ): DexpiReport {
    const unmapped: UnmappedElement[] = [];
    const reported = new Set<XmlElement>();
    const imported = Object.fromEntries(ACCOUNTED_ELEMENTS.map((n) => [n, 0])) as Record<AccountedElement, number>;
    for (const el of this.doc.items) {
      if (this.consumed.has(el)) {
        if (ACCOUNTED.has(el.name)) imported[el.name as AccountedElement]++;
        continue;
      }
      let coveredBy: XmlElement | undefined;
      for (let p = el.parent; p && !coveredBy; p = p.parent) if (reported.has(p)) coveredBy = p;
      reported.add(el);
      if (coveredBy && !ACCOUNTED.has(el.name)) continue;
      const reason =
        this.reasons.get(el) ?? (coveredBy ? `part of ${describe(coveredBy)}, which is not mapped` : defaultReason(el));
      const entry: UnmappedElement = withId({ element: el.name, reason }, el.attrs.ID);
      const cls = el.attrs.ComponentClass;
      unmapped.push(cls ? { ...entry, componentClass: cls } : entry);
    }
    for (const id of this.doc.duplicateIds) {
      unmapped.push({ element: "ID", id, reason: "more than one element carries this ID; only the first is used" });
    }
    return {
      counts,
      imported,
      warnings,
      renamedTags: this.renamed.filter((r) => inDesign(r.to)),
      unmapped: [...unmapped, ...this.extraUnmapped],
      notes: this.notesList,
      skipped: { ...this.doc.graphics },
    };
  }
}

function defaultReason(el: XmlElement): string {
  switch (el.name) {
    case "NominalDiameter":
      return (
        `size ${el.attrs.Value ?? ""} ${el.attrs.Units ?? ""}`.trimEnd() +
        ` of ${el.parent ? describe(el.parent) : "nothing"}: not the size the design gives it`
      );
    case "MinimumDesignPressure":
    case "MinimumDesignTemperature":
      return "the contract holds the upper design limit only";
    case "MaximumDesignPressure":
    case "MaximumDesignTemperature":
      return `design condition of ${el.parent ? describe(el.parent) : "nothing"}, which the contract gives no design conditions`;
    case "InformationFlow":
      return "signal line that no mapped instrument or loop uses";
    case "Nozzle":
      return "nozzle outside any mapped equipment";
    case "InstrumentationLoopFunction":
      return "no loop or interlock: none of its functions was read";
    case "ActuatingSystem":
      // I11V01_AUD writes one with nothing in it, on a sheet without a valve.
      if (!el.children.some((c) => c.name === "ActuatingSystemComponent" || c.name === "Association"))
        return "an empty actuating system: it holds no component and names no valve or function, so it actuates nothing";
      return "actuation of a valve that is not on a mapped line, or of no valve";
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
