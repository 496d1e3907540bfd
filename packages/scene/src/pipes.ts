import type { ComponentType, Line } from "@plantgan/core/design";
import {
  Box3,
  BufferAttribute,
  BufferGeometry,
  Color,
  Float32BufferAttribute,
  InstancedMesh,
  LineSegments,
  Matrix4,
  Mesh,
  Quaternion,
  Vector3,
} from "three";
import { mergeGeometries } from "three/examples/jsm/utils/BufferGeometryUtils.js";
import type { LineEnds, Path, Vec3 } from "./layout.js";
import { COMPONENT_COLOURS, SERVICE_COLOURS, VALVE_TYPES } from "./palette.js";
import type { Painter, SceneRegistry } from "./registry.js";
import type { SceneResources } from "./resources.js";
import type { PickTarget } from "./types.js";

export interface PipeOptions {
  readonly radiusScale: number;
  readonly minRadius: number;
  readonly radialSegments: number;
}

/** Drawn radius of a DN size, m: the outside radius is about DN/2 mm, never under `minRadius`. */
export function pipeRadius(size: number, o: PipeOptions): number {
  return Math.max(o.minRadius, (size / 2000) * 1.1 * o.radiusScale);
}

/**
 * A tube along a polyline as plain arrays: per segment two rings of `n` vertices (radial normals)
 * and 2n triangles. Inner joints are lengthened by the radius so elbows close without extra
 * geometry. Returns null when every segment has zero length.
 */
export function tubeGeometry(
  points: readonly Vec3[],
  radius: number,
  n: number,
): { geometry: BufferGeometry; segments: number } | null {
  const segs: [Vec3, Vec3][] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]) > 1e-9) segs.push([a, b]);
  }
  if (segs.length === 0) return null;
  const positions = new Float32Array(segs.length * 2 * n * 3);
  const normals = new Float32Array(segs.length * 2 * n * 3);
  const index: number[] = new Array(segs.length * n * 6);
  const d = new Vector3();
  const u = new Vector3();
  const v = new Vector3();
  const helper = new Vector3();
  let p = 0;
  let q = 0;
  segs.forEach(([a, b], s) => {
    d.set(b[0] - a[0], b[1] - a[1], b[2] - a[2]).normalize();
    helper.set(0, 0, 1);
    if (Math.abs(d.z) > 0.9) helper.set(1, 0, 0);
    u.crossVectors(d, helper).normalize();
    v.crossVectors(d, u);
    const extendStart = s > 0 ? radius : 0;
    const extendEnd = s < segs.length - 1 ? radius : 0;
    for (let end = 0; end < 2; end++) {
      const o = end === 0 ? a : b;
      const ext = end === 0 ? -extendStart : extendEnd;
      for (let k = 0; k < n; k++) {
        const th = (2 * Math.PI * k) / n;
        const nx = Math.cos(th) * u.x + Math.sin(th) * v.x;
        const ny = Math.cos(th) * u.y + Math.sin(th) * v.y;
        const nz = Math.cos(th) * u.z + Math.sin(th) * v.z;
        positions[p] = o[0] + d.x * ext + nx * radius;
        positions[p + 1] = o[1] + d.y * ext + ny * radius;
        positions[p + 2] = o[2] + d.z * ext + nz * radius;
        normals[p] = nx;
        normals[p + 1] = ny;
        normals[p + 2] = nz;
        p += 3;
      }
    }
    const base = s * 2 * n;
    for (let k = 0; k < n; k++) {
      const a0 = base + k;
      const a1 = base + ((k + 1) % n);
      const b0 = base + n + k;
      const b1 = base + n + ((k + 1) % n);
      index[q++] = a0;
      index[q++] = a1;
      index[q++] = b1;
      index[q++] = a0;
      index[q++] = b1;
      index[q++] = b0;
    }
  });
  const geometry = new BufferGeometry();
  geometry.setAttribute("position", new BufferAttribute(positions, 3));
  geometry.setAttribute("normal", new BufferAttribute(normals, 3));
  geometry.setIndex(index);
  return { geometry, segments: segs.length };
}

