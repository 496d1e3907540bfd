/**
 * Topology mode places a P&ID the caller drew. That drawing may itself break a rule that needs no
 * layout (a tank drawn without a vent, a loop numbered across two numbers): the layout cannot be
 * blamed for it, and no layout can mend it. So the request's own topology is validated before it
 * is placed, and each finding of a candidate that the drawing already has (same rule, same tags,
 * same lines) is marked `inherited`. `valid` stays the plain verdict; `layoutValid` is the
 * layout's own: no error besides the inherited ones.
 */
import { parseDesign } from "../design/parse.js";
import type { GenerationRequest, RulePack, ValidationReport, Violation } from "../design/types.js";
import { stripLayout } from "../gan/topology.js";
import { validateDesign } from "../validate/validate.js";

/** What a finding is about: its rule and its subject (tags and lines, in any order). */
function findingKey(v: Pick<Violation, "rule" | "tags" | "lines">): string {
  return JSON.stringify([v.rule, [...v.tags].sort(), [...v.lines].sort()]);
}

/**
 * The findings of a topology-mode request's own topology, validated without its layout on the
 * request's site; undefined in spec mode, or when the topology does not parse (the pipeline then
 * refuses the request itself).
 */
export function givenTopologyFindings(request: GenerationRequest, pack: RulePack): ReadonlySet<string> | undefined {
  if (request.mode !== "topology" || !request.topology) return undefined;
  const parsed = parseDesign({ ...stripLayout(request.topology), site: request.site });
  if (!parsed.success) return undefined;
  return new Set(validateDesign(parsed.data, pack).violations.map(findingKey));
}

/** The report with each finding the given topology already has marked `inherited`. */
export function markInherited(report: ValidationReport, given: ReadonlySet<string> | undefined): ValidationReport {
  if (!given || given.size === 0) return report;
  return {
    ...report,
    violations: report.violations.map((v) => (given.has(findingKey(v)) ? { ...v, inherited: true } : v)),
  };
}

/**
 * How many of the report's errors the given topology already has. The candidate loop leaves them
 * out of a proposal's faults: no fresh proposal can mend them, so retrying for them only costs time.
 */
export function inheritedErrors(report: ValidationReport, given: ReadonlySet<string> | undefined): number {
  if (!given || given.size === 0) return 0;
  return report.violations.filter((v) => v.severity === "error" && given.has(findingKey(v))).length;
}

/** No error in the report except those the given topology already had. */
export function layoutValid(report: ValidationReport): boolean {
  return report.violations.every((v) => v.severity !== "error" || v.inherited === true);
}
