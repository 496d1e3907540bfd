import type { Box3, Group, Object3D } from "three";

/** What a picked or highlighted thing is. Ids are tags (equipment, components, instruments, loops) or line/rack ids. */
export type ItemKind =
  | "equipment"
  | "line"
  | "component"
  | "instrument"
  | "rack"
  | "keepOut"
  | "loop"
  | "interlock"
  | "plot";

export interface PickTarget {
  readonly kind: ItemKind;
  readonly id: string;
}

/** A point to hang a text label on, in scene (= design) coordinates, m. */
export interface LabelAnchor {
  readonly kind: ItemKind;
  readonly id: string;
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** Which meshes and instances (or vertex ranges) show one item. */
export interface ItemRecord {
  readonly kind: ItemKind;
  readonly id: string;
  /** Axis-aligned box around the item in scene coordinates, m. */
  readonly box: Box3;
  /** True when the item has no plan position of its own and was drawn at a schematic one. */
  readonly schematic?: boolean;
}

export interface HighlightRequest {
  /** Equipment, component, instrument, loop or interlock tags; rack and keep-out ids. */
  readonly tags?: Iterable<string>;
  /** Line ids. */
  readonly lines?: Iterable<string>;
  /** A point to mark (a violation's location), m. */
  readonly location?: { readonly x: number; readonly y: number; readonly z: number } | undefined;
}

export interface BuildOptions {
  /** Draw equipment without x/y at schematic positions beside the plot (default true). */
  readonly placeUnplaced?: boolean;
  /** Multiplies pipe radii (default 1; the drawn radius never goes under `minPipeRadius`). */
  readonly pipeRadiusScale?: number;
  /** Smallest drawn pipe radius, m (default 0.06, so DN25 still shows on a 200 m plot). */
  readonly minPipeRadius?: number;
  /** Radial segments of pipe tubes (default 6). */
  readonly pipeRadialSegments?: number;
  /** Turn the group so that z-up scene coordinates become glTF's y-up (default false: the viewer sets camera.up to z). */
  readonly yUp?: boolean;
}

/** Result of building a design: everything the viewer, picking, highlighting and export need. */
export interface DesignScene {
  /** Root of the scene; children are in design coordinates (x east, y north, z up, m) unless `yUp`. */
  readonly group: Group;
  /** The control-loop and interlock overlay (a child of `group`); toggle its `visible`. */
  readonly overlay: Group;
  /** Resolves a ray hit to the item it shows. */
  readonly pickMap: PickMap;
  /** Box around the plot and everything drawn, scene coordinates. */
  readonly bounds: Box3;
  /** Label anchors (equipment tags; loop and interlock tags on the overlay). */
  readonly labels: readonly LabelAnchor[];
  /** Every drawn item, keyed by `kind:id`. */
  readonly items: ReadonlyMap<string, ItemRecord>;
  /** Figures for tests and the status bar. */
  readonly stats: SceneStats;
  /** Items known by an id (a tag or line id may name more than one kind). */
  find(id: string): readonly ItemRecord[];
  /** Colours what the request names and draws boxes around it; returns their union box (empty when nothing matched). */
  highlight(request: HighlightRequest): Box3;
  /** Frees every geometry and material the build created. */
  dispose(): void;
}

export interface SceneStats {
  readonly equipment: number;
  readonly equipmentSchematic: number;
  readonly lines: number;
  readonly linesRouted: number;
  readonly pipeSegments: number;
  readonly components: number;
  readonly instruments: number;
  readonly loops: number;
  readonly interlocks: number;
  /** Draw calls the static scene needs (meshes and line sets). */
  readonly drawObjects: number;
}

/** Maps an intersected object (and instance, face or segment index) to the item it shows. */
export interface PickMap {
  resolve(
    object: Object3D,
    index: { instanceId?: number | undefined; faceIndex?: number | null | undefined; index?: number | undefined },
  ): PickTarget | undefined;
  /** The objects worth ray casting (everything pickable). */
  readonly objects: readonly Object3D[];
}
