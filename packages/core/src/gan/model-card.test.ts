import { beforeAll, describe, expect, it } from "vitest";
import { createTrainer, modelCard, restoreTrainer, type Trainer, useBackend } from "./index.js";
import { MODEL_SIZES, trainerSettings } from "./model-sizes.js";

beforeAll(async () => {
  await useBackend("cpu");
});

const cardOf = (trainer: Trainer) =>
  modelCard({
    id: "cost",
    trainer,
    dataset: { id: "plants", designs: 4, processClasses: ["pump_station"] },
    settings: { epochs: 1, batchSize: 2, seed: 1, size: "tiny" },
    backend: "cpu",
    trainingSeconds: 1,
    epochsDone: 1,
    metrics: {},
  });

describe("the model card's training settings", () => {
  it("lists the layout cost weight next to the other penalties; a checkpoint from before the term reads 0", async () => {
    const sized = trainerSettings(MODEL_SIZES.tiny!, "layout");
    const trainer = createTrainer({ nMax: 8, ...sized, penalties: { ...sized.penalties, cost: 2.5 }, seed: 1 });
    const state = await trainer.state();
    // A state written before penalties.cost existed: its weights object has no such entry.
    const { cost: _dropped, ...olderPenalties } = state.config.training.penalties;
    const older = await restoreTrainer({
      ...state,
      config: { ...state.config, training: { ...state.config.training, penalties: olderPenalties } },
    } as typeof state);
    try {
      expect(cardOf(trainer).settings).toMatchObject({ penaltyObstacle: 0.1, penaltyCost: 2.5 });
      expect(cardOf(older).settings).toMatchObject({ penaltyObstacle: 0.1, penaltyCost: 0 });
    } finally {
      trainer.dispose();
      older.dispose();
    }
  });
});
