import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { useBackend } from "./index.js";
import { untaped } from "./wasm-kernels.js";

describe("wasm Identity and same-dtype Cast", () => {
  it("share the input's buffer (no new buffer), keep it alive past the input, and keep their values", async () => {
    expect(await useBackend("wasm")).toBe(true);
    const x = tf.tensor([1.5, -2, 3.25], [3], "float32");
    const buffers = () => (tf.memory() as tf.MemoryInfo & { numDataBuffers: number }).numDataBuffers;
    const before = buffers();
    const copy = tf.clone(x);
    const same = tf.cast(x, "float32");
    expect(buffers()).toBe(before); // a copy would add a buffer each
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1.5, -2, 3.25]);
    expect(Array.from(same.dataSync())).toEqual([1.5, -2, 3.25]);
    // A real conversion still converts.
    const asInt = tf.cast(copy, "int32");
    expect(asInt.dtype).toBe("int32");
    expect(Array.from(asInt.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([copy, same, asInt]);
    expect(buffers()).toBe(before - 1);
  });
});

/** Element `index` of a row-major array of `shape` holding 0, 1, 2, … (the test tensors' values). */
function sliceOfRange(shape: number[], begin: number[], size: number[]): number[] {
  const out: number[] = [];
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const walk = (axis: number, offset: number) => {
    if (axis === shape.length) return void out.push(offset);
    for (let k = 0; k < size[axis]!; k++) walk(axis + 1, offset + (begin[axis]! + k) * strides[axis]!);
  };
  walk(0, 0);
  return out;
}

describe("wasm Slice, Unpack and SplitV", () => {
  const shape = [3, 4, 5, 2];
  const range = (dtype: "float32" | "int32") => tf.reshape(tf.range(0, 120, 1, dtype), shape);

  it("slice any box of a tensor: whole, contiguous, strided on every axis, empty; float32 and int32", async () => {
    expect(await useBackend("wasm")).toBe(true);
    const boxes: [number[], number[]][] = [
      [
        [0, 0, 0, 0],
        [3, 4, 5, 2],
      ],
      [
        [1, 0, 0, 0],
        [2, 4, 5, 2],
      ],
      [
        [0, 1, 2, 1],
        [3, 2, 3, 1],
      ],
      [
        [2, 3, 4, 0],
        [1, 1, 1, 2],
      ],
      [
        [1, 1, 0, 0],
        [1, 3, 5, 2],
      ],
      [
        [0, 0, 0, 0],
        [3, 0, 5, 2],
      ],
    ];
    for (const dtype of ["float32", "int32"] as const) {
      const x = range(dtype);
      for (const [begin, size] of boxes) {
        const y = tf.slice(x, begin, size);
        expect(y.dtype).toBe(dtype);
        expect(y.shape).toEqual(size);
        expect(Array.from(y.dataSync()), `${dtype} ${begin} ${size}`).toEqual(sliceOfRange(shape, begin, size));
        y.dispose();
      }
      x.dispose();
    }
  });

  it("unstack and split along every axis give the slices", async () => {
    expect(await useBackend("wasm")).toBe(true);
    const x = range("float32");
    for (let axis = 0; axis < shape.length; axis++) {
      const parts = tf.unstack(x, axis);
      expect(parts.length).toBe(shape[axis]);
      parts.forEach((p, k) => {
        const begin = shape.map((_, i) => (i === axis ? k : 0));
        const size = shape.map((n, i) => (i === axis ? 1 : n));
        expect(p.shape).toEqual(shape.filter((_, i) => i !== axis));
        expect(Array.from(p.dataSync())).toEqual(sliceOfRange(shape, begin, size));
      });
      tf.dispose(parts);
      const sizes = [1, shape[axis]! - 1];
      const halves = tf.split(x, sizes, axis);
      halves.forEach((h, k) => {
        const begin = shape.map((_, i) => (i === axis ? (k === 0 ? 0 : 1) : 0));
        const size = shape.map((n, i) => (i === axis ? sizes[k]! : n));
        expect(Array.from(h.dataSync())).toEqual(sliceOfRange(shape, begin, size));
      });
      tf.dispose(halves);
    }
    x.dispose();
  });

  it("reads the input after allocating the output, so a slice that grows the heap is right", async () => {
    expect(await useBackend("wasm")).toBe(true);
    // 2^23 floats (32 MiB) and a slice of all but the first row: the output's allocation grows the
    // heap, and a view of the input taken before it would read a detached buffer (zeros).
    const n = 2 ** 23;
    const x = tf.reshape(tf.range(0, n, 1, "int32"), [n / 1024, 1024]);
    const y = tf.slice(x, [1, 0], [n / 1024 - 1, 1024]);
    const values = y.dataSync();
    expect([values[0], values[1023], values[values.length - 1]]).toEqual([1024, 2047, n - 1]);
    tf.dispose([x, y]);
  });
});

describe("saved tensors for the gradient, on wasm", () => {
  it("are aliased without an Identity kernel call, and first and second derivatives stay right", async () => {
    expect(await useBackend("wasm")).toBe(true);
    const x = tf.tensor1d([0.5, -1.5, 2]);
    const before = tf.memory().numTensors;
    // f(x) = Σ x³ through Multiply and Square, which save their inputs: f' = 3x², f'' = 6x.
    const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.square(t), t));
    const first = tf.grad(f);
    const profile = await tf.profile(() => tf.dispose(first(x)));
    expect(profile.kernels.filter((k) => k.name === "Identity")).toEqual([]);
    const [d1, d2] = tf.tidy(() => [first(x), tf.grad((t: tf.Tensor) => tf.sum(first(t)))(x)]);
    expect(Array.from(d1!.dataSync())).toEqual([0.75, 6.75, 12]);
    expect(Array.from(d2!.dataSync())).toEqual([3, -9, 12]);
    tf.dispose([d1!, d2!]);
    // The aliases were released with the tape.
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe("untaped", () => {
  it("gives the same values, without a kernel call or a new buffer, and stops the gradient there", async () => {
    for (const backend of ["wasm", "cpu"] as const) {
      expect(await useBackend(backend)).toBe(true);
      const x = tf.variable(tf.tensor([1.5, -2, 3], [3]));
      const buffers = () => (tf.memory() as tf.MemoryInfo & { numDataBuffers: number }).numDataBuffers;
      const before = { buffers: buffers(), tensors: tf.memory().numTensors };
      const { grads, value } = tf.variableGrads(() => {
        const still = untaped(x);
        expect(Array.from(still.dataSync())).toEqual([1.5, -2, 3]);
        expect(buffers()).toBe(before.buffers);
        // d/dx Σ x·stop(x) = stop(x) = x; were the copy taped, 2x.
        return tf.sum(tf.mul(x, still)) as tf.Scalar;
      }, [x]);
      expect(Array.from(grads[x.name]!.dataSync())).toEqual([1.5, -2, 3]);
      expect(value.dataSync()[0]).toBeCloseTo(1.5 * 1.5 + 4 + 9, 5);
      tf.dispose([value, grads[x.name]!]);
      expect(tf.memory().numTensors).toBe(before.tensors);
      expect(buffers()).toBe(before.buffers);
      x.dispose();
    }
  });
});
