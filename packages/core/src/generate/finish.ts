/**
 * One placed proposal made into a candidate layout: parse, validate raw, legalise (wider margins
 * when lines stay unrouted, the emptiest site corner for items with no position), route, validate.
 */
import { parseDesign } from "../design/parse.js";
import type { Design, PlantDesignInput, RulePack, ValidationReport } from "../design/types.js";
import { type Metres, metres } from "../design/units.js";
import { legaliseDesign } from "../legalise/index.js";
import { routeDesign } from "../route/router.js";
import { validateDesign } from "../validate/validate.js";
import { PipelineError } from "./errors.js";

/** A finished proposal: the routed design, its report, and what legalise and route could not do. */
export interface Proposal {
  readonly seed: number;
  /** Name of the topology source that made its topology. */
  readonly topologySource: string;
  readonly design: Design;
  readonly report: ValidationReport;
  /** Validator errors of the decoded proposal before legalise and route. */
  readonly rawErrors: number;
  readonly rawRules: readonly string[];
  readonly unrouted: readonly { readonly line: string; readonly code: string; readonly reason: string }[];
  readonly unresolved: readonly string[];
  readonly unresolvedItems: readonly {
    readonly code: string;
    readonly tags: readonly string[];
    readonly message: string;
  }[];
  readonly completed: readonly string[];
  readonly moves: number;
  readonly displacement: number;
  /** The legalising margin kept (the polish keeps the same). */
  readonly margin: number;
}

export interface FinishContext {
  readonly pack: RulePack;
  /** Metres added to the pack's distances when legalising. */
  readonly margin: Metres;
  /** Tags the legaliser must not move. */
  readonly fixed: readonly string[];
}

/** Legalises, routes and validates a placed proposal of topology `t` (already pinned). */
export function finishProposal(
  input: PlantDesignInput,
  t: { readonly seed: number; readonly source: string; readonly completed: readonly string[] },
  { pack, margin, fixed }: FinishContext,
): Proposal {
  const parsed = parseDesign(input);
  if (!parsed.success) {
    throw new PipelineError(
      "bad_request",
      `decoded design does not fit the contract: ${parsed.issues.map((i) => `${i.pointer}: ${i.message}`).join("; ")}`,
    );
  }
  const raw = validateDesign(parsed.data, pack);
  // A layout packed too tightly for the pipes is spread again with a wider margin.
  let legal = legaliseDesign(parsed.data, pack, { margin, fixed });
  let routed = routeDesign(legal.design);
  let keptMargin: number = margin;
  for (const wider of [metres(margin + 1.5), metres(margin + 3.5)]) {
    if (routed.unrouted.length === 0 && legal.unresolved.length === 0) break;
    const again = legaliseDesign(parsed.data, pack, { margin: wider, fixed });
    const rerouted = routeDesign(again.design);
    if (again.unresolved.length + rerouted.unrouted.length < legal.unresolved.length + routed.unrouted.length) {
      legal = again;
      routed = rerouted;
      keptMargin = wider;
    }
  }
  // Items with no legal position anywhere near (a flare's large clearances in a crowded
  // layout): move them to the free site point farthest from everything else, legalise again.
  const stuck = legal.unresolved.filter((u) => u.code === "no_position").flatMap((u) => u.tags);
  if (stuck.length > 0) {
    const spread = farthestPoints(parsed.data, stuck);
    const again = legaliseDesign(spread, pack, { margin, fixed });
    const rerouted = routeDesign(again.design);
    if (again.unresolved.length + rerouted.unrouted.length < legal.unresolved.length + routed.unrouted.length) {
      legal = again;
      routed = rerouted;
      keptMargin = margin;
    }
  }
  const report = validateDesign(routed.design, pack);
  return {
    seed: t.seed,
    topologySource: t.source,
    design: routed.design,
    report,
    rawErrors: raw.summary.errors,
    rawRules: errorRules(raw),
    unrouted: routed.unrouted.map((u) => ({ line: u.line, code: u.code, reason: u.reason })),
    unresolved: legal.unresolved.map((u) => `${u.code}: ${u.message}`),
    unresolvedItems: legal.unresolved.map((u) => ({ code: u.code, tags: u.tags, message: u.message })),
    completed: t.completed,
    moves: legal.moves.filter((m) => m.reason !== "snap").length,
    displacement: legal.stats.totalDisplacement,
    margin: keptMargin,
  };
}

/** Errors, unrouted lines and unresolved items of a proposal: 0 ends its search. */
export function faults(p: Proposal): number {
  return p.report.summary.errors + p.unrouted.length + p.unresolved.length;
}

/** Distinct rule ids of a report's error-severity violations, sorted. */
export function errorRules(report: ValidationReport): string[] {
  return [...new Set(report.violations.filter((v) => v.severity === "error").map((v) => v.rule))].sort();
}

/**
 * Moves each named item to the site grid point (2 m steps, footprint inside the site and clear of
 * keep-out areas) farthest from every other placed item's centre. Used for items the legaliser
 * found no position for: what needs large clearances goes to the site's emptiest corner.
 */
export function farthestPoints(design: Design, tags: readonly string[]): Design {
  const equipment = design.equipment.map((e) => ({ ...e }));
  const site = design.site;
  for (const tag of tags) {
    const item = equipment.find((e) => e.tag === tag);
    if (!item) continue;
    const hw = Math.max(item.footprint.width, item.footprint.depth) / 2;
    let best: [number, number] | undefined;
    let bestScore = -1;
    for (let x = hw; x <= site.width - hw; x += 2) {
      for (let y = hw; y <= site.depth - hw; y += 2) {
        const blocked = (site.keepOut ?? []).some(
          (a) => x + hw > a.x && x - hw < a.x + a.width && y + hw > a.y && y - hw < a.y + a.depth,
        );
        if (blocked) continue;
        let nearest = Infinity;
        for (const o of equipment) {
          if (o === item || o.x === undefined || o.y === undefined) continue;
          nearest = Math.min(nearest, Math.hypot(o.x - x, o.y - y));
        }
        if (nearest > bestScore) {
          bestScore = nearest;
          best = [x, y];
        }
      }
    }
    if (best) {
      const g = site.gridSize ?? 1;
      Object.assign(item, { x: Math.round(best[0] / g) * g, y: Math.round(best[1] / g) * g });
    }
  }
  return { ...design, equipment };
}
