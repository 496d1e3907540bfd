/**
 * Control completion: the control logic the validator expects of a topology, added before
 * placement (it changes no geometry). Pure.
 */
import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import type { PlantDesignInput, RulePack } from "../design/types.js";

/**
 * Completes the control logic the validator expects of a topology: a check valve on every pump
 * discharge, a relief valve on a line at each item designed above the pack's relief threshold
 * (the types the pack exempts aside). Returns what it added.
 */
export function completeControl(
  input: PlantDesignInput,
  pack: RulePack = DEFAULT_RULE_PACK,
): { design: PlantDesignInput; added: string[] } {
  const design = structuredClone(input) as PlantDesignInput;
  const added: string[] = [];
  const lines = design.lines as { id: string; from: unknown; to: unknown; components?: { type: string }[] }[];
  const endTag = (end: unknown): string | undefined =>
    end && typeof end === "object" && "tag" in end ? String((end as { tag: string }).tag) : undefined;
  const typeOf = new Map(design.equipment.map((e) => [e.tag, e.type]));
  for (const line of lines) {
    const from = endTag(line.from);
    if (from !== undefined && typeOf.get(from) === "pump") {
      line.components ??= [];
      if (!line.components.some((c) => c.type === "check_valve")) {
        line.components.unshift({ type: "check_valve" }); // flow order: nozzle → check valve → block valve
        added.push(`check_valve on ${line.id} (discharge of ${from})`);
      }
    }
  }
  const exempt = new Set<string>(pack.relief.exemptTypes);
  for (const e of design.equipment) {
    const p = e.designPressure;
    if (p === undefined || p <= pack.relief.pressureThreshold || exempt.has(e.type)) continue;
    const at = lines.filter((l) => endTag(l.from) === e.tag || endTag(l.to) === e.tag);
    if (at.some((l) => (l.components ?? []).some((c) => c.type === "relief_valve"))) continue;
    const line = at[0];
    if (!line) continue;
    line.components ??= [];
    line.components.push({ type: "relief_valve" });
    added.push(`relief_valve on ${line.id} (protects ${e.tag})`);
  }
  return { design, added };
}
