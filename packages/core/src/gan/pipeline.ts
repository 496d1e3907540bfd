/**
 * Generation pipeline (DESIGN.md "Generation pipeline"): request → topology → condition vector →
 * generator (z, c) proposes equipment positions and rotations → decode with the topology as index
 * → legalise → route → complete control logic → validate → rank → candidates with their reports.
 *
 * Where the topology comes from:
 * - topology mode: the request's design (e.g. an imported DEXPI P&ID), placed exactly as given;
 * - spec mode: the procedural designer's template for the process class, holding the requested
 *   equipment (its own seed per candidate, so candidates differ in P&ID as well as layout); its
 *   layout is thrown away and the generator places it on the request's site.
 *
 * `placement: "random"` swaps the generator for uniform random positions (the eval baseline).
 * Pure (no file system); deterministic in (request, seed, model weights).
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { type CostBreakdown, designCost } from "../cost/index.js";
import { parseDesign } from "../design/parse.js";
import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import {
  type Design,
  type EquipmentType,
  type GenerationRequest,
  isNozzleEnd,
  type PlantDesignInput,
  type RulePack,
  type ValidationReport,
} from "../design/types.js";
import { metres } from "../design/units.js";
import { GENERATION_REQUEST_DEFAULTS } from "../design/vocabulary.js";
import { designPlantDetailed } from "../designer/designer.js";
import { legaliseDesign } from "../legalise/index.js";
import { loadedSolver, type PolishReport, polishCandidate } from "../polish/index.js";
import { routeDesign } from "../route/router.js";
import type { PipelineOutcome } from "../validate/types.js";
import { validateDesign } from "../validate/validate.js";
import { decodeDesign } from "../views/decode.js";
import type { EncodingLayout } from "../views/vocabulary.js";
import { CONDITION_SIZE, conditionVector } from "./condition.js";
import { fixedTags, pinFixedItems, withFixedItems } from "./fixed.js";
import { concatArrays, type GanModelConfig, sampleLatent } from "./models.js";
import { MAX_OBSTACLES, OBSTACLE_WIDTH, obstacleArray } from "./obstacles.js";
import { equipmentRows, layoutItem, stripLayout, topologyItem } from "./topology.js";
import { deriveSeed } from "./training.js";

/** A loaded model: the EMA generator, optionally the critic (for ranking), and their config. */
export interface GanModel {
  readonly generator: tfl.LayersModel;
  readonly critic?: tfl.LayersModel;
  readonly config: GanModelConfig;
  readonly layout: EncodingLayout;
}

export interface PipelineOptions {
  /** Required for placement "gan". */
  readonly model?: GanModel;
  /** Who proposes positions. Default "gan". */
  readonly placement?: "gan" | "random";
  /**
   * Proposals per candidate: a candidate still failing after legalise and route gets a new one
   * (the designer does the same with 25). Default 4.
   */
  readonly attempts?: number;
  /** Overrides request.count / request.seed / request.truncation. */
  readonly count?: number;
  readonly seed?: number;
  readonly truncation?: number;
  readonly pack?: RulePack;
  /**
   * Metres added to the pack's distances when legalising (the designer uses 1.5). Default 1.5;
   * when lines stay unrouted the layout is legalised again at +1.5 and +3.5 m and the better kept.
   */
  readonly margin?: number;
  /**
   * Polish each candidate after legalise and route (polish/): an LP that keeps the arrangement and
   * lowers piping and land cost, kept only when cheaper and no less valid. Default true; it runs
   * once HiGHS is loaded (`await loadSolver()` from @plantgan/core polish), else the candidate's
   * `polish` says why it did not.
   */
  readonly polish?: boolean;
  /**
   * Called as each candidate is finished (placed, legalised, routed, polished), with how many are
   * done of how many: progress for a job or a progress bar. Ranking comes after the last.
   */
  readonly onCandidate?: (done: number, total: number) => void;
}

export interface CandidateStats {
  /** Total routed pipe length, m. */
  readonly pipeLength: number;
  /** Area of the bounding box of the placed equipment, m². */
  readonly footprint: number;
  /** Critic score of the final layout (higher: more like the training designs); NaN without a critic. */
  readonly criticScore: number;
  /** Items the legaliser moved (not counting snapping) and how far in all, m. */
  readonly moves: number;
  readonly displacement: number;
}

