/**
 * Reading sizes, pressures, temperatures and ratings out of DEXPI generic attributes. Values come
 * as free text ("80", "DN 80", "3\"", "PN 16", "Class 150") with optional units; anything that
 * cannot be read safely is left out rather than guessed.
 */
import type { Rating } from "../../design/index.js";
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

/** The nominal diameter written on an element (its own generic attributes), as DN. */
export function nominalDiameterOf(el: XmlElement): number | undefined {
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

/** Design pressure in barg from UpperLimitDesignPressure/DesignPressure, when its unit says gauge bar (or none). */
export function designPressureOf(el: XmlElement): number | undefined {
  const a = genericAttrWithUnits(el, "UpperLimitDesignPressure") ?? genericAttrWithUnits(el, "DesignPressure");
  if (!a) return undefined;
  const v = Number(a.value);
  if (!Number.isFinite(v)) return undefined;
  const u = (a.units ?? "barg").toLowerCase().replace(/\s+/g, "");
  let barg: number | undefined;
  if (u === "barg" || u === "bar(g)" || u === "bar(gauge)") barg = v;
  else if (u === "psig") barg = v * 0.0689476;
  else if (u === "kpag" || u === "kpa(g)") barg = v / 100;
  else if (u === "mpag" || u === "mpa(g)") barg = v * 10;
  return barg !== undefined && barg >= -1.01325 && barg <= 2000 ? round(barg) : undefined;
}

/** Design temperature in °C from UpperLimitDesignTemperature/DesignTemperature. */
export function designTemperatureOf(el: XmlElement): number | undefined {
  const a = genericAttrWithUnits(el, "UpperLimitDesignTemperature") ?? genericAttrWithUnits(el, "DesignTemperature");
  if (!a) return undefined;
  const v = Number(a.value);
  if (!Number.isFinite(v)) return undefined;
  const u = (a.units ?? "C").toLowerCase();
  let c: number | undefined;
  if (/celsius|°\s*c|degc|^c$/.test(u)) c = v;
  else if (/kelvin|^k$/.test(u)) c = v - 273.15;
  else if (/fahrenheit|°\s*f|degf|^f$/.test(u)) c = ((v - 32) * 5) / 9;
  return c !== undefined && c >= -273.15 && c <= 1500 ? round(c) : undefined;
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

const RATINGS: readonly Rating[] = [
  "CL150",
  "CL300",
  "CL600",
  "CL900",
  "CL1500",
  "CL2500",
  "PN10",
  "PN16",
  "PN25",
  "PN40",
  "PN63",
  "PN100",
];

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
