import RBush from "rbush";
import { boxRect, nozzlePosition, planSize, rackRect } from "../design/geometry.js";
import type {
  Component,
  Design,
  Equipment,
  Instrument,
  KeepOut,
  Line,
  Nozzle,
  NozzleEnd,
  Rack,
  Rating,
} from "../design/types.js";
import { isNozzleEnd, isOpenEnd, isPlaced } from "../design/types.js";
import { COMPONENT_TYPES, EQUIPMENT_TYPES, HAZARDS, RATINGS } from "../design/vocabulary.js";
import { ArrayLease } from "./array-pool.js";
import { BoxGrid } from "./box-grid.js";
import { buildSegments, SegmentGrid, type Segments } from "./segments.js";
import { StringTable } from "./string-table.js";
import type { Point, ResolvedRulePack, RuleContext } from "./types.js";

export type PlacedEquipment = Equipment & { x: number; y: number };

/**
 * Work caps for degenerate layouts (thousands of items or segments on one spot): a real plant
 * stays orders of magnitude below them, so they only ever cut short a hostile or broken upload.
 */
export const MAX_NEIGHBOUR_PAIRS = 2_000_000;
export const MAX_CANDIDATES = 20_000_000;

/** A placed equipment item as the spatial index holds it: its plan rectangle and vertical extent. */
export interface PlacedItem {
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
  /** Base elevation, m. */
  readonly minZ: number;
  /** Top elevation (base + height), m. */
  readonly maxZ: number;
  readonly equipment: PlacedEquipment;
  /** Position in `design.equipment`. */
  readonly index: number;
  /** Position in `DesignIndex.placed`. */
  readonly slot: number;
}

/** A keep-out or rack plan rectangle. */
export interface AreaItem {
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
  readonly id: string;
  readonly keepOut?: KeepOut;
  readonly rack?: Rack;
}

/** One end of one line, as found from the equipment or parent line it names. */
export interface LineEndRef {
  readonly line: Line;
  readonly lineIndex: number;
  readonly end: "from" | "to";
}

/** Equipment type codes of `DesignIndex.uniqueTypes`: the position in the schema's list. */
const TYPE_CODE = new Map<string, number>(EQUIPMENT_TYPES.map((t, i) => [t, i]));
/** The code of an equipment type in `DesignIndex.uniqueTypes`. */
export function typeCode(type: Equipment["type"]): number {
  return TYPE_CODE.get(type)!;
}

/** Hazard codes of `DesignIndex.placedHazard`: the position in the schema's list. */
const HAZARD_CODE = new Map<string, number>(HAZARDS.map((h, i) => [h, i]));
/** The code of a hazard in `DesignIndex.placedHazard`. */
export function hazardCode(hazard: Equipment["hazard"]): number {
  return HAZARD_CODE.get(hazard)!;
}

/** Component type codes of `DesignIndex.componentType`: the position in the schema's list. */
const COMPONENT_CODE = new Map<string, number>(COMPONENT_TYPES.map((t, i) => [t, i]));
/** The code of a component type in `DesignIndex.componentType`. */
export function componentCode(type: Component["type"]): number {
  return COMPONENT_CODE.get(type)!;
}

/** `DesignIndex.endKind` values. */
export const END_NOZZLE = 0;
export const END_BRANCH = 1;
export const END_OPEN = 2;

/** `DesignIndex.lineParts` flags: the line holds at least one component of the kind. */
export const PART_CHECK = 1;
/** A block valve other than a control valve (gate, globe, ball, butterfly, plug, needle). */
export const PART_BLOCK = 2;
export const PART_CONTROL = 4;
export const PART_RELIEF = 8;
export const PART_REDUCER = 16;
export const PART_SPEC_BREAK = 32;
/** A component with a tag, of any type. */
export const PART_TAGGED = 64;
/** Not a component: the line's own service is relief or flare. */
export const PART_RELIEF_SERVICE = 128;

function partOf(type: Component["type"]): number {
  switch (type) {
    case "check_valve":
      return PART_CHECK;
    case "gate_valve":
    case "globe_valve":
    case "ball_valve":
    case "butterfly_valve":
    case "plug_valve":
    case "needle_valve":
      return PART_BLOCK;
    case "control_valve":
      return PART_CONTROL;
    case "relief_valve":
      return PART_RELIEF;
    case "reducer":
      return PART_REDUCER;
    case "spec_break":
      return PART_SPEC_BREAK;
    default:
      return 0;
  }
}

export interface ComponentRef {
  readonly component: Component;
  readonly line: Line;
  /** Position of `line` in `design.lines`. */
  readonly lineIndex: number;
}

/**
 * What the control section and the instruments name, as tag numbers (`DesignIndex.tagged`
 * answers for them; a tag naming nothing in the design has a number too), resolved once per run
 * on first use, so the control rules, which each visit every loop, interlock or instrument, look
 * no tag up again.
 */
export interface ControlRefs {
  /** Per loop (in `design.control.loops` order): its measurement's tag number, −1 for none. */
  readonly loopMeasurement: Int32Array;
  /** Per loop: its final element's tag number. */
  readonly loopFinal: Int32Array;
  /** Per interlock: its cause instrument's tag number. */
  readonly interlockCause: Int32Array;
  /** The effects of interlock i are `effectStart[i] .. effectStart[i + 1]` in `effectTarget` (their targets' tag numbers). */
  readonly effectStart: Int32Array;
  readonly effectTarget: Int32Array;
  /**
   * Per instrument: what its `on` names, the position in `uniqueEquipment` (k ≥ 0) or −2 − the
   * position in `design.lines` of the first line with that id; −1 when it has no `on` or names
   * something missing.
   */
  readonly instrumentOn: Int32Array;
  /** Tag numbers run from 0 to `tags` − 1. */
  readonly tags: number;
}

