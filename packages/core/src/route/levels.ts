import type { Site } from "../design/types.js";
import type { Metres } from "../design/units.js";

/**
 * The elevations a route may run at horizontally. Pipes cross only at different elevations, so the
 * router works on a few discrete levels: ground (sleeper) levels for short local runs and every
 * rack level for long runs. Sorted ascending, without duplicates; index = level number.
 */
export interface Levels {
  /** Elevation of each level, m, ascending. */
  readonly z: Float64Array;
  /** 1 where the level is a ground (sleeper) level. */
  readonly ground: Uint8Array;
  /** 1 where only relief and flare lines may run (the drain level, see `drainLevel` in drain.ts). */
  readonly drainOnly: Uint8Array;
}

/** Elevations closer than this are one level (a rack at 5.0 and another at 5.004). */
const SAME_LEVEL = 0.01;

/** `drain`: an elevation above every other level, added as a level only relief and flare lines use. */
export function buildLevels(site: Site, groundLevels: readonly Metres[], drain?: number): Levels {
  const all = new Map<number, boolean>();
  const add = (z: number, ground: boolean) => {
    for (const [known, isGround] of all) {
      if (Math.abs(known - z) < SAME_LEVEL) {
        all.set(known, isGround || ground);
        return;
      }
    }
    all.set(z, ground);
  };
  for (const z of groundLevels) add(z, true);
  for (const rack of site.racks) for (const z of rack.levels) add(z, false);
  const sorted = [...all.entries()].sort((a, b) => a[0] - b[0]);
  const top = sorted[sorted.length - 1]?.[0] ?? Number.NEGATIVE_INFINITY;
  const extra = drain !== undefined && drain > top ? [drain] : [];
  return {
    z: Float64Array.from([...sorted.map(([z]) => z), ...extra]),
    ground: Uint8Array.from([...sorted.map(([, g]) => (g ? 1 : 0)), ...extra.map(() => 0)]),
    drainOnly: Uint8Array.from([...sorted.map(() => 0), ...extra.map(() => 1)]),
  };
}

/**
 * The level nearest an elevation (the lower one on a tie), where a nozzle's riser joins the grid.
 * The drain level counts only for relief and flare lines (`drain`).
 */
export function nearestLevel(levels: Levels, z: number, drain = false): number {
  let best = 0;
  let bestGap = Number.POSITIVE_INFINITY;
  for (let l = 0; l < levels.z.length; l++) {
    if (levels.drainOnly[l] && !drain) continue;
    const gap = Math.abs(levels.z[l]! - z);
    if (gap < bestGap) {
      best = l;
      bestGap = gap;
    }
  }
  return best;
}
