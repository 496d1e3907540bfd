import { rackRect } from "../../../design/geometry.js";
import { centre, EPS, label } from "../../describe.js";
import { formatPoint, metres } from "../../geometry3d.js";
import { segmentEnd, segmentStart } from "../../segments.js";
import type { Point, Rule } from "../../types.js";

/**
 * Placed footprints, racks and routes stay on the plot: (0, 0) to (site.width, site.depth). Route
 * points are read from the index's segment columns (a route's points are its segments' starts and
 * its last segment's end), not from the point arrays, which at 100,000 equipment are 800,000 small
 * arrays spread over the heap.
 */
export const rule: Rule = {
  id: "geometry.inside-site",
  category: "geometry",
  severity: "error",
  appliesTo: "placed",
  description: "Placed equipment footprints, pipe racks and routed lines lie inside the site boundary.",
  source:
    "PlantGAN design contract (DESIGN.md): the plot runs from the south-west corner (0, 0) to (site.width, site.depth).",
  fix: "Move the item or route back inside the plot boundary.",
  check({ design, index }, emit) {
    const { width, depth } = design.site;
    const beyond = (r: { minX: number; minY: number; maxX: number; maxY: number }) =>
      Math.max(-r.minX, -r.minY, r.maxX - width, r.maxY - depth);

    const placed = index.placed;
    for (let slot = 0; slot < placed.length; slot++) {
      const item = placed[slot]!;
      const out = beyond(item);
      if (out <= EPS) continue;
      emit({
        message: `${label(item.equipment)} reaches ${metres(out)} beyond the ${width} × ${depth} m site.`,
        tags: [item.equipment.tag],
        location: centre(item),
      });
    }
    for (const rack of design.site.racks) {
      const r = rackRect(rack);
      const out = beyond(r);
      if (out <= EPS) continue;
      emit({
        message: `Pipe rack ${rack.id} reaches ${metres(out)} beyond the ${width} × ${depth} m site.`,
        location: [(r.minX + r.maxX) / 2, (r.minY + r.maxY) / 2, rack.levels[0]],
      });
    }
    const { ax, ay, bx, by } = index.segments;
    const outside = (x: number, y: number) => x < -EPS || y < -EPS || x > width + EPS || y > depth + EPS;
    // The segments of line li, in route order, start at `first`.
    let first = 0;
    const lines = design.lines;
    for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
      const line = lines[lineIndex]!;
      const route = line.route;
      if (!route || route.length === 0) continue;
      let point: Point | undefined;
      if (route.length === 1) {
        if (outside(route[0]![0], route[0]![1])) point = route[0];
      } else {
        const last = first + route.length - 2;
        for (let i = first; i <= last && !point; i++)
          if (outside(ax[i]!, ay[i]!)) point = segmentStart(index.segments, i);
        if (!point && outside(bx[last]!, by[last]!)) point = segmentEnd(index.segments, last);
        first = last + 1;
      }
      if (!point) continue;
      emit({
        message: `The route of line ${line.id} leaves the ${width} × ${depth} m site at ${formatPoint(point)}.`,
        lines: [line.id],
        location: point,
      });
    }
  },
};
