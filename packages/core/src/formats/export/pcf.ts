/**
 * PCF (Piping Component File, the Alias/ISOGEN text format) of the routed lines: one
 * PIPELINE-REFERENCE per line with a route, its centreline cut into PIPE, ELBOW (at each change
 * of direction), TEE (where another line branches off), VALVE / REDUCER / FILTER / MISC-COMPONENT
 * (the line's inline components) and FLANGE (at each nozzle end). Coordinates in mm (x east,
 * y north, z up, from the route in metres), BORE in mm (DN). Unrouted lines are not written.
 *
 * Component lengths are typical proportions of the bore (the design has no catalogue): valves 2 DN
 * face to face, weld-neck flanges 0.5 DN, tees 0.9 DN centre to end, elbows of radius 1.5 DN,
 * each shortened where the run is too short for it, so the pieces always tile the route exactly.
 */
import type { Component, Design, Line } from "../../design/index.js";
import { branchLine, isNozzleEnd } from "../../design/index.js";

type V3 = readonly [number, number, number];

const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const add = (a: V3, b: V3): V3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const mul = (a: V3, k: number): V3 => [a[0] * k, a[1] * k, a[2] * k];
const len = (a: V3): number => Math.hypot(a[0], a[1], a[2]);
const EPS = 1e-9;

/** A straight stretch of the route between bends: from `start` along unit `dir` for `length` m. */
interface Run {
  readonly start: V3;
  readonly dir: V3;
  readonly length: number;
  /** Distance along the whole route where this run starts, m. */
  readonly offset: number;
  readonly items: Placed[];
}

/** Something occupying [from, to] metres along a run. */
interface Placed {
  readonly from: number;
  readonly to: number;
  readonly kind: "FLANGE" | "TEE" | "COMPONENT";
  readonly component?: Component;
  /** For a tee: the point its branch leaves towards. */
  readonly branchTowards?: V3;
}

/** The route without repeated points or straight-through vertices. */
function corners(route: readonly V3[]): V3[] {
  const pts: V3[] = [];
  for (const p of route) if (pts.length === 0 || len(sub(p, pts[pts.length - 1]!)) > EPS) pts.push(p);
  const out: V3[] = [];
  for (const [i, p] of pts.entries()) {
    if (i > 0 && i < pts.length - 1) {
      const a = unit(sub(p, pts[i - 1]!));
      const b = unit(sub(pts[i + 1]!, p));
      if (len(sub(a, b)) < 1e-9) continue;
    }
    out.push(p);
  }
  return out;
}

function unit(a: V3): V3 {
  const l = len(a);
  return l < EPS ? [0, 0, 0] : mul(a, 1 / l);
}

interface Bend {
  readonly center: V3;
  readonly in: V3;
  readonly out: V3;
}

/** The route as runs joined by bends; each bend takes back `radius` from both runs it joins. */
function runsAndBends(route: readonly V3[], dn: number): { runs: Run[]; bends: Bend[] } {
  const pts = corners(route);
  const segLen = pts.slice(1).map((p, i) => len(sub(p, pts[i]!)));
  const radius = pts.map((_, i) =>
    i === 0 || i === pts.length - 1 ? 0 : Math.min((1.5 * dn) / 1000, segLen[i - 1]! / 2, segLen[i]! / 2),
  );
  const runs: Run[] = [];
  const bends: Bend[] = [];
  let offset = 0;
  for (let i = 0; i < pts.length - 1; i++) {
    const dir = unit(sub(pts[i + 1]!, pts[i]!));
    const start = add(pts[i]!, mul(dir, radius[i]!));
    const length = segLen[i]! - radius[i]! - radius[i + 1]!;
    runs.push({ start, dir, length, offset: offset + radius[i]!, items: [] });
    offset += segLen[i]!;
    if (i + 1 < pts.length - 1) {
      const next = unit(sub(pts[i + 2]!, pts[i + 1]!));
      bends.push({
        center: pts[i + 1]!,
        in: add(pts[i + 1]!, mul(dir, -radius[i + 1]!)),
        out: add(pts[i + 1]!, mul(next, radius[i + 1]!)),
      });
    }
  }
  return { runs, bends };
}