export interface Candidate {
  /** 1 = best. */
  readonly rank: number;
  /** Seed of this candidate's topology and latent (late spec-mode retries derive a fresh topology seed from it). */
  readonly seed: number;
  readonly design: Design;
  readonly report: ValidationReport;
  /** No error-severity violation in the report (which names unrouted lines and unresolved items). */
  readonly valid: boolean;
  /** Validator errors of the first decoded proposal, before legalise and route (raw validity: 0). */
  readonly rawErrors: number;
  /** Rule ids of those errors, each once (eval's per-rule failure counts). */
  readonly rawRules: readonly string[];
  readonly unrouted: readonly { readonly line: string; readonly code: string; readonly reason: string }[];
  readonly unresolved: readonly string[];
  /**
   * What the router and legaliser could not do, as the validator's rules piping.routed and
   * geometry.legal-position read it: the report carries it as errors, so `valid` is the report's.
   */
  readonly outcome: PipelineOutcome;
  /** Proposals made (1: the first one was kept or nothing better came). */
  readonly attempts: number;
  /** What the control-logic completion added. */
  readonly completed: readonly string[];
  readonly stats: CandidateStats;
  /** Cost of the final layout under the pack's cost model, broken down (absent without one). */
  readonly cost?: CostBreakdown;
  /** What the polish step did: cost before and after, or why it kept the layout (absent when off). */
  readonly polish?: PolishReport;
}

export class PipelineError extends Error {
  constructor(
    readonly code: "bad_request" | "no_model" | "no_topology",
    message: string,
  ) {
    super(message);
    this.name = "PipelineError";
  }
}

/** Runs the pipeline: `count` candidates, ranked. */
export function generateCandidates(request: GenerationRequest, options: PipelineOptions = {}): Candidate[] {
  const steps = pipelineSteps(request, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    options.onCandidate?.(step.value.done, step.value.total);
  }
}

/**
 * The pipeline as `generateCandidates`, giving the event loop back after each finished candidate:
 * `progress` is awaited there (a job writes its progress row and renews its lease in between).
 */
export async function generateCandidatesAsync(
  request: GenerationRequest,
  options: PipelineOptions,
  progress: (done: number, total: number) => Promise<void>,
): Promise<Candidate[]> {
  const steps = pipelineSteps(request, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    options.onCandidate?.(step.value.done, step.value.total);
    await progress(step.value.done, step.value.total);
  }
}

