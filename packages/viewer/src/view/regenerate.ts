/**
 * "Regenerate the rest": a generation request that keeps a candidate's pinned equipment where it
 * is (as the request's fixed items) and asks for the same plant (class, site, equipment counts by
 * type) around it. Pure.
 */
import type { Design, EquipmentType, GenerationRequest } from "@plantgan/core/design";

export function regenerateRequest(
  design: Design,
  pinned: ReadonlySet<string>,
  options: { count: number; seed: number },
): GenerationRequest {
  const counts = new Map<EquipmentType, number>();
  for (const e of design.equipment) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  return {
    schemaVersion: "1.0",
    processClass: design.processClass,
    site: design.site as GenerationRequest["site"],
    // The counts include the pinned items: a fixed item takes the place of one of its type.
    equipment: [...counts].map(([type, count]) => ({ type, count })),
    fixed: design.equipment.filter((e) => pinned.has(e.tag)) as NonNullable<GenerationRequest["fixed"]>,
    count: options.count,
    seed: options.seed,
  };
}
