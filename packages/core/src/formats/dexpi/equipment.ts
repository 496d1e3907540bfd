/**
 * Equipment and nozzles. Top-level Equipment elements with a class we know become equipment with
 * a default footprint (a P&ID has no sizes) and no position (a topology). Sub-equipment (chambers,
 * agitators, motors) is folded into its parent, its nozzles included.
 */
import type { EquipmentType, Nozzle } from "../../design/index.js";
import { EQUIPMENT_TAG_PREFIX as TAG_PREFIXES } from "../../design/index.js";
import { equipmentTypeOf } from "./classes.js";
import { ancestor, componentClass, describe, genericAttr } from "./model.js";
import type { ImportContext } from "./report.js";
import { describePart, signalPart } from "./signal-parts.js";
import { firstNumber, normaliseTag, sanitiseNozzleId, uniqueId } from "./tags.js";
import {
  type Condition,
  designPressureOf,
  designTemperatureOf,
  nominalDiameterElement,
  nominalDiameterOf,
  nominalDiameterWithNodes,
  ratingOf,
} from "./values.js";
import type { XmlElement } from "./xml.js";

/** Equipment as the importer builds it; becomes a PlantDesignInput equipment item. */
export interface ImportedEquipment {
  readonly el: XmlElement;
  readonly tag: string;
  readonly type: EquipmentType;
  readonly nozzles: Nozzle[];
  readonly name?: string;
  readonly designPressure?: number;
  readonly designTemperature?: number;
}

export interface EquipmentResult {
  readonly items: readonly ImportedEquipment[];
  /** Equipment (top-level or sub-equipment) element → its imported equipment. */
  readonly byElement: ReadonlyMap<XmlElement, ImportedEquipment>;
  /** Nozzle element → the line end it stands for. */
  readonly nozzles: ReadonlyMap<XmlElement, { readonly tag: string; readonly nozzle: string }>;
  /** Adds a nozzle for a line that connects to equipment without naming one; returns its id. */
  addConnectionNozzle(equipment: ImportedEquipment): string;
}

/** Elements an Equipment may sit in and still be plant equipment (not a part of something else). */
const OWNERS = [
  "Equipment",
  "PipingComponent",
  "ProcessInstrument",
  "ProcessInstrumentationFunction",
  "PipingNetworkSegment",
];

