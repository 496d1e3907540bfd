import type { Design, Line } from "../design/types.js";
import { resolveEnd } from "./ends.js";
import type { Levels } from "./levels.js";

/**
 * Relief and flare lines must drain: API Std 520 Part II (discharge piping free-draining, no liquid
 * pockets) and API Std 521 5.5 (headers sloped to the knock-out drum, no pockets). Their searches
 * keep a drainage phase (astar.ts) and may use the drain level.
 */
export function drains(line: Line): boolean {
  return line.service === "relief" || line.service === "flare";
}

/** Heights closer than this are one height. */
const SAME_HEIGHT = 1e-6;

/** Kept between the drain level and the level below it besides the widest pipe's diameter, m. */
const DRAIN_GAP = 0.1;

/**
 * A drained line enters its disposal (its `to` nozzle) from above, so there must be a level at or
 * above the inlet. When a selected relief or flare line's inlet stands above every level (a drum's
 * inlet on a site without racks, where the levels are the ground sleepers), the highest such inlet's
 * elevation becomes an extra level that only drained lines use: the other lines route as without it.
 * Lines on two levels may cross, so the drain level stands at least the widest line's outside
 * diameter (DN/1000 m, as the clash rule takes it) and `DRAIN_GAP` above the highest other level:
 * an inlet 0.01 m above the 1.2 m sleeper made a level there, and every crossing a clash. Its lines
 * then fall the rest of the way into such an inlet. Undefined when no inlet needs it.
 */
export function drainLevel(
  design: Design,
  selected: Iterable<number>,
  levels: Levels,
  equipmentByTag: ReadonlyMap<string, number>,
  lineByID: ReadonlyMap<string, number>,
): number | undefined {
  const top = Math.max(...levels.z);
  let level: number | undefined;
  for (const k of selected) {
    const line = design.lines[k]!;
    if (!drains(line)) continue;
    const end = resolveEnd(line.to, design.equipment, equipmentByTag, lineByID);
    if (!end.ok || end.end.kind !== "nozzle") continue;
    const z = end.end.point[2];
    if (z > top + SAME_HEIGHT && (level === undefined || z > level)) level = z;
  }
  if (level === undefined) return undefined;
  // A loop, not Math.max(...sizes): spreading 100k+ lines as arguments overflows the stack.
  let widest = 0;
  for (const l of design.lines) widest = Math.max(widest, l.size / 1000);
  return Math.max(level, top + widest + DRAIN_GAP);
}
