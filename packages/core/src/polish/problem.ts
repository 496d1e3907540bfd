import { pipeRate } from "../cost/rates.js";
import { boxRect, planSize, type Rect, rackRect, rotateOffset } from "../design/geometry.js";
import { type Design, isNozzleEnd, type RulePack } from "../design/types.js";
import { compileRequirements } from "../legalise/requirements.js";

/**
 * The continuous placement problem of one design: what may move, how far apart items and obstacles
 * must stay (the pack's spacing, tank, access and rack distances plus the legaliser's margin), the
 * site, and the lines to pull short. Rotations are fixed, so each item is a rectangle of known size.
 */
export interface PlacementProblem {
  readonly tags: readonly string[];
  /** Half plan width / depth after rotation, m. */
  readonly hw: readonly number[];
  readonly hd: readonly number[];
  /** Current centres, m. */
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly fixed: readonly boolean[];
  readonly site: { readonly width: number; readonly depth: number };
  /** Distance each item keeps from the site boundary (the property line: tank siting + margin), m. */
  readonly inset: readonly number[];
  /** Least edge-to-edge distance between items i < j: need[i][j], m (0: they may touch). */
  readonly need: readonly (readonly number[])[];
  /**
   * Keep-outs (need: what the item owes that kind, e.g. a substation's classified area, + margin)
   * and racks (rack clearance + margin) every item stays clear of; `need[i]` for item i, m.
   */
  readonly obstacles: readonly { readonly id: string; readonly rect: Rect; readonly need: readonly number[] }[];
  /** Nozzle-to-nozzle lines between two different items, with their nozzle offsets (rotated) and cost per metre. */
  readonly lines: readonly {
    readonly id: string;
    readonly a: number;
    readonly b: number;
    readonly oa: readonly [number, number];
    readonly ob: readonly [number, number];
    readonly weight: number;
  }[];
  /** Land price, currency/m² (0 when the pack has no cost model). */
  readonly landRate: number;
  /** The site's grid step, m: the legaliser snaps centres to its multiples after the polish. */
  readonly grid: number;
}

/**
 * Kept beyond every required distance so that positions rounded to the millimetre still clear it
 * (the legaliser and validator compare with a 1e-9 tolerance).
 */
export const SLACK = 0.002;

export function placementProblem(
  design: Design,
  pack: RulePack,
  margin: number,
  fixedTags: readonly string[] = [],
): PlacementProblem {
  const placed = design.equipment.filter((e) => e.x !== undefined && e.y !== undefined);
  if (placed.length !== design.equipment.length) throw new Error("polish needs every item placed");
  const req = compileRequirements(pack, design.equipment);
  const index = new Map(design.equipment.map((e, i) => [e.tag, i]));
  const sizes = design.equipment.map((e) => planSize(e));
  const fixed = new Set(fixedTags);
  const need = design.equipment.map((a, i) =>
    design.equipment.map((b, j) => {
      if (j <= i) return 0;
      const d = req.pair(a, b);
      return (d > 0 ? d + margin : 0) + SLACK;
    }),
  );
  const rackNeed = req.rack > 0 ? req.rack + margin : 0;
  const obstacles = [
    // The pack lets most items touch a keep-out; a nozzle on that edge would then be walled in, so
    // the polish keeps the margin from every keep-out (the router needs a free grid line to leave by).
    ...design.site.keepOut.map((k) => ({
      id: k.id,
      rect: boxRect(k),
      need: design.equipment.map((e) => req.keepOut(e, k.kind) + margin + SLACK),
    })),
    ...design.site.racks.map((r) => ({
      id: r.id,
      rect: rackRect(r),
      need: design.equipment.map(() => rackNeed + SLACK),
    })),
  ];
  const lines: PlacementProblem["lines"][number][] = [];
  for (const line of design.lines) {
    if (!isNozzleEnd(line.from) || !isNozzleEnd(line.to)) continue;
    const a = index.get(line.from.tag);
    const b = index.get(line.to.tag);
    if (a === undefined || b === undefined || a === b) continue;
    const offset = (i: number, nozzle: string): [number, number] => {
      const e = design.equipment[i]!;
      const n = e.nozzles.find((q) => q.id === nozzle);
      return rotateOffset(n?.dx ?? 0, n?.dy ?? 0, e.rotation);
    };
    lines.push({
      id: line.id,
      a,
      b,
      oa: offset(a, line.from.nozzle),
      ob: offset(b, line.to.nozzle),
      // Without a cost model every line weighs 1 per metre: the step still shortens pipe.
      weight: pack.cost ? pipeRate(pack.cost, line) : 1,
    });
  }
  return {
    tags: design.equipment.map((e) => e.tag),
    hw: sizes.map((s) => s.width / 2),
    hd: sizes.map((s) => s.depth / 2),
    x: design.equipment.map((e) => e.x!),
    y: design.equipment.map((e) => e.y!),
    fixed: design.equipment.map((e) => fixed.has(e.tag)),
    site: { width: design.site.width, depth: design.site.depth },
    inset: design.equipment.map((e) => {
      const edge = req.boundary(e);
      return edge > 0 ? edge + margin + SLACK : 0;
    }),
    need,
    obstacles,
    lines,
    landRate: pack.cost?.land.perSquareMetre ?? 0,
    grid: design.site.gridSize,
  };
}
