import type { Design, RulePack, Violation } from "../design/types.js";
import type { DesignIndex } from "./context.js";

export type Severity = Violation["severity"];
export type RuleCategory = Violation["category"];

/**
 * A rule pack with the schema's defaults filled in (as `loadRulePack` returns it), so rules read
 * every number without `?? default` scattered through them.
 */
export type ResolvedRulePack = Readonly<
  Omit<RulePack, "disabledRules" | "severityOverrides" | "relief" | "routing"> & {
    disabledRules: readonly string[];
    severityOverrides: Readonly<Record<string, Severity>>;
    relief: RulePack["relief"] & { exemptTypes: NonNullable<RulePack["relief"]["exemptTypes"]> };
    routing: Readonly<{ endTolerance: number; maxSegmentGap: number; clashClearance: number; source?: string }>;
  }
>;

/** A point in plot coordinates, m: [x, y, z]. */
export type Point = readonly [number, number, number];

/** What a rule found; the engine adds the rule id, category and (possibly overridden) severity. */
export interface Finding {
  /** A sentence for a person: what is wrong and by how much. */
  readonly message: string;
  /** Equipment, instrument, component, loop or interlock tags involved, most relevant first. */
  readonly tags?: readonly string[];
  /** Line ids involved, most relevant first. */
  readonly lines?: readonly string[];
  /** Where the viewer should point, when the design is placed. */
  readonly location?: Point;
  /** A fix for this finding; the rule's `fix` when absent. */
  readonly suggestion?: string;
}

export type Emit = (finding: Finding) => void;

/**
 * What the generation pipeline could not do for a design: lines its router left unrouted (with the
 * router's code, e.g. blocked_nozzle, and reason) and items its legaliser found no legal position
 * for. The design alone cannot say why a line has no route, so the pipeline hands this over and
 * rules report it: a candidate's verdict is then its report's error count and nothing else.
 */
export interface PipelineOutcome {
  readonly unrouted?: readonly { readonly line: string; readonly code: string; readonly reason: string }[];
  readonly unresolved?: readonly {
    readonly code: string;
    readonly tags: readonly string[];
    readonly message: string;
  }[];
}

/** What every rule reads: the design, the resolved pack and the indexes built once per run. */
export interface RuleContext {
  readonly design: Design;
  readonly pack: ResolvedRulePack;
  readonly index: DesignIndex;
  /** The pipeline's outcome for this design, when it was generated (see PipelineOutcome). */
  readonly outcome?: PipelineOutcome;
}

/**
 * One engineering rule. Rules are plain objects, one per file under `rules/`, listed in
 * `registry.ts`. A rule declares its own scope (`appliesTo`); the engine never looks at equipment
 * types. Every number a rule compares against comes from the pack.
 */
export interface Rule {
  /** Stable id, `category.kebab-name`; packs disable and re-grade rules by it. */
  readonly id: string;
  readonly category: RuleCategory;
  /** Default severity; a pack's `severityOverrides` may change it. */
  readonly severity: Severity;
  /** What the rule checks, one sentence. */
  readonly description: string;
  /** The public source of the rule (its numbers come from the pack, each with its own source). */
  readonly source: string;
  /** "placed": needs plan positions (skipped for topology-only designs); "all": topology is enough. */
  readonly appliesTo: "placed" | "all";
  /** The usual fix, reported with each finding that brings no suggestion of its own. */
  readonly fix?: string;
  /** Says why the rule cannot run on this design with this pack (e.g. no wind direction given). */
  skipReason?(ctx: RuleContext): string | undefined;
  check(ctx: RuleContext, emit: Emit): void;
}
