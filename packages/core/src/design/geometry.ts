import type { Equipment, Nozzle, Rack } from "./types.js";

/** An axis-aligned rectangle in plot coordinates, m. */
export interface Rect {
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

/** Plan extents (width along x, depth along y) after rotation: 90/270 swap the footprint's sides. */
export function planSize(e: Pick<Equipment, "footprint" | "rotation">): { width: number; depth: number } {
  const turned = e.rotation === 90 || e.rotation === 270;
  return turned
    ? { width: e.footprint.depth, depth: e.footprint.width }
    : { width: e.footprint.width, depth: e.footprint.depth };
}

/** The placed footprint as a rectangle; x/y is the centre. */
export function footprintRect(e: Equipment & { x: number; y: number }): Rect {
  const { width, depth } = planSize(e);
  return { minX: e.x - width / 2, minY: e.y - depth / 2, maxX: e.x + width / 2, maxY: e.y + depth / 2 };
}

/** Rotates a local offset by the equipment rotation (degrees counter-clockwise about z). */
export function rotateOffset(dx: number, dy: number, rotation: number): [number, number] {
  switch (rotation) {
    case 90:
      return [-dy, dx];
    case 180:
      return [-dx, -dy];
    case 270:
      return [dy, -dx];
    default:
      return [dx, dy];
  }
}

/**
 * World position of a nozzle: the footprint centre plus the offset turned with the equipment,
 * at base elevation + dz. Missing offsets count as 0 (topology-only nozzles).
 */
export function nozzlePosition(e: Equipment & { x: number; y: number }, n: Nozzle): [number, number, number] {
  const [dx, dy] = rotateOffset(n.dx ?? 0, n.dy ?? 0, e.rotation);
  return [e.x + dx, e.y + dy, e.z + (n.dz ?? 0)];
}

/** A rack's plan rectangle (x, y is its south-west corner; length runs along its axis). */
export function rackRect(r: Rack): Rect {
  return r.axis === "x"
    ? { minX: r.x, minY: r.y, maxX: r.x + r.length, maxY: r.y + r.width }
    : { minX: r.x, minY: r.y, maxX: r.x + r.width, maxY: r.y + r.length };
}

/** A keep-out's (or any x/y/width/depth box's) plan rectangle. */
export function boxRect(b: { x: number; y: number; width: number; depth: number }): Rect {
  return { minX: b.x, minY: b.y, maxX: b.x + b.width, maxY: b.y + b.depth };
}

/** Shortest plan distance between two rectangles; 0 when they touch or overlap. */
export function rectDistance(a: Rect, b: Rect): number {
  const dx = Math.max(0, a.minX - b.maxX, b.minX - a.maxX);
  const dy = Math.max(0, a.minY - b.maxY, b.minY - a.maxY);
  // Math.hypot(0, d) is d exactly; hypot is slow and most pairs are apart along one axis only.
  return dx === 0 ? dy : dy === 0 ? dx : Math.hypot(dx, dy);
}

/** Area of the intersection of two rectangles (0 when they only touch). */
export function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.maxX, b.maxX) - Math.max(a.minX, b.minX);
  const h = Math.min(a.maxY, b.maxY) - Math.max(a.minY, b.minY);
  return w > 0 && h > 0 ? w * h : 0;
}

export function expandRect(r: Rect, by: number): Rect {
  return { minX: r.minX - by, minY: r.minY - by, maxX: r.maxX + by, maxY: r.maxY + by };
}
