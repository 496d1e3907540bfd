import type { Design } from "../design/types.js";
import { cells, cellsToMetres, type Metres, metres, stepsToCover } from "../design/units.js";
import { Layout } from "./layout.js";
import type { Requirements } from "./requirements.js";
import { type Cause, type ResolveOutcome, resolveConflicts } from "./resolve.js";
import { snapValue } from "./snap.js";

/**
 * Scale factors tried about the cluster's centroid, smallest first (the least spreading that
 * works wins); Infinity: as far as the site allows.
 */
const SCALES = [1, 1.25, 1.5, 2, 3, Number.POSITIVE_INFINITY] as const;

/**
 * Per scale, what runs before the single-move pass: nothing, or sweeps that place the items one by
 * one along the site's long axis (up then down, or down then up), each at the nearest position clear
 * of those already placed: order-preserving packing for rows of large items (a tank farm's tanks).
 * The second sweep packs back what the first pushed past the far end.
 */
const SWEEPS: readonly (readonly (1 | -1)[])[] = [[], [1, -1], [-1, 1]];

/**
 * A stuck item becomes an anchor when the disc it keeps clear covers this share of the site or
 * more: a flare (61 m) on the eval sites covers 55–140%, the largest tank 24% at most. Such an item
 * cannot be fitted among the others by spreading them; they must make room around it instead.
 */
const ANCHOR_SHARE = 0.4;

/** Site points scored per anchor search at most (the step grows with the site). */
const ANCHOR_POINTS = 20_000;

export interface SpreadOutcome {
  readonly layout: Layout;
  readonly outcome: ResolveOutcome;
  /** `spread` for every item this pass moved (legalise.ts names the rule an item broke first, when it broke one). */
  readonly causes: ReadonlyMap<number, Cause>;
  /** Candidate positions tested, anchor scoring included. */
  readonly candidates: number;
}

/**
 * Second pass for layouts the single-item moves could not clear: a dense cluster, or an item whose
 * clearances (a flare's 61 m) leave it no room among the others wherever they stand.
 *
 * 1. Anchors: items the first pass found no position for and whose clearances cover much of the
 *    site (ANCHOR_SHARE), largest reach first, each go to the site point where they fall shortest
 *    of the others' distances (summed), nearest to where they stood on ties; they then stay put,
 *    and what stands too close to them moves instead.
 * 2. The other movable items are scaled about their centroid, per axis, keeping their relative
 *    arrangement (capped where the cluster's extent reaches the site's), and snapped.
 * 3. Optionally sweeps (SWEEPS), then the first pass's single moves, on that layout.
 * Scale factors are tried smallest first; the first layout with nothing unresolved is kept, else
 * the one with fewest unresolved items. Deterministic. Returns undefined when there is nothing to spread.
 */
