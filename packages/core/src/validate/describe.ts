/** Wording and small geometric helpers shared by the rules' messages and locations. */
import type { Rect } from "../design/geometry.js";
import type { Equipment } from "../design/types.js";
import type { PlacedItem } from "./context.js";
import type { Point } from "./types.js";

/** Lengths closer than this (m) are equal: floating-point noise, not design intent. */
export const EPS = 1e-6;
/** Plan areas below this (m²) are no overlap: rectangles that only touch. */
export const AREA_EPS = 1e-6;

/** "P-101A (pump)". */
export function label(e: Pick<Equipment, "tag" | "type">): string {
  return `${e.tag} (${e.type.replace(/_/g, " ")})`;
}

/** "P-101A (pump, flammable)". */
export function labelWithHazard(e: Pick<Equipment, "tag" | "type" | "hazard">): string {
  return e.hazard === "none" ? label(e) : `${e.tag} (${e.type.replace(/_/g, " ")}, ${e.hazard.replace(/_/g, " ")})`;
}

/** Footprint centre at base elevation. */
export function centre(item: PlacedItem): Point {
  return [item.equipment.x, item.equipment.y, item.minZ];
}

/** The point midway between the nearest points of two rectangles (the middle of their overlap if they overlap). */
export function between(a: Rect, b: Rect, z: number): Point {
  return [midGap(a.minX, a.maxX, b.minX, b.maxX), midGap(a.minY, a.maxY, b.minY, b.maxY), z];
}

function midGap(lo1: number, hi1: number, lo2: number, hi2: number): number {
  const lo = Math.max(lo1, lo2);
  const hi = Math.min(hi1, hi2);
  return (lo + hi) / 2;
}

/** "a, b and c" (with "and N more" past `max`). */
export function listOf(items: readonly string[], max = 8): string {
  if (items.length <= 1) return items.join("");
  const shown = items.slice(0, max);
  const rest = items.length - shown.length;
  if (rest > 0) return `${shown.join(", ")} and ${rest} more`;
  return `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}
