import { rackRect } from "../../../design/geometry.js";
import { centre, EPS, label } from "../../describe.js";
import { formatPoint, metres } from "../../geometry3d.js";
import type { Rule } from "../../types.js";

/** Placed footprints, racks and routes stay on the plot: (0, 0) to (site.width, site.depth). */
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

    for (const item of index.placed) {
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
    for (const line of design.lines) {
      const point = line.route?.find((p) => p[0] < -EPS || p[1] < -EPS || p[0] > width + EPS || p[1] > depth + EPS);
      if (!point) continue;
      emit({
        message: `The route of line ${line.id} leaves the ${width} × ${depth} m site at ${formatPoint(point)}.`,
        lines: [line.id],
        location: point,
      });
    }
  },
};
