/**
 * Generation pipeline (DESIGN.md "Generation pipeline"): request → topology (topology-source.ts)
 * → control completion (control.ts) → placement proposes equipment positions and rotations
 * (placement.ts) → legalise → route → validate (finish.ts) → polish (polish-step.ts) → rank
 * (ranking.ts) → candidates with their reports. This file is the candidate loop that runs them.
 *
 * Pure (no file system); deterministic in (request, seed, model weights).
 */
import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import type { GenerationRequest, PlantDesignInput } from "../design/types.js";
import { metres } from "../design/units.js";
import { GENERATION_REQUEST_DEFAULTS } from "../design/vocabulary.js";
import { footprintArea, pipeLength } from "../gan/layout-measures.js";
import { deriveSeed } from "../gan/training.js";
import type { PipelineOutcome } from "../validate/types.js";
import { validateDesign } from "../validate/validate.js";
import { completeControl } from "./control.js";
import { PipelineError } from "./errors.js";
import { faults, type Proposal } from "./finish.js";
import {
  doFinishWork,
  type FinishWork,
  type FinishWorkContext,
  type FinishWorkResult,
  type SettledProposal,
} from "./finish-work.js";
import { fixedTags, pinFixedItems, withFixedItems } from "./fixed.js";
import { givenTopologyFindings, inheritedErrors, layoutValid, markInherited } from "./inherited.js";
import { decodeLatent, type LatentRecord } from "./latent.js";
import { TOPOLOGY_LATENT_KEY } from "./learned-topology.js";
import { withOriginMetadata } from "./origin.js";
import { ganPlace, layoutLatentSize, randomPlace, sampleLayoutLatents } from "./placement.js";
import { criticScores, rankCandidates } from "./ranking.js";
import { sourceFor } from "./topology-source.js";
import type { Candidate, PipelineOptions } from "./types.js";

/** A step of the pipeline: a batch of finishing work to do (its results go back in), or progress. */
type Step =
  | { readonly type: "work"; readonly work: readonly FinishWork[]; readonly context: FinishWorkContext }
  | { readonly type: "progress"; readonly done: number; readonly total: number };

/** Runs the pipeline: `count` candidates, ranked. Finishing runs here (PipelineOptions.finishWork is for the async form). */
export function generateCandidates(request: GenerationRequest, options: PipelineOptions = {}): Candidate[] {
  const steps = pipelineSteps(request, options);
  let results: readonly FinishWorkResult[] = [];
  for (;;) {
    const step = steps.next(results);
    if (step.done) return step.value;
    if (step.value.type === "work") {
      const { work, context } = step.value;
      results = work.map((w) => doFinishWork(w, context));
    } else options.onCandidate?.(step.value.done, step.value.total);
  }
}

/**
 * The pipeline as `generateCandidates`, giving the event loop back after each finished candidate:
 * `progress` is awaited there (a job writes its progress row and renews its lease in between).
 * Each batch of finishing work goes to `options.finishWork` when given (a pool spreading it over
 * processes), with the same results as doing it here.
 */
export async function generateCandidatesAsync(
  request: GenerationRequest,
  options: PipelineOptions,
  progress: (done: number, total: number) => Promise<void>,
): Promise<Candidate[]> {
  const steps = pipelineSteps(request, options);
  let results: readonly FinishWorkResult[] = [];
  for (;;) {
    const step = steps.next(results);
    if (step.done) return step.value;
    if (step.value.type === "work") {
      const { work, context } = step.value;
      results = options.finishWork
        ? await options.finishWork(work, context)
        : work.map((w) => doFinishWork(w, context));
      if (results.length !== work.length)
        throw new Error(`finishing work: ${results.length} results for ${work.length} units`);
    } else {
      options.onCandidate?.(step.value.done, step.value.total);
      await progress(step.value.done, step.value.total);
    }
  }
}

/**
 * A candidate's topology with its control completed, and the seed and source that made it:
 * `seed` names the candidate, `sourceSeed` is what the source was given (a late retry's fresh one).
 */
interface Topology {
  readonly seed: number;
  readonly sourceSeed: number;
  readonly source: string;
  readonly design: PlantDesignInput;
  readonly completed: readonly string[];
  /** The latent a learned source made it from (kept in the candidate's origin, not in the design). */
  readonly latent?: readonly number[];
}

