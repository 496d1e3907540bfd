/**
 * What a PlantGAN DEXPI 1.3 export carries beyond DEXPI (export/dexpi13.ts): generic attributes of
 * the set "PlantGAN", named as the contract names the fields, plus plot positions in <Position>
 * and routes in <CenterLine>, in metres. A file whose <Drawing> holds the set is such an export
 * ("contract mode"): its geometry is the design's, not a sheet's, and nothing is guessed for it.
 * Elsewhere the set is read where present, and the importer's own readings stand where it is not.
 */
import type { Equipment, Interlock, PlantDesignInput } from "../../design/index.js";
import { ROTATIONS } from "../../design/vocabulary.js";
import { childElements, firstChild } from "./model.js";
import type { XmlElement } from "./xml.js";

type Rotation = Equipment["rotation"];

export const CONTRACT_SET = "PlantGAN";

/** The PlantGAN generic attributes of `el` (its own sets, not its children's), by name. */
export function contractAttributes(el: XmlElement | undefined): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  if (!el) return out;
  for (const set of childElements(el, "GenericAttributes")) {
    if (set.attrs.Set !== CONTRACT_SET) continue;
    for (const ga of childElements(set, "GenericAttribute")) {
      const name = ga.attrs.Name;
      if (name !== undefined && ga.attrs.Value !== undefined && !out.has(name)) out.set(name, ga.attrs.Value);
    }
  }
  return out;
}

function numberOf(a: ReadonlyMap<string, string>, name: string): number | undefined {
  const raw = a.get(name);
  if (raw === undefined || raw.trim() === "") return undefined;
  const v = Number(raw);
  return Number.isFinite(v) ? v : undefined;
}

function jsonOf(a: ReadonlyMap<string, string>, name: string): unknown {
  const raw = a.get(name);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Copies the named attributes that are present (as numbers where `numbers` says so, else as text). */
function pick(a: ReadonlyMap<string, string>, names: readonly string[], numbers: readonly string[] = []) {
  const out: Record<string, string | number | boolean> = {};
  for (const name of names) {
    if (numbers.includes(name)) {
      const v = numberOf(a, name);
      if (v !== undefined) out[name] = v;
    } else if (a.has(name)) {
      const v = a.get(name)!;
      out[name] = v === "true" ? true : v === "false" ? false : v;
    }
  }
  return out;
}

/** The design's own facts from the drawing, or undefined when the file is not a PlantGAN export. */
export interface ContractDesign {
  readonly id?: string;
  readonly processClass?: PlantDesignInput["processClass"];
  readonly site: Partial<PlantDesignInput["site"]>;
  readonly metadata?: Record<string, string>;
}

export function contractDesign(drawing: XmlElement | undefined): ContractDesign | undefined {
  const a = contractAttributes(drawing);
  if (a.size === 0) return undefined;
  const site: Record<string, unknown> = {};
  for (const key of ["width", "depth", "gridSize", "windFrom"]) {
    const v = numberOf(a, `site.${key}`);
    if (v !== undefined) site[key] = v;
  }
  const keepOut = jsonOf(a, "site.keepOut");
  const racks = jsonOf(a, "site.racks");
  if (Array.isArray(keepOut)) site.keepOut = keepOut;
  if (Array.isArray(racks)) site.racks = racks;
  const metadata = jsonOf(a, "metadata");
  return {
    ...(a.has("id") ? { id: a.get("id")! } : {}),
    ...(a.has("processClass") ? { processClass: a.get("processClass") as PlantDesignInput["processClass"] } : {}),
    site: site as Partial<PlantDesignInput["site"]>,
    ...(metadata && typeof metadata === "object" && !Array.isArray(metadata)
      ? { metadata: metadata as Record<string, string> }
      : {}),
  };
}

/** Placement of an equipment element in a PlantGAN export: <Position> in metres, rotation from its reference axis. */
export function contractPlacement(el: XmlElement): { x?: number; y?: number; z?: number; rotation?: Rotation } {
  const a = contractAttributes(el);
  const pos = firstChild(el, "Position");
  const loc = pos && firstChild(pos, "Location");
  const out: { x?: number; y?: number; z?: number; rotation?: Rotation } = {};
  if (loc) {
    const [x, y, z] = [Number(loc.attrs.X), Number(loc.attrs.Y), Number(loc.attrs.Z ?? 0)];
    if (Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z)) Object.assign(out, { x, y, z });
  } else {
    const z = numberOf(a, "z");
    if (z !== undefined) out.z = z;
  }
  const rotation = numberOf(a, "rotation");
  if (rotation !== undefined && (ROTATIONS as readonly number[]).includes(rotation))
    out.rotation = rotation as Rotation;
  return out;
}

