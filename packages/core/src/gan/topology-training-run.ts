/**
 * The topology phase of a training run, shared by `plantgan train` and the API's "train" job: the
 * topology GAN (topology/) learns from every design of the dataset, placed or topology-only (a
 * DEXPI import has no positions, but its equipment, lines, instruments and loops are a topology).
 * The layout phase (training-run.ts) then learns from the placed designs only.
 *
 * Like the layout loop: seeded shuffled batches, mean losses, a commit point per epoch, a stop
 * checked between batches, and a checkpoint (trainer state + JSON extras) to resume from.
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { Design } from "../design/types.js";
import { isPlaced } from "../design/types.js";
import { type BlobRef, packFramed, unpackFramed, weightBuffer } from "./checkpoint.js";
import {
  TOPOLOGY_LINE_BUDGET,
  TOPOLOGY_ROW_MOTIFS,
  TOPOLOGY_SCALAR_RANKS,
  TOPOLOGY_SIZES,
  TOPOLOGY_SPARE_SETS,
  TOPOLOGY_VALIDITY_REWARD,
  type TopologyLineBudget,
} from "./model-sizes.js";
import { encodeSlotGraphWithLosses, SlotGraphError } from "./topology/encode.js";
import { lineCapacity, resolveTopologyModelConfig } from "./topology/generator.js";
import { topologyModelFiles, topologyModelOf } from "./topology/model-io.js";
import { observeRowMotifs, type RowMotifs } from "./topology/row-motifs.js";
import { convertScalarRanks, observeScalarRanks, type ScalarRanks } from "./topology/scalar-ranks.js";
import type { MemberBranch } from "./topology/spare-sets.js";
import { defaultSlotGraphSpec, type SlotGraphSpec } from "./topology/spec.js";
import {
  type CompactSlotGraph,
  compactSlotGraph,
  createTopologyTrainer,
  disposeTopologyBatch,
  makeTopologyBatch,
  TOPOLOGY_LOSS_KEYS,
  type TopologyStepLosses,
  type TopologyTrainer,
  type TopologyTrainerInput,
  type TopologyTrainerState,
} from "./topology/training.js";
import { validityReward } from "./topology/validity-reward.js";
import { deriveSeed } from "./training.js";
import { nextTurn, shuffled } from "./training-run.js";

/** Why a design was left out of the topology generator's data. */
export type TopologySkipReason = "no_equipment" | "over_nMax" | "too_many_lines" | "duplicate_tag" | "unencodable";

/** What the topology generator learned from: designs used, by placement, and designs left out, by reason. */
export interface TopologyDataCount {
  /** Designs used (placed + topology-only). */
  readonly designs: number;
  readonly placed: number;
  /** Used designs with no plan position (e.g. DEXPI imports) or only some. */
  readonly topologyOnly: number;
  readonly skipped: Readonly<Partial<Record<TopologySkipReason, number>>>;
}

/**
 * The designs as compact slot graphs for the trainer, and what was used and left out. A design is
 * left out when it has no equipment, more than nMax items, duplicate tags, or more lines than the
 * generator lists (linesPerSlot × nMax): never an error, the count says it.
 */
export function topologyTrainingGraphs(
  designs: readonly Design[],
  spec: SlotGraphSpec,
  capacity: number,
): {
  readonly graphs: CompactSlotGraph[];
  readonly count: TopologyDataCount;
  /** With the spec's spare sets: what the sets' further members held (spare-sets.ts). */
  readonly memberBranches: MemberBranch[];
} {
  const graphs: CompactSlotGraph[] = [];
  const memberBranches: MemberBranch[] = [];
  const skipped: Partial<Record<TopologySkipReason, number>> = {};
  const skip = (reason: TopologySkipReason) => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };
  let placed = 0;
  for (const design of designs) {
    if (design.equipment.length === 0) {
      skip("no_equipment");
      continue;
    }
    let graph: CompactSlotGraph;
    let branches: readonly MemberBranch[] = [];
    try {
      const encoded = encodeSlotGraphWithLosses(design, spec);
      graph = compactSlotGraph(encoded.graph, spec);
      branches = encoded.memberBranches ?? [];
    } catch (error) {
      if (!(error instanceof SlotGraphError)) throw error;
      skip(
        error.code === "too_many_equipment"
          ? "over_nMax"
          : error.code === "duplicate_tag"
            ? "duplicate_tag"
            : "unencodable",
      );
      continue;
    }
    if (graph.lineEnds.length / 2 > capacity) {
      skip("too_many_lines");
      continue;
    }
    graphs.push(graph);
    memberBranches.push(...branches);
    if (design.equipment.every(isPlaced)) placed++;
  }
  return {
    graphs,
    count: { designs: graphs.length, placed, topologyOnly: graphs.length - placed, skipped },
    memberBranches,
  };
}

