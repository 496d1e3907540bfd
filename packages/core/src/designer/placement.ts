import { planSize } from "../design/geometry.js";
import type { Equipment, KeepOut, Rack, RulePack, Site } from "../design/types.js";
import { compileRequirements, type Requirements } from "../legalise/requirements.js";
import type { Topology } from "./builder.js";
import type { EquipmentDraft } from "./catalogue.js";
import { type Rng, round } from "./rng.js";

/** How the plot is arranged. */
export type Arrangement = "two_sides" | "one_side" | "no_rack";

/** The drawn layout choices (placement.ts draws them from the seed unless a request gives them). */
export interface LayoutStyle {
  readonly arrangement: Arrangement;
  /** Whole-layout turn, degrees: the rack runs along x for 0/180, along y for 90/270. */
  readonly orientation: 0 | 90 | 180 | 270;
  readonly rackWidth: number;
  readonly rackLevels: readonly number[];
  /** Extra free space between neighbours along a row and between rows (routing corridors), m. */
  readonly slack: number;
  readonly rowSlack: number;
  /** Plot margin on each side of the layout (west, east, south, north of the local frame), m. */
  readonly margins: readonly [number, number, number, number];
  /** Site edges with a road strip (local frame: 0 low-u, 1 high-u, 2 low-v, 3 high-v). */
  readonly roads: readonly number[];
  /** Buildings (control room, substation) along the edges. */
  readonly buildings: number;
  readonly gridSize: number;
  /** Draw a wind direction (always when fired items exist). */
  readonly wind: boolean;
  /**
   * Where the tank/utility yard goes: 0 in line beyond the downwind end of the rack; -1 or 1 to one
   * side of that end, reached by a second rack that turns off the first (an L).
   */
  readonly yardSide: -1 | 0 | 1;
}

/** The grid the designer lays its plots out on (and puts nozzles on whole steps of), m. */
export const DESIGNER_GRID = 1;

export interface Placement {
  readonly site: Site;
  readonly positions: ReadonlyMap<string, { x: number; y: number; rotation: 0 | 90 | 180 | 270 }>;
}

type Rotation = 0 | 90 | 180 | 270;

interface Slot {
  readonly draft: EquipmentDraft;
  readonly eq: Equipment;
  /** Local frame position (u along the rack, v across) and turn. */
  u: number;
  v: number;
  rotation: Rotation;
  w: number;
  d: number;
}

export function drawStyle(rng: Rng, topology: Topology, overrides: Partial<LayoutStyle> = {}): LayoutStyle {
  const processCount = topology.equipment.filter((e) => e.zone === "process").length;
  const arrangement: Arrangement =
    overrides.arrangement ??
    (processCount <= 6
      ? rng.weighted<Arrangement>([
          ["no_rack", 2],
          ["one_side", 2],
          ["two_sides", 1],
        ])
      : processCount <= 12
        ? rng.weighted<Arrangement>([
            ["one_side", 1],
            ["two_sides", 3],
          ])
        : rng.weighted<Arrangement>([
            ["one_side", 1],
            ["two_sides", 4],
          ]));
  const levels = rng.pick<readonly number[]>([
    [5, 7],
    [4.5, 6.5],
    [5, 7, 9],
    [6, 8],
  ]);
  const edge = () => rng.step(4, 14, 1);
  const roads = [0, 1, 2, 3].filter(() => rng.chance(0.35));
  return {
    arrangement,
    orientation: overrides.orientation ?? rng.pick<Rotation>([0, 90, 180, 270]),
    rackWidth: overrides.rackWidth ?? rng.step(6, 10, 1),
    rackLevels: overrides.rackLevels ?? levels,
    slack: overrides.slack ?? rng.step(1, 4, 0.5),
    rowSlack: overrides.rowSlack ?? rng.step(2, 5, 0.5),
    margins: overrides.margins ?? [edge(), edge(), edge(), edge()],
    roads: overrides.roads ?? roads,
    buildings:
      overrides.buildings ??
      rng.weighted([
        [0, 3],
        [1, 3],
        [2, 1],
      ]),
    gridSize: overrides.gridSize ?? DESIGNER_GRID,
    wind: overrides.wind ?? rng.chance(0.85),
    yardSide:
      overrides.yardSide ??
      rng.weighted<-1 | 0 | 1>([
        [0, 2],
        [1, 1],
        [-1, 1],
      ]),
  };
}

