/**
 * The per-candidate work after the batched generator (finishProposal, then the polish), as plain
 * data in and out, so another process can do it: the pipeline hands each attempt's proposals, and
 * then the candidates it settles, to a `FinishWorkRunner` (PipelineOptions.finishWork) and reads
 * back the same results as doing them itself, in the same order.
 */
import type { PlantDesignInput, RulePack } from "../design/types.js";
import { type Metres, metres } from "../design/units.js";
import { finishProposal, type Proposal } from "./finish.js";
import { polished } from "./polish-step.js";

/** A finished proposal with what its search recorded: the polish's input. */
export type SearchedProposal = Proposal & { readonly attempts: number };
/** A candidate after the polish and pricing, before ranking. */
export type SettledProposal = ReturnType<typeof polished<SearchedProposal>>;

/** One unit of finishing: legalise, route and validate a placed proposal, or polish a settled one. */
export type FinishWork =
  | {
      readonly kind: "finish";
      /** The placed design, fixed items already pinned. */
      readonly input: PlantDesignInput;
      readonly topology: { readonly seed: number; readonly source: string; readonly completed: readonly string[] };
    }
  | { readonly kind: "polish"; readonly proposal: SearchedProposal };

export type FinishWorkResult =
  | { readonly kind: "finish"; readonly proposal: Proposal }
  | { readonly kind: "polish"; readonly settled: SettledProposal };

/** What every unit of one generation shares. */
export interface FinishWorkContext {
  readonly pack: RulePack;
  /** Metres added to the pack's distances when legalising. */
  readonly margin: number;
  /** Tags the legaliser must not move. */
  readonly fixed: readonly string[];
  /** Polish settled candidates (PipelineOptions.polish). */
  readonly polish: boolean;
}

/** Does a batch of units, results in the batch's order: in this process, or spread over others. */
export type FinishWorkRunner = (
  work: readonly FinishWork[],
  context: FinishWorkContext,
) => Promise<readonly FinishWorkResult[]>;

/** Does one unit here. Deterministic in (work, context): any process gives the same result. */
export function doFinishWork(work: FinishWork, context: FinishWorkContext): FinishWorkResult {
  if (work.kind === "finish") {
    const margin: Metres = metres(context.margin);
    return {
      kind: "finish",
      proposal: finishProposal(work.input, work.topology, { pack: context.pack, margin, fixed: context.fixed }),
    };
  }
  return { kind: "polish", settled: polished(work.proposal, context.pack, context.fixed, context.polish) };
}
