import type { Line, NozzleEnd, OpenEnd } from "../../../design/types.js";
import { isOpenEnd } from "../../../design/types.js";
import { END_NOZZLE, MAX_CANDIDATES } from "../../context.js";
import { formatPoint, metres, pointSegmentDistance } from "../../geometry3d.js";
import { pointToSegment } from "../../segments.js";
import type { Point, Rule } from "../../types.js";

type OpenEdge = NonNullable<OpenEnd["edge"]>;

/** Routes up to this many points are scanned whole for a branch end; longer ones go through the grid. */
const SHORT_ROUTE = 64;

/** Distance from a point to a whole route. */
function routeDistance(route: readonly (readonly [number, number, number])[], p: Point): number {
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k + 1 < route.length; k++) best = Math.min(best, pointSegmentDistance(p, route[k]!, route[k + 1]!));
  return best;
}

/** Plan distance from a point to the plot edge named (absent: to the nearest edge). */
function boundaryMiss(p: Point, width: number, depth: number, edge: OpenEdge | undefined): number {
  const [x, y] = p;
  const off = { west: Math.abs(x), east: Math.abs(width - x), south: Math.abs(y), north: Math.abs(depth - y) };
  return edge ? off[edge] : Math.min(off.west, off.east, off.south, off.north);
}

/**
 * A route starts at its from-nozzle and ends at its to-nozzle (world positions, within the pack's
 * end tolerance); a branch end lies on the parent line's route; an open end (battery limit) on the
 * plot boundary, on its named edge when it names one. Ends on unplaced equipment or unrouted parents
 * are not checked.
 */
export const rule: Rule = {
  id: "piping.route-ends",
  category: "piping",
  severity: "error",
  appliesTo: "placed",
  description:
    "A route's first and last points sit on its end nozzles, on the parent line's route for a branch end, or on the plot boundary for an open end.",
  source:
    "PlantGAN design contract (DESIGN.md): route is the centreline from the from-end to the to-end; tolerance from rule pack routing.endTolerance.",
  fix: "End the route on its nozzle (or on the parent line's route for a tee), within the pack's end tolerance.",
  check({ design, pack, index }, emit) {
    const lines = design.lines;
    const tol = pack.routing.endTolerance;
    const segments = index.segments;
    const grid = index.segmentGrid;
    let visits = 0;
    const onRoute = (parentIndex: number, p: Point): boolean => {
      const [x, y, z] = p;
      let on = false;
      grid.forEachNear(x - tol, y - tol, x + tol, y + tol, (s) => {
        // Past the budget (a degenerate pile of segments) the end is given the benefit of the doubt.
        if (++visits > MAX_CANDIDATES) on = true;
        else if (segments.line[s] === parentIndex && pointToSegment(segments, s, x, y, z) <= tol) on = true;
        return on;
      });
      return on;
    };
    const { endKind } = index;
    const { routeLength, firstSegment, ax, ay, az, bx, by, bz } = segments;
    // The route's end point (x, y, z) from the segment columns; `pointOf` gives the route's own
    // point, read for other ends and findings only. A nozzle end (the end kind as the index
    // resolved it) is measured without reading the line, its end or its route.
    const checkEnd = (
      lineIndex: number,
      side: "from" | "to",
      x: number,
      y: number,
      z: number,
      pointOf: (line: Line) => Point,
    ): void => {
      const verb = side === "from" ? "starts" : "ends";
      if (endKind[2 * lineIndex + (side === "from" ? 0 : 1)] === END_NOZZLE) {
        // The nozzle's point is made for a finding only.
        const d = index.endNozzleDistance(lineIndex, side, x, y, z);
        if (d < 0 || d <= tol) return;
        const line = lines[lineIndex]!;
        const end = line[side] as NozzleEnd;
        const point = pointOf(line);
        const target = index.endNozzlePoint(lineIndex, side)!;
        emit({
          message: `The route of line ${line.id} ${verb} at ${formatPoint(point)}, ${metres(d)} from its ${side}-nozzle ${end.tag}/${end.nozzle} at ${formatPoint(target)} (tolerance ${metres(tol)}).`,
          tags: [end.tag],
          lines: [line.id],
          location: point,
        });
        return;
      }
      const line = lines[lineIndex]!;
      const end = line[side];
      const point = pointOf(line);
      if (isOpenEnd(end)) {
        const miss = boundaryMiss(point, design.site.width, design.site.depth, end.edge);
        if (miss <= tol) return;
        const where = end.edge ? `the ${end.edge} edge of the plot` : "the plot boundary";
        emit({
          message: `The route of line ${line.id} ${verb} at ${formatPoint(point)}, ${metres(miss)} from ${where}, where its open ${side}-end leaves the plot (tolerance ${metres(tol)}).`,
          lines: [line.id],
          location: point,
        });
        return;
      }
      // Resolved once for every line end by the index.
      const parentIndex = index.endTarget[2 * lineIndex + (side === "from" ? 0 : 1)]!;
      const parent = parentIndex < 0 ? undefined : lines[parentIndex];
      if (!parent?.route || parent === line) return;
      // Short parent routes are scanned directly; long ones (a header with many tees) through the grid.
      const on =
        parent.route.length <= SHORT_ROUTE ? routeDistance(parent.route, point) <= tol : onRoute(parentIndex, point);
      if (on) return;
      emit({
        message: `Branch ${line.id} ${verb} at ${formatPoint(point)}, ${metres(routeDistance(parent.route, point))} off the route of line ${parent.id} it ${side === "from" ? "branches off" : "tees into"} (tolerance ${metres(tol)}).`,
        lines: [line.id, parent.id],
        location: point,
      });
    };
    const first = (line: Line): Point => line.route![0]!;
    const last = (line: Line): Point => line.route![line.route!.length - 1]!;
    for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
      const n = routeLength[lineIndex]!;
      if (n === 0) continue;
      if (n === 1) {
        const p = lines[lineIndex]!.route![0]!;
        checkEnd(lineIndex, "from", p[0], p[1], p[2], first);
        checkEnd(lineIndex, "to", p[0], p[1], p[2], last);
        continue;
      }
      const s0 = firstSegment[lineIndex]!;
      const s1 = s0 + n - 2;
      checkEnd(lineIndex, "from", ax[s0]!, ay[s0]!, az[s0]!, first);
      checkEnd(lineIndex, "to", bx[s1]!, by[s1]!, bz[s1]!, last);
    }
  },
};
