import type { Line, LineEnd } from "../../../design/types.js";
import { branchLine, isBranchEnd, isNozzleEnd } from "../../../design/types.js";
import { MAX_CANDIDATES } from "../../context.js";
import { EPS } from "../../describe.js";
import { distance, formatPoint, metres, segmentDistance } from "../../geometry3d.js";
import { boxGap, isAxisAligned, segmentEnd, segmentStart } from "../../segments.js";
import type { Point, Rule } from "../../types.js";

const SIDES = ["from", "to"] as const;
/** Pipe outside radius, m, from DN (mm): outside diameter taken as DN/1000 m. */
function radius(line: Line): number {
  return line.size / 2000;
}

function sameEnd(p: LineEnd, q: LineEnd): boolean {
  if (isNozzleEnd(p)) return isNozzleEnd(q) && p.tag === q.tag && p.nozzle === q.nozzle;
  // Two open ends are two places on the plot edge, never one end.
  return isBranchEnd(p) && isBranchEnd(q) && p.line === q.line;
}

function endPoint(line: Line, side: "from" | "to"): Point | undefined {
  const r = line.route;
  if (!r || r.length === 0) return undefined;
  return side === "from" ? r[0] : r[r.length - 1];
}

function within(point: Point | undefined, at: Point, reach: number): boolean {
  return point !== undefined && distance(point, at) <= reach;
}

/**
 * True when `at` lies within `reach` of a place the two lines are meant to touch: the end of a
 * branch on its parent, and ends the two lines share (the same nozzle, or tees on the same
 * parent). Contacts near those points are junctions. Allocates nothing: it runs for every contact.
 */
function nearJunction(p: Line, q: Line, at: Point, reach: number): boolean {
  for (const sp of SIDES) {
    const ep = p[sp];
    if (branchLine(ep) === q.id && within(endPoint(p, sp), at, reach)) return true;
    if (branchLine(q[sp]) === p.id && within(endPoint(q, sp), at, reach)) return true;
    for (const sq of SIDES) {
      if (sameEnd(ep, q[sq]) && (within(endPoint(p, sp), at, reach) || within(endPoint(q, sq), at, reach))) return true;
    }
  }
  return false;
}

/**
 * Pipe-to-pipe clashes: two routed lines whose segments come closer than their outside radii
 * (plus the pack's clash clearance), i.e. they cross or overlap at the same elevation. A branch
 * meeting its parent, or two lines meeting at a shared end, touch by design there and only there.
 * Candidate pairs come cell by cell from the segment grid; each pair of lines is reported once.
 */
export const rule: Rule = {
  id: "piping.route-clash",
  category: "piping",
  severity: "error",
  appliesTo: "placed",
  description:
    "No two routed lines cross or overlap (centrelines closer than their radii plus routing.clashClearance), except where a branch meets its parent or lines share an end.",
  source:
    "Physical constraint (two pipes cannot occupy the same space); outside diameter approximated by DN (ASME B36.10M); rule pack routing.clashClearance.",
  fix: "Reroute one line on another lane or elevation so the pipes keep their clearance.",
  check({ design, pack, index }, emit) {
    const segments = index.segments;
    if (segments.count < 2) return;
    const lines = design.lines;
    const clearance = pack.routing.clashClearance;
    const tol = pack.routing.endTolerance;
    const nLines = lines.length;
    // Pairs of lines already reported, as li * nLines + lj (beyond 2^31 at 100,000 equipment: a
    // boxed number, so it is only formed once there is a finding).
    const reported = new Set<number>();

    const complete = index.segmentGrid.forEachPair(
      (s, c) => {
        const ls = segments.line[s]!;
        const lc = segments.line[c]!;
        const swap = lc < ls;
        const li = swap ? lc : ls;
        const lj = swap ? ls : lc;
        const si = swap ? c : s;
        const sj = swap ? s : c;
        if (reported.size > 0 && reported.has(li * nLines + lj)) return;
        const p = lines[li]!;
        const q = lines[lj]!;
        const limit = radius(p) + radius(q) + clearance;
        const aligned = isAxisAligned(segments, si) && isAxisAligned(segments, sj);
        // Box distance is exact for axis-aligned segments and a lower bound otherwise.
        const lower = boxGap(segments, si, sj);
        if (lower >= limit - EPS) return;
        const exact = segmentDistance(
          segmentStart(segments, si),
          segmentEnd(segments, si),
          segmentStart(segments, sj),
          segmentEnd(segments, sj),
        );
        const d = aligned ? lower : exact.distance;
        if (d >= limit - EPS) return;
        if (nearJunction(p, q, exact.at, limit + tol)) return;
        reported.add(li * nLines + lj);
        emit({
          message: `Lines ${p.id} (DN ${p.size}) and ${q.id} (DN ${q.size}) clash near ${formatPoint(exact.at)}: centrelines ${metres(d)} apart where the pipes need ${metres(limit)}.`,
          lines: [p.id, q.id],
          location: exact.at,
        });
      },
      MAX_CANDIDATES,
      segments.line,
    );
    if (!complete) {
      emit({
        message: `Clash search stopped after ${MAX_CANDIDATES} candidate pairs of route segments: routes are far denser than a plant's; the rest was not checked.`,
      });
    }
  },
};
