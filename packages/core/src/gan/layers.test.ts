import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  CUSTOM_LAYERS,
  GraphReadout,
  Linear,
  PairwiseEdgeLogits,
  ProjectionOutput,
  RelationalGraphConv,
  SoftRaster,
  useBackend,
} from "./index.js";

beforeAll(async () => {
  await useBackend("wasm");
});

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** A random permutation matrix P [N,N] and its index list. */
function permutation(n: number, seed: number): { p: tf.Tensor2D; order: number[] } {
  let s = seed;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return { p: tf.cast(tf.oneHot(tf.tensor1d(order, "int32"), n), "float32") as tf.Tensor2D, order };
}

describe("custom layers", () => {
  it("are registered for deserialisation and round-trip through getConfig", () => {
    const make = [
      () => new Linear({ units: 3, activation: "tanh", seed: 1, name: "a" }),
      () => new RelationalGraphConv({ units: 4, bases: 2, seed: 2, name: "b" }),
      () => new GraphReadout({ units: 4, seed: 3, name: "c" }),
      () =>
        new SoftRaster({
          grid: 4,
          footprintScale: 50,
          siteScale: 500,
          name: "d",
          columns: {
            position: 0,
            size: 2,
            rotation: 4,
            placed: 8,
            channels: [[], [9]],
            siteWidth: 0,
            siteDepth: 1,
          },
        }),
      () => new ProjectionOutput({ seed: 4, name: "e" }),
      () => new PairwiseEdgeLogits({ relations: 2, rank: 3, symmetric: [true, false], seed: 5, name: "f" }),
    ];
    expect(make).toHaveLength(CUSTOM_LAYERS.length);
    for (const build of make) {
      const layer = build();
      const cls = layer.constructor as unknown as { className: string };
      const config = layer.getConfig();
      const copy = tfl.layers.Layer.fromConfig(
        layer.constructor as unknown as tf.serialization.SerializableConstructor<tfl.layers.Layer>,
        config,
      );
      expect(copy.getConfig()).toEqual(config);
      expect(tf.serialization.SerializationMap.getMap().classNameMap[cls.className]).toBeDefined();
    }
  });

  it("RelationalGraphConv is permutation equivariant and ignores masked rows", () => {
    tf.tidy(() => {
      const n = 6;
      const layer = new RelationalGraphConv({ units: 5, bases: 2, seed: 7 });
      const h = tf.randomNormal([1, n, 4], 0, 1, "float32", 1) as tf.Tensor3D;
      const a = tf.cast(tf.greater(tf.randomUniform([1, 3, n, n], 0, 1, "float32", 2), 0.6), "float32") as tf.Tensor4D;
      const mask = tf.tensor2d([[1, 1, 1, 1, 0, 0]]);
      const maskedA = tf.mul(tf.mul(a, tf.reshape(mask, [1, 1, n, 1])), tf.reshape(mask, [1, 1, 1, n]));
      const out = layer.apply([h, maskedA, mask]) as tf.Tensor;
      const { p } = permutation(n, 11);
      const ph = tf.matMul(p, tf.squeeze(h, [0]));
      const pa = tf.matMul(tf.matMul(p, tf.squeeze(maskedA, [0])), p, false, true);
      const pm = tf.matMul(p, tf.reshape(mask, [n, 1]));
      const permuted = layer.apply([tf.expandDims(ph, 0), tf.expandDims(pa, 0), tf.reshape(pm, [1, n])]) as tf.Tensor;
      expect(maxDiff(tf.matMul(p, tf.squeeze(out, [0])), tf.squeeze(permuted, [0]))).toBeLessThan(1e-5);
      // Masked rows are zero, and what they hold does not reach the others.
      expect(maxDiff(tf.slice(out, [0, 4, 0], [1, 2, 5]), tf.zeros([1, 2, 5]))).toBe(0);
      const noisy = tf.add(h, tf.mul(tf.reshape(tf.sub(1, mask), [1, n, 1]), 100));
      expect(maxDiff(layer.apply([noisy, maskedA, mask]) as tf.Tensor, out)).toBeLessThan(1e-5);
    });
  });

  it("GraphReadout is permutation invariant", () => {
    tf.tidy(() => {
      const n = 5;
      const layer = new GraphReadout({ units: 3, seed: 8 });
      const h = tf.randomNormal([1, n, 4], 0, 1, "float32", 3) as tf.Tensor3D;
      const mask = tf.tensor2d([[1, 1, 0, 1, 1]]);
      const { p } = permutation(n, 5);
      const out = layer.apply([h, mask]) as tf.Tensor;
      const permuted = layer.apply([
        tf.expandDims(tf.matMul(p, tf.squeeze(h, [0])), 0),
        tf.reshape(tf.matMul(p, tf.reshape(mask, [n, 1])), [1, n]),
      ]) as tf.Tensor;
      expect(out.shape).toEqual([1, 6]);
      expect(maxDiff(out, permuted)).toBeLessThan(1e-5);
    });
  });

  it("SoftRaster covers about the footprint's share of the grid, turned with rotation", () => {
    tf.tidy(() => {
      // One node: x, y, width, depth (÷50), rotation one-hot, placed, site 100 × 50 m.
      const columns = { position: 0, size: 2, rotation: 4, placed: 8, channels: [[]], siteWidth: 0, siteDepth: 1 };
      const layer = new SoftRaster({ grid: 16, footprintScale: 50, siteScale: 500, columns });
      const c = tf.tensor2d([[100 / 500, 50 / 500]]);
      const node = (rot: number) => {
        const r = [0, 0, 0, 0];
        r[rot] = 1;
        return tf.tensor3d([[[0.5, 0.5, 20 / 50, 10 / 50, ...r, 1]]]);
      };
      const grid0 = layer.apply([node(0), tf.ones([1, 1]), c]) as tf.Tensor;
      const grid90 = layer.apply([node(1), tf.ones([1, 1]), c]) as tf.Tensor;
      // 20 × 10 m on 100 × 50 m is 4 % of the plot: 0.04 · 256 cells.
      expect(tf.sum(grid0).dataSync()[0]).toBeCloseTo(0.04 * 256, 0);
      // Turned 90°: 10 × 20 m on 100 × 50 m is still 4 %, but a different shape.
      expect(tf.sum(grid90).dataSync()[0]).toBeCloseTo(0.04 * 256, 0);
      expect(tf.sum(tf.abs(tf.sub(grid0, grid90))).dataSync()[0]).toBeGreaterThan(2);
      // Unplaced or masked: nothing drawn.
      expect(tf.sum(layer.apply([node(0), tf.zeros([1, 1]), c]) as tf.Tensor).dataSync()[0]).toBe(0);
    });
  });

  it("PairwiseEdgeLogits makes the relations asked for symmetric", () => {
    tf.tidy(() => {
      const layer = new PairwiseEdgeLogits({ relations: 2, rank: 3, symmetric: [true, false], seed: 9 });
      const out = layer.apply(tf.randomNormal([2, 5, 4], 0, 1, "float32", 4)) as tf.Tensor4D;
      const transposed = tf.transpose(out, [0, 1, 3, 2]);
      expect(
        maxDiff(tf.slice(out, [0, 0, 0, 0], [-1, 1, -1, -1]), tf.slice(transposed, [0, 0, 0, 0], [-1, 1, -1, -1])),
      ).toBeLessThan(1e-6);
      expect(
        maxDiff(tf.slice(out, [0, 1, 0, 0], [-1, 1, -1, -1]), tf.slice(transposed, [0, 1, 0, 0], [-1, 1, -1, -1])),
      ).toBeGreaterThan(1e-3);
    });
  });
});
