/**
 * The validator as a teacher (issue #18 item 5): a RewardFn for the topology trainer's REINFORCE
 * term that decodes each sampled slot graph into a design and scores it by the validator's rules
 * that need no layout (consistency, piping, control), the same selection eval/validity.ts makes.
 *
 * eval/ imports gan/, so the selection is re-derived here from the registry rather than imported.
 */
import { parseDesign } from "../../design/parse.js";
import { DEFAULT_RULE_PACK } from "../../design/rule-pack.js";
import type { Design, ProcessClass, RulePack } from "../../design/types.js";
import { PROCESS_CLASSES } from "../../design/vocabulary.js";
import { RULES } from "../../validate/registry.js";
import type { Rule } from "../../validate/types.js";
import { validateDesign } from "../../validate/validate.js";
import { CONDITION_LAYOUT, CONDITION_SIZE, SITE_SCALE } from "../condition.js";
import { type DecodeContext, decodeSlotGraph } from "./decode.js";
import type { SlotGraph, SlotGraphSpec } from "./spec.js";
import type { RewardFn } from "./training.js";

const LAYOUT_FREE_CATEGORIES: ReadonlySet<string> = new Set(["consistency", "piping", "control"]);

/** The validator's rules that need no layout, in the areas a topology answers for. */
export const LAYOUT_FREE_RULES: readonly Rule[] = RULES.filter(
  (r) => r.appliesTo === "all" && LAYOUT_FREE_CATEGORIES.has(r.category),
);

/** The lowest reward: a graph that decodes to nothing, fails to parse, or throws while decoding. */
export const WORST_REWARD = 0;

/** What a sampled graph's condition vector says of the request: class (argmax of its one-hot) and site. */
export function decodeContextOf(condition: Float32Array, id: string): DecodeContext {
  if (condition.length !== CONDITION_SIZE) {
    throw new RangeError(`condition of width ${condition.length}, not conditionVector()'s ${CONDITION_SIZE}`);
  }
  let best = 0;
  for (let k = 1; k < PROCESS_CLASSES.length; k++) {
    if (condition[CONDITION_LAYOUT.processClass + k]! > condition[CONDITION_LAYOUT.processClass + best]!) best = k;
  }
  return {
    processClass: PROCESS_CLASSES[best] as ProcessClass,
    site: {
      width: condition[CONDITION_LAYOUT.siteWidth]! * SITE_SCALE,
      depth: condition[CONDITION_LAYOUT.siteDepth]! * SITE_SCALE,
    },
    id,
  };
}

/** Error findings of the layout-free rules on a parsed design (each finding counts). */
export function layoutFreeErrorCount(design: Design, pack: RulePack = DEFAULT_RULE_PACK): number {
  const report = validateDesign(design, pack, { rules: LAYOUT_FREE_RULES });
  return report.violations.filter((v) => v.severity === "error").length;
}

/**
 * One graph's reward. 1 with no error, else 1 / (1 + errors): dense (each fault fixed raises it, so
 * a batch of all-faulty graphs still has an advantage to follow) and bounded in (0, 1], so the
 * REINFORCE term keeps one scale whatever the plant's size. A per-item rate (−errors / items) was
 * not used: it pays for padding a design with clean items. A graph with no equipment scores the
 * lowest, like one that does not parse: nothing to check is not a valid plant.
 */
export function slotGraphReward(
  graph: SlotGraph,
  spec: SlotGraphSpec,
  pack: RulePack = DEFAULT_RULE_PACK,
  id = "reward",
): number {
  let design: Design;
  try {
    const parsed = parseDesign(decodeSlotGraph(graph, spec, decodeContextOf(graph.condition, id)));
    if (!parsed.success) return WORST_REWARD;
    design = parsed.data;
  } catch {
    // The decoder's own bounds (an unreadable row) make the graph worthless, not the run.
    return WORST_REWARD;
  }
  if (design.equipment.length === 0) return WORST_REWARD;
  return 1 / (1 + layoutFreeErrorCount(design, pack));
}

/** The trainer's `rewardFn`: slotGraphReward of each sampled graph. */
export function validityReward(spec: SlotGraphSpec, pack: RulePack = DEFAULT_RULE_PACK): RewardFn {
  if (spec.conditionWidth !== CONDITION_SIZE) {
    throw new RangeError(
      `validityReward reads conditionVector()'s layout; the spec's c is ${spec.conditionWidth} wide`,
    );
  }
  return (graphs) => graphs.map((g, k) => slotGraphReward(g, spec, pack, `reward-${k}`));
}