/**
 * Everything rules look things up in, built once per validation run: tag maps, the graph view
 * (which lines touch which equipment and which lines branch off which) and spatial indexes: an
 * uniform grid over footprints (box-grid.ts), R-trees (rbush) over the few keep-outs and racks, and
 * a uniform grid over route segments (see segments.ts). Spatial indexes are built on first use, so a pack that disables the route
 * rules never pays for them.
 *
 * First occurrence wins in every map; duplicates are the unique-tag rules' business.
 */
export class DesignIndex {
  /**
   * Every equipment, instrument and tagged-component tag → its number in the per-tag columns
   * below: one map for the three kinds, so a rule asking what a tag names hashes it once, and a
   * tag naming two kinds is known from building it (at 100,000 equipment each lookup in a map this
   * size costs several cache misses: they were most of the rules' time).
   */
  private readonly tagIds: StringTable;
  /**
   * Per tag number: the position in `uniqueEquipment` of the tag's first equipment item, or −1.
   * Pooled storage that the index grows (read it, never write it); numbers from `tagCount` on are
   * unused.
   */
  tagEquipment: Int32Array;
  /** Per tag number: the position in `design.instruments` of the tag's first instrument, or −1 (as `tagEquipment`). */
  tagInstrument: Int32Array;
  /**
   * Per tag number: the tag's first UTF-16 code unit (−1 for an empty tag), kept while the tag is
   * hashed, so the ISA letter rules read a tag's variable letter without the string (as `tagEquipment`).
   */
  tagLetter: Int32Array;
  /** Per instrument (in `design.instruments` order): its tag's number. */
  readonly instrumentTag: Int32Array;
  /** Tag numbers run from 0 to `tagCount` − 1. */
  private tagCount = 0;
  /** Per tag number: the tag's first tagged component, or undefined. */
  readonly tagComponent: (ComponentRef | undefined)[] = [];
  /** Distinct instrument tags and tagged-component tags. */
  instrumentTags = 0;
  componentTags = 0;
  /** Tags that name two or three of: equipment, an instrument, a component. */
  readonly sharedTags: number;
  /** Each equipment tag's position in `uniqueEquipment` (the flow graph numbers its nodes by it). */
  readonly equipmentIndexByTag: Pick<ReadonlyMap<string, number>, "get" | "has"> = {
    get: (tag) => {
      const id = this.tagIds.get(tag);
      const k = id < 0 ? -1 : this.tagEquipment[id]!;
      return k < 0 ? undefined : k;
    },
    has: (tag) => this.equipmentIndexByTag.get(tag) !== undefined,
  };
  /** Each equipment tag's first item, in design order: iterated without entry arrays. */
  readonly uniqueEquipment: Equipment[] = [];
  /** Each equipment tag's first item: a view over `equipmentIndexByTag`, so the tags are hashed into one map only. */
  readonly equipmentByTag: Pick<ReadonlyMap<string, Equipment>, "get" | "has"> = {
    get: (tag) => {
      const i = this.equipmentIndexByTag.get(tag);
      return i === undefined ? undefined : this.uniqueEquipment[i];
    },
    has: (tag) => this.equipmentIndexByTag.get(tag) !== undefined,
  };
  /** Placed equipment, in design order (duplicates included). */
  readonly placed: PlacedItem[] = [];
  /**
   * Per slot in `placed`: its equipment's `typeCode` and `hazardCode` (255 for a value the schema
   * does not list), so a rule after one type or hazard reads no other item: at 100,000 equipment
   * reading an item's field cost a cache miss or two.
   */
  readonly placedType: Uint8Array;
  readonly placedHazard: Uint8Array;
  /**
   * Each tag's first placed item (a later one when the tag's first item is unplaced): a view over
   * `equipmentIndexByTag` and `firstPlacedSlot`, not a map of its own (one 100,000-entry map fewer
   * to grow, and leave behind in the old generation, per run at 100,000 equipment).
   */
  readonly placedByTag: Pick<ReadonlyMap<string, PlacedItem>, "get"> = {
    get: (tag) => {
      const k = this.equipmentIndexByTag.get(tag);
      const slot = k === undefined ? -1 : this.firstPlacedSlot[k]!;
      return slot < 0 ? undefined : this.placed[slot];
    },
  };
  /** The line ids, numbered in order of first appearance. */
  private readonly lineIds: StringTable;
  /** Per line-id number: the position in `design.lines` of the first line with that id. */
  private readonly lineOfId: Int32Array;
  /** Each line id's first line's position in `design.lines` (a view over the line-id table). */
  readonly lineIndexById: Pick<ReadonlyMap<string, number>, "get" | "has"> = {
    get: (id) => {
      const n = this.lineIds.get(id);
      return n < 0 ? undefined : this.lineOfId[n];
    },
    has: (id) => this.lineIds.get(id) >= 0,
  };
  /** Each line id's first line: a view over `lineIndexById`, so the ids are hashed into one table only. */
  readonly lineById: Pick<ReadonlyMap<string, Line>, "get" | "has"> = {
    get: (id) => {
      const i = this.lineIndexById.get(id);
      return i === undefined ? undefined : this.design.lines[i];
    },
    has: (id) => this.lineIndexById.has(id),
  };
  /** Per line: the position in `design.lines` of the first line with its id (the line itself unless its id repeats). */
  readonly lineFirst: Int32Array;
  /**
   * Per line end (2 × line index, + 1 for the to-end), what it names, resolved once per run so no
   * rule looks a line end's tag or parent up again: for a nozzle end the tag's position in
   * `uniqueEquipment` (−1: no equipment has that tag), for a branch end the parent's position in
   * `design.lines` (its first line with that id; −1: no line has it), and −1 for an open end.
   */
  readonly endTarget: Int32Array;
  /** Per line end: END_NOZZLE, END_BRANCH or END_OPEN. */
  readonly endKind: Uint8Array;
  /**
   * The line ends on each equipment tag's nozzles, as compressed rows over `uniqueEquipment`
   * positions: the ends at position k are `endsList[endsStart[k] .. endsStart[k + 1]]` (line end
   * numbers as in `endTarget`), in line order. Numbers, not a map of per-end objects: at 100,000
   * equipment those were a quarter of a million objects and 100,000 arrays built every run.
   */
  readonly endsStart: Int32Array;
  readonly endsList: Int32Array;
  /** Per line: the PART_* flags of the component types it holds. */
  readonly lineParts: Uint8Array;
  /**
   * The components of line i are `componentStart[i] .. componentStart[i + 1]` in the per-component
   * columns below (in the line's order), so a rule after one component type or tag reads numbers,
   * not the components: at 100,000 equipment each pass over the components cost a cache miss or
   * more per component.
   */
  readonly componentStart: Int32Array;
  /** Per component: its type's `componentCode` (255 for a type the schema does not list). */
  readonly componentType: Uint8Array;
  /** Per component: its tag's number (as `tagNumber`), or −1 when it has no tag. */
  readonly componentTag: Int32Array;
  /** Per position in `uniqueEquipment`: its type's `typeCode`, so a rule after one type reads no other item. */
  readonly uniqueTypes: Uint8Array;
  /** Per position in `design.equipment`: its tag's position in `uniqueEquipment`. */
  readonly equipmentKey: Int32Array;
  /** Inline components with a tag. */
  readonly taggedComponents: number;
  /** Each instrument tag's first instrument (a view over the tag map). */
  readonly instrumentByTag: Pick<ReadonlyMap<string, Instrument>, "get" | "has"> = {
    get: (tag) => {
      const id = this.tagIds.get(tag);
      const i = id < 0 ? -1 : this.tagInstrument[id]!;
      return i < 0 ? undefined : this.design.instruments[i];
    },
    has: (tag) => this.instrumentByTag.get(tag) !== undefined,
  };
  /** Tagged inline components (valves...) by tag: each tag's first (a view over the tag map). */
  readonly componentByTag: Pick<ReadonlyMap<string, ComponentRef>, "get" | "has"> = {
    get: (tag) => {
      const id = this.tagIds.get(tag);
      return id < 0 ? undefined : this.tagComponent[id];
    },
    has: (tag) => this.componentByTag.get(tag) !== undefined,
  };
  /** True when at least one equipment item is placed: geometric rules run (on the placed items). */
  readonly geometryChecked: boolean;
  /** Number of equipment items without a plan position. */
  readonly unplacedCount: number;
  /**
   * The typed arrays of this run's indexes, borrowed from a pool (array-pool.ts): `validateDesign`
   * ends the lease when the run is over, and the next run reuses the storage.
   */
  readonly arrays = new ArrayLease();
  /** Per position in `uniqueEquipment`: the slot in `placed` of that tag's first placed item, or −1. */
  private readonly firstPlacedSlot: Int32Array;
  /** True when no two equipment items share a tag: each tag's first placed item is then its first item. */
  private readonly equipmentTagsUnique: boolean;

