import RBush from "rbush";
import type { Rect } from "../design/geometry.js";
import type { Design, Equipment, Line, RulePack } from "../design/types.js";
import { metres } from "../design/units.js";
import { Layout } from "./layout.js";
import { compileRequirements } from "./requirements.js";
import { type Cause, resolveConflicts } from "./resolve.js";
import { cleanNumber, snapValue } from "./snap.js";
import { spreadConflicts } from "./spread.js";
import type { LegaliseOptions, LegaliseResult, Move, Unresolved } from "./types.js";

/**
 * Makes a placed design geometrically legal with the smallest moves it can find:
 * 1. snap every movable footprint centre to the site grid;
 * 2. find the items that break a rule (site boundary, keep-outs, rack clearance, overlap, the pack's
 *    spacing table, tank spacing, access clearance), each checked against its neighbours in an R-tree;
 * 3. move them, one at a time in design order, to the nearest legal grid position (resolve.ts);
 * 4. if some item found no position (a dense cluster, a flare among its neighbours), start again from
 *    the snapped layout with the spreading pass (spread.ts); keep it when it leaves less unresolved,
 *    or as much with less total displacement.
 * Fixed items never move. Lines whose routes the moves invalidate lose their route, ready for the
 * router. Deterministic: the same design, pack and options give the same result.
 */
/** Added to every required distance unless the options say otherwise (LegaliseOptions.margin). */
const DEFAULT_MARGIN = metres(0.5);

export function legalise(design: Design, pack: RulePack, options: LegaliseOptions = {}): LegaliseResult {
  const g = metres(design.site.gridSize);
  const snap = options.snap ?? true;
  const margin = options.margin ?? DEFAULT_MARGIN;
  const maxDistance = options.maxDistance ?? metres(Math.max(design.site.width, design.site.depth));
  const fixedTags = new Set(options.fixed ?? []);
  const unresolved: Unresolved[] = [];

  const known = new Set(design.equipment.map((e) => e.tag));
  for (const t of [...fixedTags].sort()) {
    if (!known.has(t))
      unresolved.push({ code: "unknown_fixed", tags: [t], message: `fixed tag ${t} is not in the design` });
  }
  const unplaced = design.equipment.filter((e) => e.x === undefined || e.y === undefined).map((e) => e.tag);
  if (unplaced.length > 0) {
    unresolved.push({
      code: "unplaced",
      tags: unplaced,
      message: `${unplaced.length} item(s) have no position; left alone`,
    });
  }

  const n = design.equipment.length;
  const start = { x: new Float64Array(n), y: new Float64Array(n) };
  const snapped: Equipment[] = design.equipment.map((e, i) => {
    if (e.x === undefined || e.y === undefined) return e;
    start.x[i] = e.x;
    start.y[i] = e.y;
    if (!snap || fixedTags.has(e.tag)) return e;
    const x = snapValue(metres(e.x), g);
    const y = snapValue(metres(e.y), g);
    return x === e.x && y === e.y ? e : { ...e, x, y };
  });
  const snappedDesign: Design = { ...design, equipment: snapped };

  const req = compileRequirements(pack, snapped);
  const v1 = options.v1 ?? false;
  // Nozzles keep a grid step off keep-outs, so the router finds a free point at each (not in v1).
  let layout = new Layout(snappedDesign, req, margin, v1 ? 0 : g);
  const movable = (i: number) => !fixedTags.has(snapped[i]!.tag);
  const first = resolveConflicts(layout, movable, start, g, maxDistance, v1);
  let outcome = first;
  let causeOf = (i: number): Cause | undefined => first.causes.get(i);
  let candidates = layout.candidates;
  // Some item found no position of its own: the spreading pass may clear the layout, or clear it with
  // less displacement (a flare pushed to the site's edge rather than everything pushed off the flare).
  if (first.stuck.size > 0 && !v1) {
    const spread = spreadConflicts(snappedDesign, req, margin, movable, start, g, maxDistance, first.stuck);
    if (spread) {
      candidates += spread.candidates;
      const fewer = spread.outcome.unresolved.length - first.unresolved.length;
      if (fewer < 0 || (fewer === 0 && displacement(spread.layout, start) < displacement(layout, start) - 1e-6)) {
        layout = spread.layout;
        outcome = spread.outcome;
        // The rule an item broke in the input names its move best; else what moved it in this pass.
        causeOf = (i) =>
          spread.causes.has(i)
            ? (first.initial.get(i) ?? spread.outcome.causes.get(i) ?? spread.causes.get(i))
            : undefined;
      }
    }
  }
  unresolved.push(...outcome.unresolved);

  const moves: Move[] = [];
  const movedRects: (Rect & { index: number })[] = [];
  let totalDisplacement = 0;
  const equipment = design.equipment.map((e, i) => {
    if (!layout.isPlaced(i)) return e;
    const x = cleanNumber(layout.x[i]!);
    const y = cleanNumber(layout.y[i]!);
    if (x === e.x && y === e.y) return e;
    const distance = Math.round(Math.hypot(x - start.x[i]!, y - start.y[i]!) * 1000) / 1000;
    const cause = causeOf(i);
    moves.push({
      tag: e.tag,
      from: [start.x[i]!, start.y[i]!],
      to: [x, y],
      distance,
      reason: cause?.reason ?? "snap",
      ...(cause?.against !== undefined ? { against: cause.against } : {}),
    });
    totalDisplacement += distance;
    movedRects.push({ ...layout.rectAt(i, x, y), index: i });
    return { ...e, x, y };
  });

  const staleRoutes = findStaleRoutes(design, movedRects);
  const stale = new Set(staleRoutes);
  const lines = stale.size === 0 ? design.lines : design.lines.map((l) => (stale.has(l.id) ? withoutRoute(l) : l));
  return {
    design: { ...design, equipment, lines },
    moves,
    unresolved,
    staleRoutes,
    stats: {
      conflictsBefore: first.conflictsBefore,
      candidates,
      totalDisplacement: Math.round(totalDisplacement * 1000) / 1000,
    },
  };
}

