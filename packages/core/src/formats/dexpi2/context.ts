/**
 * The bookkeeping of one DEXPI 2.0 import: tags handed out, renames, notes, and which model objects
 * made it into the design. `finish` lists every model object nothing consumed, with the reason
 * (never a silent drop), in the report shape of the DEXPI 1.x importer.
 */
import {
  ACCOUNTED_ELEMENTS,
  type AccountedElement,
  type DexpiCounts,
  type DexpiReport,
  type ImportNote,
  type RenamedTag,
  type UnmappedElement,
} from "../dexpi/report.js";
import { TagRegistry } from "../dexpi/tags.js";
import type { Dexpi2Model, Dexpi2Object } from "./model.js";

/** Graphics, identifiers and node bookkeeping: counted as skipped, never as unmapped. */
const NOT_MODEL =
  /^(Core\/Diagram|Plant\/Diagram|Profile\/|Core\/PersistentIdentifier|Core\/EngineeringModel|Plant\/PlantModel$)/;
/** Parts of a segment or an item that the line itself stands for. */
const PARTS = /^Plant\/Piping\.(PipingNode|DirectPipingConnection|Pipe)$/;

export class Dexpi2Context {
  readonly tags = new TagRegistry();
  private readonly consumed = new Set<Dexpi2Object>();
  private readonly reasons = new Map<Dexpi2Object, string>();
  private readonly derived: UnmappedElement[] = [];
  private readonly renamed: RenamedTag[] = [];
  private readonly notes: ImportNote[] = [];

  constructor(readonly model: Dexpi2Model) {}

  consume(...objects: (Dexpi2Object | undefined)[]): void {
    for (const o of objects) if (o) this.consumed.add(o);
  }

  isConsumed(o: Dexpi2Object): boolean {
    return this.consumed.has(o);
  }

  /** Why `o` is not in the design; the first reason given wins. */
  refuse(o: Dexpi2Object, reason: string): void {
    if (!this.reasons.has(o)) this.reasons.set(o, reason);
  }

  refuseDerived(entry: UnmappedElement): void {
    this.derived.push(entry);
  }

  rename(o: Dexpi2Object, from: string, to: string): void {
    if (from !== to) this.renamed.push(withId({ from, to, element: o.cls }, o.id));
  }

  note(o: Dexpi2Object, note: string): void {
    this.notes.push(withId({ element: o.cls, note }, o.id));
  }

  finish(counts: DexpiCounts, warnings: readonly string[] = []): DexpiReport {
    const imported = Object.fromEntries(ACCOUNTED_ELEMENTS.map((n) => [n, 0])) as Record<AccountedElement, number>;
    for (const o of this.consumed) {
      const name = accountedAs(o);
      if (name) imported[name]++;
    }
    const unmapped: UnmappedElement[] = [];
    const reported = new Set<Dexpi2Object>();
    const skipped: Record<string, number> = {};
    for (const o of this.model.all) {
      if (NOT_MODEL.test(o.type)) {
        if (o.type.includes("Diagram")) skipped[o.cls] = (skipped[o.cls] ?? 0) + 1;
        continue;
      }
      if (this.consumed.has(o) || PARTS.test(o.type)) continue;
      let covered = false;
      for (let p = o.parent; p && !covered; p = p.parent) covered = reported.has(p);
      reported.add(o);
      if (covered) continue;
      const reason = this.reasons.get(o) ?? `no PlantGAN counterpart for ${o.type}`;
      unmapped.push({ ...withId({ element: o.cls, reason }, o.id), componentClass: o.type });
    }
    return {
      counts,
      imported,
      warnings,
      renamedTags: this.renamed,
      unmapped: [...unmapped, ...this.derived],
      notes: this.notes,
      skipped,
    };
  }
}

/** The DEXPI 1.x accounting name a DEXPI 2.0 object counts under, if it is one the report accounts for. */
function accountedAs(o: Dexpi2Object): AccountedElement | undefined {
  if (o.cls === "Nozzle" || o.cls === "AccessNozzle") return "Nozzle";
  if (o.components.has("Nozzles") || o.role === "TaggedPlantItems") return "Equipment";
  if (o.cls === "PipingNetworkSystem" || o.cls === "PipingNetworkSegment" || o.cls === "ActuatingSystem") return o.cls;
  if (o.role === "Items") return "PipingComponent";
  if (o.role === "ProcessInstrumentationFunctions") return "ProcessInstrumentationFunction";
  if (o.cls === "InstrumentationLoopFunction") return "InstrumentationLoopFunction";
  if (/SignalConveyingFunction|MeasuringLineFunction/.test(o.cls)) return "SignalLine";
  return undefined;
}

function withId<T extends object>(value: T, id: string | undefined): T & { id?: string } {
  return id ? { ...value, id } : value;
}

/** "DiscProfile/InformationModel.CoriolisMassFlowMeter" for people: the class and its id. */
export function describe2(o: Dexpi2Object): string {
  return o.id ? `${o.cls} ${o.id}` : o.cls;
}
