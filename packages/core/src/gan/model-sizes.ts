/**
 * Model sizes and generator kinds a training can use, and the trainer settings they make: what
 * `plantgan train` and the API's train job both start from.
 */
import { DEFAULT_SPACING } from "./losses.js";
import type { TopologyTrainerInput } from "./topology/training.js";
import type { TrainerConfigInput } from "./training.js";

/** Model sizes: "small" is the shipped one (a few MB), "tiny" is for tests and quick tries. */
export const MODEL_SIZES: Readonly<Record<string, Omit<TrainerConfigInput, "nMax">>> = {
  small: {
    latentSize: 32,
    generatorHidden: 128,
    nodeHidden: 32,
    edgeRank: 4,
    criticHidden: 48,
    grid: 16,
    gridHidden: 48,
    layoutOnly: true,
    // A short CPU run (~400 generator steps): faster learning rates and EMA than the defaults.
    generatorLearningRate: 1e-3,
    criticLearningRate: 1e-3,
    emaDecay: 0.99,
  },
  tiny: {
    latentSize: 8,
    generatorHidden: 32,
    nodeHidden: 16,
    edgeRank: 2,
    criticHidden: 16,
    graphLayers: 1,
    grid: 8,
    gridHidden: 16,
    layoutOnly: true,
    emaDecay: 0.9,
  },
};

/**
 * Topology GAN sizes (topology/generator.ts), by the same names: "small" is the narrow net that a
 * CPU takes through a whole split in minutes (bench/topology-train.bench.ts --size small); "tiny"
 * is for tests. Both keep the EMA warm-up of topology/training.ts. "small" trains at 1e-3 for
 * generator and critic, the rates every topology/README.md figure was measured at: at the trainer's
 * defaults (1e-4 / 3e-4), 2 epochs on synthetic-v1 gave 122 of 140 valid test-split candidates
 * (pipeline.bench.ts --split test --requests 70 --count 2) against 134 of 140 at 1e-3.
 */
export const TOPOLOGY_SIZES: Readonly<Record<string, TopologyTrainerInput>> = {
  small: {
    hidden: 128,
    slotHidden: 32,
    attentionKey: 16,
    edgeHidden: 32,
    criticHidden: 32,
    generatorLearningRate: 1e-3,
    criticLearningRate: 1e-3,
  },
  tiny: {
    latentSize: 8,
    hidden: 32,
    slotHidden: 8,
    attentionBlocks: 1,
    attentionKey: 8,
    edgeRank: 2,
    edgeHidden: 16,
    criticHidden: 16,
    criticLayers: 1,
  },
};

/**
 * Weight of the topology GAN's validity reward (topology/validity-reward.ts): the REINFORCE term
 * that scores each sampled graph by the validator's layout-free rules. 0 turns it off.
 * Off, as measured: "small", 200 train designs, batch 32, seed 1, wasm, 200 EMA graphs for val
 * conditions: at 2 and 6 epochs, weights 0, 1 and 10 all left 0 % of graphs free of layout-free
 * errors and the same mean reward (0.034, ~28 errors a graph); the reward costs ~5–15 ms a graph.
 */
export const TOPOLOGY_VALIDITY_REWARD = 0;

/**
 * Whether a training run's topology GAN decodes each attachment row and listed line into one of the
 * whole rows its data holds (topology/row-motifs.ts, README "Row motifs"), lists lines only
 * between the type pairs the data has lines between, and gives every item a line. Read by
 * topology-training-run.ts topologyTrainingSetup. Measured in topology/README.md "Row motifs"
 * (2 epochs "small", raw validity with the contract masks 0.81 val / 0.83 test against 0.49 / 0.44
 * without motifs; MMD² 10.5 / 10.3 against 13.9 / 13.5).
 */
export const TOPOLOGY_ROW_MOTIFS = true;

/**
 * Whether a training run's topology GAN keeps a spare set (A/B pumps, 2-out-of-3) in one slot whose
 * class is the set's size (topology/spare-sets.ts, README "Spare sets"). Read by
 * topology-training-run.ts topologyTrainingSetup. On since 2026-12-07, with the line budget at
 * generation: without sets every learned pump stood alone (6.27 per test design; training 0.00),
 * the largest of the graph MMD's gaps (topology/README.md "Shipped model").
 */
export const TOPOLOGY_SPARE_SETS = true;

/**
 * When the topology GAN draws as many lines as the slots' types hold in the data
 * (topology/line-budget.ts, README "Line budget"): "off" never (one draw per pair), "generation"
 * only when generating (training draws each pair), "always" also in training. "generation": a
 * spare-set model trained with one draw per pair drew 55.6 lines per test design (data 31.1);
 * models trained under the budget did not route (topology/README.md "Line budget").
 */
export type TopologyLineBudget = "off" | "generation" | "always";
export const TOPOLOGY_LINE_BUDGET: TopologyLineBudget = "generation";

/**
 * Whether a training run's topology GAN holds footprints, design pressures and temperatures as
 * ranks within the item's type, counted from its data (topology/scalar-ranks.ts). Read by
 * topologyTrainingSetup. Without ranks the shipped model of 2026-12-07 gave every type 4-6 barg,
 * tanks included (data: atmospheric), and the masks added relief valves to ~4 lines per design.
 */
export const TOPOLOGY_SCALAR_RANKS = true;

/**
 * Generator kinds a training can use (models.ts): "graph" places a topology from (z, c) alone;
 * "layout" is also given the topology's items and lines and the site's racks and keep-outs
 * (layout-generator.ts). The kinds and the default (what `plantgan train` and the API train) are
 * training-settings.schema.json's; api-schemas.test.ts holds this list to the schema's.
 */
export const GENERATOR_KINDS = ["graph", "layout"] as const;
export type GeneratorKind = (typeof GENERATOR_KINDS)[number];

/**
 * What a layout generator adds to a size: the rule pack's whole spacing table with a 0.5 m margin
 * (layouts aim clear of the validator's thresholds rather than on them), the shortfall per item,
 * and the obstacle penalty, all weighted 0.1: the refiner's repulsion step clears most of what
 * they measure, and at weight 1 they spread layouts over the site, far from the real ones
 * (distance to held-out designs 0.15 against 0.02 at 0.1; packages/core/src/gan/README.md).
 * The graph generator keeps the settings its models were made with.
 */
export function trainerSettings(size: Omit<TrainerConfigInput, "nMax">, generator: GeneratorKind) {
  if (generator === "graph") return size;
  return {
    ...size,
    generator,
    refineSteps: size === MODEL_SIZES.tiny ? 2 : 3,
    spacing: { ...DEFAULT_SPACING, margin: 0.5, perItem: true },
    penalties: { overlap: 0.1, spacing: 0.1, obstacle: 0.1, ...size.penalties },
  } satisfies Omit<TrainerConfigInput, "nMax">;
}