  private footprintsCache: FootprintIndex | undefined;
  private keepOutTreeCache: RBush<AreaItem> | undefined;
  private rackTreeCache: RBush<AreaItem> | undefined;
  private keepOutAreasCache: AreaItem[] | undefined;
  private rackAreasCache: AreaItem[] | undefined;
  private segmentsCache: Segments | undefined;
  private segmentGridCache: SegmentGrid | undefined;
  private neighboursCache: Int32Array | undefined;
  /** True when `neighbours` stopped at MAX_NEIGHBOUR_PAIRS (a layout far denser than any plant). */
  neighboursTruncated = false;
  private lineEndsCache: LineEndNozzles | undefined;
  private controlCache: ControlRefs | undefined;
  /** Per placed slot: world positions of its nozzles, in `nozzles` order (filled on first use). */
  private readonly nozzlePoints: (Point[] | undefined)[];

  constructor(
    readonly design: Design,
    readonly pack: ResolvedRulePack,
  ) {
    let unplaced = 0;
    const equipment = design.equipment;
    const arrays = this.arrays;
    this.firstPlacedSlot = arrays.int32(equipment.length, -1);
    this.equipmentKey = arrays.int32(equipment.length);
    const uniqueTypes = arrays.uint8(equipment.length, 255);
    const placedType = arrays.uint8(equipment.length, 255);
    const placedHazard = arrays.uint8(equipment.length, 255);
    const lines = design.lines;
    const instruments = design.instruments;
    // Equipment tags are numbered first, so an equipment tag's number is its position in
    // `uniqueEquipment`; component and instrument tags follow.
    this.tagIds = new StringTable(equipment.length + instruments.length + lines.length, arrays);
    this.tagEquipment = arrays.int32(equipment.length + instruments.length + lines.length + 16, -1);
    this.tagInstrument = arrays.int32(this.tagEquipment.length, -1);
    this.tagLetter = arrays.int32(this.tagEquipment.length, -1);
    for (let index = 0; index < equipment.length; index++) {
      const e = equipment[index]!;
      const id = this.tagIds.add(e.tag);
      let k = id;
      if (id === this.tagCount) {
        k = this.uniqueEquipment.length;
        this.newTag(e.tag, k);
        this.uniqueEquipment.push(e);
        uniqueTypes[k] = TYPE_CODE.get(e.type) ?? 255;
      }
      this.equipmentKey[index] = k;
      if (!isPlaced(e)) {
        unplaced++;
        continue;
      }
      const { width, depth } = planSize(e);
      const item: PlacedItem = {
        minX: e.x - width / 2,
        minY: e.y - depth / 2,
        maxX: e.x + width / 2,
        maxY: e.y + depth / 2,
        minZ: e.z,
        maxZ: e.z + e.footprint.height,
        equipment: e,
        index,
        slot: this.placed.length,
      };
      placedType[item.slot] = TYPE_CODE.get(e.type) ?? 255;
      placedHazard[item.slot] = HAZARD_CODE.get(e.hazard) ?? 255;
      this.placed.push(item);
      if (this.firstPlacedSlot[k] === -1) this.firstPlacedSlot[k] = item.slot;
    }
    this.uniqueTypes = uniqueTypes;
    this.placedType = placedType;
    this.placedHazard = placedHazard;
    this.unplacedCount = unplaced;
    this.equipmentTagsUnique = this.uniqueEquipment.length === equipment.length;
    // Filled up front so the array stays packed (slots are cached in any order).
    this.nozzlePoints = new Array<Point[] | undefined>(this.placed.length).fill(undefined);
    this.geometryChecked = this.placed.length > 0;

    const lineFirst = arrays.int32(lines.length);
    const lineParts = arrays.uint8(lines.length);
    this.lineIds = new StringTable(lines.length, arrays);
    this.lineOfId = arrays.int32(lines.length);
    let tagged = 0;
    let shared = 0;
    const componentStart = arrays.int32(lines.length + 1);
    let capacity = 2 * lines.length + 16;
    let componentType = arrays.uint8(capacity, 255);
    let componentTag = arrays.int32(capacity, -1);
    let at = 0;
    for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
      const line = lines[lineIndex]!;
      const known = this.lineIds.size;
      const n = this.lineIds.add(line.id);
      if (n === known) this.lineOfId[n] = lineIndex;
      lineFirst[lineIndex] = this.lineOfId[n]!;
      const components = line.components;
      componentStart[lineIndex] = at;
      if (at + components.length > capacity) {
        capacity = 2 * (at + components.length);
        const types = arrays.uint8(capacity, 255);
        types.set(componentType.subarray(0, at));
        componentType = types;
        const tags = arrays.int32(capacity, -1);
        tags.set(componentTag.subarray(0, at));
        componentTag = tags;
      }
      let parts = line.service === "relief" || line.service === "flare" ? PART_RELIEF_SERVICE : 0;
      for (let p = 0; p < components.length; p++, at++) {
        const c = components[p]!;
        parts |= partOf(c.type);
        componentType[at] = COMPONENT_CODE.get(c.type) ?? 255;
        if (c.tag === undefined) continue;
        parts |= PART_TAGGED;
        tagged++;
        const id = this.tagId(c.tag);
        componentTag[at] = id;
        if (this.tagComponent[id] !== undefined) continue;
        this.tagComponent[id] = { component: c, line, lineIndex };
        this.componentTags++;
        if (this.tagEquipment[id]! >= 0) shared++;
      }
      lineParts[lineIndex] = parts;
    }
    componentStart[lines.length] = at;
    this.componentStart = componentStart;
    this.componentType = componentType;
    this.componentTag = componentTag;
    this.lineFirst = lineFirst;
    this.lineParts = lineParts;
    this.taggedComponents = tagged;