/** The pipeline, yielding as each candidate is finished; returns the ranked candidates. */
function* pipelineSteps(
  request: GenerationRequest,
  options: PipelineOptions,
): Generator<{ done: number; total: number }, Candidate[]> {
  const placement = options.placement ?? "gan";
  const model = options.model;
  if (placement === "gan" && model === undefined) throw new PipelineError("no_model", "placement gan needs a model");
  const pack = options.pack ?? DEFAULT_RULE_PACK;
  const count = options.count ?? request.count ?? GENERATION_REQUEST_DEFAULTS.count;
  const seed = (options.seed ?? request.seed ?? 0) >>> 0;
  const truncation = options.truncation ?? request.truncation ?? GENERATION_REQUEST_DEFAULTS.truncation;
  const margin = metres(options.margin ?? 1.5);
  const attempts = Math.max(1, options.attempts ?? 4);

  // 1. Topologies (complete control logic first: it changes no geometry).
  const topologies: { seed: number; design: PlantDesignInput; completed: string[] }[] = [];
  for (let k = 0; k < count; k++) {
    const s = deriveSeed(seed, k);
    const base = withFixedItems(topologyFor(request, s), request);
    const { design, added } = completeControl(base, pack);
    topologies.push({ seed: s, design, completed: added });
  }

  // 2–3. Positions, then legalise, route, validate. A candidate whose layout cannot be made legal
  // and routed gets a fresh proposal (a new latent, or new random positions), up to `attempts`.
  // In spec mode the later half of the attempts also draw a fresh topology: the designer's sizes
  // for the same counts vary with its seed, and some (three 34 m tanks on a 101 × 117 m site
  // crossed by racks) cannot fit the request's site wherever the generator puts them.
  const freshFrom = request.mode === "topology" ? attempts : Math.max(1, Math.ceil(attempts / 2));
  const topologyAt = (k: number, attempt: number): (typeof topologies)[number] => {
    const t = topologies[k]!;
    if (attempt < freshFrom) return t;
    try {
      const fresh = withFixedItems(topologyFor(request, deriveSeed(t.seed, 60_000 + attempt)), request);
      const { design, added } = completeControl(fresh, pack);
      return { seed: t.seed, design, completed: added };
    } catch (e) {
      if (e instanceof PipelineError) return t;
      throw e;
    }
  };
  // Fixed items stay where the request put them: pinned after placement, never moved by the legaliser.
  const fixed = fixedTags(request);
  type Result = ReturnType<typeof finish>;
  const finish = (input: PlantDesignInput, t: (typeof topologies)[number]) => {
    const parsed = parseDesign(pinFixedItems(input, request));
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
  };
  const faults = (r: Result): number => r.report.summary.errors + r.unrouted.length + r.unresolved.length;
  const best: (Result | undefined)[] = topologies.map(() => undefined);
  const firstRaw: { errors: number; rules: readonly string[] }[] = topologies.map(() => ({ errors: 0, rules: [] }));
  const tries: number[] = topologies.map(() => 0);
  // Each candidate is polished as soon as its search is over, so progress counts finished candidates.
  type Settled = ReturnType<typeof settle>;
  const settle = (k: number) =>
    polished(
      { ...best[k]!, rawErrors: firstRaw[k]!.errors, rawRules: firstRaw[k]!.rules, attempts: tries[k]! },
      pack,
      fixed,
      options.polish ?? true,
    );
  const settled: (Settled | undefined)[] = topologies.map(() => undefined);
  let done = 0;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const pending = topologies.flatMap((_, k) => (best[k] && faults(best[k]!) === 0 ? [] : [k]));
    if (pending.length === 0) break;
    const subset = pending.map((k) => topologyAt(k, attempt));
    const placed: PlantDesignInput[] =
      placement === "gan" && model
        ? ganPlace(model, request, subset, attempt === 0 ? seed : deriveSeed(seed, 50_000 + attempt), truncation)
        : subset.map((t) => randomPlace(t.design, attempt === 0 ? t.seed : deriveSeed(t.seed, 50_000 + attempt)));
    for (const [i, k] of pending.entries()) {
      const r = finish(placed[i]!, subset[i]!);
      if (attempt === 0) firstRaw[k] = { errors: r.rawErrors, rules: r.rawRules };
      tries[k] = attempt + 1;
      if (!best[k] || faults(r) < faults(best[k]!)) best[k] = r;
      if (faults(best[k]!) === 0 || attempt === attempts - 1) {
        settled[k] = settle(k);
        yield { done: ++done, total: topologies.length };
      }
    }
  }
  const results = settled.map((r) => r!);

  // 4. Critic scores, then rank.
  const scores = model?.critic
    ? criticScores(
        model,
        results.map((r) => r.design),
      )
    : results.map(() => Number.NaN);
  const candidates = results.map((r, k) => {
    const { moves, displacement, margin: _margin, unresolvedItems, ...rest } = r;
    // One verdict: what the router and legaliser could not do becomes findings in the report.
    const outcome: PipelineOutcome = { unrouted: r.unrouted, unresolved: unresolvedItems };
    const report =
      r.unrouted.length + unresolvedItems.length > 0 ? validateDesign(r.design, pack, { outcome }) : r.report;
    return {
      ...rest,
      report,
      outcome,
      rank: 0,
      valid: report.summary.errors === 0,
      stats: {
        pipeLength: pipeLength(r.design),
        footprint: footprintArea(r.design),
        criticScore: scores[k] ?? Number.NaN,
        moves,
        displacement,
      },
    };
  });
  const errorsOf = (c: (typeof candidates)[number]) => c.report.summary.errors;
  const order = candidates
    .map((c, k) => ({ c, k }))
    .sort(
      (p, q) =>
        errorsOf(p.c) - errorsOf(q.c) ||
        // Cost right after validity: of two equally valid layouts the cheaper to build comes first.
        (p.c.cost?.total ?? 0) - (q.c.cost?.total ?? 0) ||
        p.c.report.summary.warnings - q.c.report.summary.warnings ||
        orNaN(q.c.stats.criticScore) - orNaN(p.c.stats.criticScore) ||
        p.c.stats.pipeLength - q.c.stats.pipeLength ||
        p.c.stats.footprint - q.c.stats.footprint ||
        p.k - q.k,
    );
  return order.map(({ c }, i) => ({ ...c, rank: i + 1 }));
}

