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

/** What every rule reads: the design, the resolved pack and the indexes built once per run. */
export interface RuleContext {
  readonly design: Design;
  readonly pack: ResolvedRulePack;
  readonly index: DesignIndex;
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