export function spreadConflicts(
  design: Design,
  req: Requirements,
  margin: Metres,
  movable: (i: number) => boolean,
  start: { readonly x: Float64Array; readonly y: Float64Array },
  grid: Metres,
  maxDistance: Metres,
  stuck: ReadonlySet<number>,
): SpreadOutcome | undefined {
  const base = new Layout(design, req, margin, grid);
  const n = design.equipment.length;
  const movers = Array.from({ length: n }, (_, i) => i).filter((i) => base.isPlaced(i) && movable(i));
  if (movers.length === 0) return undefined;

  // 1. Anchors, scored against everything else where it stands.
  const [width, depth] = base.site;
  const anchors = [...stuck]
    .filter((i) => base.isPlaced(i) && movable(i) && clearanceShare(base, req, margin, i) >= ANCHOR_SHARE)
    .sort((a, b) => reachOf(req, design, b) - reachOf(req, design, a) || area(design, b) - area(design, a) || a - b);
  const placedAnchors = new Set<number>();
  // Fixed items and anchors already placed cannot make room; the rest can.
  const hard = (j: number) => !movable(j) || placedAnchors.has(j);
  let candidates = 0;
  for (const a of anchors) {
    const spot = bestAnchorSpot(base, a, grid, start, hard);
    candidates += spot.tested;
    if (spot.at) base.move(a, spot.at[0], spot.at[1]);
    placedAnchors.add(a);
  }

  // 2–3. Spread the rest, then resolve; smallest scale that clears everything.
  const anchorSet = new Set(anchors);
  const rest = movers.filter((i) => !anchorSet.has(i));
  const centre = [mean(rest.map((i) => base.x[i]!)), mean(rest.map((i) => base.y[i]!))] as const;
  let best: SpreadOutcome | undefined;
  let previous = { sx: Number.NaN, sy: Number.NaN };
  for (const s of SCALES) {
    const sx = fitScale(base, rest, 0, centre[0], s, width);
    const sy = fitScale(base, rest, 1, centre[1], s, depth);
    const xs = placeAxis(base, rest, 0, centre[0], sx, width, grid);
    const ys = placeAxis(base, rest, 1, centre[1], sy, depth, grid);
    const equipment = design.equipment.map((e, i) => {
      if (!base.isPlaced(i) || !movable(i)) return e;
      const k = rest.indexOf(i);
      return k >= 0 ? { ...e, x: xs[k]!, y: ys[k]! } : { ...e, x: base.x[i]!, y: base.y[i]! };
    });
    let done = false;
    for (const sweep of SWEEPS) {
      const layout = new Layout({ ...design, equipment }, req, margin, grid);
      for (const dir of sweep) placeInSweep(layout, rest, dir, grid, maxDistance);
      const outcome = resolveConflicts(layout, (i) => movable(i) && !anchorSet.has(i), start, grid, maxDistance);
      const causes = new Map<number, Cause>();
      for (const i of movers) {
        if (layout.x[i] !== design.equipment[i]!.x || layout.y[i] !== design.equipment[i]!.y)
          causes.set(i, { reason: "spread" });
      }
      candidates += layout.candidates;
      if (!best || outcome.unresolved.length < best.outcome.unresolved.length)
        best = { layout, outcome, causes, candidates };
      if (outcome.unresolved.length === 0) {
        done = true;
        break;
      }
    }
    if (done) break;
    // Nothing scaled any further: larger factors would give the same layout.
    if (sx === previous.sx && sy === previous.sy) break;
    previous = { sx, sy };
  }
  return best ? { ...best, candidates } : undefined;
}

/**
 * Takes `items` off the layout and puts them back one at a time, large ones (a quarter of the
 * largest footprint or more) first, each group in sweep order along the site's long axis; an item
 * whose spot is taken goes to the nearest position clear of what is already placed (or stays, for
 * the resolve pass that follows to report).
 */
function placeInSweep(layout: Layout, items: readonly number[], dir: 1 | -1, grid: Metres, maxDistance: Metres): void {
  const [width, depth] = layout.site;
  const axis = width >= depth ? layout.x : layout.y;
  const other = width >= depth ? layout.y : layout.x;
  const areaOf = (i: number) => {
    const [hw, hd] = layout.halfSize(i);
    return 4 * hw * hd;
  };
  const largest = Math.max(...items.map(areaOf));
  const big = (i: number) => (areaOf(i) >= largest / 4 ? 0 : 1);
  const order = [...items].sort(
    (a, b) => big(a) - big(b) || dir * (axis[a]! - axis[b]!) || dir * (other[a]! - other[b]!) || a - b,
  );
  const at = order.map((i) => [layout.x[i]!, layout.y[i]!] as const);
  for (const i of order) layout.unplace(i);
  order.forEach((i, k) => {
    layout.move(i, at[k]![0], at[k]![1]);
    if (!layout.conflict(i)) return;
    const spot = layout.nearestLegal(i, grid, maxDistance);
    if (spot) layout.move(i, spot[0], spot[1]);
  });
}

/** Share of the site covered by the disc item `i` keeps clear of the items of this design. */
function clearanceShare(layout: Layout, req: Requirements, margin: Metres, i: number): number {
  const [width, depth] = layout.site;
  const e = layout.equipment[i]!;
  let need = 0;
  layout.equipment.forEach((o, j) => {
    if (j !== i && layout.isPlaced(j)) need = Math.max(need, req.pair(e, o));
  });
  const r = need + margin + Math.max(...layout.halfSize(i));
  return (Math.PI * r * r) / (width * depth);
}

