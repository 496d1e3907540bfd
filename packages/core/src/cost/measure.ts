import { footprintRect, nozzlePosition, rackRect } from "../design/geometry.js";
import { type Design, isNozzleEnd, type Line, type Point3, type Rack } from "../design/types.js";

const EPS = 1e-6;

/** What a route is made of, for pricing: metres off and on racks, and elbows. */
export interface RouteMeasure {
  /** Horizontal runs along a rack at one of its levels, m. */
  readonly rackLength: number;
  /** Everything else (vertical runs included), m. */
  readonly otherLength: number;
  /** Interior points where the route changes direction. */
  readonly bends: number;
}

/** Whether the horizontal segment a–b lies on rack `r` at one of its levels (in plan within its footprint). */
function onRack(a: Point3, b: Point3, r: Rack): boolean {
  if (Math.abs(a[2] - b[2]) > EPS || !r.levels.some((z) => Math.abs(z - a[2]) <= EPS)) return false;
  const rect = rackRect(r);
  const inside = (p: Point3) =>
    p[0] >= rect.minX - EPS && p[0] <= rect.maxX + EPS && p[1] >= rect.minY - EPS && p[1] <= rect.maxY + EPS;
  return inside(a) && inside(b);
}

function direction(a: Point3, b: Point3): string {
  return [Math.sign(b[0] - a[0]), Math.sign(b[1] - a[1]), Math.sign(b[2] - a[2])].join(",");
}

export function measureRoute(route: readonly Point3[], racks: readonly Rack[]): RouteMeasure {
  let rackLength = 0;
  let otherLength = 0;
  let bends = 0;
  let previous: string | undefined;
  for (let k = 0; k + 1 < route.length; k++) {
    const a = route[k]!;
    const b = route[k + 1]!;
    const length = Math.abs(b[0] - a[0]) + Math.abs(b[1] - a[1]) + Math.abs(b[2] - a[2]);
    if (length <= EPS) continue;
    if (racks.some((r) => onRack(a, b, r))) rackLength += length;
    else otherLength += length;
    const d = direction(a, b);
    if (previous !== undefined && d !== previous) bends++;
    previous = d;
  }
  return { rackLength, otherLength, bends };
}

/** Plan positions of a line's two nozzle ends, or undefined when an end is a branch or not placed. */
export function lineEnds(design: Design, line: Line): [Point3, Point3] | undefined {
  const at = (end: Line["from"]): Point3 | undefined => {
    if (!isNozzleEnd(end)) return undefined;
    const e = design.equipment.find((q) => q.tag === end.tag);
    const n = e?.nozzles.find((q) => q.id === end.nozzle);
    if (!e || !n || e.x === undefined || e.y === undefined) return undefined;
    return nozzlePosition(e as typeof e & { x: number; y: number }, n);
  };
  const a = at(line.from);
  const b = at(line.to);
  return a && b ? [a, b] : undefined;
}

/** Bounding box of the placed equipment footprints (after rotation): width, depth, area, m / m². */
export function equipmentBox(design: Design): { width: number; depth: number; area: number } {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const e of design.equipment) {
    if (e.x === undefined || e.y === undefined) continue;
    const r = footprintRect(e as typeof e & { x: number; y: number });
    x0 = Math.min(x0, r.minX);
    y0 = Math.min(y0, r.minY);
    x1 = Math.max(x1, r.maxX);
    y1 = Math.max(y1, r.maxY);
  }
  if (!Number.isFinite(x0)) return { width: 0, depth: 0, area: 0 };
  return { width: x1 - x0, depth: y1 - y0, area: (x1 - x0) * (y1 - y0) };
}