const orNaN = (v: number): number => (Number.isFinite(v) ? v : 0);

/**
 * Step 3b: the polish (polish/) on a legalised, routed candidate, with the margin its legalisation
 * kept; then its cost. A candidate the legaliser left unresolved is priced but not polished.
 */
function polished<
  R extends {
    design: Design;
    report: ValidationReport;
    unrouted: readonly { line: string; code: string; reason: string }[];
    unresolved: readonly string[];
    margin: number;
  },
>(r: R, pack: RulePack, fixed: readonly string[], on: boolean): R & { cost?: CostBreakdown; polish?: PolishReport } {
  const priced = (x: R, polish?: PolishReport) => {
    const cost = designCost(x.design, pack);
    return { ...x, ...(cost ? { cost } : {}), ...(polish ? { polish } : {}) };
  };
  if (!on) return priced(r);
  const solver = loadedSolver();
  const skipped = (reason: string): PolishReport => ({ applied: false, reason, lpMs: 0, rounds: 0, checkMs: 0 });
  if (!solver) return priced(r, skipped("HiGHS is not loaded: await loadSolver() before generating"));
  if (r.unresolved.length > 0) return priced(r, skipped("the legaliser left items unresolved"));
  const out = polishCandidate(r.design, r.report, r.unrouted, pack, solver, { margin: r.margin, fixed });
  return {
    ...r,
    design: out.design,
    report: out.report,
    unrouted: out.unrouted,
    ...(out.cost ? { cost: out.cost } : {}),
    polish: out.polish,
  };
}

/** Distinct rule ids of a report's error-severity violations, sorted. */
export function errorRules(report: ValidationReport): string[] {
  return [...new Set(report.violations.filter((v) => v.severity === "error").map((v) => v.rule))].sort();
}

/** The topology a candidate places: the request's (topology mode) or the designer template's (spec mode). */
export function topologyFor(request: GenerationRequest, seed: number): PlantDesignInput {
  if (request.mode === "topology") {
    if (!request.topology) throw new PipelineError("bad_request", "topology mode needs request.topology");
    const t = stripLayout(request.topology);
    return { ...t, site: structuredClone(request.site) as PlantDesignInput["site"] };
  }
  const equipment = (request.equipment ?? []).map((e) => ({ type: e.type as EquipmentType, count: e.count }));
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const outcome = designPlantDetailed({
        processClass: request.processClass,
        seed: deriveSeed(seed, 1000 + attempt),
        equipment,
        maxAttempts: 6,
      });
      const t = stripLayout(outcome.design);
      const { metadata: _m, ...rest } = t as PlantDesignInput & { metadata?: unknown };
      return {
        ...rest,
        id: `generated-${request.processClass}-${seed}`,
        site: structuredClone(request.site) as PlantDesignInput["site"],
        metadata: { generator: "plantgan-pipeline", seed },
      } as PlantDesignInput;
    } catch {
      // the designer found no valid layout for this sub-seed: its topology is as good, try the next
    }
  }
  throw new PipelineError("no_topology", `no ${request.processClass} topology for seed ${seed}`);
}

/**
 * Completes the control logic the validator expects of a topology: a check valve on every pump
 * discharge, a relief valve on a line at each item designed above the pack's relief threshold
 * (the types the pack exempts aside). Returns what it added.
 */
export function completeControl(
  input: PlantDesignInput,
  pack: RulePack = DEFAULT_RULE_PACK,
): { design: PlantDesignInput; added: string[] } {
  const design = structuredClone(input) as PlantDesignInput;
  const added: string[] = [];
  const lines = design.lines as { id: string; from: unknown; to: unknown; components?: { type: string }[] }[];
  const endTag = (end: unknown): string | undefined =>
    end && typeof end === "object" && "tag" in end ? String((end as { tag: string }).tag) : undefined;
  const typeOf = new Map(design.equipment.map((e) => [e.tag, e.type]));
  for (const line of lines) {
    const from = endTag(line.from);
    if (from !== undefined && typeOf.get(from) === "pump") {
      line.components ??= [];
      if (!line.components.some((c) => c.type === "check_valve")) {
        line.components.unshift({ type: "check_valve" }); // flow order: nozzle → check valve → block valve
        added.push(`check_valve on ${line.id} (discharge of ${from})`);
      }
    }
  }
  const exempt = new Set<string>(pack.relief.exemptTypes);
  for (const e of design.equipment) {
    const p = e.designPressure;
    if (p === undefined || p <= pack.relief.pressureThreshold || exempt.has(e.type)) continue;
    const at = lines.filter((l) => endTag(l.from) === e.tag || endTag(l.to) === e.tag);
    if (at.some((l) => (l.components ?? []).some((c) => c.type === "relief_valve"))) continue;
    const line = at[0];
    if (!line) continue;
    line.components ??= [];
    line.components.push({ type: "relief_valve" });
    added.push(`relief_valve on ${line.id} (protects ${e.tag})`);
  }
  return { design, added };
}