/** The lines a trainer's generator lists per graph. */
export function topologyLineCapacity(trainer: TopologyTrainer): number {
  return lineCapacity(trainer.config.spec, trainer.config.model);
}

export interface TopologyEpochResult {
  readonly epoch: number;
  /** Generator and critic steps so far. */
  readonly step: number;
  readonly seconds: number;
  /** Mean losses of the epoch (generator entries over generator steps; NaN entries dropped). */
  readonly losses: Record<string, number>;
}

export interface TopologyTrainingLoopInput {
  readonly trainer: TopologyTrainer;
  readonly graphs: readonly CompactSlotGraph[];
  /** Epochs done before (0, or the checkpoint's). */
  readonly fromEpoch: number;
  /** Train until this many epochs are done. */
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly onBatch?: (
    epoch: number,
    batch: number,
    batches: number,
    losses: TopologyStepLosses,
  ) => void | Promise<void>;
  /** The epoch's commit point: export, checkpoint, report. */
  readonly onEpoch: (result: TopologyEpochResult) => Promise<void>;
  /** Checked between batches: a stop ends the loop without committing the unfinished epoch. */
  readonly shouldStop?: () => boolean;
}

/** Runs topology epochs `fromEpoch + 1 … epochs`; returns the last completed epoch. */
export async function runTopologyTrainingLoop(input: TopologyTrainingLoopInput): Promise<number> {
  const { trainer, graphs, batchSize } = input;
  if (graphs.length === 0) throw new RangeError("runTopologyTrainingLoop: no slot graph to train on");
  // The values the data holds go with the model: generation decodes only into them.
  trainer.observe(graphs);
  const capacity = topologyLineCapacity(trainer);
  const batches = Math.ceil(graphs.length / batchSize);
  let done = input.fromEpoch;
  for (let epoch = input.fromEpoch + 1; epoch <= input.epochs; epoch++) {
    const started = performance.now();
    // Its own stream of orders: a run's layout and topology phases do not share one.
    const order = shuffled(graphs.length, deriveSeed(input.seed, 200_000 + epoch));
    const sums: Record<string, number> = {};
    const counts: Record<string, number> = {};
    for (let b = 0; b < batches; b++) {
      if (input.shouldStop?.()) return done;
      const rows = order.slice(b * batchSize, (b + 1) * batchSize).map((i) => graphs[i]!);
      const batch = makeTopologyBatch(rows, trainer.config.spec, capacity);
      let losses: TopologyStepLosses;
      try {
        losses = trainer.step(batch);
      } finally {
        disposeTopologyBatch(batch);
      }
      for (const k of TOPOLOGY_LOSS_KEYS) {
        if (!Number.isFinite(losses[k])) continue;
        sums[k] = (sums[k] ?? 0) + losses[k];
        counts[k] = (counts[k] ?? 0) + 1;
      }
      await input.onBatch?.(epoch, b + 1, batches, losses);
      await nextTurn();
    }
    const seconds = (performance.now() - started) / 1000;
    const losses = Object.fromEntries(Object.keys(sums).map((k) => [k, sums[k]! / counts[k]!]));
    await input.onEpoch({ epoch, step: trainer.steps, seconds, losses });
    done = epoch;
  }
  return done;
}

// ---------------------------------------------------------------------------------------------
// Checkpoint: "PGTK", u32 header length, JSON header, then the weight blobs it names.

const MAGIC = [0x50, 0x47, 0x54, 0x4b]; // "PGTK"

/** Packs a topology trainer's state and JSON-able extras (epoch, seconds) into bytes. */
export function packTopologyCheckpoint(state: TopologyTrainerState, extra: Record<string, unknown>): Uint8Array {
  return packFramed(MAGIC, (add) => {
    const model = (a: tf.io.ModelArtifacts) => ({ ...a, weightData: add(weightBuffer(a.weightData)) });
    return {
      extra,
      state: {
        ...state,
        generator: state.generator.map(model),
        generatorEma: state.generatorEma.map(model),
        critic: model(state.critic),
        optimizers: {
          generator: { specs: state.optimizers.generator.specs, data: add(state.optimizers.generator.data) },
          critic: { specs: state.optimizers.critic.specs, data: add(state.optimizers.critic.data) },
        },
      },
    };
  });
}

