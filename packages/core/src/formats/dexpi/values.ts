/**
 * Reading sizes, pressures, temperatures and ratings out of DEXPI generic attributes. Values come
 * as free text ("80", "DN 80", "3\"", "PN 16", "Class 150") with optional units; anything that
 * cannot be read safely is left out rather than guessed.
 */
import { RATINGS, type Rating } from "../../design/index.js";
import { genericAttr, genericAttrWithUnits } from "./model.js";
import type { XmlElement } from "./xml.js";

/** Nominal pipe sizes, inch → DN (ISO 6708 / ASME B36.10 correspondence). */
const INCH_TO_DN: Readonly<Record<string, number>> = {
  "0.25": 8,
  "0.375": 10,
  "0.5": 15,
  "0.75": 20,
  "1": 25,
  "1.25": 32,
  "1.5": 40,
  "2": 50,
  "2.5": 65,
  "3": 80,
  "3.5": 90,
  "4": 100,
  "5": 125,
  "6": 150,
  "8": 200,
  "10": 250,
  "12": 300,
  "14": 350,
  "16": 400,
  "18": 450,
  "20": 500,
  "24": 600,
};

const ND_ATTRIBUTES = [
  "NominalDiameterNumericalValueRepresentationAssignmentClass",
  "NominalDiameterRepresentationAssignmentClass",
  "NominalDiameterAssignmentClass",
  "NominalDiameter",
  "Size",
  // AutoCAD P&ID writes a pipe's, nozzle's or valve's size here (its "Size" property).
  "FunctionalObjectDescriptionAssignmentSize",
];

