import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { designPlant } from "../designer/designer.js";
import {
  buildGenerator,
  DEFAULT_SPACING,
  type GanModelConfig,
  layoutItem,
  layoutPenalties,
  loadModel,
  MAX_OBSTACLES,
  makeBatch,
  modelLayout,
  OBSTACLE_WIDTH,
  resolveModelConfig,
  sampleLatent,
  saveModel,
  useBackend,
} from "./index.js";

const CONFIG: GanModelConfig = resolveModelConfig({
  nMax: 24,
  latentSize: 8,
  generatorHidden: 32,
  nodeHidden: 16,
  generator: "layout",
  refineSteps: 2,
  seed: 5,
});
const layout = modelLayout(CONFIG);

/** Real layouts with racks and keep-outs: designer designs that fit nMax. */
const DESIGNS = [1, 2, 3, 4, 5, 6, 7, 8]
  .map((seed) => designPlant({ processClass: "pump_station", seed }))
  .filter((d) => d.equipment.length <= CONFIG.nMax);
const ITEMS = DESIGNS.map((d) => layoutItem(d, layout.spec)!);

beforeAll(async () => {
  await useBackend("wasm");
});

function inputs(seed: number) {
  const batch = makeBatch(ITEMS, layout);
  const z = sampleLatent(ITEMS.length, CONFIG.latentSize, seed);
  return { batch, list: [z, batch.c, batch.X, batch.A, batch.mask, batch.obstacles] };
}

/**
 * The batch with the generator's positions and rotations in place of the real ones: argmax
 * rotations, or the softmax (differentiable in the rotation logits) when `soft`.
 */
function placed(nodeParams: tf.Tensor3D, X: tf.Tensor3D, soft = false): tf.Tensor3D {
  const { offsets, F } = layout;
  const [b, n] = [X.shape[0], X.shape[1]];
  const col = (t: tf.Tensor3D, start: number, size: number) => tf.slice(t, [0, 0, start], [b, n, size]);
  const logits = col(nodeParams, offsets.rotation, 4);
  const rotation = soft ? tf.softmax(logits) : tf.cast(tf.oneHot(tf.argMax(logits, 2) as tf.Tensor2D, 4), "float32");
  const generated = tf.concat(
    [
      tf.zeros([b, n, offsets.position]),
      tf.mul(tf.sigmoid(col(nodeParams, offsets.position, 2)), col(X, offsets.placed, 1)),
      rotation,
      tf.zeros([b, n, F - offsets.position - 6]),
    ],
    2,
  );
  const keep = new Float32Array(F).fill(1);
  keep.fill(0, offsets.position, offsets.position + 6);
  return tf.add(tf.mul(X, tf.tensor1d(keep)), generated) as tf.Tensor3D;
}

