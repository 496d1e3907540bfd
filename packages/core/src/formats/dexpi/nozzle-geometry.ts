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
import {
  conventionalNozzleOffsets,
  type NozzleOffset,
  type NozzleRole,
  roundOffset,
} from "../../design/nozzle-convention.js";
import type { ImportedEquipment } from "./equipment.js";
import { extentOf, locationOf } from "./model.js";
import type { ImportedLine } from "./piping.js";
import type { XmlElement } from "./xml.js";

export function placeNozzles(
  equipment: readonly ImportedEquipment[],
  nozzleElements: ReadonlyMap<XmlElement, { readonly tag: string; readonly nozzle: string }>,
  lines: readonly ImportedLine[],
  footprintOf: (type: EquipmentType) => Footprint,
): void {
  const roles = new Map<string, NozzleRole>();
  for (const l of lines) {
    if ("nozzle" in l.from) roles.set(`${l.from.tag}/${l.from.nozzle}`, "out");
    if ("nozzle" in l.to) roles.set(`${l.to.tag}/${l.to.nozzle}`, "in");
  }
  const elementOf = new Map<string, XmlElement>();
  for (const [el, end] of nozzleElements) elementOf.set(`${end.tag}/${end.nozzle}`, el);

  for (const eq of equipment) {
    const fp = footprintOf(eq.type);
    const placed = spreadShared(
      eq.nozzles.map((n) => {
        const drawn = fromDrawing(eq.el, elementOf.get(`${eq.tag}/${n.id}`), fp);
        return drawn ? { ...n, ...drawn } : undefined;
      }),
      fp,
    );
    const role = (n: Nozzle): NozzleRole => roles.get(`${eq.tag}/${n.id}`) ?? "other";
    const byConvention = conventionalNozzleOffsets(eq.type, eq.nozzles.map(role), fp);
    eq.nozzles.forEach((n, i) => {
      eq.nozzles[i] = placed[i] ?? { ...n, ...byConvention[i]! };
    });
  }
}

/** The side the nozzle symbol is drawn on, relative to its equipment symbol; undefined without both. */
function fromDrawing(equipment: XmlElement, nozzle: XmlElement | undefined, fp: Footprint): NozzleOffset | undefined {
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
    return roundOffset({ dx: Math.sign(u || 1) * (fp.width / 2), dy: 0, dz: ((v + 1) / 2) * fp.height });
  return roundOffset({ dx: (u * fp.width) / 2, dy: 0, dz: v > 0 ? fp.height : 0 });
}

/**
 * Drawn nozzles that land on one plan point (a top and a bottom nozzle drawn above and below the
 * middle of a vessel, two on one end at different heights) are spread across the shell's depth:
 * each pipe leaves its nozzle at its own plan point, where the router brings it to the grid.
 */
function spreadShared<T extends NozzleOffset>(placed: (T | undefined)[], fp: Footprint): (T | undefined)[] {
  const groups = new Map<string, number[]>();
  placed.forEach((p, i) => {
    if (!p) return;
    const key = `${p.dx},${p.dy}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const out = [...placed];
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    members.forEach((i, k) => {
      const p = out[i]!;
      out[i] = { ...p, ...roundOffset({ ...p, dy: ((k + 1) / (members.length + 1) - 0.5) * fp.depth }) };
    });
  }
  return out;
}
