import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { EQUIPMENT_TYPES, encodingLayout } from "../views/vocabulary.js";
import { useBackend } from "./index.js";
import { DEFAULT_SPACING, requiredDistances, type SpacingColumns, spacingCodes } from "./spacing.js";

const layout = encodingLayout({ nMax: 6 });
const columns: SpacingColumns = {
  type: layout.offsets.type,
  size: layout.offsets.size,
  hazard: layout.offsets.hazard,
  footprintScale: layout.spec.footprintScale,
};
const codes = spacingCodes(DEFAULT_SPACING);
const tankFraction = DEFAULT_SPACING.tankFraction ?? 0;

/** requiredDistances as written before it started from a full [B,N,N] tensor: the reference. */
function reference(X: tf.Tensor3D, clearance: number, margin: number): tf.Tensor3D {
  const column = (j: number) => tf.squeeze(tf.slice(X, [0, 0, j], [-1, -1, 1]), [2]) as tf.Tensor2D;
  const matches = (type: number, hazard: number) => {
    let m: tf.Tensor = tf.onesLike(column(columns.type));
    if (type >= 0) m = tf.mul(m, column(columns.type + type));
    if (hazard >= 0) m = tf.mul(m, column(columns.hazard + hazard));
    return m;
  };
  const pairs = (t: tf.Tensor) => [tf.expandDims(t, 2), tf.expandDims(t, 1)] as const;
  let required: tf.Tensor = tf.fill([1, 1, 1], Math.max(clearance, 1e-3));
  for (const [aType, aHazard, bType, bHazard, distance] of codes) {
    const [ai, aj] = pairs(matches(aType!, aHazard!));
    const [bi, bj] = pairs(matches(bType!, bHazard!));
    required = tf.maximum(required, tf.mul(tf.minimum(tf.add(tf.mul(ai, bj), tf.mul(bi, aj)), 1), distance!));
  }
  const [ti, tj] = pairs(column(columns.type + EQUIPMENT_TYPES.indexOf("tank")));
  const [di, dj] = pairs(tf.mul(column(columns.size), columns.footprintScale));
  required = tf.maximum(required, tf.mul(tf.mul(ti, tj), tf.mul(tf.add(di, dj), tankFraction)));
  const n = X.shape[1];
  return tf.add(tf.mul(required, tf.ones([1, n, n])), margin) as tf.Tensor3D;
}

beforeAll(async () => {
  await useBackend("wasm");
});

describe("requiredDistances", () => {
  // Soft one-hots (as a generator's outputs are) so that several rules and the tank term compete.
  const X = () => tf.randomUniform([3, layout.spec.nMax, layout.F], 0, 1, "float32", 7) as tf.Tensor3D;

  it("gives the reference's distances and gradients, with and without a margin", () => {
    for (const [clearance, margin] of [
      [0.9, 0],
      [0.9, 0.5],
      [0, 0],
    ] as const) {
      tf.tidy(() => {
        const x = X();
        const got = requiredDistances(x, columns, codes, clearance, tankFraction, margin);
        const want = reference(x, clearance, margin);
        expect(got.shape).toEqual(want.shape);
        expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
        const weights = tf.randomUniform(want.shape, -1, 1, "float32", 11);
        const grad = (f: (x: tf.Tensor3D) => tf.Tensor) =>
          tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor3D), weights)))(x);
        const g = grad((x) =>
          requiredDistances(x, columns, codes, clearance, tankFraction, margin),
        ).dataSync() as Float32Array;
        const r = grad((x) => reference(x, clearance, margin)).dataSync() as Float32Array;
        expect(r.some((v) => v !== 0)).toBe(true);
        // A column read by several rules sums its gradients in another order: float32 rounding apart.
        const largest = r.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        for (let i = 0; i < r.length; i++) expect(Math.abs(g[i]! - r[i]!)).toBeLessThanOrEqual(2e-6 * largest);
      });
    }
  });

  it("runs no Maximum between tensors of two shapes (wasm's broadcasting Maximum is ~50x slower)", async () => {
    const x = X();
    const profile = await tf.profile(() => tf.dispose(requiredDistances(x, columns, codes, 0.9, tankFraction)));
    x.dispose();
    const maxima = profile.kernels.filter((k) => k.name === "Maximum");
    expect(maxima.length).toBe(codes.length + 1);
    for (const k of maxima) expect(k.inputShapes[0]).toEqual(k.inputShapes[1]);
  });

  it("slices each column it reads once, and multiplies only where a selector names a type and a hazard", async () => {
    const x = X();
    const profile = await tf.profile(() => tf.dispose(requiredDistances(x, columns, codes, 0.9, tankFraction)));
    x.dispose();
    const read = new Set([columns.size, columns.type + EQUIPMENT_TYPES.indexOf("tank")]);
    const both = new Set<string>();
    for (const [aType, aHazard, bType, bHazard] of codes) {
      for (const [type, hazard] of [
        [aType!, aHazard!],
        [bType!, bHazard!],
      ]) {
        if (type! >= 0) read.add(columns.type + type!);
        if (hazard! >= 0) read.add(columns.hazard + hazard!);
        if (type! >= 0 && hazard! >= 0) both.add(`${type},${hazard}`);
      }
    }
    const count = (name: string) => profile.kernels.filter((k) => k.name === name).length;
    expect(count("Slice")).toBe(read.size);
    // Per rule: the two products of the either-way match and the distance; the selectors' products;
    // the tank term's diameter, its two products and the fraction.
    expect(count("Multiply")).toBe(3 * codes.length + both.size + 4);
  });
});
