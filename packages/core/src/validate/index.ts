export { DesignIndex, type LineEndRef, type PlacedItem } from "./context.js";
export { DEFAULT_RULE_PACK, loadRulePack, resolveRulePack } from "./pack.js";
export { RULES, ruleById } from "./registry.js";
export type { Segments } from "./segments.js";
export type {
  Emit,
  Finding,
  PipelineOutcome,
  Point,
  ResolvedRulePack,
  Rule,
  RuleCategory,
  RuleContext,
  Severity,
} from "./types.js";
export { MAX_FINDINGS_PER_RULE, TOPOLOGY_ONLY_REASON, type ValidateOptions, validateDesign } from "./validate.js";
