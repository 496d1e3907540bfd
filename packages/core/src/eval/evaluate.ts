/**
 * Honest topology metrics per topology source, per process class and pooled (issue 14 item 4):
 * - validity before repair: the raw topology parses and has no error from the topology rules
 *   (validity.ts); after repair: the same on the repaired topology, where the source gives one;
 * - structural novelty: share of WL hashes absent from the training set;
 * - nearest-neighbour distance: mean 1 − normalised WL kernel to the nearest training design;
 * - structural uniqueness: distinct hashes among one request's candidates / its candidates,
 *   averaged over requests;
 * - realism: unbiased MMD² of type-aware graph statistics against the training designs of the
 *   same class (pooled row: against all training designs);
 * - condition match against the request as written: the class, and exactly the requested count
 *   of every requested type (types the request does not name are free);
 * - conventions (conventions.ts): share of the candidates a convention applies to that follow it.
 * Validity uses `options.pack` (default the shipped pack), which pipeline-style sources also get.
 * A source that throws for a candidate counts it as invalid and unmatched; the structural metrics
 * are taken over the candidates that parse.
 */
import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import type { Design, GenerationRequest, PlantDesignInput, RulePack } from "../design/types.js";
import { CONVENTIONS, type Convention, conventionVerdicts } from "./conventions.js";
import { type MmdReference, mmdReference, mmdTo, statScale } from "./mmd.js";
import { propose, requestedCounts, type SourceOutput, type TopologySource } from "./sources.js";
import { parseTopology } from "./topology-graph.js";
import { topologyStats } from "./topology-stats.js";
import { topologyErrors, topologyValid } from "./validity.js";
import { DEFAULT_WL_ITERATIONS, featuresHash, wlFeatures } from "./wl.js";
import { WlIndex } from "./wl-index.js";

export const POOLED = "all";

export interface TopologyEvalOptions {
  /** Candidates per request (default 10). */
  readonly perRequest?: number;
  /** Base seed; candidate k of request i gets seed + i * perRequest + k. */
  readonly seed?: number;
  readonly iterations?: number;
  /** Most training designs in the pooled MMD reference (an even stride through the set). */
  readonly pooledReference?: number;
  /** Rule pack for topology validity, also handed to pipeline-style sources (default: the shipped pack). */
  readonly pack?: RulePack;
}

export interface TopologyRow {
  readonly source: string;
  readonly group: string;
  readonly requests: number;
  readonly candidates: number;
  /** Candidates the source produced and that parse. */
  readonly parsed: number;
  readonly validityRaw: number;
  /** NaN when the source gives no repaired topologies. */
  readonly validityRepaired: number;
  readonly novelty: number;
  readonly nearestDistance: number;
  readonly uniqueness: number;
  readonly mmd: number;
  readonly conditionMatch: number;
  readonly conventions: Readonly<Record<Convention, number>>;
  readonly secondsPerCandidate: number;
}

/** One candidate as the metrics see it. */
export interface TopologyCandidate {
  readonly source: string;
  readonly processClass: string;
  readonly request: number;
  readonly design?: Design;
  readonly validRaw: boolean;
  readonly validRepaired?: boolean;
  readonly hash?: string;
  readonly distance?: number;
  readonly stats?: number[];
  readonly conditionMatch: boolean;
  readonly conventions?: ReturnType<typeof conventionVerdicts>;
  readonly seconds: number;
}

/** Class equal and each requested type's count held exactly, against the request as written. */
export function conditionMatchAsWritten(request: GenerationRequest, design: Design): boolean {
  if (design.processClass !== request.processClass) return false;
  const have = new Map<string, number>();
  for (const e of design.equipment) have.set(e.type, (have.get(e.type) ?? 0) + 1);
  return [...requestedCounts(request)].every(([type, count]) => (have.get(type) ?? 0) === count);
}

function split(output: SourceOutput): { topology: PlantDesignInput; repaired?: PlantDesignInput } {
  return "topology" in output ? output : { topology: output };
}

/** What the metrics compare against: built once per training set and reused for every source. */
export interface TrainingReference {
  readonly index: WlIndex;
  readonly byClass: ReadonlyMap<string, MmdReference>;
  readonly pooled: MmdReference;
}

export function trainingReference(
  training: readonly Design[],
  iterations = DEFAULT_WL_ITERATIONS,
  pooledReference = 1000,
): TrainingReference {
  const index = WlIndex.fromDesigns(training, iterations);
  const stats = training.map(topologyStats);
  // One scale for every class: per-class figures in the same units (mmd.ts).
  const scale = statScale(stats);
  const classes = [...new Set(training.map((d) => d.processClass))];
  const byClass = new Map(
    classes.map((c) => [
      c,
      mmdReference(
        stats.filter((_, i) => training[i]!.processClass === c),
        scale,
      ),
    ]),
  );
  const stride = Math.max(1, Math.ceil(stats.length / pooledReference));
  return {
    index,
    byClass,
    pooled: mmdReference(
      stats.filter((_, i) => i % stride === 0),
      scale,
    ),
  };
}

