/** Plan measures of a placed design: routed pipe length and equipment bounding-box area. Pure. */
import { type Design, isNozzleEnd } from "../design/types.js";

/** Total routed length of a design's lines, m (lines without a route count their end-to-end plan distance). */
export function pipeLength(design: Design): number {
  let total = 0;
  const at = new Map(design.equipment.map((e) => [e.tag, e]));
  for (const line of design.lines) {
    const r = line.route;
    if (r && r.length > 1) {
      for (let i = 1; i < r.length; i++) {
        const p = r[i - 1]!;
        const q = r[i]!;
        total += Math.abs(q[0]! - p[0]!) + Math.abs(q[1]! - p[1]!) + Math.abs((q[2] ?? 0) - (p[2] ?? 0));
      }
    } else if (isNozzleEnd(line.from) && isNozzleEnd(line.to)) {
      const a = at.get(line.from.tag);
      const b = at.get(line.to.tag);
      if (a?.x !== undefined && a.y !== undefined && b?.x !== undefined && b.y !== undefined) {
        total += Math.abs(a.x - b.x) + Math.abs(a.y - b.y);
      }
    }
  }
  return total;
}

/** Area of the bounding box of the placed equipment footprints, m². */
export function footprintArea(design: Design): number {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const e of design.equipment) {
    if (e.x === undefined || e.y === undefined) continue;
    const turned = e.rotation === 90 || e.rotation === 270;
    const hw = (turned ? e.footprint.depth : e.footprint.width) / 2;
    const hd = (turned ? e.footprint.width : e.footprint.depth) / 2;
    x0 = Math.min(x0, e.x - hw);
    x1 = Math.max(x1, e.x + hw);
    y0 = Math.min(y0, e.y - hd);
    y1 = Math.max(y1, e.y + hd);
  }
  return Number.isFinite(x0) ? (x1 - x0) * (y1 - y0) : 0;
}
