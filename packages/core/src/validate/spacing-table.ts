import type { Equipment, SpacingEntry, SpacingSelector } from "../design/types.js";

/** Whether a spacing-table selector (hazard and/or type) describes this item. */
export function matchesSelector(sel: SpacingSelector, e: Equipment): boolean {
  return (sel.hazard === undefined || sel.hazard === e.hazard) && (sel.type === undefined || sel.type === e.type);
}

/** The largest spacing-table distance governing a pair of items (either way round), or 0. */
export function governingDistance(entries: readonly SpacingEntry[], a: Equipment, b: Equipment): number {
  let distance = 0;
  for (const s of entries) {
    const hit =
      (matchesSelector(s.a, a) && matchesSelector(s.b, b)) || (matchesSelector(s.a, b) && matchesSelector(s.b, a));
    if (hit && s.distance > distance) distance = s.distance;
  }
  return distance;
}
