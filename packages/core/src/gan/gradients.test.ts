import { fixtureBatchItems } from "@plantgan/testing";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { matMulDense, registerGanGradients } from "./gradients.js";
import {
  buildCritic,
  type GraphTensors,
  gradientPenalty,
  makeBatch,
  modelLayout,
  resolveModelConfig,
  useBackend,
} from "./index.js";

const TINY = resolveModelConfig({ nMax: 16, criticHidden: 8, graphLayers: 1, grid: 4, gridHidden: 8, seed: 5 });

beforeAll(async () => {
  await useBackend("wasm");
});

/** Every pair of matMul transpose flags. */
const TRANSPOSES = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

describe("matMulDense", () => {
  it("equals tf.matMul for every transpose combination on wasm and cpu", async () => {
    for (const backend of ["wasm", "cpu"] as const) {
      await useBackend(backend);
      tf.tidy(() => {
        const a = tf.randomNormal([6, 6], 0, 1, "float32", 1);
        const b = tf.randomNormal([6, 6], 0, 1, "float32", 2);
        for (const [ta, tb] of TRANSPOSES) {
          const want = tf.matMul(a, b, ta, tb);
          const got = matMulDense(a, b, ta, tb);
          expect(got.shape).toEqual(want.shape);
          expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-5);
        }
      });
    }
    await useBackend("wasm");
  });

  it("runs batched products as 2-D ones on wasm, with tf.matMul's values and gradients", async () => {
    await useBackend("wasm");
    registerGanGradients();
    for (const [batch, m, k, n] of [
      [[3], 5, 4, 6],
      [[2, 3], 4, 7, 5],
      [[1], 3, 4, 2],
    ] as const) {
      for (const [ta, tb] of TRANSPOSES) {
        const a = tf.randomNormal([...batch, ...(ta ? [k, m] : [m, k])], 0, 1, "float32", 3);
        const b = tf.randomNormal([...batch, ...(tb ? [n, k] : [k, n])], 0, 1, "float32", 4);
        const weights = tf.randomNormal([...batch, m, n], 0, 1, "float32", 5);
        const loss = (f: typeof matMulDense) => (x: tf.Tensor, y: tf.Tensor) =>
          tf.sum(tf.mul(f(x, y, ta, tb), weights));
        const profile = await tf.profile(() => tf.dispose(matMulDense(a, b, ta, tb)));
        // XNNPACK's path: every product 2-D.
        const products = profile.kernels.filter((x) => x.name === "BatchMatMul");
        expect(products.length).toBe((batch as readonly number[]).reduce((p, d) => p * d, 1));
        for (const kernel of products) expect(kernel.inputShapes.map((shape) => shape!.length)).toEqual([2, 2]);
        const want = tf.matMul(a, b, ta, tb);
        const got = matMulDense(a, b, ta, tb);
        expect(got.shape).toEqual(want.shape);
        expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-5);
        const [wantDa, wantDb] = tf.grads(loss((x, y, p, q) => tf.matMul(x, y, p, q)))([a, b]);
        const [gotDa, gotDb] = tf.grads(loss(matMulDense))([a, b]);
        expect(tf.max(tf.abs(tf.sub(gotDa!, wantDa!))).dataSync()[0]).toBeLessThan(1e-5);
        expect(tf.max(tf.abs(tf.sub(gotDb!, wantDb!))).dataSync()[0]).toBeLessThan(1e-5);
        tf.dispose([a, b, weights, want, got, wantDa!, wantDb!, gotDa!, gotDb!]);
      }
    }
  });
});

describe("Multiply, RealDiv, Abs, Square and Sqrt gradients", () => {
  it("cast no float32 tensor to float32, and give the derivatives, broadcast axes summed", async () => {
    await useBackend("wasm");
    registerGanGradients();
    const a = tf.tensor2d([
      [1, -2, 3],
      [0.5, 4, -1],
    ]);
    const b = tf.tensor1d([2, -0.5, 4]);
    // f = Σ (a·b + a/b + |a| + a² + √b): df/da = b + 1/b + sign(a) + 2a, df/db = Σ_rows (a − a/b²) + 1/(2√b) per row.
    const f = (x: tf.Tensor, y: tf.Tensor) =>
      tf.add(tf.sum(tf.addN([tf.mul(x, y), tf.div(x, y), tf.abs(x), tf.square(x)])), tf.sum(tf.sqrt(tf.abs(y))));
    const profile = await tf.profile(() => tf.dispose(tf.grads(f)([a, b])));
    expect(profile.kernels.filter((k) => k.name === "Cast")).toEqual([]);
    const [da, db] = tf.grads(f)([a, b]);
    const av = a.arraySync();
    const bv = b.arraySync();
    const wantA = av.map((row) => row.map((x, j) => bv[j]! + 1 / bv[j]! + Math.sign(x) + 2 * x));
    const wantB = bv.map(
      (y, j) => av.reduce((s, row) => s + row[j]! - row[j]! / (y * y), 0) + Math.sign(y) / (2 * Math.sqrt(Math.abs(y))),
    );
    for (const [i, row] of (da!.arraySync() as number[][]).entries()) {
      for (const [j, v] of row.entries()) expect(v).toBeCloseTo(wantA[i]![j]!, 5);
    }
    for (const [j, v] of (db!.arraySync() as number[]).entries()) expect(v).toBeCloseTo(wantB[j]!, 5);
    tf.dispose([a, b, da!, db!]);
  });
});