export function importEquipment(ctx: ImportContext): EquipmentResult {
  const pending: { el: XmlElement; type: EquipmentType; raw: string | undefined; tag: string | undefined }[] = [];
  for (const el of ctx.doc.items) {
    if (el.name !== "Equipment" || ancestor(el, ...OWNERS)) continue;
    const cls = componentClass(el);
    const type = equipmentTypeOf(cls) ?? equipmentTypeOf(genericAttr(el, "ClassName", "Description") ?? "");
    if (!type) {
      const part = signalPart(ctx.doc, el);
      // A trip part is the control import's to map as an interlock or refuse with its reason.
      if (part?.trip !== undefined) continue;
      ctx.refuse(
        el,
        part
          ? `${describePart(part)}, not plant equipment: an alarm or response, not a trip (S or Z with a condition), so it forms no interlock`
          : `equipment class "${cls}" has no PlantGAN equipment type`,
      );
      continue;
    }
    const raw = rawEquipmentTag(el);
    const tag = raw === undefined ? undefined : normaliseTag(raw, TAG_PREFIXES[type]);
    pending.push({ el, type, raw, tag });
  }

  // Tags as written (or normalised) are claimed first, so generated ones never take a real tag.
  const claimed = new Map<XmlElement, string>();
  for (const p of pending) {
    if (p.tag === undefined) continue;
    const tag = ctx.tags.claim(p.tag);
    if (tag !== undefined) claimed.set(p.el, tag);
  }
  let sequence = 0;
  for (const p of pending) {
    if (claimed.has(p.el)) continue;
    const digits = p.raw === undefined ? undefined : firstNumber(p.raw);
    const base = digits ? `${TAG_PREFIXES[p.type]}-${digits}` : `${TAG_PREFIXES[p.type]}-${++sequence}`;
    const tag = ctx.tags.claim(base);
    if (tag !== undefined) claimed.set(p.el, tag);
  }

  const items: ImportedEquipment[] = [];
  const byElement = new Map<XmlElement, ImportedEquipment>();
  const nozzles = new Map<XmlElement, { tag: string; nozzle: string }>();
  const nozzleIds = new Map<ImportedEquipment, Set<string>>();
  for (const p of pending) {
    const tag = claimed.get(p.el);
    if (tag === undefined) {
      ctx.refuse(p.el, "no free tag could be made for it");
      continue;
    }
    if (tag !== p.raw) ctx.rename(p.el, p.raw ?? "", tag);
    const name = genericAttr(p.el, "EquipmentDescriptionAssignmentClass", "Description");
    const ownPressure = conditionValue(ctx, p.el, designPressureOf(p.el));
    const ownTemperature = conditionValue(ctx, p.el, designTemperatureOf(p.el));
    // The element forms of the conditions are in the design when their value is.
    if (ownPressure !== undefined) ctx.consume(firstNamed(p.el, "MaximumDesignPressure", "DesignPressure"));
    if (ownTemperature !== undefined) ctx.consume(firstNamed(p.el, "MaximumDesignTemperature", "DesignTemperature"));
    const pressure = foldedCondition(ctx, p.el, tag, ownPressure, PRESSURE);
    const temperature = foldedCondition(ctx, p.el, tag, ownTemperature, TEMPERATURE);
    const eq: ImportedEquipment = {
      el: p.el,
      tag,
      type: p.type,
      nozzles: [],
      ...(name !== undefined ? { name: name.slice(0, 200) } : {}),
      ...(pressure !== undefined ? { designPressure: pressure } : {}),
      ...(temperature !== undefined ? { designTemperature: temperature } : {}),
    };
    ctx.consume(p.el);
    items.push(eq);
    byElement.set(p.el, eq);
    const ids = new Set<string>();
    nozzleIds.set(eq, ids);
    collectNozzles(ctx, p.el, eq, ids, nozzles, byElement);
  }

  return {
    items,
    byElement,
    nozzles,
    addConnectionNozzle(eq) {
      const ids = nozzleIds.get(eq) ?? new Set<string>();
      const id = uniqueId("C1", ids, 32);
      eq.nozzles.push({ id });
      return id;
    },
  };
}

/** Nozzles of `owner` and of its sub-equipment, depth first, in document order. */
function collectNozzles(
  ctx: ImportContext,
  owner: XmlElement,
  eq: ImportedEquipment,
  ids: Set<string>,
  nozzles: Map<XmlElement, { tag: string; nozzle: string }>,
  byElement: Map<XmlElement, ImportedEquipment>,
): void {
  for (const child of owner.children) {
    if (child.name === "Nozzle") {
      const raw =
        child.attrs.TagName?.trim() ||
        genericAttr(child, "SubTagNameAssignmentClass", "SubTagName", "Tag", "NozzleNumber", "Number") ||
        (/^[A-Za-z0-9][A-Za-z0-9_.-]{0,15}$/.test(child.attrs.ComponentName ?? "") ? child.attrs.ComponentName : "") ||
        undefined;
      const base = (raw && sanitiseNozzleId(raw)) || `N${eq.nozzles.length + 1}`;
      const id = uniqueId(base, ids, 32);
      if (raw !== undefined && id !== raw) ctx.note(child, `nozzle "${raw}" on ${eq.tag} is named "${id}"`);
      const size = nominalDiameterWithNodes(child);
      if (size !== undefined && size === nominalDiameterOf(child)) ctx.consume(nominalDiameterElement(child));
      const rating = ratingOf(child);
      eq.nozzles.push({
        id,
        ...(size !== undefined ? { size } : {}),
        ...(rating !== undefined ? { rating } : {}),
      });
      nozzles.set(child, { tag: eq.tag, nozzle: id });
      ctx.consume(child);
    } else if (child.name === "Equipment") {
      // Sub-equipment (chamber, agitator, motor...): part of its parent in the contract.
      byElement.set(child, eq);
      ctx.consume(child);
      ctx.note(child, `${describe(child)} is folded into ${eq.tag}`);
      collectNozzles(ctx, child, eq, ids, nozzles, byElement);
    }
  }
}