/** The inverse of `packTopologyCheckpoint`; throws on a truncated or foreign file. */
export function unpackTopologyCheckpoint(bytes: Uint8Array): {
  state: TopologyTrainerState;
  extra: Record<string, unknown>;
} {
  const { header, blob } = unpackFramed(bytes, MAGIC, "topology checkpoint");
  const s = header.state;
  const model = (a: { weightData: BlobRef }) => ({ ...a, weightData: blob(a.weightData) });
  const state = {
    ...s,
    generator: s.generator.map(model),
    generatorEma: s.generatorEma.map(model),
    critic: model(s.critic),
    optimizers: {
      generator: { specs: s.optimizers.generator.specs, data: blob(s.optimizers.generator.data) },
      critic: { specs: s.optimizers.critic.specs, data: blob(s.optimizers.critic.data) },
    },
  } as TopologyTrainerState;
  return { state, extra: header.extra ?? {} };
}

// ---------------------------------------------------------------------------------------------
// Trainer and model folder

/** How a run's topology generator is built beyond its size (model-sizes.ts holds the defaults). */
export interface TopologyVariant {
  /** A spare set is one slot, its size drawn with the type (topology/spare-sets.ts). */
  readonly spareSets?: boolean;
  /**
   * With spare sets: the table keeps the branches the sets' further members had in the data, and
   * decoding gives members those instead of the hand-written branch (spare-sets.ts). Off by default:
   * on synthetic-v1 it left pumps alone (README "Shipped model").
   */
  readonly memberBranches?: boolean;
  /** Generator and critic learning rate instead of the size's (the API's `learningRate`). */
  readonly learningRate?: number;
  /** The spec's table of ranked scalars (topology/scalar-ranks.ts), counted from the data by topologyTrainingSetup. */
  readonly scalarRanks?: ScalarRanks;
}

/**
 * A topology trainer of a named size (model-sizes.ts TOPOLOGY_SIZES) for nMax slots, taught by the
 * validator's layout-free rules at `validityRewardWeight` (0: off).
 */
export function topologyTrainerOfSize(
  size: string,
  nMax: number,
  seed: number,
  validityRewardWeight: number = TOPOLOGY_VALIDITY_REWARD,
  rowMotifs?: RowMotifs,
  variant: TopologyVariant = {},
): TopologyTrainer {
  const settings = sizeSettings(size, variant);
  if (!(validityRewardWeight >= 0))
    throw new RangeError(`validity reward weight must be ≥ 0; got ${validityRewardWeight}`);
  const spec: SlotGraphSpec = {
    ...defaultSlotGraphSpec(nMax, { spareSets: variant.spareSets === true }),
    ...(variant.scalarRanks ? { scalarRanks: variant.scalarRanks } : {}),
  };
  const reward = validityRewardWeight > 0 ? { rewardWeight: validityRewardWeight, rewardFn: validityReward(spec) } : {};
  return createTopologyTrainer(spec, { ...settings, ...reward, ...(rowMotifs ? { rowMotifs } : {}) }, seed);
}

function sizeSettings(size: string, variant: TopologyVariant = {}): TopologyTrainerInput {
  const settings = TOPOLOGY_SIZES[size];
  if (!settings) throw new RangeError(`unknown topology model size ${size}`);
  const lr = variant.learningRate;
  return {
    ...settings,
    // With spare sets a set's size is drawn with its type, so required counts count members (sample.ts).
    ...(variant.spareSets ? { skeletonGroups: ["type", "spare"] } : {}),
    ...(lr !== undefined ? { generatorLearningRate: lr, criticLearningRate: lr } : {}),
  };
}

/**
 * A run's topology data and trainer together: the designs as slot graphs (topologyTrainingGraphs)
 * and a trainer of a named size. With `rowMotifs` (default model-sizes.ts TOPOLOGY_ROW_MOTIFS) its
 * attachment and line heads decode into the whole rows those graphs hold (topology/row-motifs.ts),
 * starting at their frequencies; data without a line or an item keeps the per-block heads. The
 * spare sets and the line budget default to model-sizes.ts TOPOLOGY_SPARE_SETS and
 * TOPOLOGY_LINE_BUDGET.
 */
