/**
 * A request's fixed equipment (`request.fixed`): placed items the candidates must keep where they
 * are, the rest of the design being completed around them. An item whose tag is in the topology
 * pins that item (position, rotation and the given footprint and nozzles); any other fixed item is
 * takes the place of an item of its type in the topology (its lines, instruments and control follow
 * the new tag), so it is piped into the plant; one whose type the topology lacks is added as given.
 * The generator places everything; pinning then overrides the fixed items, and the legaliser moves
 * only the others. A fixed item needs a position inside the site and clear of keep-outs
 * (`fixedItemIssues`): the API refuses the request otherwise.
 */
import type { GenerationRequest, PlantDesignInput } from "../design/types.js";

type EquipmentInput = PlantDesignInput["equipment"][number];

/** Tags of the request's fixed items. */
export function fixedTags(request: GenerationRequest): string[] {
  return (request.fixed ?? []).map((e) => e.tag);
}

/** An input problem of a request's fixed items: where (JSON pointer) and what, naming the item. */
export interface FixedItemIssue {
  readonly pointer: string;
  readonly tag: string;
  readonly message: string;
}

/**
 * Fixed items the candidates could not keep: without a position, reaching past the site's edge, or
 * standing in a keep-out area. Such a request is refused, not answered with invalid candidates.
 */
export function fixedItemIssues(request: GenerationRequest): FixedItemIssue[] {
  const issues: FixedItemIssue[] = [];
  const site = request.site;
  (request.fixed ?? []).forEach((f, i) => {
    const pointer = `/fixed/${i}`;
    if (f.x === undefined || f.y === undefined) {
      issues.push({
        pointer,
        tag: f.tag,
        message: `fixed item ${f.tag} has no position (x, y): it is kept where it is, so it needs one`,
      });
      return;
    }
    const turned = f.rotation === 90 || f.rotation === 270;
    const hw = (turned ? f.footprint.depth : f.footprint.width) / 2;
    const hd = (turned ? f.footprint.width : f.footprint.depth) / 2;
    const [x0, x1, y0, y1] = [f.x - hw, f.x + hw, f.y - hd, f.y + hd];
    if (x0 < 0 || y0 < 0 || x1 > site.width || y1 > site.depth) {
      issues.push({
        pointer,
        tag: f.tag,
        message: `fixed item ${f.tag} at (${f.x}, ${f.y}) reaches outside the ${site.width} × ${site.depth} m site`,
      });
      return;
    }
    for (const k of site.keepOut ?? []) {
      if (x1 > k.x && x0 < k.x + k.width && y1 > k.y && y0 < k.y + k.depth) {
        issues.push({
          pointer,
          tag: f.tag,
          message: `fixed item ${f.tag} at (${f.x}, ${f.y}) stands in keep-out ${k.id}`,
        });
        return;
      }
    }
  });
  return issues;
}

/**
 * The topology with the request's fixed items in it: a fixed item whose tag the topology has pins
 * that item; any other takes the tag of the first item of its type that is not fixed (its lines,
 * instruments and control renamed with it, so it is piped in); one whose type is missing is added.
 */
export function withFixedItems(topology: PlantDesignInput, request: GenerationRequest): PlantDesignInput {
  const fixed = request.fixed ?? [];
  if (fixed.length === 0) return topology;
  const fixedSet = new Set(fixed.map((f) => f.tag));
  let design = topology;
  const extra: EquipmentInput[] = [];
  for (const f of fixed) {
    if (design.equipment.some((e) => e.tag === f.tag)) continue;
    const stand = design.equipment.find((e) => e.type === f.type && !fixedSet.has(e.tag));
    if (stand) design = renameTag(design, stand.tag, f.tag);
    else extra.push(structuredClone(f) as EquipmentInput);
  }
  return extra.length === 0 ? design : { ...design, equipment: [...design.equipment, ...extra] };
}

/** The design with every reference to equipment tag `from` (lines, instruments, control) now `to`. */
function renameTag(design: PlantDesignInput, from: string, to: string): PlantDesignInput {
  const walk = (v: unknown): unknown => {
    if (v === from) return to;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const { metadata, site, ...rest } = design as PlantDesignInput & { metadata?: unknown };
  return {
    ...(walk(rest) as PlantDesignInput),
    site,
    ...(metadata !== undefined ? { metadata } : {}),
  } as PlantDesignInput;
}

/** Puts every fixed item where the request says, whatever the placement proposed. */
export function pinFixedItems(design: PlantDesignInput, request: GenerationRequest): PlantDesignInput {
  const fixed = new Map((request.fixed ?? []).map((e) => [e.tag, e]));
  if (fixed.size === 0) return design;
  return {
    ...design,
    equipment: design.equipment.map((e) => {
      const f = fixed.get(e.tag);
      if (!f) return e;
      // The topology's nozzles carry its lines: a fixed item that lists none keeps them.
      const given = structuredClone(f) as EquipmentInput;
      const nozzles = given.nozzles?.length ? given.nozzles : e.nozzles;
      return { ...e, ...given, ...(nozzles ? { nozzles } : {}) } as EquipmentInput;
    }),
  };
}