/**
 * Places a drawn P&ID on a plot, following layout practice (PIP PNE00003, CCPS siting guidelines):
 * - process items along a pipe rack in process order, pumps nearest the rack, drums and exchangers
 *   behind them, columns, reactors and compressors farthest (rows);
 * - fired items at the upwind end, clear of flammables by the pack's spacing; the wind is drawn to
 *   blow from that end;
 * - the flare beyond them, clear of flammables and tanks by the pack's flare distance;
 * - tanks and utilities in their own area at the downwind end;
 * - roads and buildings on the plot's edges, outside the margins.
 * The layout is built in a local frame (u along the rack, v across) and turned as a whole.
 */
export function placeTopology(topology: Topology, rng: Rng, pack: RulePack, style: LayoutStyle): Placement {
  const slots = topology.equipment.map((draft) => makeSlot(draft, rng));
  const req = compileRequirements(
    pack,
    slots.map((s) => s.eq),
  );
  const need = (a: Slot, b: Slot) => req.pair(a.eq, b.eq) + 0.01;
  // Every gap gets 2 m over the pack's distance plus a drawn slack: room for the pipes that leave
  // facing nozzles (the router keeps a grid step off every body).
  const jitter = () => 2 + rng.step(0, style.slack, 0.5);

  const process = slots.filter((s) => s.draft.zone === "process");
  const fired = slots.filter((s) => s.draft.zone === "fired");
  const flare = slots.filter((s) => s.draft.zone === "flare");
  const yard = slots.filter((s) => s.draft.zone === "tankage" || s.draft.zone === "utility");

  const hasRack = style.arrangement !== "no_rack";
  const rackHalf = hasRack ? style.rackWidth / 2 : rng.step(1.5, 3, 0.5);
  const rackClear = hasRack ? req.rack + 0.5 : 0;
  // Rack ends keep clear of items by the pack's distance, the legaliser's margin and a little more.
  const rackGap = req.rack + 2;
  placeProcess(process, style, rng, need, rackHalf + rackClear, jitter);

  // Rack: under the whole process block.
  const box = bounds(process);
  let rackFrom = box.minU - 2;
  let rackTo = box.maxU + 2;
  const racks: LocalRect[] = [];

  // Fired area, upwind (low u).
  if (fired.length > 0) {
    const flam = [...process, ...yard];
    const gap = Math.max(...fired.flatMap((f) => flam.map((p) => need(f, p))), 3) + jitter();
    let v = 0;
    const column: Slot[] = [];
    for (const f of fired) {
      if (column.length > 0) {
        const prev = column[column.length - 1]!;
        v += prev.d / 2 + need(prev, f) + jitter() + f.d / 2;
      }
      f.v = v;
      column.push(f);
    }
    const shift = v / 2;
    const right = box.minU - gap;
    for (const f of fired) {
      f.v -= shift;
      f.u = right - f.w / 2;
    }
    // The rack reaches the fired area: heater lines run on it.
    if (hasRack) rackFrom = Math.min(rackFrom, right + rackGap);
  }

  // Tank and utility yard, downwind (high u): in line, or to one side reached by a second rack.
  if (yard.length > 0) {
    const side = hasRack && process.length > 0 ? style.yardSide : 0;
    const turn = side !== 0 ? style.rackWidth + 2 * rackGap : 0;
    placeYard(yard, (process.length > 0 ? box.maxU : 0) + turn, [...process], rng, need, jitter);
    if (side !== 0) {
      const yb = bounds(yard);
      const dv = side > 0 ? Math.max(rackHalf, box.maxV) - yb.minV : Math.min(-rackHalf, box.minV) - yb.maxV;
      for (const s of yard) s.v += dv;
      const u2 = box.maxU + rackGap;
      const reach = side > 0 ? Math.max(...yard.map((s) => s.v)) : Math.min(...yard.map((s) => s.v));
      racks.push({
        u0: Math.floor(u2),
        u1: Math.floor(u2) + style.rackWidth,
        v0: side > 0 ? -rackHalf : Math.floor(reach),
        v1: side > 0 ? Math.ceil(reach) : rackHalf,
      });
      rackTo = Math.floor(u2) + style.rackWidth;
    } else if (hasRack) {
      rackTo = Math.max(rackTo, Math.min(...yard.map((s) => s.u - s.w / 2)) - rackGap);
    }
  }
  if (hasRack) racks.unshift({ u0: Math.floor(rackFrom), u1: Math.ceil(rackTo), v0: -rackHalf, v1: rackHalf });

  // Flare: upwind of everything, clear of flammables and tanks by the pack's distance.
  if (flare.length > 0) {
    const others = slots.filter((s) => s.draft.zone !== "flare");
    const all = bounds(others);
    let v = rng.float(all.minV * 0.5, all.maxV * 0.5);
    for (const f of flare) {
      // Its east edge stops short of every item's west edge by what the pair needs.
      const right = Math.min(...others.map((o) => o.u - o.w / 2 - need(f, o))) - jitter();
      f.u = right - f.w / 2;
      f.v = round(v, 1);
      v += f.d + 3;
    }
  }

  return toSite(slots, style, rng, racks, fired.length > 0, req);
}

