import { type AreaItem, END_NOZZLE, MAX_CANDIDATES } from "../../context.js";
import { label } from "../../describe.js";
import { type Box3, clipRaw, formatPoint } from "../../geometry3d.js";
import { type Segments, segmentEnd, segmentStart } from "../../segments.js";
import type { Point, Rule } from "../../types.js";

/** Contact within this depth (m) of a body's surface is grazing, not passing through. */
const GRAZE = 1e-3;
const OPEN = Number.POSITIVE_INFINITY;

/** Parameter intervals of [t0, t1] not covered by any of `covers`. */
function uncovered(t0: number, t1: number, covers: [number, number][]): [number, number][] {
  covers.sort((p, q) => p[0] - q[0]);
  const out: [number, number][] = [];
  let at = t0;
  for (const [c0, c1] of covers) {
    if (c1 <= at) continue;
    if (c0 >= t1) break;
    if (c0 > at) out.push([at, c0]);
    at = Math.max(at, c1);
    if (at >= t1) break;
  }
  if (at < t1) out.push([at, t1]);
  return out;
}

function pointAt(s: Segments, i: number, t: number): Point {
  return [
    s.ax[i]! + (s.bx[i]! - s.ax[i]!) * t,
    s.ay[i]! + (s.by[i]! - s.ay[i]!) * t,
    s.az[i]! + (s.bz[i]! - s.az[i]!) * t,
  ];
}

/**
 * Routes go round equipment and keep-outs: a segment may not pass through the body (footprint ×
 * base-to-top) of any equipment other than the line's own end equipment (a pipe leaves from its
 * nozzle, inside its own footprint), nor cross a keep-out zone in plan except where a pipe rack
 * covers it (a rack over a road is a pipe bridge: racks are where routes belong). Each body is
 * searched for the segments near it, so the work grows with the equipment, not the pairs.
 */
export const rule: Rule = {
  id: "piping.route-clear",
  category: "piping",
  severity: "error",
  appliesTo: "placed",
  description:
    "Routes do not pass through equipment bodies (other than their own end equipment) or through keep-outs off the racks.",
  source: "PlantGAN design contract (DESIGN.md): keep-outs hold no pipe; a pipe cannot run through a solid body.",
  fix: "Reroute the line around the equipment or keep-out, or along a pipe rack over it.",
  check({ design, index }, emit) {
    const segments = index.segments;
    if (segments.count === 0) return;
    const grid = index.segmentGrid;
    const lines = design.lines;
    // A line's own end equipment, from the index's resolved line ends (the item's tag's position in
    // `uniqueEquipment`; an end naming no equipment names no item): no line end is read.
    const { endKind, endTarget, equipmentKey } = index;
    const own = (lineIndex: number, key: number): boolean =>
      (endKind[2 * lineIndex] === END_NOZZLE && endTarget[2 * lineIndex] === key) ||
      (endKind[2 * lineIndex + 1] === END_NOZZLE && endTarget[2 * lineIndex + 1] === key);
    const t = new Float64Array(2);
    const seen = new Set<number>();
    const nPlaced = index.placed.length;
    let visits = 0;
    const exhausted = () => {
      emit({
        message: `Route clearance search stopped after ${MAX_CANDIDATES} segment visits: routes are far denser than a plant's; the rest was not checked.`,
      });
    };

    // One body box and one visitor for every item (the item in `current`): no objects per item.
    const body = { minX: 0, minY: 0, minZ: 0, maxX: 0, maxY: 0, maxZ: 0 };
    let current = index.placed[0]!;
    const visit = (s: number): boolean => {
      if (++visits > MAX_CANDIDATES) return true;
      const item = current;
      const li = segments.line[s]!;
      if (own(li, equipmentKey[item.index]!)) return false;
      const tag = item.equipment.tag;
      const a = segments;
      if (!clipRaw(a.ax[s]!, a.ay[s]!, a.az[s]!, a.bx[s]!, a.by[s]!, a.bz[s]!, body, t)) return false;
      // The (line, item) set is asked only for segments that do pass through: its keys outgrow
      // small integers on big plants, and a lookup per visited segment cost more than the clip.
      const key = li * nPlaced + item.slot;
      if (seen.has(key)) return false;
      seen.add(key);
      const line = lines[li]!;
      emit({
        message: `Line ${line.id}'s route passes through ${label(item.equipment)} between ${formatPoint(segmentStart(a, s))} and ${formatPoint(segmentEnd(a, s))}.`,
        tags: [tag],
        lines: [line.id],
        location: pointAt(a, s, (t[0]! + t[1]!) / 2),
      });
      return false;
    };
    const placed = index.placed;
    for (let slot = 0; slot < placed.length; slot++) {
      const item = placed[slot]!;
      if (visits > MAX_CANDIDATES) break;
      body.minX = item.minX + GRAZE;
      body.minY = item.minY + GRAZE;
      body.minZ = item.minZ + GRAZE;
      body.maxX = item.maxX - GRAZE;
      body.maxY = item.maxY - GRAZE;
      body.maxZ = item.maxZ - GRAZE;
      if (body.minX >= body.maxX || body.minY >= body.maxY || body.minZ >= body.maxZ) continue;
      current = item;
      grid.forEachNear(item.minX, item.minY, item.maxX, item.maxY, visit);
    }

    if (visits > MAX_CANDIDATES) return exhausted();
    if (design.site.keepOut.length === 0) return;
    const racks = design.site.racks.length > 0 ? index.rackTree : undefined;
    // (line, zone id) pairs reported: a zone id numbered by its first zone, so two zones with one
    // id count as one (as the id in a message does), and keys stay small integers.
    const keepOut = design.site.keepOut;
    const zoneNumber = new Map<string, number>();
    for (let z = 0; z < keepOut.length; z++) if (!zoneNumber.has(keepOut[z]!.id)) zoneNumber.set(keepOut[z]!.id, z);
    const seenZone = new Set<number>();
    for (const zone of keepOut) {
      const r = { minX: zone.x, minY: zone.y, maxX: zone.x + zone.width, maxY: zone.y + zone.depth };
      const zoneKey = zoneNumber.get(zone.id)!;
      grid.forEachNear(r.minX, r.minY, r.maxX, r.maxY, (s) => {
        if (++visits > MAX_CANDIDATES) return true;
        const li = segments.line[s]!;
        const key = li * keepOut.length + zoneKey;
        if (seenZone.has(key)) return false;
        const inside = crossing(segments, s, r, () => racks?.search(segmentBox(segments, s)) ?? []);
        if (!inside) return false;
        seenZone.add(key);
        const line = lines[li]!;
        emit({
          message: `Line ${line.id}'s route crosses keep-out ${zone.id} (${zone.kind}) off any pipe rack near ${formatPoint(inside)}.`,
          lines: [line.id],
          location: inside,
        });
        return false;
      });
    }
    if (visits > MAX_CANDIDATES) exhausted();
  },
};