export function ganPlace(
  model: GanModel,
  request: GenerationRequest,
  topologies: readonly { seed: number; design: PlantDesignInput }[],
  seed: number,
  truncation: number,
): PlantDesignInput[] {
  const n = model.layout.spec.nMax;
  const { offsets, F } = model.layout;
  const conditions = topologies.map((t) =>
    conditionVector({ ...t.design, processClass: request.processClass, site: request.site }),
  );
  // The generator's own position and rotation for each row (not the straight-through sample,
  // which zeroes rows whose sampled type is not equipment): the topology fixes what each row is.
  const latentSize = (model.generator.inputs[0]!.shape[1] as number | null) ?? 0;
  const params = tf.tidy(() => {
    const c = tf.tensor2d(concatArrays(conditions), [conditions.length, CONDITION_SIZE]);
    const z = sampleLatent(conditions.length, latentSize, seed, truncation);
    if (model.config.generator === "layout") {
      // The layout generator reads the topology itself (types, sizes, lines) and the site's obstacles.
      const items = topologies.map((t) => topologyItem(topologyDesign(t.design, request), model.layout.spec));
      const b = items.length;
      const inputs = [
        z,
        c,
        tf.tensor3d(concatArrays(items.map((i) => i.X)), [b, n, F]),
        tf.tensor4d(concatArrays(items.map((i) => i.A)), [b, model.layout.R, n, n]),
        tf.tensor2d(concatArrays(items.map((i) => i.mask)), [b, n]),
        // Fixed items are obstacles too: the generator completes the layout around them.
        tf.tensor3d(
          concatArrays(items.map(() => obstacleArray(request.site, DEFAULT_RULE_PACK, request.fixed ?? []))),
          [b, MAX_OBSTACLES, OBSTACLE_WIDTH],
        ),
      ];
      return model.generator.apply(inputs, { training: false }) as tf.Tensor3D;
    }
    const [nodeParams] = model.generator.apply([z, c], { training: false }) as tf.Tensor[];
    return nodeParams as tf.Tensor3D;
  });
  const values = params.dataSync() as Float32Array;
  const width = params.shape[2];
  params.dispose();
  const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
  return topologies.map((t, k) => {
    const X = new Float32Array(n * F);
    const A = new Float32Array(model.layout.R * n * n);
    const mask = new Float32Array(n);
    const rows = equipmentRows(t.design, n);
    rows.forEach((_, r) => {
      const p = (k * n + r) * width;
      mask[r] = 1;
      X[r * F + offsets.position] = sigmoid(values[p + offsets.position]!);
      X[r * F + offsets.position + 1] = sigmoid(values[p + offsets.position + 1]!);
      let rot = 0;
      for (let q = 1; q < 4; q++) if (values[p + offsets.rotation + q]! > values[p + offsets.rotation + rot]!) rot = q;
      X[r * F + offsets.rotation + rot] = 1;
      X[r * F + offsets.placed] = 1;
    });
    const decoded = decodeDesign({
      X,
      A,
      mask,
      featureNames: model.layout.featureNames,
      relationNames: model.layout.relationNames,
      spec: model.layout.spec,
      index: { design: t.design, nodes: rows },
    });
    // Equipment beyond nMax (rare): random positions, then the legaliser finds room.
    if (t.design.equipment.length > n) {
      const rest = randomPlace(t.design, t.seed);
      decoded.equipment.forEach((e, i) => {
        if (i >= n) Object.assign(e, { x: rest.equipment[i]!.x, y: rest.equipment[i]!.y });
      });
    }
    return decoded;
  });
}

