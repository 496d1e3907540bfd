/**
 * The rule pack PlantGAN ships: every number with its public source (NFPA 30, API 521, ASME VIII,
 * EN 1092-1, industry layout guidance). It is data, parsed against schemas/rule-pack.schema.json
 * when this module loads (defaults filled), so a bad edit to the JSON fails at once instead of
 * surfacing in a rule. This module sits below validate/, legalise/, route/, gan/ and designer/,
 * which all read the pack without pulling in each other.
 */
import shippedPack from "./default.rule-pack.json" with { type: "json" };
import { formatIssues } from "./issues.js";
import { parseDocument } from "./parse.js";
import type { RulePack } from "./types.js";

function parseShippedPack(): RulePack {
  const parsed = parseDocument("rulePack", shippedPack);
  if (!parsed.success) {
    throw new Error(
      `design/default.rule-pack.json breaks schemas/rule-pack.schema.json:\n${formatIssues(parsed.issues)}`,
    );
  }
  return parsed.data;
}

export const DEFAULT_RULE_PACK: RulePack = parseShippedPack();
