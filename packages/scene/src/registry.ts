import { type Box3, type BufferAttribute, Color, type InstancedMesh, type Object3D } from "three";
import type { ItemKind, ItemRecord, LabelAnchor, PickMap, PickTarget } from "./types.js";

/** How an item is painted: instances of an instanced mesh, or a vertex range of a merged geometry. */
export type Paint =
  | { readonly mesh: InstancedMesh; readonly instance: number }
  | { readonly colours: BufferAttribute; readonly start: number; readonly count: number };

type PickEntry =
  /** One target per instance of an InstancedMesh. */
  | { readonly type: "instances"; readonly targets: readonly PickTarget[] }
  /** Triangle ranges of a merged mesh: `starts[i]` is the first triangle of `targets[i]`, ascending. */
  | { readonly type: "faces"; readonly starts: Int32Array; readonly targets: readonly PickTarget[] }
  /** One target per segment of a LineSegments (vertex pair). */
  | { readonly type: "segments"; readonly targets: readonly PickTarget[] }
  /** The whole object is one target. */
  | { readonly type: "single"; readonly target: PickTarget };

export const itemKey = (kind: ItemKind, id: string): string => `${kind}:${id}`;

/** Largest i with starts[i] <= value (starts ascending, starts[0] = 0). */
export function rangeIndex(starts: Int32Array, value: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Collects, while a scene is built, what each drawn thing is (items with boxes), how to pick it
 * (object → entry) and how to paint it (for highlights).
 */
export class SceneRegistry implements PickMap {
  readonly items = new Map<string, ItemRecord>();
  readonly byId = new Map<string, ItemRecord[]>();
  readonly paints = new Map<string, Paint[]>();
  readonly labels: LabelAnchor[] = [];
  private readonly picks = new Map<Object3D, PickEntry>();
  readonly objects: Object3D[] = [];

  addItem(kind: ItemKind, id: string, box: Box3, schematic = false): ItemRecord {
    const key = itemKey(kind, id);
    const existing = this.items.get(key);
    if (existing) {
      existing.box.union(box);
      return existing;
    }
    const record: ItemRecord = schematic ? { kind, id, box: box.clone(), schematic } : { kind, id, box: box.clone() };
    this.items.set(key, record);
    const list = this.byId.get(id);
    if (list) list.push(record);
    else this.byId.set(id, [record]);
    return record;
  }

  addPaint(kind: ItemKind, id: string, paint: Paint): void {
    const key = itemKey(kind, id);
    const list = this.paints.get(key);
    if (list) list.push(paint);
    else this.paints.set(key, [paint]);
  }

  pickInstances(mesh: InstancedMesh, targets: readonly PickTarget[]): void {
    this.register(mesh, { type: "instances", targets });
  }

  pickFaces(object: Object3D, starts: Int32Array, targets: readonly PickTarget[]): void {
    this.register(object, { type: "faces", starts, targets });
  }

  pickSegments(object: Object3D, targets: readonly PickTarget[]): void {
    this.register(object, { type: "segments", targets });
  }

  pickWhole(object: Object3D, target: PickTarget): void {
    this.register(object, { type: "single", target });
  }

  private register(object: Object3D, entry: PickEntry): void {
    this.picks.set(object, entry);
    this.objects.push(object);
  }

  resolve(
    object: Object3D,
    index: { instanceId?: number | undefined; faceIndex?: number | null | undefined; index?: number | undefined },
  ): PickTarget | undefined {
    const entry = this.picks.get(object);
    if (!entry) return undefined;
    switch (entry.type) {
      case "instances":
        return index.instanceId === undefined ? undefined : entry.targets[index.instanceId];
      case "faces":
        return index.faceIndex === undefined || index.faceIndex === null
          ? undefined
          : entry.targets[rangeIndex(entry.starts, index.faceIndex)];
      case "segments":
        return index.index === undefined ? undefined : entry.targets[Math.floor(index.index / 2)];
      case "single":
        return entry.target;
    }
  }
}

/** Keeps the unhighlighted colours so a highlight can be undone exactly. */
export class Painter {
  private readonly base = new Map<BufferAttribute, Float32Array>();
  private readonly touched = new Set<BufferAttribute>();
  private readonly colour = new Color();

  constructor(highlight: number) {
    this.colour.setHex(highlight);
  }

  /** Records the current colours of an attribute as its base. Call once after the build. */
  remember(colours: BufferAttribute): void {
    this.base.set(colours, (colours.array as Float32Array).slice());
  }

  paint(p: Paint): void {
    const attr = "mesh" in p ? p.mesh.instanceColor : p.colours;
    if (!attr) return;
    const start = "mesh" in p ? p.instance : p.start;
    const count = "mesh" in p ? 1 : p.count;
    const a = attr.array as Float32Array;
    for (let i = start; i < start + count; i++) {
      a[i * 3] = this.colour.r;
      a[i * 3 + 1] = this.colour.g;
      a[i * 3 + 2] = this.colour.b;
    }
    attr.needsUpdate = true;
    this.touched.add(attr as BufferAttribute);
  }

  /** Puts back the base colours of everything painted since the last reset. */
  reset(): void {
    for (const attr of this.touched) {
      const base = this.base.get(attr);
      if (base) (attr.array as Float32Array).set(base);
      attr.needsUpdate = true;
    }
    this.touched.clear();
  }
}
