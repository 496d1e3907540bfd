/**
 * Topology validity: no error from the validator's rules that need no layout, in the areas the
 * issue names (consistency, piping, control; the isolation and relief rules file under piping and
 * control too), under the default rule pack. Geometry and route rules are never run, so a placed
 * design and its stripped topology get the same verdict.
 */
import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import type { Design, PlantDesignInput, RulePack } from "../design/types.js";
import { RULES } from "../validate/registry.js";
import type { Rule } from "../validate/types.js";
import { validateDesign } from "../validate/validate.js";
import { parseTopology } from "./topology-graph.js";

const TOPOLOGY_CATEGORIES: ReadonlySet<string> = new Set(["consistency", "piping", "control"]);

export const TOPOLOGY_RULES: readonly Rule[] = RULES.filter(
  (r) => r.appliesTo === "all" && TOPOLOGY_CATEGORIES.has(r.category),
);

/** Error rule ids on a parsed design (empty = valid). */
export function topologyErrors(design: Design, pack: RulePack = DEFAULT_RULE_PACK): string[] {
  const report = validateDesign(design, pack, { rules: TOPOLOGY_RULES });
  return [...new Set(report.violations.filter((v) => v.severity === "error").map((v) => v.rule))];
}

/** A design that does not parse is invalid. */
export function topologyValid(design: PlantDesignInput | Design, pack: RulePack = DEFAULT_RULE_PACK): boolean {
  const parsed = parseTopology(design);
  return parsed !== undefined && topologyErrors(parsed, pack).length === 0;
}