function makeSlot(draft: EquipmentDraft, rng: Rng): Slot {
  let rotation: Rotation = 0;
  switch (draft.type) {
    case "pump":
    case "heat_exchanger":
      rotation = rng.chance(0.5) ? 0 : 180;
      break;
    case "vessel":
    case "compressor":
    case "air_cooler":
      rotation = rng.weighted<Rotation>([
        [0, 3],
        [180, 3],
        [90, 1],
        [270, 1],
      ]);
      break;
    default:
      rotation = 0;
  }
  const eq = draftEquipment(draft, rotation);
  const { width, depth } = planSize(eq);
  return { draft, eq, u: 0, v: 0, rotation, w: width, d: depth };
}

/** Enough of an Equipment for the requirement look-ups (type, hazard, footprint, rotation). */
function draftEquipment(d: EquipmentDraft, rotation: Rotation): Equipment {
  return { tag: d.tag, type: d.type, footprint: d.footprint, hazard: d.hazard, z: 0, rotation, nozzles: [] };
}

/**
 * Process items: groups in process order take the next bay on a side of the rack; within a group,
 * each row fills from the bay's start. Rows stack away from the rack.
 */
function placeProcess(
  items: Slot[],
  style: LayoutStyle,
  rng: Rng,
  need: (a: Slot, b: Slot) => number,
  inner: number,
  jitter: () => number,
): void {
  if (items.length === 0) return;
  const groups = new Map<string, Slot[]>();
  const order = [...items].sort((a, b) => a.draft.seq - b.draft.seq);
  for (const s of order) groups.set(s.draft.group, [...(groups.get(s.draft.group) ?? []), s]);
  const sides = style.arrangement === "one_side" ? [1] : [1, -1];
  const cursor = new Map<string, { edge: number; last: Slot | undefined }>();
  const at = (side: number, row: number) => {
    const key = `${side}:${row}`;
    let c = cursor.get(key);
    if (!c) {
      c = { edge: 0, last: undefined };
      cursor.set(key, c);
    }
    return c;
  };
  const rowsBySide = new Map<number, Map<number, Slot[]>>();
  for (const [, group] of groups) {
    const rows = [...new Set(group.map((s) => s.draft.row))].sort((a, b) => a - b);
    const start = (side: number) => Math.max(...rows.map((r) => at(side, r).edge));
    let side = sides[0]!;
    if (sides.length > 1) {
      const a = start(1);
      const b = start(-1);
      side = Math.abs(a - b) < 3 ? rng.pick([1, -1]) : a < b ? 1 : -1;
    }
    const bay = start(side);
    for (const r of rows) {
      const c = at(side, r);
      for (const s of group.filter((g) => g.draft.row === r)) {
        const left = c.last ? Math.max(bay, c.edge + need(c.last, s) + jitter()) : bay;
        s.u = left + s.w / 2;
        c.edge = left + s.w;
        c.last = s;
        const bySide = rowsBySide.get(side) ?? new Map<number, Slot[]>();
        rowsBySide.set(side, bySide);
        bySide.set(r, [...(bySide.get(r) ?? []), s]);
      }
    }
  }
  // Rows away from the rack: each row as deep as its deepest item, then the largest gap any pair
  // across the two rows needs.
  for (const [side, rows] of rowsBySide) {
    const keys = [...rows.keys()].sort((a, b) => a - b);
    let edge = inner + rng.step(1, style.rowSlack, 0.5);
    let prev: Slot[] | undefined;
    for (const r of keys) {
      const row = rows.get(r)!;
      if (prev) {
        let gap = 0;
        for (const a of prev) for (const b of row) gap = Math.max(gap, need(a, b));
        edge += gap + rng.step(2.5, style.rowSlack + 2, 0.5);
      }
      const depth = Math.max(...row.map((s) => s.d));
      for (const s of row) s.v = side * (edge + s.d / 2);
      edge += depth;
      prev = row;
    }
  }
}

