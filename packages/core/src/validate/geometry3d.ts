/**
 * Small 3-D helpers for the route rules: segment clipping (Liang–Barsky, extended to three slabs),
 * segment–segment distance (Ericson, "Real-Time Collision Detection", 2005, §5.1.9) and the
 * axis-aligned fast path the router's orthogonal routes always take.
 */
import type { Point } from "./types.js";

/** An axis-aligned box; pass ±Infinity on z for a plan-only (2-D) box. */
export interface Box3 {
  readonly minX: number;
  readonly minY: number;
  readonly minZ: number;
  readonly maxX: number;
  readonly maxY: number;
  readonly maxZ: number;
}

function lerp(a: Point, b: Point, t: number): Point {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

export function distance(a: Point, b: Point): number {
  const dx = a[0] - b[0];
  const dy = a[1] - b[1];
  const dz = a[2] - b[2];
  return Math.sqrt(dx * dx + dy * dy + dz * dz);
}

/** How many coordinates change along a→b by more than `tolerance` (0 or 1: axis-aligned). */
function changedAxes(a: Point, b: Point, tolerance: number): number {
  let n = 0;
  for (let axis = 0; axis < 3; axis++) if (Math.abs(b[axis]! - a[axis]!) > tolerance) n++;
  return n;
}

/** Closest distance between segments p1→q1 and p2→q2, with the midpoint of the closest points. */
export function segmentDistance(p1: Point, q1: Point, p2: Point, q2: Point): { distance: number; at: Point } {
  if (changedAxes(p1, q1, 0) <= 1 && changedAxes(p2, q2, 0) <= 1) return boxDistance(p1, q1, p2, q2);
  const d1 = sub(q1, p1);
  const d2 = sub(q2, p2);
  const r = sub(p1, p2);
  const a = dot(d1, d1);
  const e = dot(d2, d2);
  const f = dot(d2, r);
  const EPS = 1e-12;
  let s: number;
  let t: number;
  if (a <= EPS && e <= EPS) {
    s = 0;
    t = 0;
  } else if (a <= EPS) {
    s = 0;
    t = clamp01(f / e);
  } else {
    const c = dot(d1, r);
    if (e <= EPS) {
      t = 0;
      s = clamp01(-c / a);
    } else {
      const b = dot(d1, d2);
      const denom = a * e - b * b;
      s = denom > EPS ? clamp01((b * f - c * e) / denom) : 0;
      t = (b * s + f) / e;
      if (t < 0) {
        t = 0;
        s = clamp01(-c / a);
      } else if (t > 1) {
        t = 1;
        s = clamp01((b - c) / a);
      }
    }
  }
  const c1 = lerp(p1, q1, s);
  const c2 = lerp(p2, q2, t);
  return { distance: distance(c1, c2), at: lerp(c1, c2, 0.5) };
}

/**
 * Distance between two axis-aligned segments, which are their own bounding boxes; `at` is the
 * middle of the overlap (or of the gap) on each axis.
 */
function boxDistance(p1: Point, q1: Point, p2: Point, q2: Point): { distance: number; at: Point } {
  let sum = 0;
  const at: [number, number, number] = [0, 0, 0];
  for (let axis = 0; axis < 3; axis++) {
    const lo1 = Math.min(p1[axis]!, q1[axis]!);
    const hi1 = Math.max(p1[axis]!, q1[axis]!);
    const lo2 = Math.min(p2[axis]!, q2[axis]!);
    const hi2 = Math.max(p2[axis]!, q2[axis]!);
    const lo = Math.max(lo1, lo2);
    const hi = Math.min(hi1, hi2);
    if (lo <= hi) {
      at[axis] = (lo + hi) / 2;
    } else {
      sum += (lo - hi) ** 2;
      at[axis] = (lo + hi) / 2;
    }
  }
  return { distance: Math.sqrt(sum), at };
}

/** Distance from a point to segment a→b, m. */
export function pointSegmentDistance(p: Point, a: Point, b: Point): number {
  // Scalar form of distance(p, lerp(a, b, clamp01(dot(p - a, b - a) / |b - a|²))), the same
  // operations in the same order, without the four small arrays (it runs once per route segment).
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const dz = b[2] - a[2];
  const len2 = dx * dx + dy * dy + dz * dz;
  const t = len2 === 0 ? 0 : clamp01(((p[0] - a[0]) * dx + (p[1] - a[1]) * dy + (p[2] - a[2]) * dz) / len2);
  const ex = p[0] - (a[0] + (b[0] - a[0]) * t);
  const ey = p[1] - (a[1] + (b[1] - a[1]) * t);
  const ez = p[2] - (a[2] + (b[2] - a[2]) * t);
  return Math.sqrt(ex * ex + ey * ey + ez * ez);
}

function sub(a: Point, b: Point): Point {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

function dot(a: Point, b: Point): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

function clamp01(v: number): number {
  return v < 0 ? 0 : Math.min(v, 1);
}

/** Rounds to the millimetre for reports. */
export function roundPoint(p: Point): Point {
  return [round3(p[0]), round3(p[1]), round3(p[2])];
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** A distance for a message: "3.2 m", "0.45 m". */
export function metres(v: number): string {
  const r = Math.abs(v) >= 10 ? Math.round(v * 10) / 10 : Math.round(v * 100) / 100;
  return `${r} m`;
}

/** A point for a message: "(12.5, 30, 5)". */
export function formatPoint(p: Point): string {
  return `(${round2(p[0])}, ${round2(p[1])}, ${round2(p[2])})`;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/**
 * Clips segment a→b, given as raw coordinates (no allocation: it runs in the hot loops), to the
 * box (boundary included) and writes the parameter interval [t0, t1] ⊂ [0, 1] inside it into
 * `out`; false when the segment misses the box.
 */
export function clipRaw(
  ax: number,
  ay: number,
  az: number,
  bx: number,
  by: number,
  bz: number,
  box: Box3,
  out: Float64Array,
): boolean {
  let t0 = 0;
  let t1 = 1;
  for (let axis = 0; axis < 3; axis++) {
    const p = axis === 0 ? ax : axis === 1 ? ay : az;
    const d = (axis === 0 ? bx : axis === 1 ? by : bz) - p;
    const lo = axis === 0 ? box.minX : axis === 1 ? box.minY : box.minZ;
    const hi = axis === 0 ? box.maxX : axis === 1 ? box.maxY : box.maxZ;
    if (d === 0) {
      if (p < lo || p > hi) return false;
      continue;
    }
    let ta = (lo - p) / d;
    let tb = (hi - p) / d;
    if (ta > tb) {
      const t = ta;
      ta = tb;
      tb = t;
    }
    if (ta > t0) t0 = ta;
    if (tb < t1) t1 = tb;
    if (t0 > t1) return false;
  }
  out[0] = t0;
  out[1] = t1;
  return true;
}
