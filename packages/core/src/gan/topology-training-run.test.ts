import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { fixtureParsed, OWN_DEXPI, readOwnDexpi } from "@plantgan/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { parseDesign } from "../design/parse.js";
import type { Design } from "../design/types.js";
import { importDexpi } from "../formats/dexpi/index.js";
import { useBackend } from "./backend.js";
import { modelCard } from "./model-card.js";
import {
  MODEL_SIZES,
  TOPOLOGY_LINE_BUDGET,
  TOPOLOGY_ROW_MOTIFS,
  TOPOLOGY_SCALAR_RANKS,
  TOPOLOGY_SPARE_SETS,
  trainerSettings,
} from "./model-sizes.js";
import { observeRowMotifs } from "./topology/row-motifs.js";
import {
  packTopologyCheckpoint,
  restoreTopologyTrainer,
  runTopologyTrainingLoop,
  type TopologyEpochResult,
  topologyFolderFiles,
  topologyLineCapacity,
  topologyTrainerOfSize,
  topologyTrainingGraphs,
  topologyTrainingSetup,
  unpackTopologyCheckpoint,
} from "./topology-training-run.js";
import { createTrainer } from "./training.js";

beforeAll(async () => {
  await useBackend("wasm");
});

/** The repository's own DEXPI files, imported: topology-only designs. */
/** The first `count` designs of synthetic-v1's val split (their pumps stand in spare sets). */
function valDesigns(count: number): Design[] {
  const path = fileURLToPath(new URL("../../../../datasets/synthetic-v1/val.ndjson.gz", import.meta.url));
  return gunzipSync(readFileSync(path))
    .toString("utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .slice(0, count)
    .map((l) => {
      const parsed = parseDesign(JSON.parse(l));
      if (!parsed.success) throw new Error("a val design does not parse");
      return parsed.data;
    });
}

function dexpiDesigns(): Design[] {
  return Object.values(OWN_DEXPI).map((name) => {
    const imported = importDexpi(readOwnDexpi(name));
    if (!imported.success) throw new Error(`${name}: ${JSON.stringify(imported.issues)}`);
    const parsed = parseDesign(imported.design);
    if (!parsed.success) throw new Error(`${name}: ${JSON.stringify(parsed.issues)}`);
    return parsed.data;
  });
}

describe("topology training data", () => {
  it("uses placed and topology-only designs and counts each, leaving out designs over nMax by reason", () => {
    const placed = fixtureParsed(2);
    const dexpi = dexpiDesigns();
    expect(dexpi.every((d) => d.equipment.every((e) => e.x === undefined))).toBe(true);
    const trainer = topologyTrainerOfSize("tiny", 48, 1);
    try {
      const { graphs, count } = topologyTrainingGraphs([...placed, ...dexpi], trainer.config.spec, 96);
      expect(count).toEqual({ designs: 5, placed: 2, topologyOnly: 3, skipped: {} });
      expect(graphs).toHaveLength(5);
      // At nMax 3, designs with more than 3 items are left out and counted as such.
      const all = [...placed, ...dexpi];
      const small = topologyTrainerOfSize("tiny", 3, 1);
      try {
        const few = topologyTrainingGraphs(all, small.config.spec, topologyLineCapacity(small));
        const over = all.filter((d) => d.equipment.length > 3).length;
        expect(over).toBeGreaterThan(0);
        expect(few.count.skipped.over_nMax).toBe(over);
        expect(few.count.designs).toBe(all.length - over);
      } finally {
        small.dispose();
      }
    } finally {
      trainer.dispose();
    }
  });
});

describe("runTopologyTrainingLoop", () => {
  it("trains the topology GAN on DEXPI designs, commits each epoch, and resumes from its checkpoint to the same weights", async () => {
    const designs = dexpiDesigns();
    const run = async (stopAfter?: number) => {
      const trainer = topologyTrainerOfSize("tiny", 8, 3);
      const { graphs } = topologyTrainingGraphs(designs, trainer.config.spec, topologyLineCapacity(trainer));
      const epochs: TopologyEpochResult[] = [];
      await runTopologyTrainingLoop({
        trainer,
        graphs,
        fromEpoch: 0,
        epochs: stopAfter ?? 2,
        batchSize: 2,
        seed: 3,
        onEpoch: async (r) => {
          epochs.push(r);
        },
      });
      return { trainer, graphs, epochs };
    };
    const whole = await run();
    expect(whole.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    // 3 graphs in batches of 2: 2 steps per epoch.
    expect(whole.epochs.map((e) => e.step)).toEqual([2, 4]);
    for (const e of whole.epochs) {
      expect(Number.isFinite(e.losses.d_loss)).toBe(true);
      expect(Number.isFinite(e.losses.wasserstein)).toBe(true);
    }

    const half = await run(1);
    const bytes = packTopologyCheckpoint(await half.trainer.state(), { epoch: 1 });
    half.trainer.dispose();
    const { state, extra } = unpackTopologyCheckpoint(bytes);
    expect(extra).toEqual({ epoch: 1 });
    const resumed = await restoreTopologyTrainer(state);
    await runTopologyTrainingLoop({
      trainer: resumed,
      graphs: half.graphs,
      fromEpoch: 1,
      epochs: 2,
      batchSize: 2,
      seed: 3,
      onEpoch: async () => {},
    });
    const a = await topologyFolderFiles(whole.trainer);
    const b = await topologyFolderFiles(resumed);
    expect([...a.keys()].sort()).toEqual([
      "topology/attachments/model.json",
      "topology/attachments/weights.bin",
      "topology/lines/model.json",
      "topology/lines/weights.bin",
      "topology/skeleton/model.json",
      "topology/skeleton/weights.bin",
      "topology/topology-gan.json",
    ]);
    expect(Buffer.from(b.get("topology/lines/weights.bin")!)).toEqual(
      Buffer.from(a.get("topology/lines/weights.bin")!),
    );
    whole.trainer.dispose();
    resumed.dispose();
  }, 120_000);

  it("refuses an empty set of graphs", async () => {
    const trainer = topologyTrainerOfSize("tiny", 8, 1);
    await expect(
      runTopologyTrainingLoop({
        trainer,
        graphs: [],
        fromEpoch: 0,
        epochs: 1,
        batchSize: 2,
        seed: 1,
        onEpoch: async () => {},
      }),
    ).rejects.toThrow(/no slot graph/);
    trainer.dispose();
  });
});

describe("topologyTrainingSetup", () => {
  it("builds row-motif heads from the run's own graphs, starts them at the data's frequencies, and a checkpoint keeps them", async () => {
    const designs = [...fixtureParsed(3), ...dexpiDesigns()];
    const plain = topologyTrainingSetup({ designs, size: "tiny", nMax: 48, seed: 2, rowMotifs: false });
    const { trainer, graphs, count } = topologyTrainingSetup({ designs, size: "tiny", nMax: 48, seed: 2 });
    try {
      expect(TOPOLOGY_ROW_MOTIFS).toBe(true);
      expect(plain.trainer.config.model.rowMotifs).toBeUndefined();
      expect(count).toEqual(plain.count);
      // The defaults: spare sets (skeleton type and spare), the line budget drawn at generation only.
      expect(TOPOLOGY_SPARE_SETS).toBe(true);
      expect(TOPOLOGY_LINE_BUDGET).toBe("generation");
      expect(trainer.config.spec.spareSets).toBe(true);
      const motifs = observeRowMotifs(graphs, trainer.config.spec, ["type", "spare"], { lineBudget: "generation" });
      expect(trainer.config.model.rowMotifs).toEqual(motifs);
      // The motif head's bias ends in log(share) of each line motif, the most frequent highest.
      const bias = trainer.generator.attachments.layers
        .find((l) => l.name.endsWith("_line_features"))!
        .getWeights()[4]!;
      const tail = Array.from(bias.dataSync()).slice(-motifs.lines.length);
      const total = motifs.lines.reduce((s, m) => s + m.count, 0);
      tail.forEach((b, k) => {
        expect(b).toBeCloseTo(Math.log(motifs.lines[k]!.count / total), 4);
      });
      await runTopologyTrainingLoop({
        trainer,
        graphs,
        fromEpoch: 0,
        epochs: 1,
        batchSize: 4,
        seed: 2,
        onEpoch: async () => {},
      });
      const restored = await restoreTopologyTrainer(
        unpackTopologyCheckpoint(packTopologyCheckpoint(await trainer.state(), {})).state,
      );
      expect(restored.config.model.rowMotifs).toEqual(motifs);
      restored.dispose();
    } finally {
      trainer.dispose();
      plain.trainer.dispose();
    }
  }, 120_000);
});

describe("topologyTrainingSetup with a variant", () => {
  it("keeps spare sets in one slot with the members' branches, trains at the given rate and budgets lines at generation", () => {
    const designs = valDesigns(20);
    const { trainer, graphs } = topologyTrainingSetup({
      designs,
      size: "tiny",
      nMax: 48,
      seed: 2,
      spareSets: true,
      memberBranches: true,
      lineBudget: "generation",
      learningRate: 4e-3,
    });
    const unranked = topologyTrainingSetup({ designs, size: "tiny", nMax: 48, seed: 2, scalarRanks: false });
    try {
      // Ranked scalars by default; a resumed run encodes with the saved spec into the same rows.
      expect(TOPOLOGY_SCALAR_RANKS).toBe(true);
      expect(trainer.config.spec.scalarRanks).toBeDefined();
      expect(unranked.trainer.config.spec.scalarRanks).toBeUndefined();
      const again = topologyTrainingGraphs(designs, trainer.config.spec, topologyLineCapacity(trainer)).graphs;
      expect(again.map((g) => Array.from(g.nodes))).toEqual(graphs.map((g) => Array.from(g.nodes)));
      expect(graphs.map((g) => Array.from(g.nodes))).not.toEqual(unranked.graphs.map((g) => Array.from(g.nodes)));
      expect(trainer.config.spec.spareSets).toBe(true);
      expect(trainer.config.model.skeletonGroups).toEqual(["type", "spare"]);
      expect(trainer.config.training.generatorLearningRate).toBe(4e-3);
      expect(trainer.config.training.criticLearningRate).toBe(4e-3);
      const table = trainer.config.model.rowMotifs!;
      expect(table.budgetWhileTraining).toBe(false);
      expect(table.types!.every((t) => t.lineEnds !== undefined && t.maxLineEnds !== undefined)).toBe(true);
      // synthetic-v1's pumps are spared A/B: their B members' branches are in the table.
      expect(table.branches!.length).toBeGreaterThan(0);
      expect(table.types!.some((t) => t.spareClasses.length > 0)).toBe(true);
    } finally {
      trainer.dispose();
      unranked.trainer.dispose();
    }
  });
});

describe("the model card of a run with both generators", () => {
  it("counts the designs each generator used and the topology GAN's epochs and losses", () => {
    const layout = createTrainer({ nMax: 8, ...trainerSettings(MODEL_SIZES.tiny!, "layout"), seed: 1 });
    const topology = topologyTrainerOfSize("tiny", 8, 1);
    try {
      const card = modelCard({
        id: "dexpi",
        trainer: layout,
        dataset: { id: "dexpi", designs: 3, processClasses: ["pump_station"] },
        settings: { epochs: 0, batchSize: 2, seed: 1, size: "tiny" },
        backend: "cpu",
        trainingSeconds: 1,
        epochsDone: 0,
        metrics: {},
        layout: { designs: 0, epochs: 0, skipped: { topology_only: 3 } },
        topology: {
          trainer: topology,
          count: { designs: 3, placed: 0, topologyOnly: 3, skipped: { over_nMax: 1 } },
          epochsDone: 1,
          trainingSeconds: 0.5,
          losses: { d_loss: 0.25, g_loss: Number.NaN },
          size: "tiny",
        },
      });
      expect(card.generators?.layout).toEqual({ designs: 0, epochs: 0, skipped: { topology_only: 3 } });
      expect(card.generators?.topology).toMatchObject({
        designs: 3,
        placed: 0,
        topologyOnly: 3,
        skipped: { over_nMax: 1 },
        epochs: 1,
        losses: { d_loss: 0.25 },
        settings: { size: "tiny", nMax: 8, latentSize: 8 },
      });
      expect(card.generators?.topology?.losses).not.toHaveProperty("g_loss");
    } finally {
      layout.dispose();
      topology.dispose();
    }
  });
});
