import { rulePackSchema } from "../design/generated/schemas.js";
import type { DocumentIssue, ParseResult } from "../design/issues.js";
import { escapePointerToken } from "../design/issues.js";
import { type ParseOptions, parseDocument } from "../design/parse.js";
import type { RulePack } from "../design/types.js";
import { RULES } from "./registry.js";
import type { ResolvedRulePack } from "./types.js";

// The shipped pack lives below validate/ (design/rule-pack.ts) so legalise/, gan/ and designer/
// read it without importing the rules; re-exported here for the validator's callers.
export { DEFAULT_RULE_PACK } from "../design/rule-pack.js";

const ROUTING_DEFAULTS = rulePackSchema.properties.routing.properties;

/**
 * Fills the schema's defaults into a pack (a pack built in code may leave optional fields out),
 * reading them from the schema itself so the numbers live in one place.
 */
export function resolveRulePack(pack: RulePack): ResolvedRulePack {
  const routing = pack.routing ?? {};
  return {
    ...pack,
    disabledRules: pack.disabledRules ?? [],
    severityOverrides: Object.fromEntries(
      Object.entries(pack.severityOverrides ?? {}).filter(
        (entry): entry is [string, "error" | "warning" | "info"] => entry[1] !== undefined,
      ),
    ),
    relief: { ...pack.relief, exemptTypes: pack.relief.exemptTypes ?? [] },
    routing: {
      endTolerance: routing.endTolerance ?? ROUTING_DEFAULTS.endTolerance.default,
      maxSegmentGap: routing.maxSegmentGap ?? ROUTING_DEFAULTS.maxSegmentGap.default,
      clashClearance: routing.clashClearance ?? ROUTING_DEFAULTS.clashClearance.default,
      ...(routing.source !== undefined ? { source: routing.source } : {}),
    },
  };
}

/**
 * Checks a user's rule pack (JSON text or a parsed value) against schemas/rule-pack.schema.json and
 * that every rule id it disables or re-grades exists. Returns the pack with defaults filled, or
 * every issue with its JSON pointer.
 */
export function loadRulePack(input: unknown, options?: ParseOptions): ParseResult<RulePack> {
  const parsed = parseDocument("rulePack", input, options);
  if (!parsed.success) return parsed;
  const known = new Set(RULES.map((r) => r.id));
  const issues: DocumentIssue[] = [];
  (parsed.data.disabledRules ?? []).forEach((id, i) => {
    if (!known.has(id)) issues.push(unknownRule(`/disabledRules/${i}`, id));
  });
  for (const id of Object.keys(parsed.data.severityOverrides ?? {})) {
    if (!known.has(id)) issues.push(unknownRule(`/severityOverrides/${escapePointerToken(id)}`, id));
  }
  return issues.length > 0 ? { success: false, issues } : parsed;
}

function unknownRule(pointer: string, id: string): DocumentIssue {
  return { code: "schema", pointer, keyword: "ruleId", message: `unknown rule id ${JSON.stringify(id)}` };
}
