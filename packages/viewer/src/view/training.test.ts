import { syntheticPlant } from "@plantgan/scene";
import { describe, expect, it } from "vitest";
import { foldTrainingEvents } from "./training.js";

describe("foldTrainingEvents", () => {
  it("splits losses from eval metrics per epoch and keeps sample designs", () => {
    const sample = syntheticPlant({ equipment: 4, segments: 5 });
    const view = foldTrainingEvents([
      { type: "started", data: {} },
      { type: "progress", data: { done: 1, total: 10 } },
      { type: "metrics", data: { epoch: 1, losses: { d: 0.9, g: 1.4 }, metrics: { validity: 0.1 } } },
      {
        type: "metrics",
        data: { epoch: 2, d_loss: 0.7, uniqueness: 0.8, samples: [sample, { design: sample }, "junk"] },
      },
      { type: "log", data: "hello" },
    ]);
    expect(view.losses.map((s) => s.name)).toEqual(["d", "g", "d_loss"]);
    expect(view.metrics.find((s) => s.name === "validity")!.points).toEqual([[1, 0.1]]);
    expect(view.metrics.find((s) => s.name === "uniqueness")!.points).toEqual([[2, 0.8]]);
    expect(view.samples).toHaveLength(1);
    expect(view.samples[0]!.designs.map((d) => d.key)).toEqual(["2:0", "2:1"]);
    expect(view.lastEpoch).toBe(2);
  });

  it("charts every loss the trainer logs, the layout cost among them", () => {
    // The layout generator's epoch losses as runTrainingLoop reports them (core LOSS_KEYS).
    const losses = { d_loss: 0.4, wasserstein: 0.2, gp: 0.01, drift: 0, g_loss: 1.2, overlap: 0.3, cost: 1.08 };
    const view = foldTrainingEvents([{ type: "metrics", data: { epoch: 1, losses, metrics: { validity: 0.5 } } }]);
    expect(view.losses.map((s) => s.name)).toEqual(Object.keys(losses));
    expect(view.losses.find((s) => s.name === "cost")!.points).toEqual([[1, 1.08]]);
    expect(view.metrics.map((s) => s.name)).toEqual(["validity"]);
  });

  it("keeps the topology phase's epochs apart from the layout phase's", () => {
    const view = foldTrainingEvents([
      { type: "metrics", data: { phase: "topology", epoch: 1, epochs: 2, losses: { d: 3, g: -1 } } },
      { type: "metrics", data: { phase: "topology", epoch: 2, epochs: 2, losses: { d: 2, g: -0.5 } } },
      { type: "metrics", data: { epoch: 1, epochs: 1, losses: { d: 0.9, g: 1.4 }, metrics: { validity: 0.2 } } },
    ]);
    expect(view.topology.find((s) => s.name === "d")!.points).toEqual([
      [1, 3],
      [2, 2],
    ]);
    expect(view.losses.find((s) => s.name === "d")!.points).toEqual([[1, 0.9]]);
    expect(view.metrics.map((s) => s.name)).toEqual(["validity"]);
  });

  it("skips events it does not understand", () => {
    expect(
      foldTrainingEvents([
        { type: "metrics", data: null },
        { type: "metrics", data: "x" },
      ]).lastEpoch,
    ).toBe(0);
  });
});