/** Where each component of a line sits along its path: its `at`, else evenly spread in flow order. */
export function componentFractions(line: Line): number[] {
  const n = line.components.length;
  return line.components.map((c, i) => c.at ?? (i + 1) / (n + 1));
}

/** Id of a component for picking: its tag, else `line#index`. */
export const componentId = (line: Line, index: number): string => line.components[index]?.tag ?? `${line.id}#${index}`;

export interface PipesResult {
  readonly objects: (Mesh | LineSegments | InstancedMesh)[];
  readonly routed: number;
  readonly segments: number;
  readonly components: number;
  /** Scene positions of tagged components (final elements of control loops). */
  readonly componentPositions: Map<string, Vec3>;
}

/**
 * Routed lines as tubes merged into one mesh (BufferGeometryUtils.mergeGeometries) with vertex
 * colours by service; unrouted lines whose ends resolve as dashed chords; inline components as
 * instanced valve bow-ties and fitting discs along the paths.
 */
export function buildPipes(
  lines: readonly Line[],
  ends: LineEnds,
  o: PipeOptions,
  res: SceneResources,
  reg: SceneRegistry,
  painter: Painter,
): PipesResult {
  const objects: (Mesh | LineSegments | InstancedMesh)[] = [];
  const colour = new Color();
  const box = new Box3();
  const pt = new Vector3();

  // Routed lines → one merged tube mesh.
  const parts: BufferGeometry[] = [];
  const routedLines: Line[] = [];
  let segments = 0;
  const unrouted: { line: Line; path: Path }[] = [];
  const paths = new Map<string, Path>();
  for (const line of lines) {
    const path = ends.path(line.id);
    if (!path) continue;
    paths.set(line.id, path);
    const r = pipeRadius(line.size, o);
    box.makeEmpty();
    for (const p of path.points) box.expandByPoint(pt.set(p[0], p[1], p[2]));
    box.expandByScalar(r);
    reg.addItem("line", line.id, box);
    if (line.route && line.route.length >= 2) {
      const tube = tubeGeometry(path.points, r, o.radialSegments);
      if (!tube) continue;
      parts.push(tube.geometry);
      routedLines.push(line);
      segments += tube.segments;
    } else {
      unrouted.push({ line, path });
    }
  }

  if (parts.length > 0) {
    const merged = res.own(mergeGeometries(parts, false));
    const vertexCount = merged.getAttribute("position").count;
    const colours = new Float32BufferAttribute(new Float32Array(vertexCount * 3), 3);
    const starts = new Int32Array(parts.length);
    const targets: PickTarget[] = [];
    let v = 0;
    let tri = 0;
    parts.forEach((g, i) => {
      const line = routedLines[i]!;
      const count = g.getAttribute("position").count;
      colour.setHex(SERVICE_COLOURS[line.service] ?? 0xcccccc);
      for (let k = v; k < v + count; k++) colours.setXYZ(k, colour.r, colour.g, colour.b);
      reg.addPaint("line", line.id, { colours, start: v, count });
      starts[i] = tri;
      targets.push({ kind: "line", id: line.id });
      v += count;
      tri += (g.getIndex()?.count ?? 0) / 3;
      g.dispose();
    });
    merged.setAttribute("color", colours);
    painter.remember(colours);
    merged.computeBoundingBox();
    merged.computeBoundingSphere();
    const mesh = new Mesh(merged, res.solid({ vertexColors: true }));
    mesh.name = "pipes";
    mesh.userData = { layer: "pipes", lines: routedLines.map((l) => l.id) };
    reg.pickFaces(mesh, starts, targets);
    objects.push(mesh);
  }

  // Unrouted lines → dashed chords.
  if (unrouted.length > 0) {
    const positions = new Float32Array(unrouted.length * 6);
    const colours = new Float32BufferAttribute(new Float32Array(unrouted.length * 6), 3);
    const targets: PickTarget[] = [];
    unrouted.forEach(({ line, path }, i) => {
      const a = path.points[0]!;
      const b = path.points[path.points.length - 1]!;
      positions.set([a[0], a[1], a[2], b[0], b[1], b[2]], i * 6);
      colour.setHex(SERVICE_COLOURS[line.service] ?? 0xcccccc);
      colours.setXYZ(i * 2, colour.r, colour.g, colour.b);
      colours.setXYZ(i * 2 + 1, colour.r, colour.g, colour.b);
      reg.addPaint("line", line.id, { colours, start: i * 2, count: 2 });
      targets.push({ kind: "line", id: line.id });
    });
    const g = res.own(new BufferGeometry());
    g.setAttribute("position", new BufferAttribute(positions, 3));
    g.setAttribute("color", colours);
    painter.remember(colours);
    const segs = new LineSegments(g, res.lines({ dashed: true, vertexColors: true }));
    segs.computeLineDistances();
    segs.name = "pipes:unrouted";
    segs.userData = { layer: "pipes", lines: unrouted.map((u) => u.line.id) };
    reg.pickSegments(segs, targets);
    objects.push(segs);
  }

  // Components along the paths.
  type Placed = { line: Line; index: number; type: ComponentType; point: Vec3; direction: Vec3; radius: number };
  const valves: Placed[] = [];
  const fittings: Placed[] = [];
  const componentPositions = new Map<string, Vec3>();
  for (const line of lines) {
    const path = paths.get(line.id);
    if (!path || line.components.length === 0) continue;
    const fractions = componentFractions(line);
    line.components.forEach((c, index) => {
      const { point, direction } = path.at(fractions[index] ?? 0.5);
      const placed: Placed = { line, index, type: c.type, point, direction, radius: pipeRadius(line.size, o) };
      (VALVE_TYPES.has(c.type) ? valves : fittings).push(placed);
      if (c.tag) componentPositions.set(c.tag, point);
    });
  }
  const x = new Vector3(1, 0, 0);
  const dir = new Vector3();
  const q = new Quaternion();
  const s = new Vector3();
  const m = new Matrix4();
  const addComponents = (list: Placed[], shape: "bowtie" | "disc", name: string): void => {
    if (list.length === 0) return;
    const mesh = new InstancedMesh(res.geometry(shape), res.solid(), list.length);
    mesh.name = name;
    mesh.userData = { layer: "components" };
    const targets: PickTarget[] = [];
    list.forEach((c, i) => {
      dir.set(c.direction[0], c.direction[1], c.direction[2]);
      q.setFromUnitVectors(x, dir);
      const w = Math.max(0.35, c.radius * 3.2);
      if (shape === "bowtie") s.set(Math.max(0.6, c.radius * 5), w, w);
      else s.set(w, w, w);
      m.compose(pt.set(c.point[0], c.point[1], c.point[2]), q, s);
      mesh.setMatrixAt(i, m);
      colour.setHex(COMPONENT_COLOURS[c.type] ?? 0x333333);
      mesh.setColorAt(i, colour);
      const id = componentId(c.line, c.index);
      targets.push({ kind: "component", id });
      reg.addPaint("component", id, { mesh, instance: i });
      box.makeEmpty().expandByPoint(pt).expandByScalar(w);
      reg.addItem("component", id, box);
    });
    mesh.instanceMatrix.needsUpdate = true;
    mesh.computeBoundingBox();
    mesh.computeBoundingSphere();
    reg.pickInstances(mesh, targets);
    objects.push(mesh);
  };
  addComponents(valves, "bowtie", "components:valves");
  addComponents(fittings, "disc", "components:fittings");

  return {
    objects,
    routed: routedLines.length,
    segments,
    components: valves.length + fittings.length,
    componentPositions,
  };
}
