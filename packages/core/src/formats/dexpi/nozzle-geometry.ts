/**
 * Where each imported nozzle sits on its equipment's shell (the contract's dx/dy/dz: metres from
 * the footprint centre along the equipment's x and y, height above its base). A P&ID is a
 * schematic, so its drawing gives only the side: where a nozzle symbol is drawn relative to its
 * equipment symbol (left/right → the ends along x, up/down → height) it is placed there; otherwise
 * by convention per equipment type (docs/DESIGN.md, "DEXPI import"): pump suction on its end and
 * discharge on top; vessels, tanks, columns and reactors take inlets high on one side and
 * outlets low on the other; anything else inlets on one end and outlets on the other, half way up.
 */
import type { EquipmentType, Footprint, Nozzle } from "../../design/index.js";
import type { ImportedEquipment } from "./equipment.js";
import { extentOf, locationOf } from "./model.js";
import type { ImportedLine } from "./piping.js";
import type { XmlElement } from "./xml.js";

type Role = "in" | "out" | "other";

const TALL: ReadonlySet<EquipmentType> = new Set(["vessel", "tank", "column", "reactor", "furnace", "filter"]);

export function placeNozzles(
  equipment: readonly ImportedEquipment[],
  nozzleElements: ReadonlyMap<XmlElement, { readonly tag: string; readonly nozzle: string }>,
  lines: readonly ImportedLine[],
  footprintOf: (type: EquipmentType) => Footprint,
): void {
  const roles = new Map<string, Role>();
  for (const l of lines) {
    if ("nozzle" in l.from) roles.set(`${l.from.tag}/${l.from.nozzle}`, "out");
    if ("nozzle" in l.to) roles.set(`${l.to.tag}/${l.to.nozzle}`, "in");
  }
  const elementOf = new Map<string, XmlElement>();
  for (const [el, end] of nozzleElements) elementOf.set(`${end.tag}/${end.nozzle}`, el);

  for (const eq of equipment) {
    const fp = footprintOf(eq.type);
    const placed = eq.nozzles.map((n) => {
      const drawn = fromDrawing(eq.el, elementOf.get(`${eq.tag}/${n.id}`), fp);
      return drawn ? { ...n, ...drawn } : undefined;
    });
    const role = (n: Nozzle): Role => roles.get(`${eq.tag}/${n.id}`) ?? "other";
    const byConvention = convention(eq.type, eq.nozzles.map(role), fp);
    eq.nozzles.forEach((n, i) => {
      eq.nozzles[i] = placed[i] ?? { ...n, ...byConvention[i]! };
    });
  }
}

interface Offset {
  readonly dx: number;
  readonly dy: number;
  readonly dz: number;
}

/** The side the nozzle symbol is drawn on, relative to its equipment symbol; undefined without both. */
function fromDrawing(equipment: XmlElement, nozzle: XmlElement | undefined, fp: Footprint): Offset | undefined {
  const box = extentOf(equipment);
  if (!nozzle || !box) return undefined;
  const nb = extentOf(nozzle);
  const at = locationOf(nozzle) ?? (nb && [(nb.min[0] + nb.max[0]) / 2, (nb.min[1] + nb.max[1]) / 2]);
  const hw = (box.max[0] - box.min[0]) / 2;
  const hh = (box.max[1] - box.min[1]) / 2;
  if (!at || !(hw > 0) || !(hh > 0)) return undefined;
  const clamp = (v: number) => Math.max(-1, Math.min(1, v));
  const u = clamp((at[0] - (box.min[0] + hw)) / hw);
  const v = clamp((at[1] - (box.min[1] + hh)) / hh);
  // On the shell: the end (x) it is nearer to, or the top or bottom.
  if (Math.abs(u) >= Math.abs(v))
    return round({ dx: Math.sign(u || 1) * (fp.width / 2), dy: 0, dz: ((v + 1) / 2) * fp.height });
  return round({ dx: (u * fp.width) / 2, dy: 0, dz: v > 0 ? fp.height : 0 });
}

/** Conventional places, by role; several nozzles on one face are spread across it (along y). */
function convention(type: EquipmentType, roles: readonly Role[], fp: Footprint): Offset[] {
  const w = fp.width / 2;
  const h = fp.height;
  const face = (role: Role, first: boolean): { dx: number; dz: number; key: string } => {
    if (type === "pump" || type === "compressor") {
      if (role === "in" || (role === "other" && first)) return { dx: -w, dz: h / 2, key: "end" };
      if (role === "out") return { dx: 0, dz: h, key: "top" };
      return { dx: w, dz: h / 2, key: "far end" };
    }
    if (TALL.has(type)) {
      if (role === "in") return { dx: -w, dz: 0.8 * h, key: "inlet side" };
      if (role === "out") return { dx: w, dz: 0.1 * h, key: "outlet side" };
      return { dx: 0, dz: h, key: "top" };
    }
    if (role === "in") return { dx: -w, dz: h / 2, key: "inlet end" };
    if (role === "out") return { dx: w, dz: h / 2, key: "outlet end" };
    return { dx: 0, dz: h, key: "top" };
  };
  const faces = roles.map((r, i) => face(r, i === 0 && !roles.includes("in")));
  const total = new Map<string, number>();
  for (const f of faces) total.set(f.key, (total.get(f.key) ?? 0) + 1);
  const seen = new Map<string, number>();
  return faces.map((f) => {
    const k = seen.get(f.key) ?? 0;
    seen.set(f.key, k + 1);
    const n = total.get(f.key) ?? 1;
    const dy = n === 1 ? 0 : ((k + 1) / (n + 1) - 0.5) * fp.depth * 0.8;
    return round({ dx: f.dx, dy, dz: f.dz });
  });
}

function round(o: Offset): Offset {
  const r = (v: number) => Math.round(v * 1000) / 1000 + 0;
  return { dx: r(o.dx), dy: r(o.dy), dz: r(o.dz) };
}