/** Tanks and utilities in a grid downwind of the process block. */
function placeYard(
  yard: Slot[],
  startU: number,
  process: Slot[],
  rng: Rng,
  need: (a: Slot, b: Slot) => number,
  jitter: () => number,
): void {
  const gapToProcess = Math.max(8, ...yard.flatMap((y) => process.map((p) => need(y, p)))) + jitter();
  const perColumn = Math.max(1, Math.round(Math.sqrt(yard.length / rng.float(0.8, 2))));
  const columns: Slot[][] = [];
  for (let k = 0; k < yard.length; k += perColumn) columns.push(yard.slice(k, k + perColumn));
  let left = startU + gapToProcess;
  let prevColumn: Slot[] | undefined;
  for (const col of columns) {
    if (prevColumn) {
      let gap = 0;
      for (const a of prevColumn) for (const b of col) gap = Math.max(gap, need(a, b));
      left += gap + jitter() + 1;
    }
    const width = Math.max(...col.map((s) => s.w));
    let v = 0;
    col.forEach((s, k) => {
      if (k > 0) {
        const p = col[k - 1]!;
        v += p.d / 2 + need(p, s) + jitter() + 1 + s.d / 2;
      }
      s.v = v;
      s.u = left + width / 2;
    });
    for (const s of col) s.v -= v / 2;
    left += width;
    prevColumn = col;
  }
}

function bounds(slots: readonly Slot[]): { minU: number; maxU: number; minV: number; maxV: number } {
  if (slots.length === 0) return { minU: 0, maxU: 0, minV: 0, maxV: 0 };
  return {
    minU: Math.min(...slots.map((s) => s.u - s.w / 2)),
    maxU: Math.max(...slots.map((s) => s.u + s.w / 2)),
    minV: Math.min(...slots.map((s) => s.v - s.d / 2)),
    maxV: Math.max(...slots.map((s) => s.v + s.d / 2)),
  };
}

interface LocalRect {
  u0: number;
  u1: number;
  v0: number;
  v1: number;
}

/**
 * Fixes the plot around the layout: margins, roads and buildings outside them, then turns the local
 * frame into plot coordinates (origin south-west) and draws the wind.
 */
