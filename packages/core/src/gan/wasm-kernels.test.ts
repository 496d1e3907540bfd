import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { useBackend } from "./index.js";

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