/** Largest free interval of a run, given what already sits on it. */
function freeGaps(run: Run): [number, number][] {
  const taken = [...run.items].sort((a, b) => a.from - b.from);
  const gaps: [number, number][] = [];
  let at = 0;
  for (const t of taken) {
    if (t.from > at + EPS) gaps.push([at, t.from]);
    at = Math.max(at, t.to);
  }
  if (run.length > at + EPS) gaps.push([at, run.length]);
  return gaps;
}

/**
 * Puts an item of `want` m as near `target` (m along the route) as the free space allows: in the
 * run holding the target if it fits there, else in the nearest run with room, else shortened to
 * the largest gap left.
 */
function place(runs: Run[], target: number, want: number, item: Omit<Placed, "from" | "to">): void {
  const byNearness = [...runs].sort((a, b) => distanceTo(a, target) - distanceTo(b, target));
  for (const run of byNearness) {
    const local = Math.min(Math.max(target - run.offset, 0), run.length);
    for (const [a, b] of freeGaps(run).sort((x, y) => gapDistance(x, local) - gapDistance(y, local))) {
      if (b - a + EPS < want) continue;
      const from = Math.min(Math.max(local - want / 2, a), b - want);
      run.items.push({ ...item, from, to: from + want });
      return;
    }
  }
  let best: { run: Run; gap: [number, number] } | undefined;
  for (const run of runs) {
    for (const gap of freeGaps(run)) if (!best || gap[1] - gap[0] > best.gap[1] - best.gap[0]) best = { run, gap };
  }
  if (best) best.run.items.push({ ...item, from: best.gap[0], to: best.gap[1] });
}

function distanceTo(run: Run, target: number): number {
  return target < run.offset ? run.offset - target : Math.max(0, target - run.offset - run.length);
}

function gapDistance([a, b]: [number, number], x: number): number {
  return x < a ? a - x : Math.max(0, x - b);
}

const mm = (v: number) => (v * 1000).toFixed(1);
const point = (p: V3, bore: number) => `${mm(p[0])} ${mm(p[1])} ${mm(p[2])} ${bore}`;

const VALVE_SKEYS: Partial<Record<Component["type"], string>> = {
  gate_valve: "VTFL",
  globe_valve: "VGFL",
  ball_valve: "VBFL",
  butterfly_valve: "VYFL",
  check_valve: "CKFL",
  control_valve: "VCFL",
  relief_valve: "VRFL",
  plug_valve: "VPFL",
  needle_valve: "VNFL",
};

/** PCF component keyword of an inline component; a spec break is a change of attributes, not a piece. */
function keyword(c: Component): string | undefined {
  if (c.type === "spec_break") return undefined;
  if (VALVE_SKEYS[c.type]) return "VALVE";
  if (c.type === "reducer") return "REDUCER-CONCENTRIC";
  if (c.type === "strainer") return "FILTER";
  return "MISC-COMPONENT";
}

function componentLength(c: Component, dn: number): number {
  const d = dn / 1000;
  if (c.type === "reducer") return Math.max(0.1, 0.8 * d);
  if (VALVE_SKEYS[c.type]) return Math.max(0.1, 2 * d);
  return Math.max(0.05, 0.5 * d);
}

/** Where lines branching off `line` leave it: the branch route's end at that side, and the next point along it. */
function branchPoints(design: Design, line: Line): { at: V3; towards: V3 }[] {
  const out: { at: V3; towards: V3 }[] = [];
  for (const other of design.lines) {
    const r = other.route;
    if (!r || r.length < 2) continue;
    if (branchLine(other.from) === line.id) out.push({ at: r[0]!, towards: r[1]! });
    if (branchLine(other.to) === line.id) out.push({ at: r[r.length - 1]!, towards: r[r.length - 2]! });
  }
  return out;
}

/** Distance along the route of the point nearest `p` that lies inside a run, when `p` is on one. */
function onRun(runs: readonly Run[], p: V3): { run: Run; at: number } | undefined {
  for (const run of runs) {
    const t =
      (p[0] - run.start[0]) * run.dir[0] + (p[1] - run.start[1]) * run.dir[1] + (p[2] - run.start[2]) * run.dir[2];
    if (t < -1e-6 || t > run.length + 1e-6) continue;
    if (len(sub(add(run.start, mul(run.dir, t)), p)) < 1e-6) return { run, at: t };
  }
  return undefined;
}