/** Sum of the distances of the placed items from where they stood before snapping, m. */
function displacement(layout: Layout, start: { readonly x: Float64Array; readonly y: Float64Array }): number {
  let total = 0;
  for (let i = 0; i < layout.equipment.length; i++) {
    if (layout.isPlaced(i)) total += Math.hypot(layout.x[i]! - start.x[i]!, layout.y[i]! - start.y[i]!);
  }
  return total;
}

function withoutRoute(line: Line): Line {
  const { route: _dropped, ...rest } = line;
  return rest;
}

/**
 * Lines whose route no longer fits: an end's equipment moved (its nozzle moved with it), or a moved
 * body now stands on the route. Route segments are looked up in an R-tree of the moved footprints.
 */
function findStaleRoutes(design: Design, moved: readonly (Rect & { index: number })[]): string[] {
  if (moved.length === 0) return [];
  const movedTags = new Set(moved.map((r) => design.equipment[r.index]!.tag));
  const tree = new RBush<Rect & { index: number }>();
  tree.load([...moved]);
  const out: string[] = [];
  for (const line of design.lines) {
    if (!line.route) continue;
    const endMoved = [line.from, line.to].some((end) => "tag" in end && movedTags.has(end.tag));
    if (endMoved || routeHits(line.route, tree)) out.push(line.id);
  }
  return out;
}

function routeHits(route: readonly (readonly number[])[], tree: RBush<Rect & { index: number }>): boolean {
  for (let s = 0; s + 1 < route.length; s++) {
    const a = route[s]!;
    const b = route[s + 1]!;
    const box = {
      minX: Math.min(a[0]!, b[0]!),
      minY: Math.min(a[1]!, b[1]!),
      maxX: Math.max(a[0]!, b[0]!),
      maxY: Math.max(a[1]!, b[1]!),
    };
    if (tree.collides(box)) return true;
  }
  return false;
}
