import type { Control } from "@plantgan/core/design";
import {
  Box3,
  BufferAttribute,
  BufferGeometry,
  Color,
  Group,
  InstancedMesh,
  LineSegments,
  Matrix4,
  Quaternion,
  Vector3,
} from "three";
import type { Vec3 } from "./layout.js";
import { INTERLOCK_COLOUR, LOOP_COLOUR } from "./palette.js";
import type { SceneRegistry } from "./registry.js";
import type { SceneResources } from "./resources.js";
import type { PickTarget } from "./types.js";

/** How high above its highest end a controller or interlock marker floats, m. */
export const OVERLAY_LIFT = 2.5;
const MARKER = 0.7;

/**
 * The control overlay: each loop as signal lines measurement → controller → final element, each
 * interlock as cause → logic → effects, with a marker at the controller/logic that picks to the
 * loop or interlock tag. Drawn without depth test so it shows through equipment.
 */
export function buildControlOverlay(
  control: Control,
  position: (tag: string) => Vec3 | undefined,
  res: SceneResources,
  reg: SceneRegistry,
): { group: Group; loops: number; interlocks: number } {
  const group = new Group();
  group.name = "overlay:control";
  const m = new Matrix4();
  const q = new Quaternion();
  const p = new Vector3();
  const s = new Vector3(MARKER, MARKER, MARKER);
  const box = new Box3();

  type Drawn = { tag: string; kind: "loop" | "interlock"; marker: Vec3; ends: Vec3[]; from: Vec3 };
  const drawn: Drawn[] = [];
  for (const loop of control.loops) {
    const b = position(loop.finalElement);
    // A hand controller measures nothing: its marker stands over the element it drives.
    const a = loop.measurement === undefined ? b : position(loop.measurement);
    if (!a || !b) continue;
    const marker: Vec3 = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, Math.max(a[2], b[2]) + OVERLAY_LIFT];
    drawn.push({ tag: loop.tag, kind: "loop", marker, from: a, ends: [b] });
  }
  for (const il of control.interlocks) {
    const a = position(il.cause.instrument);
    if (!a) continue;
    const targets = il.effects.map((e) => position(e.target)).filter((x): x is Vec3 => x !== undefined);
    const all = [a, ...targets];
    const marker: Vec3 = [
      all.reduce((t, v) => t + v[0], 0) / all.length,
      all.reduce((t, v) => t + v[1], 0) / all.length,
      Math.max(...all.map((v) => v[2])) + OVERLAY_LIFT * 1.5,
    ];
    drawn.push({ tag: il.tag, kind: "interlock", marker, from: a, ends: targets });
  }
  if (drawn.length === 0) return { group, loops: 0, interlocks: 0 };

  const positions: number[] = [];
  const colours: number[] = [];
  const segTargets: PickTarget[] = [];
  const colour = new Color();
  const markers = new InstancedMesh(res.geometry("box"), res.solid(), drawn.length);
  const markerTargets: PickTarget[] = [];
  const pending: { kind: "loop" | "interlock"; tag: string; start: number; count: number }[] = [];
  const q45 = new Quaternion().setFromAxisAngle(new Vector3(0, 0, 1), Math.PI / 4);
  drawn.forEach((d, i) => {
    colour.setHex(d.kind === "loop" ? LOOP_COLOUR : INTERLOCK_COLOUR);
    const start = positions.length / 3;
    const seg = (a: Vec3, b: Vec3): void => {
      positions.push(a[0], a[1], a[2], b[0], b[1], b[2]);
      colours.push(colour.r, colour.g, colour.b, colour.r, colour.g, colour.b);
      segTargets.push({ kind: d.kind, id: d.tag });
    };
    seg(d.from, d.marker);
    for (const e of d.ends) seg(d.marker, e);
    const count = positions.length / 3 - start;
    // Loops as boxes, interlocks as diamonds (the box turned 45°).
    m.compose(p.set(d.marker[0], d.marker[1], d.marker[2] - MARKER / 2), d.kind === "loop" ? q : q45, s);
    markers.setMatrixAt(i, m);
    markers.setColorAt(i, colour);
    markerTargets.push({ kind: d.kind, id: d.tag });
    reg.addPaint(d.kind, d.tag, { mesh: markers, instance: i });
    box.makeEmpty();
    for (const v of [d.from, d.marker, ...d.ends]) box.expandByPoint(p.set(v[0], v[1], v[2]));
    reg.addItem(d.kind, d.tag, box);
    reg.labels.push({ kind: d.kind, id: d.tag, text: d.tag, x: d.marker[0], y: d.marker[1], z: d.marker[2] + 0.6 });
    // Remember the vertex range to paint the signal lines too (set once the attribute exists).
    pending.push({ kind: d.kind, tag: d.tag, start, count });
  });
  const geometry = res.own(new BufferGeometry());
  geometry.setAttribute("position", new BufferAttribute(new Float32Array(positions), 3));
  const colourAttr = new BufferAttribute(new Float32Array(colours), 3);
  geometry.setAttribute("color", colourAttr);
  for (const x of pending) reg.addPaint(x.kind, x.tag, { colours: colourAttr, start: x.start, count: x.count });
  const lines = new LineSegments(geometry, res.lines({ vertexColors: true, depthTest: false }));
  lines.name = "overlay:signals";
  lines.renderOrder = 10;
  reg.pickSegments(lines, segTargets);
  markers.name = "overlay:markers";
  markers.computeBoundingBox();
  markers.computeBoundingSphere();
  reg.pickInstances(markers, markerTargets);
  group.add(lines, markers);
  return {
    group,
    loops: drawn.filter((d) => d.kind === "loop").length,
    interlocks: drawn.filter((d) => d.kind === "interlock").length,
  };
}
