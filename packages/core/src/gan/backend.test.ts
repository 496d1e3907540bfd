import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { BACKEND_ORDER, selectBackend, useBackend } from "./index.js";

describe("selectBackend", () => {
  it("skips the native backends that cannot load here and runs wasm, saying why", async () => {
    const lines: string[] = [];
    const choice = await selectBackend({ log: (m) => lines.push(m) });
    // On this kind of machine the native addons are never built (no libtensorflow download).
    // Where one is, the test still holds for what it can see: the chosen backend is active.
    expect(tf.getBackend()).toBe(choice.name === "tensorflow-gpu" ? "tensorflow" : choice.name);
    expect(choice.reasons.map((r) => r.backend)).toEqual(BACKEND_ORDER);
    expect(choice.reasons.filter((r) => r.used)).toHaveLength(1);
    if (choice.name === "wasm") {
      const native = choice.reasons.filter((r) => r.backend === "tensorflow" || r.backend === "tensorflow-gpu");
      for (const r of native) {
        expect(r.used).toBe(false);
        expect(r.reason).toMatch(/native addon was not built|not installed|failed to load|sees no GPU/);
      }
      expect(choice.reasons.find((r) => r.backend === "cpu")?.reason).toMatch(/not tried/);
    }
    expect(lines).toHaveLength(4);
    expect(lines.join("\n")).toMatch(/USED/);
  });

  it("falls back to cpu when the others are excluded, and honours prefer", async () => {
    const quiet = () => {};
    const excluded = await selectBackend({ exclude: ["tensorflow-gpu", "tensorflow", "wasm"], log: quiet });
    expect(excluded.name).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(excluded.reasons.find((r) => r.backend === "wasm")?.reason).toBe("excluded by the caller");

    const preferred = await selectBackend({ prefer: "wasm", log: quiet });
    expect(preferred.name).toBe("wasm");
    expect(preferred.reasons[0]).toMatchObject({ backend: "wasm", used: true });
    expect(preferred.reasons.slice(1).every((r) => /not tried/.test(r.reason))).toBe(true);
  });

  it("switches between initialised backends with useBackend", async () => {
    expect(await useBackend("cpu")).toBe(true);
    expect(tf.getBackend()).toBe("cpu");
    expect(await useBackend("wasm")).toBe(true);
    expect(tf.getBackend()).toBe("wasm");
  });
});