function pipeline(design: Design, line: Line, route: readonly V3[]): string[] {
  const { runs, bends } = runsAndBends(route, line.size);
  const total = runs.length > 0 ? runs[runs.length - 1]!.offset + runs[runs.length - 1]!.length : 0;
  const flange = Math.max(0.08, (0.5 * line.size) / 1000);
  const first = runs[0];
  const last = runs[runs.length - 1];
  // Nozzle ends first: a weld-neck flange meets the nozzle.
  if (first && isNozzleEnd(line.from)) {
    first.items.push({ kind: "FLANGE", from: 0, to: Math.min(flange, first.length / 3) });
  }
  if (last && isNozzleEnd(line.to)) {
    last.items.push({ kind: "FLANGE", from: last.length - Math.min(flange, last.length / 3), to: last.length });
  }
  for (const b of branchPoints(design, line)) {
    const found = onRun(runs, b.at);
    if (!found) continue;
    const half = Math.max(0.05, (0.9 * line.size) / 1000);
    place([found.run], found.run.offset + found.at, 2 * half, { kind: "TEE", branchTowards: b.towards });
  }
  const comps = line.components.filter((c) => keyword(c) !== undefined);
  for (const [i, c] of comps.entries()) {
    const at = (c.at ?? (i + 1) / (comps.length + 1)) * total;
    place(runs, at, componentLength(c, line.size), { kind: "COMPONENT", component: c });
  }

  const out = [`PIPELINE-REFERENCE ${line.id}`];
  if (line.spec) out.push(`    PIPING-SPEC ${line.spec}`);
  if (line.fluid) out.push(`    ATTRIBUTE1 ${line.fluid}`);
  out.push(`    ATTRIBUTE2 ${line.service}`);
  let bore = line.size;
  const piece = (kind: string, a: V3, b: V3, extra: string[] = [], boreOut = bore) => {
    out.push(kind, `    END-POINT ${point(a, bore)}`, `    END-POINT ${point(b, boreOut)}`, ...extra);
  };
  const at = (run: Run, d: number) => add(run.start, mul(run.dir, d));
  for (const [i, run] of runs.entries()) {
    let cursor = 0;
    for (const it of [...run.items].sort((a, b) => a.from - b.from)) {
      if (it.from > cursor + EPS) piece("PIPE", at(run, cursor), at(run, it.from));
      const a = at(run, it.from);
      const b = at(run, it.to);
      if (it.kind === "FLANGE") piece("FLANGE", a, b, ["    SKEY FLWN"]);
      else if (it.kind === "TEE") {
        const c = at(run, (it.from + it.to) / 2);
        const branch = add(c, mul(unit(sub(it.branchTowards!, c)), (it.to - it.from) / 2));
        piece("TEE", a, b, [
          `    CENTRE-POINT ${point(c, bore)}`,
          `    BRANCH1-POINT ${point(branch, bore)}`,
          "    SKEY TEBW",
        ]);
      } else {
        const c = it.component!;
        const kw = keyword(c)!;
        const extra = [
          ...(VALVE_SKEYS[c.type] ? [`    SKEY ${VALVE_SKEYS[c.type]}`] : []),
          `    ITEM-DESCRIPTION ${c.type}`,
          ...(c.tag ? [`    COMPONENT-IDENTIFIER ${c.tag}`] : []),
        ];
        const boreOut = c.type === "reducer" && c.size !== undefined ? c.size : bore;
        piece(kw, a, b, extra, boreOut);
        bore = boreOut;
      }
      cursor = Math.max(cursor, it.to);
    }
    if (run.length > cursor + EPS) piece("PIPE", at(run, cursor), at(run, run.length));
    const bend = bends[i];
    if (bend) piece("ELBOW", bend.in, bend.out, [`    CENTRE-POINT ${point(bend.center, bore)}`, "    SKEY ELBW"]);
  }
  return out;
}

export function writePcf(design: Design): string {
  const out = [
    "ISOGEN-FILES ISOGEN.FLS",
    "UNITS-BORE MM",
    "UNITS-CO-ORDS MM",
    "UNITS-WEIGHT KGS",
    "UNITS-BOLT-DIA MM",
    "UNITS-BOLT-LENGTH MM",
  ];
  out.push(`PROJECT-IDENTIFIER ${design.id}`);
  for (const line of design.lines) {
    if (!line.route || line.route.length < 2) continue;
    out.push(...pipeline(design, line, line.route as readonly V3[]));
  }
  return `${out.join("\r\n")}\r\n`;
}