/** A topology as a parsed design on the request's site (what the layout generator encodes). */
function topologyDesign(design: PlantDesignInput, request: GenerationRequest): Design {
  const parsed = parseDesign({ ...design, site: request.site });
  if (!parsed.success) {
    throw new PipelineError(
      "bad_request",
      `the topology does not fit the contract: ${parsed.issues.map((i) => `${i.pointer}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data;
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

/** Uniform random positions (footprint inside the site) and rotations, snapped to the grid. */
export function randomPlace(design: PlantDesignInput, seed: number): PlantDesignInput {
  const out = structuredClone(design) as PlantDesignInput;
  let s = seed >>> 0 || 1;
  const rnd = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const g = out.site.gridSize ?? 1;
  const snap = (v: number): number => Math.round(v / g) * g;
  for (const e of out.equipment as {
    x?: number;
    y?: number;
    rotation?: number;
    footprint: { width: number; depth: number };
  }[]) {
    const hw = e.footprint.width / 2;
    const hd = e.footprint.depth / 2;
    e.x = snap(hw + rnd() * Math.max(0, out.site.width - 2 * hw));
    e.y = snap(hd + rnd() * Math.max(0, out.site.depth - 2 * hd));
    e.rotation = [0, 90, 180, 270][Math.floor(rnd() * 4)]!;
  }
  return out;
}

function criticScores(model: GanModel, designs: readonly Design[]): number[] {
  const critic = model.critic;
  if (!critic) return designs.map(() => Number.NaN);
  const items = designs.map((d) => layoutItem(d, model.layout.spec));
  const ok = items.flatMap((it, k) => (it ? [{ it, k }] : []));
  const out = designs.map(() => Number.NaN);
  if (ok.length === 0) return out;
  const n = model.layout.spec.nMax;
  const b = ok.length;
  const scores = tf.tidy(() => {
    const X = tf.tensor3d(concatArrays(ok.map((o) => o.it.X)), [b, n, model.layout.F]);
    const A = tf.tensor4d(concatArrays(ok.map((o) => o.it.A)), [b, model.layout.R, n, n]);
    const mask = tf.tensor2d(concatArrays(ok.map((o) => o.it.mask)), [b, n]);
    const c = tf.tensor2d(concatArrays(ok.map((o) => o.it.condition)), [b, CONDITION_SIZE]);
    return critic.apply([X, A, mask, c], { training: false }) as tf.Tensor;
  });
  const values = scores.dataSync();
  scores.dispose();
  ok.forEach((o, i) => {
    out[o.k] = values[i] ?? Number.NaN;
  });
  return out;
}

/** Total routed length of a design's lines, m (lines without a route count their end-to-end plan distance). */
export function pipeLength(design: Design): number {
  let total = 0;
  const at = new Map(design.equipment.map((e) => [e.tag, e]));
  for (const line of design.lines) {
    const r = line.route;
    if (r && r.length > 1) {
      for (let i = 1; i < r.length; i++) {
        const p = r[i - 1]!;
        const q = r[i]!;
        total += Math.abs(q[0]! - p[0]!) + Math.abs(q[1]! - p[1]!) + Math.abs((q[2] ?? 0) - (p[2] ?? 0));
      }
    } else if (isNozzleEnd(line.from) && isNozzleEnd(line.to)) {
      const a = at.get(line.from.tag);
      const b = at.get(line.to.tag);
      if (a?.x !== undefined && a.y !== undefined && b?.x !== undefined && b.y !== undefined) {
        total += Math.abs(a.x - b.x) + Math.abs(a.y - b.y);
      }
    }
  }
  return total;
}

/** Area of the bounding box of the placed equipment footprints, m². */
export function footprintArea(design: Design): number {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const e of design.equipment) {
    if (e.x === undefined || e.y === undefined) continue;
    const turned = e.rotation === 90 || e.rotation === 270;
    const hw = (turned ? e.footprint.depth : e.footprint.width) / 2;
    const hd = (turned ? e.footprint.width : e.footprint.depth) / 2;
    x0 = Math.min(x0, e.x - hw);
    x1 = Math.max(x1, e.x + hw);
    y0 = Math.min(y0, e.y - hd);
    y1 = Math.max(y1, e.y + hd);
  }
  return Number.isFinite(x0) ? (x1 - x0) * (y1 - y0) : 0;
}