describe("the engine's gradients", () => {
  // 3,000 tape nodes that do not depend on the variables, and 1 or 2,000 variables: tfjs's own tape
  // filter checks each such node's inputs once per variable (12 million checks here, ~4x the rest of
  // the call), ours once. The fastest of three calls each, so a busy machine cannot make it fail.
  it("filter the tape in time linear in it, whatever the number of variables, with the same gradients", () => {
    registerGanGradients();
    const timed = (count: number): { ms: number; grads: number[] } => {
      const xs = Array.from({ length: count }, (_, i) => tf.scalar(i + 1));
      const f = (...vars: tf.Tensor[]) => {
        let c: tf.Tensor = tf.scalar(0.5);
        for (let k = 0; k < 3000; k++) c = tf.add(c, 1e-4);
        return tf.add(tf.mul(tf.addN(vars), c), tf.mul(vars[0]!, vars[0]!));
      };
      let best = Number.POSITIVE_INFINITY;
      let grads: number[] = [];
      for (let run = 0; run < 3; run++) {
        const t0 = performance.now();
        const g = tf.grads(f)(xs);
        best = Math.min(best, performance.now() - t0);
        grads = g.slice(0, 2).map((t) => t.dataSync()[0]!);
        tf.dispose(g);
      }
      tf.dispose(xs);
      return { ms: best, grads };
    };
    const one = timed(1);
    const many = timed(2000);
    // d/dx1 = c + 2·x1 = 0.8 + 2, d/dx2 = c = 0.8 (c = 0.5 + 3000·1e-4 in float32 steps).
    expect(one.grads[0]).toBeCloseTo(2.8, 3);
    expect(many.grads).toEqual([one.grads[0], many.grads[1]]);
    expect(many.grads[1]).toBeCloseTo(0.8, 3);
    expect(many.ms).toBeLessThan(2 * one.ms + 20);
  });
});

describe("gradient penalty (double backward)", () => {
  // d GP / d V[0,0] of the projection embedding: GP depends on V smoothly (no activation kink
  // moves with it), so a central difference in float32 is a fair check of the second-order tape.
  it.each(["wasm", "cpu"] as const)("matches central finite differences on %s", async (backend) => {
    await useBackend(backend);
    const layout = modelLayout(TINY);
    const critic = buildCritic(TINY);
    const items = fixtureBatchItems(4, TINY.nMax);
    const real = makeBatch(items, layout);
    const fake: GraphTensors = {
      X: tf.mul(real.X, 0.5) as tf.Tensor3D,
      A: tf.reverse(real.A, 0) as tf.Tensor4D,
      mask: tf.reverse(real.mask, 0) as tf.Tensor2D,
    };
    const epsilon = tf.tensor1d([0.2, 0.4, 0.6, 0.8]);
    const gpFn = () =>
      gradientPenalty(
        (g) => critic.apply([g.X, g.A, g.mask, real.c], { training: true }) as tf.Tensor,
        real,
        fake,
        epsilon,
      );
    const embedding = critic.getLayer("d_out").weights.find((w) => w.originalName.endsWith("embedding"))!;
    const variable = embedding.read() as tf.Variable;
    const { grads } = tf.variableGrads(gpFn, [variable]);
    const analytic = grads[variable.name]!.dataSync()[0]!;
    const original = variable.arraySync() as number[][];
    const at = (delta: number): number => {
      const w = original.map((row) => [...row]);
      w[0]![0] = w[0]![0]! + delta;
      variable.assign(tf.tensor2d(w));
      return tf.tidy(() => gpFn().dataSync()[0]!);
    };
    const h = 1e-2;
    const numeric = (at(h) - at(-h)) / (2 * h);
    variable.assign(tf.tensor2d(original));
    expect(Math.abs(analytic)).toBeGreaterThan(1e-4);
    expect(Math.abs(analytic - numeric)).toBeLessThan(0.02 * Math.abs(numeric) + 1e-4);
    tf.dispose([real.X, real.A, real.mask, real.c, fake.X, fake.A, fake.mask, epsilon, grads[variable.name]!]);
    critic.dispose();
  });
});