interface ConditionKind {
  readonly what: "pressure" | "temperature";
  readonly unit: string;
  readonly read: (el: XmlElement) => Condition;
  readonly elements: readonly string[];
}
const PRESSURE: ConditionKind = {
  what: "pressure",
  unit: "barg",
  read: designPressureOf,
  elements: ["MaximumDesignPressure", "DesignPressure"],
};
const TEMPERATURE: ConditionKind = {
  what: "temperature",
  unit: "°C",
  read: designTemperatureOf,
  elements: ["MaximumDesignTemperature", "DesignTemperature"],
};

/** Sub-equipment folded into `el` (chambers, agitators...), at any depth. */
function foldedParts(el: XmlElement): XmlElement[] {
  return el.children.filter((c) => c.name === "Equipment").flatMap((c) => [c, ...foldedParts(c)]);
}

/**
 * The equipment's design condition when its folded parts write one (DEXPI puts a vessel's design
 * pressure and temperature on its Chamber): the highest of theirs when the equipment writes none,
 * else its own, with a note for each part's value the design does not hold.
 */
function foldedCondition(
  ctx: ImportContext,
  el: XmlElement,
  tag: string,
  own: number | undefined,
  kind: ConditionKind,
): number | undefined {
  const parts = foldedParts(el).flatMap((part) => {
    const value = conditionValue(ctx, part, kind.read(part));
    return value === undefined ? [] : [{ part, value }];
  });
  const highest = parts.reduce<(typeof parts)[number] | undefined>(
    (a, b) => (a && a.value >= b.value ? a : b),
    undefined,
  );
  if (own !== undefined || highest === undefined) {
    for (const { part, value } of parts) {
      // A part that repeats the equipment's own value is held by the design: consumed, not noted.
      if (value === own) ctx.consume(firstNamed(part, ...kind.elements));
      else
        ctx.note(
          part,
          `${describe(part)}'s design ${kind.what} ${value} ${kind.unit} is not in the design: ${tag} writes its own (${own} ${kind.unit}), and the contract holds one per equipment`,
        );
    }
    return own;
  }
  for (const { part, value } of parts) {
    if (value === highest.value) ctx.consume(firstNamed(part, ...kind.elements));
    else
      ctx.note(
        part,
        `${describe(part)}'s design ${kind.what} ${value} ${kind.unit} is below ${tag}'s, which is the highest of its parts (${highest.value} ${kind.unit})`,
      );
  }
  ctx.note(
    el,
    `design ${kind.what} of ${tag} (${highest.value} ${kind.unit}) taken from ${describe(highest.part)}, folded into it`,
  );
  return highest.value;
}

/** The tag as the file writes it: TagName, else prefix + sequence number (+ suffix), else a "Tag" attribute. */
function rawEquipmentTag(el: XmlElement): string | undefined {
  const tagName = el.attrs.TagName?.trim();
  if (tagName) return tagName;
  const prefix = genericAttr(el, "TagNamePrefixAssignmentClass");
  const number = genericAttr(el, "TagNameSequenceNumberAssignmentClass");
  const suffix = genericAttr(el, "TagNameSuffixAssignmentClass") ?? "";
  if (number !== undefined) return `${prefix ?? ""}${prefix ? "-" : ""}${number}${suffix}`;
  return genericAttr(el, "Tag", "TagName");
}

/** A design condition's value; one that is written but unreadable is noted, never silently dropped. */
export function conditionValue(ctx: ImportContext, el: XmlElement, c: Condition): number | undefined {
  if (c === undefined) return undefined;
  if ("unread" in c) {
    ctx.note(el, c.unread);
    return undefined;
  }
  return c.value;
}

function firstNamed(el: XmlElement, ...names: string[]): XmlElement | undefined {
  for (const name of names) {
    const found = el.children.find((c) => c.name === name);
    if (found) return found;
  }
  return undefined;
}
