import {
  createTrainer,
  dataParallelStep,
  type GradientWorker,
  localWorker,
  type TrainerConfigInput,
  useBackend,
} from "@plantgan/core/gan";
import { fixtureBatchItems } from "@plantgan/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProcessWorker, parseTrainWorkers, startProcessWorkers, trainWorkerCount } from "./parallel-training.js";

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
  seed: 9,
  generator: "layout",
  layoutOnly: true,
};
// Five designs over two processes: 3 and 2 rows, so a plain mean of the shards would be wrong.
const ITEMS = fixtureBatchItems(5, 16);

let workers: ProcessWorker[] = [];

beforeAll(async () => {
  await useBackend("wasm");
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
});

describe("data-parallel training in worker processes", () => {
  it("two processes, each with its own wasm backend, train like one trainer on the whole batch", async () => {
    const one = createTrainer(TINY);
    const start = await one.state();
    // The designs go to the processes once: step 0's shards travel as indices into them (in a
    // shuffled order, as the training loop takes them); step 1's are copies, so they travel whole.
    workers = await startProcessWorkers(start, 2, "wasm", ITEMS);
    const single = [localWorker(one)];
    const batches = [[4, 1, 3, 0, 2].map((i) => ITEMS[i]!), ITEMS.map((item) => ({ ...item }))];
    for (let step = 0; step < 2; step++) {
      const a = await dataParallelStep(single, batches[step]!, step);
      const b = await dataParallelStep(workers, batches[step]!, step);
      for (const k of ["d_loss", "gp", "g_loss", "overlap"] as const) {
        expect(Math.abs(b[k] - a[k]), `${k} at step ${step}`).toBeLessThan(1e-3 * (1e-4 + Math.abs(a[k])));
      }
    }
    // Two round trips a step: the generator's sum went with the next request (here step 1's
    // critic request and the state request below), not in a request of its own.
    for (const w of workers) {
      const calls = Object.fromEntries(Object.entries(w.callTimes()).map(([type, t]) => [type, t.calls]));
      expect(calls).toEqual({ init: 1, items: 1, critic: 2, applyCritic: 2 });
    }
    // Both processes hold the same weights as the single trainer (float32 within 1e-3 relative).
    const expected = one.generator.getWeights().map((w) => Array.from(w.dataSync()));
    for (const w of workers) {
      const state = await w.state();
      const restored = createTrainer(state.config);
      await restored.restore(state);
      const got = restored.generator.getWeights().map((x) => Array.from(x.dataSync()));
      expect(got.length).toBe(expected.length);
      got.forEach((values, i) => {
        const worst = Math.max(
          ...values.map((v, j) => Math.abs(v - expected[i]![j]!) / (1e-4 + Math.abs(expected[i]![j]!))),
        );
        expect(worst, `generator weight ${i}`).toBeLessThan(1e-3);
      });
      restored.dispose();
    }
    expect((await workers[0]!.state()).step).toBe(2);
    one.dispose();
  }, 180_000);
});

describe("a helper process beside a worker in this process (plantgan train --workers 2)", () => {
  it("the helper's request is sent in full before this process computes; the result is one trainer's", async () => {
    const one = createTrainer(TINY);
    const start = await one.state();
    const [helper] = await startProcessWorkers(start, 1, "wasm", ITEMS);
    workers.push(helper!);
    const lead = createTrainer(TINY);
    await lead.restore(start);
    const local = localWorker(lead);
    // The real workers, each call logged: the helper's when called and when its request has left.
    const log: string[] = [];
    const logged = (name: string, w: GradientWorker): GradientWorker => ({
      criticGradients(items, rows) {
        log.push(`${name} critic`);
        return w.criticGradients(items, rows);
      },
      applyCriticGradients(sum) {
        log.push(`${name} applyCritic`);
        return w.applyCriticGradients(sum);
      },
      applyGeneratorGradients(sum) {
        log.push(`${name} applyGenerator`);
        return w.applyGeneratorGradients(sum);
      },
      ...(w.sent && { sent: () => w.sent!().then(() => void log.push(`${name} sent`)) }),
    });
    const a = await dataParallelStep([localWorker(one)], ITEMS, 0);
    const b = await dataParallelStep([logged("local", local), logged("helper", helper!)], ITEMS, 0);
    expect(log).toEqual(
      ["critic", "applyCritic", "applyGenerator"].flatMap((call) => [`helper ${call}`, "helper sent", `local ${call}`]),
    );
    for (const k of ["d_loss", "gp", "g_loss", "overlap"] as const)
      expect(Math.abs(b[k] - a[k]), k).toBeLessThan(1e-3 * (1e-4 + Math.abs(a[k])));
    lead.dispose();
    one.dispose();
  }, 180_000);
});

describe("a helper that fails mid-step", () => {
  // Its call rejects while this process still waits for the requests to leave: the step must
  // reject with the helper's error, not leave a rejection unhandled (Node would end the process).
  it("fails the step with the helper's error while its requests are still being sent", async () => {
    const one = createTrainer(TINY);
    const died = () => Promise.reject(new Error("helper exited (code 1)"));
    const failing: GradientWorker = {
      criticGradients: died,
      applyCriticGradients: died,
      applyGeneratorGradients: died,
      sent: () => new Promise((resolve) => setTimeout(resolve, 50)),
    };
    await expect(dataParallelStep([localWorker(one), failing], ITEMS, 0)).rejects.toThrow(/helper exited/);
    one.dispose();
  });
});

describe("training worker count", () => {
  it("is PLANTGAN_TRAIN_WORKERS when set, else 1; anything but 1 to 64 is refused naming the variable", () => {
    expect(trainWorkerCount({})).toBe(1);
    expect(trainWorkerCount({ PLANTGAN_TRAIN_WORKERS: "" })).toBe(1);
    expect(trainWorkerCount({ PLANTGAN_TRAIN_WORKERS: "2" })).toBe(2);
    for (const bad of ["0", "65", "1.5", "two", "-1"])
      expect(() => trainWorkerCount({ PLANTGAN_TRAIN_WORKERS: bad }), bad).toThrow(/PLANTGAN_TRAIN_WORKERS/);
    expect(parseTrainWorkers(" 3 ")).toBe(3);
    expect(parseTrainWorkers("3x")).toBeUndefined();
  });
});