    // Line ends, once every line id is known (a branch may name a later line).
    const ends = 2 * lines.length;
    const unique = this.uniqueEquipment.length;
    const endTarget = arrays.int32(ends, -1);
    const endKind = arrays.uint8(ends);
    const endsStart = arrays.int32(unique + 1);
    // Lines are mostly listed beside the equipment they join, so an end's item is often the
    // previous end's or one of its neighbours in design order: those are tried first (each tag is
    // one item's in `uniqueEquipment`, so a match is the map's answer), the tag map after.
    let last = 0;
    for (let code = 0; code < ends; code++) {
      const line = lines[code >> 1]!;
      const end = code & 1 ? line.to : line.from;
      if (isNozzleEnd(end)) {
        const k = this.equipmentNear(end.tag, last);
        if (k < 0) continue;
        last = k;
        endTarget[code] = k;
        endsStart[k + 1]!++;
      } else if (isOpenEnd(end)) endKind[code] = END_OPEN;
      else {
        endKind[code] = END_BRANCH;
        endTarget[code] = this.lineIndexById.get(end.line) ?? -1;
      }
    }
    for (let k = 0; k < unique; k++) endsStart[k + 1]! += endsStart[k]!;
    const endsList = arrays.int32(endsStart[unique]!);
    const fill = arrays.int32(unique);
    fill.set(endsStart.subarray(0, unique));
    for (let code = 0; code < ends; code++) {
      const k = endTarget[code]!;
      if (endKind[code] === END_NOZZLE && k >= 0) endsList[fill[k]!++] = code;
    }
    this.endTarget = endTarget;
    this.endKind = endKind;
    this.endsStart = endsStart;
    this.endsList = endsList;
    const instrumentTag = arrays.int32(instruments.length);
    this.instrumentTag = instrumentTag;
    for (let i = 0; i < instruments.length; i++) {
      const id = this.tagId(instruments[i]!.tag);
      instrumentTag[i] = id;
      if (this.tagInstrument[id]! >= 0) continue;
      this.tagInstrument[id] = i;
      this.instrumentTags++;
      // Shared from here on when it named one other kind; one naming equipment and a component was
      // counted with the component.
      if (this.tagEquipment[id]! >= 0 !== (this.tagComponent[id] !== undefined)) shared++;
    }
    this.sharedTags = shared;
  }

  /**
   * The position in `uniqueEquipment` of an equipment tag (−1: no equipment has it), trying the
   * items at `guess` and beside it first: each tag is one item's there, so a match is the tag
   * map's answer, without its hash and probe.
   */
  private equipmentNear(tag: string, guess: number): number {
    const unique = this.uniqueEquipment;
    if (unique[guess]?.tag === tag) return guess;
    if (unique[guess + 1]?.tag === tag) return guess + 1;
    if (guess > 0 && unique[guess - 1]!.tag === tag) return guess - 1;
    const id = this.tagIds.get(tag);
    return id < 0 ? -1 : this.tagEquipment[id]!;
  }

  /** The number of a tag in the tag map, added (naming nothing yet) when new. */
  private tagId(tag: string): number {
    const id = this.tagIds.add(tag);
    if (id === this.tagCount) this.newTag(tag, -1);
    return id;
  }

  /** The next tag number, for `tag`, naming the equipment at `uniqueEquipment` position `equipment` (or −1) and nothing else. */
  private newTag(tag: string, equipment: number): number {
    if (this.tagCount === this.tagEquipment.length) {
      const grow = (column: Int32Array): Int32Array => {
        const grown = this.arrays.int32(2 * this.tagCount, -1);
        grown.set(column);
        return grown;
      };
      this.tagEquipment = grow(this.tagEquipment);
      this.tagInstrument = grow(this.tagInstrument);
      this.tagLetter = grow(this.tagLetter);
    }
    this.tagLetter[this.tagCount] = tag.length > 0 ? tag.charCodeAt(0) : -1;
    this.tagEquipment[this.tagCount] = equipment;
    this.tagComponent.push(undefined);
    return this.tagCount++;
  }

  /** The number of an equipment, instrument or component tag (see `control`), or −1 when the design has no such tag. */
  tagNumber(tag: string): number {
    return this.tagIds.get(tag);
  }

  /** The tag a tag number of the tag map stands for. */
  tagOf(id: number): string {
    return this.tagIds.keys[id]!;
  }

  /** True when the tag number names equipment, an instrument or a tagged component. */
  namesAny(id: number): boolean {
    return this.tagEquipment[id]! >= 0 || this.tagInstrument[id]! >= 0 || this.tagComponent[id] !== undefined;
  }

  /** What a tag names, with one lookup: positions as `equipmentIndexByTag` and `design.instruments`, −1 for none. */
  tagged(tag: string): { equipment: number; instrument: number; component: ComponentRef | undefined } | undefined {
    const id = this.tagIds.get(tag);
    if (id < 0 || !this.namesAny(id)) return undefined;
    return { equipment: this.tagEquipment[id]!, instrument: this.tagInstrument[id]!, component: this.tagComponent[id] };
  }

  /**
   * Positions 0 .. keys.length − 1 grouped by their key (a tag number, or −1 for none, left out):
   * the positions with key t are `items[start[t] .. start[t + 1]]`, in increasing order. For
   * grouping loops or interlock effects by what they name without a map of arrays.
   */
  groupByTag(keys: Int32Array): { start: Int32Array; items: Int32Array } {
    const tags = this.tagCount;
    const start = this.arrays.int32(tags + 1);
    for (const t of keys) if (t >= 0) start[t + 1]!++;
    for (let t = 0; t < tags; t++) start[t + 1]! += start[t]!;
    const items = this.arrays.int32(start[tags]!);
    const fill = this.arrays.int32(tags);
    fill.set(start.subarray(0, tags));
    for (let p = 0; p < keys.length; p++) if (keys[p]! >= 0) items[fill[keys[p]!]!++] = p;
    return { start, items };
  }

  /** What the control section and the instruments name, resolved on first use. */
  get control(): ControlRefs {
    if (this.controlCache) return this.controlCache;
    const { loops, interlocks } = this.design.control;
    const arrays = this.arrays;
    // References to tags the design does not have (rare) get numbers of their own, kept apart so
    // the tag map is not grown (and rehashed) for them.
    const other = new Map<string, number>();
    // Loops and interlocks mostly name their tags in the order they were numbered: each kind of
    // reference tries the number after its previous one first (StringTable.getNear).
    const refId = (tag: string, guess: number): number => {
      const known = this.tagIds.getNear(tag, guess);
      let id = known >= 0 ? known : other.get(tag);
      if (id === undefined) {
        id = this.newTag(tag, -1);
        other.set(tag, id);
      }
      return id;
    };
    const loopMeasurement = arrays.int32(loops.length, -1);
    const loopFinal = arrays.int32(loops.length);
    let measured = -1;
    let final = -1;
    for (let l = 0; l < loops.length; l++) {
      const loop = loops[l]!;
      if (loop.measurement !== undefined) measured = loopMeasurement[l] = refId(loop.measurement, measured + 1);
      final = loopFinal[l] = refId(loop.finalElement, final + 1);
    }
    const interlockCause = arrays.int32(interlocks.length);
    const effectStart = arrays.int32(interlocks.length + 1);
    for (let i = 0; i < interlocks.length; i++) effectStart[i + 1] = effectStart[i]! + interlocks[i]!.effects.length;
    const effectTarget = arrays.int32(effectStart[interlocks.length]!);
    let cause = -1;
    let target = -1;
    for (let i = 0; i < interlocks.length; i++) {
      const il = interlocks[i]!;
      cause = interlockCause[i] = refId(il.cause.instrument, cause + 1);
      const at = effectStart[i]!;
      for (let e = 0; e < il.effects.length; e++)
        target = effectTarget[at + e] = refId(il.effects[e]!.target, target + 1);
    }
    const instruments = this.design.instruments;
    const instrumentOn = arrays.int32(instruments.length, -1);
    // Equipment mounts as the line ends: the previous mount's item and its neighbours first.
    let last = 0;
    for (let i = 0; i < instruments.length; i++) {
      const on = instruments[i]!.on;
      if (!on) continue;
      if ("tag" in on) {
        const k = this.equipmentNear(on.tag, last);
        if (k >= 0) instrumentOn[i] = last = k;
      } else {
        const at = this.lineIndexById.get(on.line);
        if (at !== undefined) instrumentOn[i] = -2 - at;
      }
    }
    this.controlCache = {
      loopMeasurement,
      loopFinal,
      interlockCause,
      effectStart,
      effectTarget,
      instrumentOn,
      tags: this.tagCount,
    };
    return this.controlCache;
  }

  /**
   * The line ends on the nozzles of the equipment tag at `uniqueEquipment` position k, in line
   * order, as objects (made on each call: for rules that look at few items).
   */
  endsAt(k: number): LineEndRef[] {
    const out: LineEndRef[] = [];
    for (let p = this.endsStart[k]!; p < this.endsStart[k + 1]!; p++) {
      const code = this.endsList[p]!;
      out.push({ line: this.design.lines[code >> 1]!, lineIndex: code >> 1, end: code & 1 ? "to" : "from" });
    }
    return out;
  }

  /**
   * The equipment item a line end names (the tag's first, as `equipmentByTag` answers), or
   * undefined for a branch or open end or a tag no equipment has. `code`: 2 × line index, + 1 for
   * the to-end.
   */
  endEquipment(code: number): Equipment | undefined {
    const k = this.endTarget[code]!;
    return this.endKind[code] === END_NOZZLE && k >= 0 ? this.uniqueEquipment[k] : undefined;
  }

  /**
   * The line a branch end names (the first with that id, as `lineById` answers), or undefined for a
   * nozzle or open end or an id no line has.
   */
  endParent(code: number): Line | undefined {
    const j = this.endTarget[code]!;
    return this.endKind[code] === END_BRANCH && j >= 0 ? this.design.lines[j] : undefined;
  }

  /** True when any line ends on a nozzle of the equipment tag at `uniqueEquipment` position k. */
  hasEnds(k: number): boolean {
    return this.endsStart[k + 1]! > this.endsStart[k]!;
  }

  /** A nozzle of an equipment item (first with that id), or undefined. */
  nozzle(tag: string, id: string): Nozzle | undefined {
    const e = this.equipmentByTag.get(tag);
    if (!e) return undefined;
    for (const n of e.nozzles) if (n.id === id) return n;
    return undefined;
  }

  /** World position of a nozzle, or undefined when the equipment or nozzle is missing or unplaced. */
  nozzlePoint(tag: string, id: string): Point | undefined {
    const item = this.placedByTag.get(tag);
    if (!item) return undefined;
    // With a repeated tag the first item may be unplaced; only then is the second map lookup needed.
    if (!this.equipmentTagsUnique && this.equipmentByTag.get(tag) !== item.equipment) return undefined;
    const nozzles = item.equipment.nozzles;
    let points = this.nozzlePoints[item.slot];
    if (!points) {
      points = nozzles.map((n) => nozzlePosition(item.equipment, n));
      this.nozzlePoints[item.slot] = points;
    }
    for (let i = 0; i < nozzles.length; i++) if (nozzles[i]!.id === id) return points[i];
    return undefined;
  }

  /**
   * The nozzle a line end names, as `nozzle(end.tag, end.nozzle)` answers, for the line at
   * `lineIndex` in `design.lines`. Resolved once for every end, so the rules that each visit every
   * line end (sizes, ratings, route ends) share one pass of tag lookups instead of one each.
   */
  endNozzle(lineIndex: number, side: "from" | "to"): Nozzle | undefined {
    const ends = this.lineEnds;
    const k = 2 * lineIndex + (side === "from" ? 0 : 1);
    return ends.flags[k]! & END_FOUND ? this.uniqueEquipment[this.endTarget[k]!]!.nozzles[ends.nozzle[k]!] : undefined;
  }

  /**
   * For a line end (`code`: 2 × line index, + 1 for the to-end) the position of the nozzle it names
   * in `endEquipment(code).nozzles` (the first with that id), or −1 when that nozzle is missing.
   */
  endNozzlePosition(code: number): number {
    const ends = this.lineEnds;
    return ends.flags[code]! & END_FOUND ? ends.nozzle[code]! : -1;
  }

  /** True when a line end names a nozzle that exists: `endNozzle(...) !== undefined`, without the nozzle. */
  hasEndNozzle(lineIndex: number, side: "from" | "to"): boolean {
    return (this.lineEnds.flags[2 * lineIndex + (side === "from" ? 0 : 1)]! & END_FOUND) !== 0;
  }

  /** `endNozzle(...)?.size`, read from the index's column. */
  endNozzleSize(lineIndex: number, side: "from" | "to"): number | undefined {
    const ends = this.lineEnds;
    const k = 2 * lineIndex + (side === "from" ? 0 : 1);
    return ends.flags[k]! & END_SIZED ? ends.size[k] : undefined;
  }

  /** `endNozzle(...)?.rating`, read from the index's column (the nozzle only for a rating the schema does not list). */
  endNozzleRating(lineIndex: number, side: "from" | "to"): Rating | undefined {
    const ends = this.lineEnds;
    const k = 2 * lineIndex + (side === "from" ? 0 : 1);
    const code = ends.rating[k]!;
    if (code === NO_RATING) return undefined;
    return code === OTHER_RATING ? this.endNozzle(lineIndex, side)!.rating : RATINGS[code];
  }

  /** World position of the nozzle a line end names, as `nozzlePoint(end.tag, end.nozzle)` answers. */
  endNozzlePoint(lineIndex: number, side: "from" | "to"): Point | undefined {
    const ends = this.lineEnds;
    const k = 2 * lineIndex + (side === "from" ? 0 : 1);
    if (ends.slot[k]! < 0) return undefined;
    const at = ends.point;
    return [at[3 * k]!, at[3 * k + 1]!, at[3 * k + 2]!];
  }

  /**
   * The distance from (x, y, z) to the nozzle a line end names, as `distance([x, y, z],
   * endNozzlePoint(...))` answers, without making the points; −1 when that point is undefined.
   */
  endNozzleDistance(lineIndex: number, side: "from" | "to", x: number, y: number, z: number): number {
    const ends = this.lineEnds;
    const k = 2 * lineIndex + (side === "from" ? 0 : 1);
    if (ends.slot[k]! < 0) return -1;
    const at = ends.point;
    const dx = x - at[3 * k]!;
    const dy = y - at[3 * k + 1]!;
    const dz = z - at[3 * k + 2]!;
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  }

  private get lineEnds(): LineEndNozzles {
    if (this.lineEndsCache) return this.lineEndsCache;
    const lines = this.design.lines;
    const ends: LineEndNozzles = {
      flags: this.arrays.uint8(2 * lines.length),
      nozzle: this.arrays.int32(2 * lines.length),
      size: this.arrays.float64(2 * lines.length),
      rating: this.arrays.uint8(2 * lines.length, NO_RATING),
      slot: this.arrays.int32(2 * lines.length, -1),
      point: this.arrays.float64(6 * lines.length),
    };
    for (let k = 0; k < 2 * lines.length; k++) {
      const u = this.endTarget[k]!;
      if (this.endKind[k] !== END_NOZZLE || u < 0) continue;
      const line = lines[k >> 1]!;
      const end = (k & 1 ? line.to : line.from) as NozzleEnd;
      // nozzlePoint's rule: the tag's first item, and only when it is placed (it is then the
      // tag's first placed item).
      const first = this.uniqueEquipment[u]!;
      const nozzles = first.nozzles;
      let at = 0;
      while (at < nozzles.length && nozzles[at]!.id !== end.nozzle) at++;
      if (at === nozzles.length) continue;
      const nozzle = nozzles[at]!;
      ends.flags[k] = nozzle.size === undefined ? END_FOUND : END_FOUND | END_SIZED;
      if (nozzle.size !== undefined) ends.size[k] = nozzle.size;
      if (nozzle.rating !== undefined) ends.rating[k] = RATING_CODE.get(nozzle.rating) ?? OTHER_RATING;
      ends.nozzle[k] = at;
      const slot = this.firstPlacedSlot[u]!;
      const item = slot < 0 ? undefined : this.placed[slot]!;
      if (item && item.equipment === first) {
        ends.slot[k] = slot;
        const [x, y, z] = nozzlePosition(item.equipment, nozzles[at]!);
        ends.point[3 * k] = x;
        ends.point[3 * k + 1] = y;
        ends.point[3 * k + 2] = z;
      }
    }
    this.lineEndsCache = ends;
    return ends;
  }

  /** Footprints of the placed equipment: the one spatial index every geometry rule searches. */
  get footprints(): FootprintIndex {
    this.footprintsCache ??= new FootprintIndex(this.placed, this.arrays);
    return this.footprintsCache;
  }

  /** Keep-out rectangles, in design order. */
  get keepOutAreas(): readonly AreaItem[] {
    this.keepOutAreasCache ??= this.design.site.keepOut.map((k) => ({ ...boxRect(k), id: k.id, keepOut: k }));
    return this.keepOutAreasCache;
  }

  /** Pipe rack rectangles, in design order. */
  get rackAreas(): readonly AreaItem[] {
    this.rackAreasCache ??= this.design.site.racks.map((r) => ({ ...rackRect(r), id: r.id, rack: r }));
    return this.rackAreasCache;
  }

  get keepOutTree(): RBush<AreaItem> {
    this.keepOutTreeCache ??= new RBush<AreaItem>().load([...this.keepOutAreas]);
    return this.keepOutTreeCache;
  }

  get rackTree(): RBush<AreaItem> {
    this.rackTreeCache ??= new RBush<AreaItem>().load([...this.rackAreas]);
    return this.rackTreeCache;
  }

  /**
   * Calls `fn(item, area)` for each placed item whose footprint, grown by `margin`, meets one of
   * `areas` (touching counts), ordered by item (design order) and then area. Searched from the
   * areas (a site has far fewer keep-outs and racks than items) through the footprint grid.
   */
  forEachItemNear(areas: readonly AreaItem[], margin: number, fn: (item: PlacedItem, area: AreaItem) => void): void {
    const grid = this.footprints.grid;
    const hits: number[] = [];
    for (let z = 0; z < areas.length; z++) {
      const a = areas[z]!;
      grid.forEachNear(a.minX - margin, a.minY - margin, a.maxX + margin, a.maxY + margin, (slot) => {
        hits.push(slot * areas.length + z);
        return undefined;
      });
    }
    hits.sort((x, y) => x - y);
    for (const h of hits) fn(this.placed[Math.floor(h / areas.length)]!, areas[h % areas.length]!);
  }

  /** Every straight piece of every routed line, as columns of numbers. */
  get segments(): Segments {
    this.segmentsCache ??= buildSegments(this.design.lines, this.arrays);
    return this.segmentsCache;
  }

  /**
   * The segments in a uniform grid, each box widened by the largest pipe radius plus half the
   * pack's clash clearance, so two segments that may clash have overlapping boxes.
   */
  get segmentGrid(): SegmentGrid {
    if (!this.segmentGridCache) {
      let radius = 0;
      for (const line of this.design.lines) if (line.route && line.size / 2000 > radius) radius = line.size / 2000;
      this.segmentGridCache = new SegmentGrid(
        this.segments,
        radius + this.pack.routing.clashClearance / 2,
        this.arrays,
      );
    }
    return this.segmentGridCache;
  }

  /**
   * Pairs of placed items (slots into `placed`, a before b in design order) whose plan rectangles
   * are within the pack's access clearance of each other, overlapping ones included: what the
   * overlap and access rules both look at, found with one pass over the footprint index.
   * Flat: [a0, b0, a1, b1, ...].
   */
  get neighbours(): Int32Array {
    if (this.neighboursCache) return this.neighboursCache;
    const reach = Math.max(0, this.pack.access.clearance);
    const grid = this.footprints.grid;
    // The pairs go into pooled storage that doubles when full: at 100,000 equipment a plain array
    // grown pair by pair left some 10 MB of outgrown copies per run in the old generation.
    let out = this.arrays.int32(4 * this.placed.length + 16);
    let size = 0;
    const near: number[] = [];
    // One visitor for every item (the item's slot in `slot`): no closure per item.
    let slot = 0;
    const visit = (b: number): undefined => {
      if (b > slot) near.push(b);
    };
    for (const a of this.placed) {
      slot = a.slot;
      near.length = 0;
      // Slots follow design order, so a later slot is a later item.
      grid.forEachNear(a.minX - reach, a.minY - reach, a.maxX + reach, a.maxY + reach, visit);
      if (near.length > 1) near.sort((x, y) => x - y);
      if (size + 2 * near.length > out.length) {
        const grown = this.arrays.int32(2 * (size + 2 * near.length));
        grown.set(out.subarray(0, size));
        out = grown;
      }
      for (const b of near) {
        out[size++] = slot;
        out[size++] = b;
      }
      if (size >= 2 * MAX_NEIGHBOUR_PAIRS) {
        this.neighboursTruncated = true;
        break;
      }
    }
    this.neighboursCache = out.subarray(0, size);
    return this.neighboursCache;
  }
}