function reachOf(req: Requirements, design: Design, i: number): number {
  return req.reach(design.equipment[i]!);
}

function area(design: Design, i: number): number {
  const f = design.equipment[i]!.footprint;
  return f.width * f.depth;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((t, v) => t + v, 0) / values.length;
}

/**
 * The site point (a lattice of grid multiples, coarser on big sites) where item `a` falls shortest of
 * the distances the others need: the emptiest place for an item with large clearances.
 */
function bestAnchorSpot(
  layout: Layout,
  a: number,
  grid: Metres,
  start: { readonly x: Float64Array; readonly y: Float64Array },
  hard: (j: number) => boolean,
): { at?: [number, number]; tested: number } {
  const [width, depth] = layout.site;
  const [hw, hd] = layout.halfSize(a);
  const step = cellsToMetres(
    cells(Math.max(1, stepsToCover(metres(Math.sqrt((width * depth) / ANCHOR_POINTS)), grid))),
    grid,
  );
  let best: [number, number] | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  let bestDistance = Number.POSITIVE_INFINITY;
  let tested = 0;
  for (let y = snapValue(metres(hd), grid); y <= depth - hd + 1e-9; y = snapValue(metres(y + step), grid)) {
    if (y < hd - 1e-9) continue;
    for (let x = snapValue(metres(hw), grid); x <= width - hw + 1e-9; x = snapValue(metres(x + step), grid)) {
      if (x < hw - 1e-9) continue;
      tested++;
      const score = layout.shortfallAt(a, x, y, hard);
      if (!Number.isFinite(score)) continue;
      const distance = Math.hypot(x - start.x[a]!, y - start.y[a]!);
      if (score < bestScore - 1e-9 || (Math.abs(score - bestScore) <= 1e-9 && distance < bestDistance - 1e-9)) {
        best = [x, y];
        bestScore = score;
        bestDistance = distance;
      }
    }
  }
  return best ? { at: best, tested } : { tested };
}

/**
 * The largest factor up to `s` by which the items' centres can be scaled about `c` along `axis`
 * with their footprints' extent still no wider than the site (bisection: the extent grows with it).
 */
function fitScale(layout: Layout, items: readonly number[], axis: 0 | 1, c: number, s: number, side: number): number {
  const extent = (f: number): number => {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const i of items) {
      const v = c + f * ((axis === 0 ? layout.x[i]! : layout.y[i]!) - c);
      const h = layout.halfSize(i)[axis];
      lo = Math.min(lo, v - h);
      hi = Math.max(hi, v + h);
    }
    return hi - lo;
  };
  if (extent(1) >= side) return 1;
  const cap = Number.isFinite(s) ? s : 1e3;
  if (extent(cap) <= side) return cap;
  let lo = 1;
  let hi = cap;
  for (let k = 0; k < 40; k++) {
    const mid = (lo + hi) / 2;
    if (extent(mid) <= side) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Centres scaled by `f` about `c` along `axis`, shifted as a whole to lie inside the site, snapped. */
function placeAxis(
  layout: Layout,
  items: readonly number[],
  axis: 0 | 1,
  c: number,
  f: number,
  side: number,
  grid: Metres,
): number[] {
  const scaled = items.map((i) => c + f * ((axis === 0 ? layout.x[i]! : layout.y[i]!) - c));
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  items.forEach((i, k) => {
    const h = layout.halfSize(i)[axis];
    lo = Math.min(lo, scaled[k]! - h);
    hi = Math.max(hi, scaled[k]! + h);
  });
  const shift = lo < 0 ? -lo : hi > side ? side - hi : 0;
  return items.map((i, k) => {
    const h = layout.halfSize(i)[axis];
    // Each item kept on the site by itself too (the shift is shared; snapping can push an edge out).
    const v = Math.min(side - h, Math.max(h, scaled[k]! + shift));
    return snapValue(metres(v), grid);
  });
}
