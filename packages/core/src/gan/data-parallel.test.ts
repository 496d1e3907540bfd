import { fixtureBatchItems } from "@plantgan/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { dataParallelStep, localWorker, shardRows, sumGradients } from "./data-parallel.js";
import { createTrainer, restoreTrainer, type Trainer, type TrainerConfigInput, useBackend } from "./index.js";

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
      const keys = ["d_loss", "wasserstein", "gp", "drift", "g_loss", "overlap", "spacing", "count"] as const;
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
