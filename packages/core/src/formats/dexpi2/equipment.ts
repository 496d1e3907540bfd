/** DEXPI 2.0 equipment (objects with nozzles, or tagged ProcessEquipment) → contract equipment. */
import type { EquipmentType, Nozzle, NozzleEnd } from "../../design/index.js";
import { EQUIPMENT_TAG_PREFIX as TAG_PREFIXES } from "../../design/index.js";
import { equipmentTypeOf } from "../dexpi/classes.js";
import { sanitiseNozzleId, uniqueId } from "../dexpi/tags.js";
import type { Dexpi2Context } from "./context.js";
import { componentsOf, type Dexpi2Object, dataOf } from "./model.js";
import { claimTag } from "./tags.js";

export interface Equipment2 {
  readonly tag: string;
  readonly type: EquipmentType;
  readonly name?: string;
  readonly nozzles: readonly Nozzle[];
}

export interface EquipmentImport {
  readonly items: readonly Equipment2[];
  /** Nozzle object id → the line end it is. */
  readonly nozzleEnds: ReadonlyMap<string, NozzleEnd>;
  /** Equipment object id → its tag. */
  readonly tagById: ReadonlyMap<string, string>;
}

/** Equipment: every object that owns nozzles, and tagged plant items of a process-equipment class. */
function isEquipment(o: Dexpi2Object): boolean {
  if (o.cls === "Nozzle") return false;
  return o.components.has("Nozzles") || (o.role === "TaggedPlantItems" && /ProcessEquipment\./.test(o.type));
}

export function importEquipment(ctx: Dexpi2Context): EquipmentImport {
  const items: Equipment2[] = [];
  const nozzleEnds = new Map<string, NozzleEnd>();
  const tagById = new Map<string, string>();
  const counters = new Map<EquipmentType, number>();
  for (const o of ctx.model.all.filter(isEquipment)) {
    const type = equipmentTypeOf(o.cls);
    if (!type) {
      ctx.refuse(o, `equipment class "${o.cls}" has no PlantGAN equipment type`);
      continue;
    }
    const tag = claimTag(ctx, o, () => {
      const n = (counters.get(type) ?? 0) + 1;
      counters.set(type, n);
      return `${TAG_PREFIXES[type]}-${900 + n}`;
    });
    if (!tag) {
      ctx.refuse(o, "no free tag could be made for it");
      continue;
    }
    ctx.consume(o);
    if (o.id) tagById.set(o.id, tag);
    const taken = new Set<string>();
    const nozzles = componentsOf(o, "Nozzles").map((n, i) => {
      const id = uniqueId(
        sanitiseNozzleId(dataOf(n, "ItemTag") ?? dataOf(n, "SubTagName") ?? "") ?? `N${i + 1}`,
        taken,
        32,
      );
      ctx.consume(n);
      if (n.id) nozzleEnds.set(n.id, { tag, nozzle: id });
      return { id };
    });
    const name = dataOf(o, "EquipmentDescription") ?? dataOf(o, "Description");
    items.push({ tag, type, ...(name ? { name: name.slice(0, 200) } : {}), nozzles });
  }
  return { items, nozzleEnds, tagById };
}
