/**
 * Legaliser: snaps a placed design to its grid and clears overlaps, site-boundary, keep-out, rack
 * and spacing violations (the rule pack's numbers) with the smallest single-item moves it finds;
 * clusters too dense for those are spread first (spread.ts).
 */

import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import type { Design, RulePack } from "../design/types.js";
import { legalise } from "./legalise.js";
import type { LegaliseOptions, LegaliseResult } from "./types.js";

export {
  compileRequirements,
  hazardousAreaDistance,
  propertyLineDistance,
  type Requirements,
  tankDistance,
} from "./requirements.js";
export type {
  LegaliseOptions,
  LegaliseResult,
  LegaliseStats,
  Move,
  MoveReason,
  Unresolved,
  UnresolvedCode,
} from "./types.js";

/** Legalises `design` under `pack` (default: the shipped rule pack). Deterministic. */
export function legaliseDesign(
  design: Design,
  pack: RulePack = DEFAULT_RULE_PACK,
  options: LegaliseOptions = {},
): LegaliseResult {
  return legalise(design, pack, options);
}
