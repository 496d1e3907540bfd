import { fixtureBatchItems } from "@plantgan/testing";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  createTrainer,
  disposeBatch,
  LOSS_KEYS,
  makeBatch,
  restoreTrainer,
  type StepLosses,
  type TrainerConfigInput,
  useBackend,
} from "./index.js";

/** Small enough for the cpu backend to take a step in well under a second. */
const TINY: TrainerConfigInput = {
  nMax: 16,
  latentSize: 8,
  generatorHidden: 32,
  nodeHidden: 16,
  edgeRank: 4,
  criticHidden: 16,
  graphLayers: 2,
  grid: 8,
  gridHidden: 16,
  criticSteps: 1,
  seed: 11,
};

const ITEMS = fixtureBatchItems(6, 16);
const KEYS = LOSS_KEYS;

beforeAll(async () => {
  await useBackend("wasm");
});

describe("trainer", () => {
  it.each([
    ["graph", TINY],
    ["layout", { ...TINY, generator: "layout", layoutOnly: true } as TrainerConfigInput],
  ])(
    "takes one step on cpu and on wasm from the same weights and batch with close losses (%s generator)",
    async (_kind, config) => {
      // Tolerance: both backends draw the same random numbers (seeded JS-side) and start from the
      // same saved weights; only float32 summation order differs (XNNPACK vs JS loops), so losses
      // agree to ~1e-6 relative. We allow 1e-3 relative (plus 1e-5 absolute) so a discrete
      // straight-through sample flipping on a near-tie would still fail loudly but rounding never does.
      await useBackend("cpu");
      const onCpu = createTrainer(config);
      const start = await onCpu.state();
      let batch = makeBatch(ITEMS, onCpu.layout);
      const cpu = onCpu.step(batch);
      const cpuWeights = onCpu.critic.getWeights().map((w) => w.dataSync().slice());
      disposeBatch(batch);
      onCpu.dispose();

      await useBackend("wasm");
      const onWasm = await restoreTrainer(start);
      batch = makeBatch(ITEMS, onWasm.layout);
      const wasm = onWasm.step(batch);
      const wasmWeights = onWasm.critic.getWeights().map((w) => w.dataSync().slice());
      disposeBatch(batch);
      onWasm.dispose();

      for (const k of KEYS) {
        expect(Number.isFinite(cpu[k]), k).toBe(true);
        expect(Math.abs(cpu[k] - wasm[k]), k).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(cpu[k])) + 1e-5);
      }
      let worst = 0;
      cpuWeights.forEach((w, i) => {
        w.forEach((v, j) => {
          worst = Math.max(worst, Math.abs(v - wasmWeights[i]![j]!));
        });
      });
      expect(worst).toBeLessThan(1e-4);
    },
  );

  it("keeps losses finite over 20 steps on real encodings, without leaking tensors", () => {
    const trainer = createTrainer({ ...TINY, criticSteps: 2 });
    const batch = makeBatch(ITEMS, trainer.layout);
    trainer.step(batch); // the first steps create the Adam accumulators
    trainer.step(batch);
    const before = tf.memory().numTensors;
    const losses: StepLosses[] = [];
    for (let i = 0; i < 18; i++) losses.push(trainer.step(batch));
    expect(tf.memory().numTensors).toBe(before);
    expect(losses.filter((l) => l.generatorUpdated)).toHaveLength(9);
    for (const l of losses) {
      for (const k of ["d_loss", "wasserstein", "gp", "drift"] as const) expect(Number.isFinite(l[k]), k).toBe(true);
      if (l.generatorUpdated) for (const k of KEYS) expect(Number.isFinite(l[k]), k).toBe(true);
      else expect(l.g_loss).toBeNaN();
    }
    const summary = trainer.epoch([batch, batch]);
    expect(summary.steps).toBe(2);
    expect(Number.isFinite(summary.mean.d_loss) && Number.isFinite(summary.mean.g_loss)).toBe(true);
    disposeBatch(batch);
    trainer.dispose();
  });

  it("restores a checkpoint and continues exactly as the uninterrupted run", async () => {
    const base = tf.memory().numTensors;
    const trainer = createTrainer(TINY);
    const batch = makeBatch(ITEMS, trainer.layout);
    trainer.step(batch);
    trainer.step(batch);
    const checkpoint = await trainer.state();
    const straight = [trainer.step(batch), trainer.step(batch)];
    trainer.dispose();

    const resumed = await restoreTrainer(checkpoint);
    expect(resumed.steps).toBe(2);
    const again = [resumed.step(batch), resumed.step(batch)];
    for (let i = 0; i < 2; i++) {
      for (const k of KEYS) expect(again[i]![k], k).toBeCloseTo(straight[i]![k], 5);
    }
    // Restoring into a trainer that has already stepped frees what it replaces.
    const count = tf.memory().numTensors;
    await resumed.restore(checkpoint);
    expect(tf.memory().numTensors).toBe(count);
    resumed.dispose();
    disposeBatch(batch);
    expect(tf.memory().numTensors).toBe(base);
  });
});