/** Line ends resolved to nozzles, indexed 2 × line index (+ 1 for the to-end). */
interface LineEndNozzles {
  /**
   * END_FOUND when the tag's first equipment item (`uniqueEquipment[endTarget[k]]`) has the named
   * nozzle, with END_SIZED when that nozzle has a size.
   */
  readonly flags: Uint8Array;
  /** Position of the named nozzle (its first with that id) in that item's `nozzles`. */
  readonly nozzle: Int32Array;
  /** That nozzle's size, when END_SIZED: read by the size rule without the nozzle. */
  readonly size: Float64Array;
  /** That nozzle's rating's position in RATINGS; NO_RATING without one, OTHER_RATING for one not listed. */
  readonly rating: Uint8Array;
  /** Slot in `placed` of that item when it is placed, else −1. */
  readonly slot: Int32Array;
  /**
   * World position of that nozzle, x y z at 3k, when the item is placed: as columns, not one
   * array per point, because at 100,000 equipment a quarter of a million small arrays living
   * through the whole run made every young-generation collection copy them.
   */
  readonly point: Float64Array;
}

/** `LineEndNozzles.flags` bits. */
const END_FOUND = 1;
const END_SIZED = 2;
/** `LineEndNozzles.rating` values besides a position in RATINGS. */
const NO_RATING = 255;
const OTHER_RATING = 254;
const RATING_CODE = new Map<string, number>(RATINGS.map((r, i) => [r, i]));

/** The placed footprints in a uniform grid; searches answer in design order. */
export class FootprintIndex {
  readonly grid: BoxGrid;

  constructor(
    readonly placed: readonly PlacedItem[],
    arrays: ArrayLease,
  ) {
    const n = placed.length;
    const boxes = {
      minX: arrays.float64(n),
      minY: arrays.float64(n),
      maxX: arrays.float64(n),
      maxY: arrays.float64(n),
    };
    for (let i = 0; i < n; i++) {
      const p = placed[i]!;
      boxes.minX[i] = p.minX;
      boxes.minY[i] = p.minY;
      boxes.maxX[i] = p.maxX;
      boxes.maxY[i] = p.maxY;
    }
    this.grid = new BoxGrid(boxes, arrays);
  }

  /** Placed items whose footprint meets the box (touching counts), in design order. */
  search(box: { minX: number; minY: number; maxX: number; maxY: number }): PlacedItem[] {
    return this.grid.search(box).map((slot) => this.placed[slot]!);
  }
}

/** Builds the context every rule of one run shares. */
export function createContext(design: Design, pack: ResolvedRulePack): RuleContext {
  return { design, pack, index: new DesignIndex(design, pack) };
}