async function candidate(
  name: string,
  source: TopologySource,
  request: GenerationRequest,
  requestIndex: number,
  seed: number,
  reference: TrainingReference,
  pack: RulePack,
): Promise<TopologyCandidate> {
  const base = { source: name, processClass: request.processClass, request: requestIndex };
  const started = performance.now();
  let output: SourceOutput;
  try {
    // A copy: a source that tops up its request must not change what it is judged against.
    output = await propose(source, structuredClone(request), seed, pack);
  } catch {
    return { ...base, validRaw: false, conditionMatch: false, seconds: (performance.now() - started) / 1000 };
  }
  const seconds = (performance.now() - started) / 1000;
  const { topology, repaired } = split(output);
  const design = parseTopology(topology);
  const validRepaired = repaired === undefined ? {} : { validRepaired: topologyValid(repaired, pack) };
  if (!design) return { ...base, ...validRepaired, validRaw: false, conditionMatch: false, seconds };
  const features = wlFeatures(design, reference.index.iterations);
  return {
    ...base,
    ...validRepaired,
    design,
    validRaw: topologyErrors(design, pack).length === 0,
    hash: featuresHash(features),
    distance: reference.index.nearest(features)?.distance ?? Number.NaN,
    stats: topologyStats(design),
    conditionMatch: conditionMatchAsWritten(request, design),
    conventions: conventionVerdicts(design),
    seconds,
  };
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((s, x) => s + x, 0) / xs.length);

/** One row from a group's candidates. */
export function topologyRow(
  source: string,
  group: string,
  candidates: readonly TopologyCandidate[],
  reference: TrainingReference,
  mmdAgainst: MmdReference | undefined,
): TopologyRow {
  const parsed = candidates.filter((c) => c.design !== undefined);
  const share = (xs: readonly TopologyCandidate[], f: (c: TopologyCandidate) => boolean) =>
    xs.length === 0 ? Number.NaN : xs.filter(f).length / xs.length;
  const byRequest = new Map<number, string[]>();
  for (const c of parsed) byRequest.set(c.request, [...(byRequest.get(c.request) ?? []), c.hash!]);
  const repairedGiven = candidates.filter((c) => c.validRepaired !== undefined);
  const conventions = Object.fromEntries(
    CONVENTIONS.map((k) => {
      const applies = parsed.filter((c) => c.conventions?.[k] !== undefined);
      return [k, share(applies, (c) => c.conventions?.[k] === true)];
    }),
  ) as Record<Convention, number>;
  return {
    source,
    group,
    requests: new Set(candidates.map((c) => c.request)).size,
    candidates: candidates.length,
    parsed: parsed.length,
    validityRaw: share(candidates, (c) => c.validRaw),
    validityRepaired: repairedGiven.length === 0 ? Number.NaN : share(repairedGiven, (c) => c.validRepaired === true),
    novelty: share(parsed, (c) => !reference.index.hashes.has(c.hash!)),
    nearestDistance: mean(parsed.map((c) => c.distance!)),
    uniqueness: mean([...byRequest.values()].map((hs) => new Set(hs).size / hs.length)),
    mmd: mmdAgainst
      ? mmdTo(
          mmdAgainst,
          parsed.map((c) => c.stats!),
        )
      : Number.NaN,
    conditionMatch: share(candidates, (c) => c.conditionMatch),
    conventions,
    secondsPerCandidate: mean(candidates.map((c) => c.seconds)),
  };
}

/**
 * Runs every source on every request (`perRequest` candidates each) and scores them: rows per
 * class (in the requests' class order) then the pooled row, each with every source in the
 * order given.
 */
export async function evaluateTopologySources(
  sources: Readonly<Record<string, TopologySource>>,
  requests: readonly GenerationRequest[],
  training: readonly Design[] | TrainingReference,
  options: TopologyEvalOptions = {},
): Promise<TopologyRow[]> {
  const perRequest = options.perRequest ?? 10;
  const baseSeed = options.seed ?? 0;
  const reference = Array.isArray(training)
    ? trainingReference(training as readonly Design[], options.iterations, options.pooledReference)
    : (training as TrainingReference);
  const classes = [...new Set(requests.map((r) => r.processClass))];
  const rows: TopologyRow[] = [];
  const all = new Map<string, TopologyCandidate[]>();
  for (const [name, source] of Object.entries(sources)) {
    const candidates: TopologyCandidate[] = [];
    for (const [i, request] of requests.entries()) {
      for (let k = 0; k < perRequest; k++) {
        const seed = baseSeed + i * perRequest + k;
        candidates.push(await candidate(name, source, request, i, seed, reference, options.pack ?? DEFAULT_RULE_PACK));
      }
    }
    all.set(name, candidates);
  }
  for (const group of [...classes, POOLED]) {
    for (const [name, candidates] of all) {
      const mine = group === POOLED ? candidates : candidates.filter((c) => c.processClass === group);
      const against = group === POOLED ? reference.pooled : reference.byClass.get(group);
      rows.push(topologyRow(name, group, mine, reference, against));
    }
  }
  return rows;
}
