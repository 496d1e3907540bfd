/** What the generation pipeline takes (options) and gives (candidates). */
import type { CostBreakdown } from "../cost/index.js";
import type { Design, RulePack, ValidationReport } from "../design/types.js";
import type { GanModel } from "../gan/models.js";
import type { PolishReport } from "../polish/index.js";
import type { PipelineOutcome } from "../validate/types.js";
import type { FinishWorkRunner } from "./finish-work.js";
import type { LatentRecord } from "./latent.js";
import type { CandidateOrigin, CandidateParents } from "./origin.js";
import type { TopologySource } from "./topology-source.js";

/** A latent to place with instead of sampling one, and the seed its topology source is given. */
export interface GivenLatent {
  readonly latent: LatentRecord;
  readonly topologySeed: number;
}

export interface PipelineOptions {
  /** Required for placement "gan". */
  readonly model?: GanModel;
  /**
   * Who makes a spec-mode request's topology. Default the model's learned topology generator where
   * it has one and the request fits it, else the designer (topology-source.ts `sourceFor`); a
   * topology-mode request places its own ("request") and refuses any other.
   */
  readonly topology?: TopologySource;
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
   * One candidate per entry, placed with that latent and topology seed instead of sampled ones
   * (variants and blends, variant.ts); overrides count and seed. Every attempt keeps the latent;
   * in spec mode attempts after the first draw a fresh topology (the given one may not fit).
   */
  readonly latents?: readonly GivenLatent[];
  /** Recorded in each candidate's origin: what it is a variant or blend of. */
  readonly parents?: CandidateParents;
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
  /**
   * Does each batch of per-candidate finishing (legalise, route, validate; then the polish) in
   * `generateCandidatesAsync`, e.g. spread over a pool's processes; the same results as without.
   */
  readonly finishWork?: FinishWorkRunner;
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
  /** Name of the topology source that made this candidate's topology ("request", "designer", …); also `design.metadata.topologySource`. */
  readonly topologySource: string;
  readonly design: Design;
  readonly report: ValidationReport;
  /** No error-severity violation in the report (which names unrouted lines and unresolved items). */
  readonly valid: boolean;
  /**
   * No error in the report besides those marked `inherited` (topology mode: the request's own
   * topology has them too, inherited.ts): the layout and routing added none. Equals `valid` in spec mode.
   */
  readonly layoutValid: boolean;
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
  /**
   * The request it answered, its accepted proposal's latent and topology seed, its parents; also
   * written into `design.metadata` (origin.ts), so a variant or blend can be made from the design.
   */
  readonly origin: CandidateOrigin;
}
