import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import type { Design, RulePack, ValidationReport, Violation } from "../design/types.js";
import { createContext } from "./context.js";
import { roundPoint } from "./geometry3d.js";
import { resolveRulePack } from "./pack.js";
import { RULES } from "./registry.js";
import type { Finding, PipelineOutcome, Rule, Severity } from "./types.js";

export interface ValidateOptions {
  /** Rules to run instead of the registry (tests, experiments). */
  readonly rules?: readonly Rule[];
  /** What the generation pipeline could not route or place (rules piping.routed, geometry.legal-position). */
  readonly outcome?: PipelineOutcome;
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };
/**
 * Most findings one rule reports. A real plant is far below it; a broken or hostile upload (every
 * item on one spot) stops here instead of filling memory, with a note saying so.
 */
export const MAX_FINDINGS_PER_RULE = 5000;
/** Thrown by `emit` past the cap, caught by the engine: rules stay simple loops. */
const ENOUGH = Symbol("enough findings");
const MAX_MESSAGE = 2000;
const MAX_SUGGESTION = 1000;
const MAX_REFS = 1000;

export const TOPOLOGY_ONLY_REASON = "topology-only design: no equipment is placed, so geometric rules do not apply";

/**
 * Checks a design (as `parseDesign` returns it) against the engineering rules with the numbers of
 * `pack` (the default pack when omitted). Indexes are built once per call and shared by every rule.
 * Violations come in a stable order: severity, rule id, first tag or line, message, then the order
 * the rule found them in (which follows the design's own order).
 */
export function validateDesign(
  design: Design,
  pack: RulePack = DEFAULT_RULE_PACK,
  options: ValidateOptions = {},
): ValidationReport {
  const resolved = resolveRulePack(pack);
  const ctx = { ...createContext(design, resolved), ...(options.outcome ? { outcome: options.outcome } : {}) };
  const disabled = new Set(resolved.disabledRules);
  const violations: Violation[] = [];
  const skipped: { rule: string; reason: string }[] = [];
  let rulesRun = 0;

  // The indexes' typed arrays go back to the pool once every rule has run (array-pool.ts).
  try {
    for (const rule of options.rules ?? RULES) {
      if (disabled.has(rule.id)) {
        skipped.push({ rule: rule.id, reason: `disabled by rule pack ${pack.id}` });
        continue;
      }
      if (rule.appliesTo === "placed" && !ctx.index.geometryChecked) {
        skipped.push({ rule: rule.id, reason: TOPOLOGY_ONLY_REASON });
        continue;
      }
      const reason = rule.skipReason?.(ctx);
      if (reason !== undefined) {
        skipped.push({ rule: rule.id, reason });
        continue;
      }
      const severity = resolved.severityOverrides[rule.id] ?? rule.severity;
      let found = 0;
      try {
        rule.check(ctx, (finding) => {
          if (found === MAX_FINDINGS_PER_RULE) throw ENOUGH;
          found++;
          violations.push(toViolation(rule, severity, finding));
        });
      } catch (e) {
        if (e !== ENOUGH) throw e;
        violations.push(
          toViolation(rule, "info", {
            message: `Rule ${rule.id} stopped after ${MAX_FINDINGS_PER_RULE} findings; fix these and validate again to see the rest.`,
          }),
        );
      }
      rulesRun++;
    }
  } finally {
    ctx.index.arrays.end();
  }

  violations.sort(compareViolations);
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const v of violations) {
    if (v.severity === "error") errors++;
    else if (v.severity === "warning") warnings++;
    else infos++;
  }
  return {
    schemaVersion: "1.0",
    designId: design.id,
    rulePack: { id: pack.id, version: pack.version },
    geometryChecked: ctx.index.geometryChecked,
    summary: { errors, warnings, infos, rulesRun },
    skipped,
    violations,
  };
}

function toViolation(rule: Rule, severity: Severity, f: Finding): Violation {
  const v: Violation = {
    rule: rule.id,
    category: rule.category,
    severity,
    message: clip(f.message, MAX_MESSAGE),
    tags: dedupe(f.tags ?? []),
    lines: dedupe(f.lines ?? []),
  };
  const suggestion = f.suggestion ?? rule.fix;
  if (suggestion !== undefined) v.suggestion = clip(suggestion, MAX_SUGGESTION);
  if (f.location) {
    const [x, y, z] = roundPoint(f.location);
    v.location = { x, y, z };
  }
  return v;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function dedupe(items: readonly string[]): string[] {
  return [...new Set(items)].slice(0, MAX_REFS);
}

function compareViolations(a: Violation, b: Violation): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    compareText(a.rule, b.rule) ||
    compareText(firstRef(a), firstRef(b)) ||
    compareText(a.message, b.message)
  );
}

function firstRef(v: Violation): string {
  return v.tags[0] ?? v.lines[0] ?? "";
}

/** Code-unit order: the same on every machine and locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