describe("layout generator", () => {
  it("has racks and keep-outs to avoid in its test designs", () => {
    expect(ITEMS.length).toBeGreaterThanOrEqual(4);
    const obstacles = ITEMS.flatMap((i) => Array.from(i.obstacles!));
    expect(obstacles).toHaveLength(ITEMS.length * MAX_OBSTACLES * OBSTACLE_WIDTH);
    expect(DESIGNS.some((d) => d.site.racks.length > 0)).toBe(true);
  });

  it("reloads with identical outputs and keeps every footprint inside the site", async () => {
    const generator = buildGenerator(CONFIG);
    const { batch, list } = inputs(3);
    const out = generator.apply(list) as tf.Tensor3D;
    const reloaded = await loadModel(await saveModel(generator));
    const again = reloaded.apply(list) as tf.Tensor3D;
    expect(tf.max(tf.abs(tf.sub(out, again))).dataSync()[0]).toBe(0);
    expect(reloaded.getLayer("g_refine").getClassName()).toBe("PlantGanLayoutRefiner");

    const pen = layoutPenalties({ X: placed(out, batch.X), A: batch.A, mask: batch.mask }, batch.c, layout);
    expect(pen.site.dataSync()[0]).toBeLessThan(1e-3);
    generator.dispose();
    reloaded.dispose();
  });

  it("runs a forward in few kernel calls: x and y together, what no round changes computed once", async () => {
    // 2 message and 8 settling rounds (the default settleSteps): the round-by-round form of
    // e10f22f ran 2,154 kernel calls for this forward and 6,341 for a training forward and
    // backward; the current form 948 and 2,307 (its decisions, such as which side an item steps
    // off to, read untaped copies, so the backward pass skips them; the gains of all rounds are
    // computed at once). Each call costs engine work whatever its size.
    expect(CONFIG.settleSteps).toBe(8);
    const generator = buildGenerator(CONFIG);
    const { list } = inputs(7);
    (generator.apply(list) as tf.Tensor).dispose();
    const forward = await tf.profile(() => (generator.apply(list, { training: false }) as tf.Tensor).dispose());
    expect(forward.kernels.length).toBeLessThan(1000);
    const weights = generator.trainableWeights.map((w) => w.read() as tf.Variable);
    const training = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(generator.apply(list, { training: true }) as tf.Tensor) as tf.Scalar,
        weights,
      );
      tf.dispose([value, ...Object.values(grads)]);
    });
    expect(training.kernels.length).toBeLessThan(2400);
    generator.dispose();
  });

  it("parts crowded items and steps them off racks and keep-outs with its repulsion step", () => {
    // Same weights with and without the repulsion step: untrained, the learned pushes are zero,
    // so the start positions pile up; the repulsion rounds alone must clear almost all of it.
    const { batch, list } = inputs(6);
    const measure = (repulsion: boolean) =>
      tf.tidy(() => {
        const generator = buildGenerator({ ...CONFIG, repulsion });
        const out = generator.apply(list) as tf.Tensor3D;
        const p = layoutPenalties(
          { X: placed(out, batch.X), A: batch.A, mask: batch.mask },
          batch.c,
          layout,
          DEFAULT_SPACING,
          batch.obstacles,
        );
        const sums = [p.overlap, p.spacing, p.obstacle, p.site].map((t) => t.dataSync()[0]!);
        generator.dispose();
        return sums;
      });
    const [overlap0, spacing0, obstacle0] = measure(false);
    const [overlap1, spacing1, obstacle1, site1] = measure(true);
    expect(overlap0! + spacing0! + obstacle0!).toBeGreaterThan(0.05);
    expect(overlap1).toBeLessThan(overlap0! * 0.1);
    expect(spacing1).toBeLessThan(spacing0! * 0.1);
    expect(obstacle1).toBeLessThan(obstacle0! * 0.1 + 1e-6);
    expect(site1).toBeLessThan(1e-3);
  });

  it("learns to clear overlaps, spacing and racks from the layout penalties through the refiner", () => {
    // Gradients reach every part: an untrained generator (without the repulsion step, which would
    // clear most of it untrained) piles items up and onto racks; a few dozen Adam steps on the
    // penalties alone (no critic) must cut them by more than half.
    const generator = buildGenerator({ ...CONFIG, repulsion: false });
    const { batch, list } = inputs(4);
    const optimizer = tf.train.adam(1e-2);
    const penalty = (soft: boolean) => () =>
      tf.tidy(() => {
        const X = placed(generator.apply(list, { training: true }) as tf.Tensor3D, batch.X, soft);
        const p = layoutPenalties(
          { X, A: batch.A, mask: batch.mask },
          batch.c,
          layout,
          DEFAULT_SPACING,
          batch.obstacles,
        );
        return tf.addN([p.overlap, p.spacing, p.obstacle]) as tf.Scalar;
      });
    const total = penalty(false);
    const soft = penalty(true);
    const before = total().dataSync()[0]!;
    for (let i = 0; i < 40; i++) optimizer.minimize(soft);
    const after = total().dataSync()[0]!;
    expect(before).toBeGreaterThan(0.05);
    expect(after).toBeLessThan(before * 0.5);
    optimizer.dispose();
    generator.dispose();
  });
});
