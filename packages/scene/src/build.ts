import type { Design } from "@plantgan/core/design";
import {
  Box3,
  BufferAttribute,
  BufferGeometry,
  Group,
  InstancedMesh,
  LineSegments,
  type Object3D,
  Vector3,
} from "three";
import { buildControlOverlay } from "./control.js";
import { buildEquipment } from "./equipment.js";
import { buildInstruments, instrumentPositions } from "./instruments.js";
import { LineEnds, placeEquipment, type Vec3 } from "./layout.js";
import { HIGHLIGHT_COLOUR } from "./palette.js";
import { buildPipes } from "./pipes.js";
import { itemKey, Painter, SceneRegistry } from "./registry.js";
import { SceneResources } from "./resources.js";
import { buildSite } from "./site.js";
import type { BuildOptions, DesignScene, HighlightRequest, ItemRecord } from "./types.js";

/** Corners of a box as 12 edges (24 points) for an outline. */
function boxEdges(b: Box3, out: number[]): void {
  const xs = [b.min.x, b.max.x];
  const ys = [b.min.y, b.max.y];
  const zs = [b.min.z, b.max.z];
  const c = (i: number): [number, number, number] => [xs[i & 1]!, ys[(i >> 1) & 1]!, zs[(i >> 2) & 1]!];
  const edges = [0, 1, 2, 3, 4, 5, 6, 7, 0, 2, 1, 3, 4, 6, 5, 7, 0, 4, 1, 5, 2, 6, 3, 7];
  for (const e of edges) out.push(...c(e));
}

/**
 * Builds the three.js scene of a design: plain three.js, no DOM and no React, so it runs in Node
 * (tests, the server's glTF export) as well as in the viewer. Scene coordinates are design
 * coordinates (m; x east, y north, z up) unless `options.yUp` turns the root for glTF.
 */
export function buildDesignScene(design: Design, options: BuildOptions = {}): DesignScene {
  const res = new SceneResources();
  const reg = new SceneRegistry();
  const painter = new Painter(HIGHLIGHT_COLOUR);
  const group = new Group();
  group.name = `design:${design.id}`;
  group.userData = { designId: design.id };
  if (options.yUp) group.rotation.x = -Math.PI / 2;

  const placed = placeEquipment(design, options.placeUnplaced ?? true);
  const ends = new LineEnds(placed, design.lines);

  const site = buildSite(design.site, res, reg);
  const equipment = buildEquipment(placed, res, reg);
  const pipes = buildPipes(
    design.lines,
    ends,
    {
      radiusScale: options.pipeRadiusScale ?? 1,
      minRadius: options.minPipeRadius ?? 0.06,
      radialSegments: options.pipeRadialSegments ?? 6,
    },
    res,
    reg,
    painter,
  );
  const instrumentAt = instrumentPositions(design.instruments, ends);
  const instruments = buildInstruments(design.instruments, instrumentAt, res, reg);
  const position = (tag: string): Vec3 | undefined => {
    const i = instrumentAt.get(tag) ?? pipes.componentPositions.get(tag);
    if (i) return i;
    const e = ends.equipmentByTag(tag);
    return e ? [e.x, e.y, e.z + e.footprint.height] : undefined;
  };
  const overlay = buildControlOverlay(design.control, position, res, reg);

  const objects: Object3D[] = [...site, ...equipment, ...pipes.objects];
  if (instruments) objects.push(instruments);
  group.add(...objects, overlay.group);

  // Base colours of every instanced mesh, so highlights can be undone.
  group.traverse((o) => {
    if (o instanceof InstancedMesh && o.instanceColor) painter.remember(o.instanceColor);
  });
  for (const o of overlay.group.children) {
    if (o instanceof LineSegments) {
      const c = o.geometry.getAttribute("color");
      if (c instanceof BufferAttribute) painter.remember(c);
    }
  }

  const bounds = new Box3();
  for (const item of reg.items.values()) bounds.union(item.box);
  if (options.yUp) {
    group.updateMatrixWorld(true);
    bounds.applyMatrix4(group.matrixWorld);
  }

  // Outline boxes around what is highlighted; rebuilt per highlight (never in the frame loop).
  let outline: LineSegments | null = null;
  const outlineMaterial = res.lines({ colour: HIGHLIGHT_COLOUR, depthTest: false });
  const clearOutline = (): void => {
    if (!outline) return;
    group.remove(outline);
    outline.geometry.dispose();
    outline = null;
  };

  const highlight = (request: HighlightRequest): Box3 => {
    painter.reset();
    clearOutline();
    const matched: ItemRecord[] = [];
    for (const tag of request.tags ?? [])
      for (const r of reg.byId.get(tag) ?? []) if (r.kind !== "line") matched.push(r);
    for (const id of request.lines ?? []) {
      const r = reg.items.get(itemKey("line", id));
      if (r) matched.push(r);
    }
    const union = new Box3();
    const edges: number[] = [];
    for (const r of matched) {
      for (const paint of reg.paints.get(itemKey(r.kind, r.id)) ?? []) painter.paint(paint);
      union.union(r.box);
      boxEdges(r.box.clone().expandByScalar(0.3), edges);
    }
    const loc = request.location;
    if (loc) {
      const l = new Vector3(loc.x, loc.y, loc.z);
      union.expandByPoint(l);
      // A vertical pin and a cross at the location.
      edges.push(loc.x, loc.y, loc.z, loc.x, loc.y, loc.z + 6, loc.x - 2, loc.y, loc.z, loc.x + 2, loc.y, loc.z);
      edges.push(loc.x, loc.y - 2, loc.z, loc.x, loc.y + 2, loc.z);
    }
    if (edges.length > 0) {
      const g = new BufferGeometry();
      g.setAttribute("position", new BufferAttribute(new Float32Array(edges), 3));
      outline = new LineSegments(g, outlineMaterial);
      outline.name = "highlight";
      outline.renderOrder = 20;
      group.add(outline);
    }
    if (options.yUp && !union.isEmpty()) union.applyMatrix4(group.matrixWorld);
    return union;
  };

  let disposed = false;
  return {
    group,
    overlay: overlay.group,
    pickMap: reg,
    bounds,
    labels: reg.labels,
    items: reg.items,
    stats: {
      equipment: placed.length,
      equipmentSchematic: placed.filter((e) => e.schematic).length,
      lines: design.lines.length,
      linesRouted: pipes.routed,
      pipeSegments: pipes.segments,
      components: pipes.components,
      instruments: instruments?.count ?? 0,
      loops: overlay.loops,
      interlocks: overlay.interlocks,
      drawObjects: objects.length + overlay.group.children.length,
    },
    find: (id) => reg.byId.get(id) ?? [],
    highlight,
    dispose: () => {
      if (disposed) return;
      disposed = true;
      clearOutline();
      group.traverse((o) => {
        if (o instanceof InstancedMesh) o.dispose();
      });
      group.clear();
      res.dispose();
    },
  };
}