/** The pipeline, yielding as each candidate is finished; returns the ranked candidates. */
function* pipelineSteps(
  request: GenerationRequest,
  options: PipelineOptions,
): Generator<Step, Candidate[], readonly FinishWorkResult[]> {
  const placement = options.placement ?? "gan";
  const model = options.model;
  if (placement === "gan" && model === undefined) throw new PipelineError("no_model", "placement gan needs a model");
  const pack = options.pack ?? DEFAULT_RULE_PACK;
  const given = options.latents;
  if (given && placement !== "gan") throw new PipelineError("bad_request", "given latents need placement gan");
  if (given && model) {
    const size = layoutLatentSize(model);
    const wrong = given.find((g) => g.latent.layout.length !== size);
    if (wrong) {
      throw new PipelineError(
        "bad_request",
        `a layout latent of ${wrong.latent.layout.length} numbers for a model that takes ${size} (another model's candidate?)`,
      );
    }
  }
  const count = given?.length ?? options.count ?? request.count ?? GENERATION_REQUEST_DEFAULTS.count;
  const seed = (options.seed ?? request.seed ?? 0) >>> 0;
  const truncation = options.truncation ?? request.truncation ?? GENERATION_REQUEST_DEFAULTS.truncation;
  const margin = metres(options.margin ?? 1.5);
  const attempts = Math.max(1, options.attempts ?? 4);
  const source = sourceFor(request, options.topology, model);
  // Topology mode: what the caller's own drawing breaks, found before it is placed (inherited.ts).
  const drawn = givenTopologyFindings(request, pack);
  // What a fresh proposal could mend: the drawing's own errors are left out (a tank drawn without
  // a vent would otherwise spend every attempt).
  const layoutFaults = (p: Proposal): number => faults(p) - inheritedErrors(p.report, drawn);

  // 1. Topologies (complete control logic first: it changes no geometry).
  const topologyOf = (s: number, latent?: readonly number[]): Topology => {
    const proposed = source.propose(request, s, pack, latent ? { latent } : undefined);
    // A learned source hands back its latent in the metadata: it moves to the candidate's origin.
    const { [TOPOLOGY_LATENT_KEY]: latentText, ...metadata } = (proposed.metadata ?? {}) as Record<string, unknown>;
    const used = typeof latentText === "string" ? decodeLatent(latentText) : undefined;
    // The design keeps which source made its topology (free key/value metadata, stored with it).
    const named = { ...proposed, metadata: { ...metadata, topologySource: source.name } } as PlantDesignInput;
    const { design, added } = completeControl(withFixedItems(named, request), pack);
    return { seed: s, sourceSeed: s, source: source.name, design, completed: added, ...(used ? { latent: used } : {}) };
  };
  const topologies: Topology[] = [];
  for (let k = 0; k < count; k++) {
    topologies.push(topologyOf(given?.[k]?.topologySeed ?? deriveSeed(seed, k), given?.[k]?.latent.topology));
  }

  // 2–3. Positions, then legalise, route, validate. A candidate whose layout cannot be made legal
  // and routed gets a fresh proposal (a new latent, or new random positions), up to `attempts`.
  // In spec mode the later half of the attempts also draw a fresh topology: the designer's sizes
  // for the same counts vary with its seed, and some (three 34 m tanks on a 101 × 117 m site
  // crossed by racks) cannot fit the request's site wherever the generator puts them.
  // A given latent stays on every attempt: with the same topology it would repeat the same
  // proposal, so a spec-mode retry draws a fresh topology at once and a topology-mode one is skipped.
  const freshFrom = request.mode === "topology" ? attempts : given ? 1 : Math.max(1, Math.ceil(attempts / 2));
  const attemptLimit = given && request.mode === "topology" ? 1 : attempts;
  const topologyAt = (k: number, attempt: number): Topology => {
    const t = topologies[k]!;
    if (attempt < freshFrom) return t;
    try {
      return { ...topologyOf(deriveSeed(t.seed, 60_000 + attempt)), seed: t.seed };
    } catch (e) {
      if (e instanceof PipelineError) return t;
      throw e;
    }
  };
  // Fixed items stay where the request put them: pinned after placement, never moved by the legaliser.
  const fixed = fixedTags(request);
  const context: FinishWorkContext = { pack, margin, fixed, polish: options.polish ?? true };
  const best: (Proposal | undefined)[] = topologies.map(() => undefined);
  const firstRaw: { errors: number; rules: readonly string[] }[] = topologies.map(() => ({ errors: 0, rules: [] }));
  const tries: number[] = topologies.map(() => 0);
  // What made each candidate's best proposal: its latent and the seed its topology source was given.
  const made: { latent?: LatentRecord; sourceSeed: number }[] = topologies.map((t) => ({ sourceSeed: t.sourceSeed }));
  const settled: (SettledProposal | undefined)[] = topologies.map(() => undefined);
  let done = 0;
  for (let attempt = 0; attempt < attemptLimit; attempt++) {
    const pending = topologies.flatMap((_, k) => (best[k] && layoutFaults(best[k]!) === 0 ? [] : [k]));
    if (pending.length === 0) break;
    const subset = pending.map((k) => topologyAt(k, attempt));
    const latents: LatentRecord[] | undefined =
      placement === "gan" && model
        ? given
          ? pending.map((k) => given[k]!.latent)
          : sampleLayoutLatents(
              model,
              pending.length,
              attempt === 0 ? seed : deriveSeed(seed, 50_000 + attempt),
              truncation,
            ).map((layout) => ({ layout }))
        : undefined;
    const placed: PlantDesignInput[] =
      latents && model
        ? ganPlace(
            model,
            request,
            subset,
            latents.map((l) => l.layout),
            pack,
          )
        : subset.map((t) => randomPlace(t.design, attempt === 0 ? t.seed : deriveSeed(t.seed, 50_000 + attempt)));
    // Legalise, route, validate each proposal: one unit of work each, done by the caller's runner.
    const finished = yield {
      type: "work",
      work: pending.map((_, i) => ({
        kind: "finish" as const,
        input: pinFixedItems(placed[i]!, request),
        topology: { seed: subset[i]!.seed, source: subset[i]!.source, completed: subset[i]!.completed },
      })),
      context,
    };
    const searchOver: number[] = [];
    for (const [i, k] of pending.entries()) {
      const r = proposalOf(finished[i]);
      if (attempt === 0) firstRaw[k] = { errors: r.rawErrors, rules: r.rawRules };
      tries[k] = attempt + 1;
      if (!best[k] || layoutFaults(r) < layoutFaults(best[k]!)) {
        best[k] = r;
        const topologyLatent = subset[i]!.latent;
        const latent = latents
          ? { ...latents[i]!, ...(topologyLatent ? { topology: topologyLatent } : {}) }
          : undefined;
        made[k] = { ...(latent ? { latent } : {}), sourceSeed: subset[i]!.sourceSeed };
      }
      if (layoutFaults(best[k]!) === 0 || attempt === attemptLimit - 1) searchOver.push(k);
    }
    if (searchOver.length === 0) continue;
    // Each candidate whose search is over is polished now, so progress counts finished candidates.
    const polishedOnes = yield {
      type: "work",
      work: searchOver.map((k) => ({
        kind: "polish" as const,
        proposal: { ...best[k]!, rawErrors: firstRaw[k]!.errors, rawRules: firstRaw[k]!.rules, attempts: tries[k]! },
      })),
      context,
    };
    for (const [j, k] of searchOver.entries()) {
      settled[k] = settledOf(polishedOnes[j]);
      yield { type: "progress", done: ++done, total: topologies.length };
    }
  }
  const results = settled.map((r) => r!);

  // 4. Critic scores, then rank.
  const scores = criticScores(
    model,
    results.map((r) => r.design),
  );
  return rankCandidates(
    results.map((r, k) => {
      const { moves, displacement, margin: _margin, unresolvedItems, ...rest } = r;
      // One verdict: what the router and legaliser could not do becomes findings in the report.
      const outcome: PipelineOutcome = { unrouted: r.unrouted, unresolved: unresolvedItems };
      const report = markInherited(
        r.unrouted.length + unresolvedItems.length > 0 ? validateDesign(r.design, pack, { outcome }) : r.report,
        drawn,
      );
      const origin = {
        request,
        ...(made[k]!.latent ? { latent: made[k]!.latent } : {}),
        truncation,
        topologySeed: made[k]!.sourceSeed,
        topologySource: r.topologySource,
        ...(options.parents ? { parents: options.parents } : {}),
      };
      return {
        ...rest,
        design: { ...r.design, metadata: withOriginMetadata(r.design.metadata, origin) },
        origin,
        report,
        outcome,
        valid: report.summary.errors === 0,
        layoutValid: layoutValid(report),
        stats: {
          pipeLength: pipeLength(r.design),
          footprint: footprintArea(r.design),
          criticScore: scores[k] ?? Number.NaN,
          moves,
          displacement,
        },
      };
    }),
  );
}

function proposalOf(result: FinishWorkResult | undefined): Proposal {
  if (result?.kind !== "finish") throw new Error(`finishing work: expected a finished proposal, got ${result?.kind}`);
  return result.proposal;
}

function settledOf(result: FinishWorkResult | undefined): SettledProposal {
  if (result?.kind !== "polish") throw new Error(`finishing work: expected a polished candidate, got ${result?.kind}`);
  return result.settled;
}
