import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import type { PlantDesignInput } from "../../design/index.js";
import { useBackend } from "../backend.js";
import { TOPOLOGY_SIZES } from "../model-sizes.js";
import { restoreTopologyTrainer, topologyTrainerOfSize } from "../topology-training-run.js";
import { encodeSlotGraph } from "./encode.js";
import { lineCapacity } from "./generator.js";
import { defaultSlotGraphSpec, type SlotGraph } from "./spec.js";
import { compactSlotGraph, createTopologyTrainer, disposeTopologyBatch, makeTopologyBatch } from "./training.js";
import { slotGraphReward, validityReward, WORST_REWARD } from "./validity-reward.js";

const VAL = fileURLToPath(new URL("../../../../../datasets/synthetic-v1/val.ndjson.gz", import.meta.url));
const designs: PlantDesignInput[] = gunzipSync(readFileSync(VAL))
  .toString("utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .slice(0, 8)
  .map((l) => JSON.parse(l) as PlantDesignInput);
/** pump_station-0028: five pumps, each discharge line with its check valve. */
const pumps = designs[0] as PlantDesignInput;
const spec = defaultSlotGraphSpec(20);

/** The design with the check valve taken off the first `count` pump discharge lines that hold one. */
function withoutCheckValves(design: PlantDesignInput, count: number): PlantDesignInput {
  let left = count;
  const lines = design.lines.map((l) => {
    if (left === 0 || !l.components?.some((c) => c.type === "check_valve")) return l;
    left--;
    return { ...l, components: l.components.filter((c) => c.type !== "check_valve") };
  });
  return { ...design, lines };
}

beforeAll(async () => {
  await useBackend("wasm");
});

describe("validityReward", () => {
  it("orders a clean val design above the same design with planted faults, and those above an empty graph", () => {
    const clean = slotGraphReward(encodeSlotGraph(pumps, spec), spec);
    const oneFault = slotGraphReward(encodeSlotGraph(withoutCheckValves(pumps, 1), spec), spec);
    const allFaults = slotGraphReward(encodeSlotGraph(withoutCheckValves(pumps, 5), spec), spec);
    const encoded = encodeSlotGraph(pumps, spec);
    const empty: SlotGraph = {
      ...encoded,
      mask: new Float32Array(spec.nMax),
      nodes: new Float32Array(encoded.nodes.length),
      edges: new Float32Array(encoded.edges.length),
    };
    expect(clean).toBe(1);
    // One pump discharge without its check valve is one error; five are five (piping.pump-check-valve).
    expect(oneFault).toBeCloseTo(1 / 2);
    expect(allFaults).toBeCloseTo(1 / 6);
    expect(slotGraphReward(empty, spec)).toBe(WORST_REWARD);
    expect(validityReward(spec)([encoded, empty])).toEqual([1, WORST_REWARD]);
  });

  it("refuses a spec whose condition is not conditionVector()'s", () => {
    expect(() => validityReward({ ...spec, conditionWidth: 6 })).toThrow(/conditionVector/);
  });

  it("is live in training: one step with the reward on moves the generator differently from one with it off", () => {
    const graphs = designs.map((d) => compactSlotGraph(encodeSlotGraph(d, spec), spec));
    const rewards: number[] = [];
    const score = validityReward(spec);
    const weightsAfterOneStep = (rewardWeight: number) => {
      const trainer = createTopologyTrainer(
        spec,
        {
          ...TOPOLOGY_SIZES.tiny,
          criticSteps: 1,
          rewardWeight,
          rewardFn: (g) => {
            const r = score(g);
            rewards.push(...r);
            return r;
          },
        },
        7,
      );
      trainer.setOutputPriors(graphs);
      const batch = makeTopologyBatch(graphs, spec, lineCapacity(spec, trainer.config.model));
      const losses = trainer.step(batch);
      disposeTopologyBatch(batch);
      const weights = trainer.generator.skeleton.getWeights().map((w) => Array.from(w.dataSync()));
      trainer.dispose();
      return { losses, weights };
    };
    const off = weightsAfterOneStep(0);
    expect(rewards).toEqual([]);
    expect(Number.isNaN(off.losses.reward)).toBe(true);
    const on = weightsAfterOneStep(1);
    expect(rewards).toHaveLength(graphs.length);
    // A batch whose graphs all score alike has no advantage and no gradient: the test needs a spread.
    expect(new Set(rewards).size).toBeGreaterThan(1);
    expect(on.losses.reward).toBeCloseTo(rewards.reduce((s, r) => s + r, 0) / rewards.length);
    const moved = on.weights.flat().reduce((s, v, k) => s + Math.abs(v - off.weights.flat()[k]!), 0);
    expect(moved).toBeGreaterThan(0);
  });
  it("is set by the training run's weight and comes back with a resumed trainer", async () => {
    const graphs = designs.slice(0, 4).map((d) => compactSlotGraph(encodeSlotGraph(d, spec), spec));
    const trainer = topologyTrainerOfSize("tiny", spec.nMax, 3, 0.5);
    expect(trainer.config.training.rewardWeight).toBe(0.5);
    const resumed = await restoreTopologyTrainer(await trainer.state());
    expect(resumed.config).toEqual(trainer.config);
    const batch = makeTopologyBatch(graphs, spec, lineCapacity(spec, resumed.config.model));
    // criticSteps 2: the second step updates the generator, with the reward.
    resumed.step(batch);
    const losses = resumed.step(batch);
    disposeTopologyBatch(batch);
    expect(losses.generatorUpdated).toBe(true);
    expect(losses.reward).toBeGreaterThanOrEqual(0);
    expect(losses.reward).toBeLessThanOrEqual(1);
    expect(topologyTrainerOfSize("tiny", spec.nMax, 3, 0).config.training.rewardWeight).toBe(0);
    expect(() => topologyTrainerOfSize("tiny", spec.nMax, 3, -1)).toThrow(/≥ 0/);
    for (const t of [trainer, resumed]) t.dispose();
  });
});
