/**
 * Quality metrics of generated designs (DESIGN.md "Quality"): validity, uniqueness, novelty,
 * condition match and a distance to held-out designs. Pure, no TensorFlow.js.
 *
 * - Uniqueness: distinct design signatures / candidates.
 * - Novelty: share of candidates whose signature no training design has.
 * - Signature: process class, site size, every equipment item (type, footprint, position on the
 *   site grid, rotation) and every line (ends by equipment type and nozzle, size), sorted; two
 *   designs share it only when they are the same layout of the same P&ID up to tag names.
 * - Distance: MMD² (Gretton et al. 2012, unbiased estimate, Gaussian kernel, bandwidth = median
 *   pairwise distance of the reference set) between design statistics standardised by the
 *   reference set: mean nearest-neighbour centre spacing, mean line length, mean degree,
 *   footprint use (equipment area / equipment bounding box), site use (bounding box / site area),
 *   pipe length per item.
 */
import { type Design, type GenerationRequest, isNozzleEnd } from "../design/types.js";
import { footprintArea, pipeLength } from "./layout-measures.js";

export const STAT_NAMES = ["spacing", "lineLength", "degree", "footprintUse", "siteUse", "pipePerItem"] as const;

/** Design statistics, in STAT_NAMES order. */
export function designStats(design: Design): number[] {
  const placed = design.equipment.filter((e) => e.x !== undefined && e.y !== undefined);
  let nn = 0;
  for (const a of placed) {
    let best = Infinity;
    for (const b of placed) {
      if (a === b) continue;
      best = Math.min(best, Math.hypot(a.x! - b.x!, a.y! - b.y!));
    }
    if (Number.isFinite(best)) nn += best;
  }
  const spacing = placed.length > 1 ? nn / placed.length : 0;
  const total = pipeLength(design);
  const lineLength = design.lines.length > 0 ? total / design.lines.length : 0;
  let ends = 0;
  for (const l of design.lines) ends += (isNozzleEnd(l.from) ? 1 : 0) + (isNozzleEnd(l.to) ? 1 : 0);
  const degree = design.equipment.length > 0 ? ends / design.equipment.length : 0;
  const box = footprintArea(design);
  const area = placed.reduce((s, e) => s + e.footprint.width * e.footprint.depth, 0);
  const footprintUse = box > 0 ? area / box : 0;
  const siteUse = box / Math.max(1, design.site.width * design.site.depth);
  const pipePerItem = design.equipment.length > 0 ? total / design.equipment.length : 0;
  return [spacing, lineLength, degree, footprintUse, siteUse, pipePerItem];
}

/** See the module comment. */
export function designSignature(design: Design): string {
  const g = design.site.gridSize ?? 1;
  const typeOf = new Map(design.equipment.map((e) => [e.tag, e.type]));
  const items = design.equipment
    .map((e) =>
      [
        e.type,
        e.footprint.width,
        e.footprint.depth,
        e.x === undefined ? "-" : Math.round(e.x / g),
        e.y === undefined ? "-" : Math.round(e.y / g),
        e.rotation,
      ].join(":"),
    )
    .sort();
  const end = (x: Design["lines"][number]["from"]): string =>
    isNozzleEnd(x) ? `${typeOf.get(x.tag) ?? "?"}.${x.nozzle}` : "branch";
  const lines = design.lines.map((l) => `${end(l.from)}>${end(l.to)}@${l.size}`).sort();
  return [design.processClass, design.site.width, design.site.depth, items.join(","), lines.join(",")].join("|");
}

/** Whether every fixed item is in the design, at its position and rotation. */
export function keepsFixedItems(request: GenerationRequest, design: Design): boolean {
  const byTag = new Map(design.equipment.map((e) => [e.tag, e]));
  return (request.fixed ?? []).every((f) => {
    const e = byTag.get(f.tag);
    return (
      e !== undefined && e.type === f.type && e.x === f.x && e.y === f.y && (e.rotation ?? 0) === (f.rotation ?? 0)
    );
  });
}

/** Does the design hold what the request asks for? Spec: the counts; topology: every item and line. */
export function conditionMatch(request: GenerationRequest, design: Design): boolean {
  if (design.processClass !== request.processClass) return false;
  if (!keepsFixedItems(request, design)) return false;
  if (request.mode === "topology" && request.topology) {
    const tags = new Set(design.equipment.map((e) => e.tag));
    const lines = new Set(design.lines.map((l) => l.id));
    return (
      request.topology.equipment.every((e) => tags.has(e.tag)) && request.topology.lines.every((l) => lines.has(l.id))
    );
  }
  const have = new Map<string, number>();
  for (const e of design.equipment) have.set(e.type, (have.get(e.type) ?? 0) + 1);
  return (request.equipment ?? []).every((e) => (have.get(e.type) ?? 0) >= e.count);
}

