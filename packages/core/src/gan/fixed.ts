/**
 * A request's fixed equipment (`request.fixed`): placed items the candidates must keep where they
 * are, the rest of the design being completed around them. An item whose tag is in the topology
 * pins that item (position, rotation and the given footprint and nozzles); any other fixed item is
 * added to the design as given (existing equipment on the plot). The generator places everything;
 * pinning then overrides the fixed items, and the legaliser moves only the others.
 */
import type { Design, GenerationRequest, PlantDesignInput } from "../design/types.js";

type FixedItem = NonNullable<GenerationRequest["fixed"]>[number];
type EquipmentInput = PlantDesignInput["equipment"][number];

/** Tags of the request's fixed items. */
export function fixedTags(request: GenerationRequest): string[] {
  return (request.fixed ?? []).map((e) => e.tag);
}

/** The topology with the fixed items that are not in it added (as given). */
export function withFixedItems(topology: PlantDesignInput, request: GenerationRequest): PlantDesignInput {
  const fixed = request.fixed ?? [];
  if (fixed.length === 0) return topology;
  const have = new Set(topology.equipment.map((e) => e.tag));
  const extra = fixed.filter((e) => !have.has(e.tag)).map((e) => structuredClone(e) as EquipmentInput);
  return extra.length === 0 ? topology : { ...topology, equipment: [...topology.equipment, ...extra] };
}

/** Puts every fixed item where the request says, whatever the placement proposed. */
export function pinFixedItems(design: PlantDesignInput, request: GenerationRequest): PlantDesignInput {
  const fixed = new Map((request.fixed ?? []).map((e) => [e.tag, e]));
  if (fixed.size === 0) return design;
  return {
    ...design,
    equipment: design.equipment.map((e) => {
      const f = fixed.get(e.tag);
      return f ? ({ ...e, ...structuredClone(f) } as EquipmentInput) : e;
    }),
  };
}

/** Whether every fixed item is in the design, at its position and rotation. */
export function keepsFixedItems(request: GenerationRequest, design: Design): boolean {
  const byTag = new Map(design.equipment.map((e) => [e.tag, e]));
  return (request.fixed ?? []).every((f: FixedItem) => {
    const e = byTag.get(f.tag);
    return (
      e !== undefined && e.type === f.type && e.x === f.x && e.y === f.y && (e.rotation ?? 0) === (f.rotation ?? 0)
    );
  });
}
