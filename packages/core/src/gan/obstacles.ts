/**
 * The site's obstacles as the layout generator and its penalties see them: pipe racks (grown by
 * the rule pack's keep-free strip) and keep-out areas, as [MAX_OBSTACLES, 4] rows of centre x,
 * centre y, width, depth in metres; unused rows are zero. A generation request's fixed items come
 * first (the generator places the rest around them); then site obstacles, largest first, while
 * rows are left. Pure: no TensorFlow.js.
 */
import { boxRect, rackRect } from "../design/geometry.js";
import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import type { RulePack } from "../design/types.js";

/** Obstacle rows per site. Dataset sites have up to 2 racks and 4 keep-outs. */
export const MAX_OBSTACLES = 8;

/** Values per obstacle row: centre x, centre y, width, depth (m). */
export const OBSTACLE_WIDTH = 4;

type Box = {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly depth: number;
  readonly id?: string;
};
interface Site {
  readonly racks?: readonly Parameters<typeof rackRect>[0][];
  readonly keepOut?: readonly Box[];
}

/** A placed item's plan rectangle (centre x/y, footprint turned by rotation). */
export interface PlacedFootprint {
  readonly x?: number | undefined;
  readonly y?: number | undefined;
  readonly rotation?: number | undefined;
  readonly footprint: { readonly width: number; readonly depth: number };
}

export function obstacleArray(
  site: Site,
  pack: RulePack = DEFAULT_RULE_PACK,
  fixed: readonly PlacedFootprint[] = [],
): Float32Array {
  const strip = pack.rackKeepFree.clearance;
  const rects = [
    ...(site.racks ?? []).map((r) => {
      const b = rackRect(r);
      return { minX: b.minX - strip, minY: b.minY - strip, maxX: b.maxX + strip, maxY: b.maxY + strip };
    }),
    ...(site.keepOut ?? []).map((k) => boxRect(k)),
  ];
  const pinned = fixed.flatMap((e) => {
    if (e.x === undefined || e.y === undefined) return [];
    const turned = e.rotation === 90 || e.rotation === 270;
    const w = turned ? e.footprint.depth : e.footprint.width;
    const d = turned ? e.footprint.width : e.footprint.depth;
    return [{ r: { minX: e.x - w / 2, minY: e.y - d / 2, maxX: e.x + w / 2, maxY: e.y + d / 2 } }];
  });
  const kept = [
    ...pinned,
    ...rects.map((r) => ({ r, area: (r.maxX - r.minX) * (r.maxY - r.minY) })).sort((p, q) => q.area - p.area),
  ].slice(0, MAX_OBSTACLES);
  const out = new Float32Array(MAX_OBSTACLES * OBSTACLE_WIDTH);
  kept.forEach(({ r }, k) => {
    out.set([(r.minX + r.maxX) / 2, (r.minY + r.maxY) / 2, r.maxX - r.minX, r.maxY - r.minY], k * OBSTACLE_WIDTH);
  });
  return out;
}