/** Contract-only equipment fields (footprint, hazard, NFPA 30 class, dike, minimum flow). */
export function contractEquipment(el: XmlElement) {
  const a = contractAttributes(el);
  const fp = ["width", "depth", "height"].map((k) => numberOf(a, `footprint.${k}`));
  return {
    ...(fp.every((v) => v !== undefined) ? { footprint: { width: fp[0]!, depth: fp[1]!, height: fp[2]! } } : {}),
    ...pick(a, ["hazard", "liquidClass", "dike"]),
    ...pick(a, ["minimumFlow"], ["minimumFlow"]),
  };
}

export function contractNozzle(el: XmlElement): { dx?: number; dy?: number; dz?: number } {
  return pick(contractAttributes(el), ["dx", "dy", "dz"], ["dx", "dy", "dz"]) as { dx?: number };
}

export function contractLine(system: XmlElement | undefined) {
  const a = contractAttributes(system);
  return {
    ...pick(a, ["service"]),
    ...pick(a, ["designPressure", "designTemperature"], ["designPressure", "designTemperature"]),
    ...(a.has("minimumFlow") ? { minimumFlow: a.get("minimumFlow") === "true" } : {}),
  };
}

/** A segment's route in a PlantGAN export: its centre line, 3D points in metres (at least two). */
export function contractRoute(segment: XmlElement): [number, number, number][] | undefined {
  const line = firstChild(segment, "CenterLine");
  if (!line) return undefined;
  const points: [number, number, number][] = [];
  for (const c of childElements(line, "Coordinate")) {
    const p = [Number(c.attrs.X), Number(c.attrs.Y), Number(c.attrs.Z ?? 0)] as [number, number, number];
    if (!p.every(Number.isFinite)) return undefined;
    points.push(p);
  }
  return points.length >= 2 ? points : undefined;
}

export function contractComponent(el: XmlElement) {
  return pick(
    contractAttributes(el),
    ["size", "rating", "failPosition", "lock", "setPressure", "at"],
    ["size", "setPressure", "at"],
  );
}

export function contractLoop(el: XmlElement) {
  return pick(contractAttributes(el), ["action", "setpoint", "sharedFinalElement"], ["setpoint"]);
}

/** An interlock written as a trip function with its cause and effects as PlantGAN attributes. */
export function contractInterlock(el: XmlElement): Interlock | undefined {
  const a = contractAttributes(el);
  if (a.get("kind") !== "interlock") return undefined;
  const tag = el.attrs.TagName;
  const instrument = a.get("cause.instrument");
  const trip = a.get("cause.trip");
  const effects = (a.get("effects") ?? "")
    .split(/\s+/)
    .filter(Boolean)
    .map((pair) => {
      const at = pair.lastIndexOf(":");
      return { target: pair.slice(0, at), action: pair.slice(at + 1) };
    });
  if (!tag || !instrument || !trip || effects.length === 0) return undefined;
  const shared = a.get("sharedSensorAnalysis");
  return {
    tag,
    cause: { instrument, trip },
    effects,
    ...(shared !== undefined ? { sharedSensorAnalysis: shared } : {}),
  } as Interlock;
}