function segmentBox(s: Segments, i: number) {
  return {
    minX: Math.min(s.ax[i]!, s.bx[i]!),
    minY: Math.min(s.ay[i]!, s.by[i]!),
    maxX: Math.max(s.ax[i]!, s.bx[i]!),
    maxY: Math.max(s.ay[i]!, s.by[i]!),
  };
}

/** Where segment i runs inside the zone (in plan) and not over a rack; undefined if nowhere. */
function crossing(
  s: Segments,
  i: number,
  zone: { minX: number; minY: number; maxX: number; maxY: number },
  /** The racks near the segment, asked only when it does cross the zone. */
  racks: () => readonly AreaItem[],
): Point | undefined {
  const t = new Float64Array(2);
  const inner: Box3 = {
    minX: zone.minX + GRAZE,
    minY: zone.minY + GRAZE,
    minZ: -OPEN,
    maxX: zone.maxX - GRAZE,
    maxY: zone.maxY - GRAZE,
    maxZ: OPEN,
  };
  if (!clipRaw(s.ax[i]!, s.ay[i]!, s.az[i]!, s.bx[i]!, s.by[i]!, s.bz[i]!, inner, t)) return undefined;
  const t0 = t[0]!;
  const t1 = t[1]!;
  const covers: [number, number][] = [];
  for (const r of racks()) {
    const box: Box3 = { minX: r.minX, minY: r.minY, minZ: -OPEN, maxX: r.maxX, maxY: r.maxY, maxZ: OPEN };
    if (clipRaw(s.ax[i]!, s.ay[i]!, s.az[i]!, s.bx[i]!, s.by[i]!, s.bz[i]!, box, t)) covers.push([t[0]!, t[1]!]);
  }
  const length = Math.hypot(s.bx[i]! - s.ax[i]!, s.by[i]! - s.ay[i]!, s.bz[i]! - s.az[i]!);
  for (const [u0, u1] of uncovered(t0, t1, covers)) {
    if (length === 0 || (u1 - u0) * length > GRAZE) return pointAt(s, i, (u0 + u1) / 2);
  }
  return undefined;
}