function toSite(
  slots: Slot[],
  style: LayoutStyle,
  rng: Rng,
  rackRects: readonly LocalRect[],
  hasFired: boolean,
  req: Requirements,
): Placement {
  const box = bounds(slots);
  const [mW, mE, mS, mN] = style.margins;
  let u0 = Math.min(box.minU, ...rackRects.map((r) => r.u0)) - mW;
  let u1 = Math.max(box.maxU, ...rackRects.map((r) => r.u1)) + mE;
  let v0 = Math.min(box.minV, ...rackRects.map((r) => r.v0)) - mS;
  let v1 = Math.max(box.maxV, ...rackRects.map((r) => r.v1)) + mN;
  // Tanks keep their distance to the property line (NFPA 30 Table 22.4.1.1(a)): the plot grows
  // past the drawn margin where a tank needs more. Roads and buildings only widen it further.
  for (const s of slots) {
    const need = req.boundary(s.eq);
    if (need <= 0) continue;
    u0 = Math.min(u0, s.u - s.w / 2 - need - SITING_PAD);
    u1 = Math.max(u1, s.u + s.w / 2 + need + SITING_PAD);
    v0 = Math.min(v0, s.v - s.d / 2 - need - SITING_PAD);
    v1 = Math.max(v1, s.v + s.d / 2 + need + SITING_PAD);
  }
  u0 = Math.floor(u0);
  v0 = Math.floor(v0);
  u1 = Math.ceil(u1);
  v1 = Math.ceil(v1);
  /**
   * How much farther out than the plot's current edge a building of `kind` must stand: what the
   * items nearest that edge owe it (a substation: the classified area around flammables, API RP 505).
   */
  const setBack = (kind: KeepOut["kind"], edge: number): number => {
    let gap = 0;
    for (const s of slots) {
      const need = req.keepOut(s.eq, kind);
      if (need <= 0) continue;
      const dist =
        edge === 0
          ? s.u - s.w / 2 - u0
          : edge === 1
            ? u1 - s.u - s.w / 2
            : edge === 2
              ? s.v - s.d / 2 - v0
              : v1 - s.v - s.d / 2;
      gap = Math.max(gap, Math.ceil(need + SITING_PAD - dist));
    }
    return gap;
  };

  const keepOut: { id: string; kind: KeepOut["kind"]; r: LocalRect }[] = [];
  // Buildings: a strip beyond one margin, at a drawn position along it.
  for (let k = 0; k < style.buildings; k++) {
    const edge = rng.int(0, 3);
    const bw = rng.step(10, 24, 1);
    const bd = rng.step(8, 14, 1);
    const kind = rng.pick(["building", "substation"] as const);
    const along = (lo: number, hi: number, size: number) => Math.round(lo + rng.float(0, Math.max(0, hi - lo - size)));
    const g = setBack(kind, edge);
    let r: LocalRect;
    if (edge === 0 || edge === 1) {
      const v = along(v0, v1, bw);
      r =
        edge === 0
          ? { u0: u0 - g - bd, u1: u0 - g, v0: v, v1: v + bw }
          : { u0: u1 + g, u1: u1 + g + bd, v0: v, v1: v + bw };
      if (edge === 0) u0 -= g + bd + 2;
      else u1 += g + bd + 2;
    } else {
      const u = along(u0, u1, bw);
      r =
        edge === 2
          ? { u0: u, u1: u + bw, v0: v0 - g - bd, v1: v0 - g }
          : { u0: u, u1: u + bw, v0: v1 + g, v1: v1 + g + bd };
      if (edge === 2) v0 -= g + bd + 2;
      else v1 += g + bd + 2;
    }
    keepOut.push({ id: `${kind === "building" ? "BLDG" : "SUB"}-${k + 1}`, kind, r });
  }
  // Roads: full-length strips on the chosen edges, outside everything else. Whole metres: the
  // plot, and everything on it, lies on the grid.
  const roadWidth = rng.step(6, 8, 1);
  u0 = Math.floor(u0) - (style.roads.includes(0) ? roadWidth : 0);
  u1 = Math.ceil(u1) + (style.roads.includes(1) ? roadWidth : 0);
  v0 = Math.floor(v0) - (style.roads.includes(2) ? roadWidth : 0);
  v1 = Math.ceil(v1) + (style.roads.includes(3) ? roadWidth : 0);
  const roads: { edge: number; r: LocalRect }[] = style.roads.map((edge) => ({
    edge,
    r:
      edge === 0
        ? { u0, u1: u0 + roadWidth, v0, v1 }
        : edge === 1
          ? { u0: u1 - roadWidth, u1, v0, v1 }
          : edge === 2
            ? { u0, u1, v0, v1: v0 + roadWidth }
            : { u0, u1, v0: v1 - roadWidth, v1 },
  }));
  const θ = style.orientation;
  const localW = u1 - u0;
  const localD = v1 - v0;
  const turned = θ === 90 || θ === 270;
  const width = turned ? localD : localW;
  const depth = turned ? localW : localD;
  // Local (u, v) relative to (u0, v0) -> plot (x, y).
  const toPlot = (u: number, v: number): [number, number] => {
    const a = u - u0;
    const b = v - v0;
    switch (θ) {
      case 90:
        return [localD - b, a];
      case 180:
        return [localW - a, localD - b];
      case 270:
        return [b, localW - a];
      default:
        return [a, b];
    }
  };
  const rectToPlot = (r: LocalRect) => {
    const [xa, ya] = toPlot(r.u0, r.v0);
    const [xb, yb] = toPlot(r.u1, r.v1);
    return {
      x: clean(Math.min(xa, xb)),
      y: clean(Math.min(ya, yb)),
      width: clean(Math.abs(xb - xa)),
      depth: clean(Math.abs(yb - ya)),
    };
  };

  // Roads are named by the plot edge they end up on.
  for (const road of roads) {
    const r = rectToPlot(road.r);
    const edge = r.x === 0 && r.width < width ? "W" : r.y === 0 && r.depth < depth ? "S" : r.x > 0 ? "E" : "N";
    keepOut.push({ id: `road-${edge}`, kind: "road", r: road.r });
  }
  const positions = new Map<string, { x: number; y: number; rotation: Rotation }>();
  for (const s of slots) {
    const [x, y] = toPlot(s.u, s.v);
    positions.set(s.draft.tag, { x: clean(x), y: clean(y), rotation: ((s.rotation + θ) % 360) as Rotation });
  }
  // The first rack runs along u, a second (the L's turn) along v; the plot axis follows the turn.
  const racks: Rack[] = rackRects.map((rect, k) => {
    const r = rectToPlot(rect);
    const alongU = k === 0;
    const axis = alongU !== turned ? "x" : "y";
    return {
      id: `R${k + 1}`,
      x: r.x,
      y: r.y,
      length: axis === "x" ? r.width : r.depth,
      width: axis === "x" ? r.depth : r.width,
      axis,
      levels: [...style.rackLevels] as unknown as Rack["levels"],
    };
  });
  const site: Site = {
    width,
    depth,
    gridSize: style.gridSize,
    keepOut: keepOut.map((k) => ({ id: k.id, kind: k.kind, ...rectToPlot(k.r) })),
    racks,
    ...(hasFired || style.wind ? { windFrom: windFrom(θ, hasFired, rng) } : {}),
  };
  return { site, positions };
}

/**
 * The wind direction, degrees clockwise from north it blows from. With fired items the wind blows
 * from the local low-u end (where they stand) within ±20 degrees, so they stay upwind.
 */
function windFrom(θ: number, hasFired: boolean, rng: Rng): number {
  if (!hasFired) return rng.int(0, 359);
  // Local -u turned by θ (counter-clockwise) gives the plot direction the wind comes from.
  const rad = (θ * Math.PI) / 180;
  const dx = -Math.cos(rad);
  const dy = -Math.sin(rad);
  const bearing = (Math.atan2(dx, dy) * 180) / Math.PI;
  const w = Math.round(bearing + rng.int(-20, 20));
  return ((w % 360) + 360) % 360;
}

/** Metres kept beyond a siting distance (property line, classified area): over the legaliser's margin. */
const SITING_PAD = 2;

function clean(v: number): number {
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? 0 : r;
}