/** Mean and standard deviation per column (std floored at 1e-6). */
export function columnMoments(rows: readonly (readonly number[])[]): { mean: number[]; std: number[] } {
  const d = rows[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const r of rows) {
    r.forEach((v, j) => {
      mean[j]! += v / rows.length;
    });
  }
  for (const r of rows) {
    r.forEach((v, j) => {
      std[j]! += (v - mean[j]!) ** 2 / Math.max(1, rows.length - 1);
    });
  }
  return { mean, std: std.map((v) => Math.max(1e-6, Math.sqrt(v))) };
}

/**
 * Unbiased MMD² between samples and a reference set, both standardised by the reference's
 * moments; Gaussian kernel with bandwidth = median pairwise distance of the reference.
 */
export function mmd(samples: readonly (readonly number[])[], reference: readonly (readonly number[])[]): number {
  if (samples.length < 2 || reference.length < 2) return Number.NaN;
  const { mean, std } = columnMoments(reference);
  const z = (rows: readonly (readonly number[])[]) => rows.map((r) => r.map((v, j) => (v - mean[j]!) / std[j]!));
  const X = z(samples);
  const Y = z(reference);
  const d2 = (a: number[], b: number[]) => a.reduce((s, v, j) => s + (v - b[j]!) ** 2, 0);
  const pairs: number[] = [];
  for (let i = 0; i < Y.length; i++) for (let j = i + 1; j < Y.length; j++) pairs.push(Math.sqrt(d2(Y[i]!, Y[j]!)));
  pairs.sort((a, b) => a - b);
  const sigma = Math.max(1e-6, pairs[pairs.length >> 1] ?? 1);
  const k = (a: number[], b: number[]) => Math.exp(-d2(a, b) / (2 * sigma * sigma));
  const within = (A: number[][]) => {
    let s = 0;
    for (let i = 0; i < A.length; i++) for (let j = 0; j < A.length; j++) if (i !== j) s += k(A[i]!, A[j]!);
    return s / (A.length * (A.length - 1));
  };
  let cross = 0;
  for (const a of X) for (const b of Y) cross += k(a, b);
  return within(X) + within(Y) - (2 * cross) / (X.length * Y.length);
}

/** One generated candidate as the metrics see it. */
export interface EvalSample {
  readonly processClass: string;
  readonly request: GenerationRequest;
  readonly design: Design;
  /** No validator error on the decoded design before legalise and route. */
  readonly rawValid: boolean;
  /** No validator error, every line routed, nothing unresolved, after legalise and route. */
  readonly valid: boolean;
  /** Proposals the pipeline made for this candidate (1 for a reference design). */
  readonly attempts: number;
  readonly seconds: number;
}

export interface EvalRow {
  readonly group: string;
  readonly n: number;
  readonly rawValidity: number;
  readonly validity: number;
  /** Valid with the first proposal (no retry). */
  readonly validityFirst: number;
  /** Mean proposals per candidate. */
  readonly attempts: number;
  readonly uniqueness: number;
  readonly novelty: number;
  readonly conditionMatch: number;
  /** MMD² to the held-out designs of the same group. */
  readonly mmd: number;
  readonly secondsPerCandidate: number;
}

/** Per-group and overall rows ("all" last). */
export function evaluateSamples(
  samples: readonly EvalSample[],
  heldOut: readonly Design[],
  trainingSignatures: ReadonlySet<string>,
): EvalRow[] {
  const groups = [...new Set(samples.map((s) => s.processClass))];
  const row = (group: string, ss: readonly EvalSample[], ref: readonly Design[]): EvalRow => {
    const n = ss.length;
    const sigs = ss.map((s) => designSignature(s.design));
    const share = (f: (s: EvalSample, k: number) => boolean) => (n === 0 ? Number.NaN : ss.filter(f).length / n);
    return {
      group,
      n,
      rawValidity: share((s) => s.rawValid),
      validity: share((s) => s.valid),
      validityFirst: share((s) => s.valid && s.attempts === 1),
      attempts: n === 0 ? Number.NaN : ss.reduce((t, s) => t + s.attempts, 0) / n,
      uniqueness: n === 0 ? Number.NaN : new Set(sigs).size / n,
      novelty: share((_, k) => !trainingSignatures.has(sigs[k]!)),
      conditionMatch: share((s) => conditionMatch(s.request, s.design)),
      mmd: mmd(
        ss.map((s) => designStats(s.design)),
        ref.map(designStats),
      ),
      secondsPerCandidate: n === 0 ? Number.NaN : ss.reduce((t, s) => t + s.seconds, 0) / n,
    };
  };
  return [
    ...groups.map((g) =>
      row(
        g,
        samples.filter((s) => s.processClass === g),
        heldOut.filter((d) => d.processClass === g),
      ),
    ),
    row("all", samples, heldOut),
  ];
}

/** The eval request for a held-out design: its class, site and equipment counts (spec mode). */
export function requestFromDesign(design: Design, seed: number): GenerationRequest {
  const counts = new Map<string, number>();
  for (const e of design.equipment) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  return {
    schemaVersion: "1.0",
    mode: "spec",
    processClass: design.processClass,
    site: design.site,
    equipment: [...counts].sort().map(([type, count]) => ({ type, count })) as GenerationRequest["equipment"],
    count: 1,
    seed,
    truncation: 1,
  } as GenerationRequest;
}
