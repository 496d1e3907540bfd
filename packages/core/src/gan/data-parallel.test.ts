import { fixtureBatchItems } from "@plantgan/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { dataParallelStep, localWorker, shardRows, sumGradients } from "./data-parallel.js";
import { createTrainer, restoreTrainer, type Trainer, type TrainerConfigInput, useBackend } from "./index.js";
import { type EpochResult, epochBatches, runTrainingLoop } from "./training-run.js";

/** The layout generator at test size, a generator update every step. */
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
  seed: 5,
  generator: "layout",
  layoutOnly: true,
};

// Seven designs: three workers get 3, 2 and 2 rows, so a plain mean of the shards' gradients
// (instead of the size-weighted sum) gives a different update and fails the comparison.
const ITEMS = fixtureBatchItems(7, 16);

beforeAll(async () => {
  await useBackend("wasm");
});

function weightsOf(trainer: Trainer): Float32Array[] {
  return [trainer.critic, trainer.generator, trainer.generatorEma].flatMap((m) =>
    m.getWeights().map((w) => w.dataSync().slice() as Float32Array),
  );
}

function expectClose(a: readonly number[], b: readonly number[], what: string): void {
  expect(a.length, what).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (1e-4 + Math.abs(b[i]!)));
  // float32 sums in another order differ by ~1e-6 relative; a wrong average is off by far more.
  expect(worst, what).toBeLessThan(1e-3);
}

describe("data-parallel training", () => {
  it("shards a batch into contiguous rows that cover it once", () => {
    expect(shardRows(7, 3)).toEqual([
      { offset: 0, size: 3, total: 7 },
      { offset: 3, size: 2, total: 7 },
      { offset: 5, size: 2, total: 7 },
    ]);
    expect(() => shardRows(2, 3)).toThrow(RangeError);
    const sum = sumGradients([
      { grads: [Float32Array.of(1, 2)], losses: [0.5] },
      { grads: [Float32Array.of(3, 4)], losses: [0.25] },
    ]);
    expect([...sum.grads[0]!]).toEqual([4, 6]);
    expect(sum.losses).toEqual([0.75]);
  });

  it("three workers train like one on the whole batch: same losses and weights after two steps", async () => {
    const one = createTrainer(TINY);
    const start = await one.state();
    const three = await Promise.all([0, 1, 2].map(() => restoreTrainer(start)));
    const single = [localWorker(one)];
    const split = three.map((t) => localWorker(t));

    for (let step = 0; step < 2; step++) {
      const a = await dataParallelStep(single, ITEMS, step);
      const b = await dataParallelStep(split, ITEMS, step);
      expect(b.generatorUpdated).toBe(true);
      const keys = ["d_loss", "wasserstein", "gp", "drift", "g_loss", "overlap", "spacing", "count", "cost"] as const;
      // The layout cost is logged on every generator step (a ratio to the designer's layout, > 0).
      expect(b.cost).toBeGreaterThan(0);
      expectClose(
        keys.map((k) => b[k]),
        keys.map((k) => a[k]),
        `losses of step ${step}`,
      );
    }
    const reference = weightsOf(one);
    for (const t of three) {
      const w = weightsOf(t);
      for (let i = 0; i < w.length; i++) expectClose(Array.from(w[i]!), Array.from(reference[i]!), `weight ${i}`);
    }
    // The weights moved: equal because both trained, not because neither did.
    const before = await restoreTrainer(start);
    const moved = weightsOf(before).some((x, i) => x.some((v, j) => Math.abs(v - reference[i]![j]!) > 1e-6));
    expect(moved).toBe(true);
    for (const t of [one, ...three, before]) t.dispose();
  });
});

describe("the training loop on several workers", () => {
  it("cuts an epoch into batches, a last one smaller than the worker count joining the one before", () => {
    expect(epochBatches(7, 3)).toEqual([
      [0, 3],
      [3, 6],
      [6, 7],
    ]);
    expect(epochBatches(7, 3, 2)).toEqual([
      [0, 3],
      [3, 7],
    ]);
    expect(epochBatches(8, 4, 2)).toEqual([
      [0, 4],
      [4, 8],
    ]);
    expect(epochBatches(0, 4, 2)).toEqual([]);
    expect(() => epochBatches(1, 4, 2)).toThrow(/2 training workers need at least 2 designs/);
  });

  it("an epoch with a helper worker ends with the losses and weights of the trainer alone", async () => {
    const items = fixtureBatchItems(8, 16);
    const alone = createTrainer({ ...TINY, seed: 11 });
    const start = await alone.state();
    const lead = await restoreTrainer(start);
    const helper = await restoreTrainer(start);
    const epochOf = async (trainer: Trainer, helpers: ReturnType<typeof localWorker>[]) => {
      let result: EpochResult | undefined;
      await runTrainingLoop({
        trainer,
        items,
        helpers,
        preview: async () => ({ metrics: {}, samples: [] }),
        fromEpoch: 0,
        epochs: 1,
        batchSize: 4,
        seed: 2,
        onEpoch: async (r) => {
          result = r;
        },
      });
      return result!;
    };
    const a = await epochOf(alone, []);
    const b = await epochOf(lead, [localWorker(helper)]);
    expect(b.step).toBe(a.step);
    expect(a.step).toBe(2);
    const keys = ["d_loss", "gp", "g_loss", "overlap"];
    expectClose(
      keys.map((k) => b.losses[k]!),
      keys.map((k) => a.losses[k]!),
      "epoch losses",
    );
    const reference = weightsOf(alone);
    for (const t of [lead, helper]) {
      const w = weightsOf(t);
      for (let i = 0; i < w.length; i++) expectClose(Array.from(w[i]!), Array.from(reference[i]!), `weight ${i}`);
    }
    for (const t of [alone, lead, helper]) t.dispose();
  });
});