/** DN (integer mm, 6..4000) from text like "80", "DN80", "80 mm", `3"`, "3 in", or undefined. */
export function parseDn(text: string, imperial = false): number | undefined {
  const t = text.trim();
  const inch = /^([0-9]+(?:\.[0-9]+)?|[0-9]+\/[0-9]+|[0-9]+ [0-9]+\/[0-9]+)\s*(?:"|''|in\b|inch|NPS)/i.exec(t);
  const nps = /^NPS\s*([0-9.]+)/i.exec(t);
  if (inch || nps || imperial) {
    const value = fraction(inch?.[1] ?? nps?.[1] ?? t.replace(/[^0-9./ ]/g, "").trim());
    if (value === undefined) return undefined;
    const dn = INCH_TO_DN[String(value)] ?? (value > 24 ? Math.round(value * 25) : undefined);
    return dn !== undefined && dn >= 6 && dn <= 4000 ? dn : undefined;
  }
  const metric = /^(?:DN\s*)?([0-9]+(?:\.[0-9]+)?)\s*(?:mm)?$/i.exec(t);
  if (!metric) return undefined;
  const dn = Math.round(Number(metric[1]));
  return dn >= 6 && dn <= 4000 ? dn : undefined;
}

function fraction(s: string): number | undefined {
  const mixed = /^([0-9]+) ([0-9]+)\/([0-9]+)$/.exec(s);
  if (mixed) return Number(mixed[1]) + Number(mixed[2]) / Number(mixed[3]);
  const frac = /^([0-9]+)\/([0-9]+)$/.exec(s);
  if (frac) return Number(frac[2]) === 0 ? undefined : Number(frac[1]) / Number(frac[2]);
  const n = Number(s);
  return s !== "" && Number.isFinite(n) ? n : undefined;
}

/** The `<NominalDiameter Value Units/>` element of an item (Proteus 3/4 writes the size so), if any. */
export function nominalDiameterElement(el: XmlElement): XmlElement | undefined {
  return el.children.find((c) => c.name === "NominalDiameter" && (c.attrs.Value ?? "").trim() !== "");
}

/** The nominal diameter written on an element (its NominalDiameter element or its own generic attributes), as DN. */
export function nominalDiameterOf(el: XmlElement): number | undefined {
  const element = nominalDiameterElement(el);
  if (element) {
    const units = element.attrs.Units ?? "";
    const dn = parseDn(`${element.attrs.Value}${/inch|^in$|"/i.test(units) ? '"' : ""}`);
    if (dn !== undefined) return dn;
  }
  const imperial = /imperial|inch/i.test(genericAttr(el, "NominalDiameterTypeRepresentationAssignmentClass") ?? "");
  for (const name of ND_ATTRIBUTES) {
    const v = genericAttr(el, name);
    if (v === undefined) continue;
    const dn = parseDn(v, imperial);
    if (dn !== undefined) return dn;
  }
  return undefined;
}

/** Nominal diameter on an element or, failing that, on one of its connection nodes (SmartPlant writes it there). */
export function nominalDiameterWithNodes(el: XmlElement, node?: string): number | undefined {
  const own = nominalDiameterOf(el);
  if (own !== undefined) return own;
  const nodes = el.children.find((c) => c.name === "ConnectionPoints")?.children.filter((c) => c.name === "Node") ?? [];
  const ordered = node !== undefined ? [nodes[Number(node)], ...nodes] : nodes;
  for (const n of ordered) {
    const dn = n && nominalDiameterOf(n);
    if (dn !== undefined) return dn;
  }
  return undefined;
}

/** A design condition as read: the value in the contract's unit, or why the written one was left out. */
export type Condition = { readonly value: number } | { readonly unread: string } | undefined;

/** Where a design condition may be written: a Proteus element (`<MaximumDesignPressure Value Units/>`) or generic attributes. */
const PRESSURE_SOURCES = {
  elements: ["MaximumDesignPressure", "DesignPressure"],
  // DesPressMax: AutoCAD P&ID's own attribute (with DesPressMin), written where it writes no UpperLimit….
  attributes: ["UpperLimitDesignPressure", "MaximumDesignPressure", "DesignPressure", "DesPressMax"],
};
const TEMPERATURE_SOURCES = {
  elements: ["MaximumDesignTemperature", "DesignTemperature"],
  attributes: ["UpperLimitDesignTemperature", "MaximumDesignTemperature", "DesignTemperature", "DesTempMax"],
};

/** Design pressure in barg, from the element forms first, then the generic attributes. */
export function designPressureOf(el: XmlElement): Condition {
  return readCondition(el, PRESSURE_SOURCES, toBarg, "pressure", -1.01325, 2000);
}

/** Design temperature in °C, from the element forms first, then the generic attributes. */
export function designTemperatureOf(el: XmlElement): Condition {
  return readCondition(el, TEMPERATURE_SOURCES, toCelsius, "temperature", -273.15, 1500);
}

function readCondition(
  el: XmlElement,
  sources: { elements: string[]; attributes: string[] },
  convert: (v: number, units: string | undefined) => number | string,
  what: string,
  min: number,
  max: number,
): Condition {
  const written: { value: string; units: string | undefined; name: string }[] = [];
  for (const name of sources.elements) {
    const child = el.children.find((c) => c.name === name && (c.attrs.Value ?? "").trim() !== "");
    if (child) written.push({ value: child.attrs.Value!.trim(), units: child.attrs.Units?.trim() || undefined, name });
  }
  for (const name of sources.attributes) {
    const a = genericAttrWithUnits(el, name);
    if (a) written.push({ ...a, name });
  }
  const first = written[0];
  if (!first) return undefined;
  const v = Number(first.value);
  const shown = `${first.name} "${first.value}${first.units ? ` ${first.units}` : ""}"`;
  if (!Number.isFinite(v)) return { unread: `design ${what} ${shown} is not a number; left out` };
  // AutoCAD P&ID fills both limits of a blank design condition with 0 (and names the lower
  // temperature "LowerLimitDesignTemperatur"): 0 to 0 is no design condition.
  const lowerName = first.name.replace(/^UpperLimit/, "LowerLimit").replace(/Max$/, "Min");
  const lower =
    lowerName === first.name
      ? undefined
      : (genericAttrWithUnits(el, lowerName) ?? genericAttrWithUnits(el, lowerName.slice(0, -1)));
  if (v === 0 && lower && Number(lower.value) === 0)
    return {
      unread: `design ${what} ${shown} with a lower limit of 0 too: the tool's blank, not a condition; left out`,
    };
  const converted = convert(v, first.units);
  if (typeof converted === "string") return { unread: `design ${what} ${shown}: ${converted}; left out` };
  if (converted < min || converted > max) return { unread: `design ${what} ${shown} is out of range; left out` };
  return { value: round(converted) };
}

const ATMOSPHERE_BAR = 1.01325;

/**
 * Pressure → barg. Gauge units (barg, bar(g), psig, kPag, MPag) convert directly; kPa and MPa
 * without a suffix are read as gauge, as design pressures are quoted; absolute units (bara, psia,
 * kPa(a)) lose one atmosphere. No unit: barg. Pa written as SI dimensions ("kg/(m·s²)") is refused:
 * the public files write bar values under it, so it cannot be trusted either way.
 */
export function toBarg(v: number, units: string | undefined): number | string {
  const u = (units ?? "barg").toLowerCase().replace(/[\s_]+/g, "");
  const gauge: Record<string, number> = {
    barg: 1,
    "bar(g)": 1,
    "bar(gauge)": 1,
    bargauge: 1,
    psig: 0.0689476,
    "psi(g)": 0.0689476,
    kpag: 0.01,
    "kpa(g)": 0.01,
    kpa: 0.01,
    kilopascal: 0.01,
    mpag: 10,
    "mpa(g)": 10,
    mpa: 10,
    megapascal: 10,
  };
  const absolute: Record<string, number> = { bara: 1, "bar(a)": 1, psia: 0.0689476, "kpa(a)": 0.01, kpaa: 0.01 };
  if (gauge[u] !== undefined) return v * gauge[u];
  if (absolute[u] !== undefined) return v * absolute[u] - ATMOSPHERE_BAR;
  if (u === "bar") return v;
  return `unit "${units}" is not a pressure unit the importer reads as gauge or absolute`;
}

/** Temperature → °C from °C, degC, DegreeCelsius, C, K, Kelvin, °F, degF, DegreeFahrenheit; no unit: °C. */
export function toCelsius(v: number, units: string | undefined): number | string {
  const u = (units ?? "C").toLowerCase().replace(/[\s_]+/g, "");
  const scale = /^(?:°|º|deg|degrees?)?(c|celsius|centigrade|k|kelvin|f|fahrenheit)$/.exec(u)?.[1]?.[0];
  if (scale === "c") return v;
  if (scale === "k") return v - 273.15;
  if (scale === "f") return ((v - 32) * 5) / 9;
  return `unit "${units}" is not a temperature unit`;
}

/** A flange rating from text like "PN 16", "PN16", "CL150", "Class 150", "150#", "150 lb". */
export function parseRating(text: string): Rating | undefined {
  const t = text.trim().toUpperCase().replace(/\s+/g, "");
  const pn = /^PN([0-9]+)$/.exec(t);
  if (pn) return asRating(`PN${pn[1]}`);
  const cl = /^(?:CL|CLASS|ANSI)?([0-9]+)(?:#|LB|LBS)?$/.exec(t);
  if (cl && (t.startsWith("C") || t.startsWith("A") || /#|LB/.test(t))) return asRating(`CL${cl[1]}`);
  return undefined;
}

function asRating(s: string): Rating | undefined {
  return RATINGS.find((r) => r === s);
}

/** The rating written on an element, if any. */
export function ratingOf(el: XmlElement): Rating | undefined {
  const v = genericAttr(
    el,
    "NominalPressureRepresentationAssignmentClass",
    "NominalPressureNumericalValueRepresentationAssignmentClass",
    "NominalPressureAssignmentClass",
    "NominalPressure",
    "Rating",
  );
  return v === undefined ? undefined : parseRating(v);
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