export function topologyTrainingSetup(
  input: {
    readonly designs: readonly Design[];
    readonly size: string;
    readonly nMax: number;
    readonly seed: number;
    readonly validityRewardWeight?: number;
    readonly rowMotifs?: boolean;
    readonly lineBudget?: TopologyLineBudget;
    /** Count the ranked scalars' table from the designs (default model-sizes.ts TOPOLOGY_SCALAR_RANKS). */
    readonly scalarRanks?: boolean;
  } & Omit<TopologyVariant, "scalarRanks">,
): { readonly trainer: TopologyTrainer; readonly graphs: CompactSlotGraph[]; readonly count: TopologyDataCount } {
  const spareSets = input.spareSets ?? TOPOLOGY_SPARE_SETS;
  const learningRate = input.learningRate !== undefined ? { learningRate: input.learningRate } : {};
  const settings = sizeSettings(input.size, { spareSets, ...learningRate });
  const model = resolveTopologyModelConfig(settings);
  const spec = defaultSlotGraphSpec(input.nMax, { spareSets });
  const { graphs, count, memberBranches } = topologyTrainingGraphs(input.designs, spec, lineCapacity(spec, model));
  // Ranked scalars: counted from the encoded rows, then the rows rewritten as ranks (scalar-ranks.ts).
  let scalarRanks: ScalarRanks | undefined;
  if (input.scalarRanks ?? TOPOLOGY_SCALAR_RANKS) {
    scalarRanks = observeScalarRanks(spec, presentRows(graphs, spec));
    for (const g of graphs) convertScalarRanks({ ...spec, scalarRanks }, g.nodes, g.mask, true);
  }
  const variant: TopologyVariant = { spareSets, ...learningRate, ...(scalarRanks ? { scalarRanks } : {}) };
  const budget = input.lineBudget ?? TOPOLOGY_LINE_BUDGET;
  const motifs =
    (input.rowMotifs ?? TOPOLOGY_ROW_MOTIFS)
      ? observeRowMotifs(graphs, spec, model.skeletonGroups, {
          ...(budget === "off" ? {} : { lineBudget: budget === "always" ? true : "generation" }),
          ...(variant.spareSets && input.memberBranches ? { memberBranches } : {}),
        })
      : undefined;
  const usable = motifs && motifs.nodes.length > 0 && motifs.lines.length > 0 ? motifs : undefined;
  const trainer = topologyTrainerOfSize(
    input.size,
    input.nMax,
    input.seed,
    input.validityRewardWeight,
    usable,
    variant,
  );
  // A motif head's logits start at log frequency: uniform over ~1,000 line motifs would draw rare rows.
  if (usable) trainer.setOutputPriors(graphs);
  return { trainer, graphs, count };
}

/** Each present node row of the graphs (views, not copies). */
function* presentRows(graphs: readonly CompactSlotGraph[], spec: SlotGraphSpec): Generator<Float32Array> {
  const w = spec.nodeWidth;
  for (const g of graphs) {
    for (let i = 0; i < g.mask.length; i++) if (g.mask[i]! > 0.5) yield g.nodes.subarray(i * w, (i + 1) * w);
  }
}

/**
 * A trainer restored from a checkpoint's state (its own configuration). The reward weight is part
 * of that configuration but its function is not saved: a run trained with the validity reward
 * gets it back, so a resumed run learns as it began.
 */
export async function restoreTopologyTrainer(state: TopologyTrainerState): Promise<TopologyTrainer> {
  const { spec, model, training } = state.config;
  const trainer =
    training.rewardWeight > 0
      ? createTopologyTrainer(spec, { ...model, ...training, rewardFn: validityReward(spec) })
      : createTopologyTrainer(spec, state.config);
  await trainer.restore(state);
  return trainer;
}

/** Folder of the topology generator inside a model folder or bundle. */
export const TOPOLOGY_FOLDER = "topology";

/** The EMA topology generator's files, under topology/ (relative path → bytes). */
export async function topologyFolderFiles(trainer: TopologyTrainer): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const [path, bytes] of await topologyModelFiles(topologyModelOf(trainer))) {
    files.set(`${TOPOLOGY_FOLDER}/${path}`, bytes);
  }
  return files;
}
