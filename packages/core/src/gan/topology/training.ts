/**
 * Training of the topology GAN (generator.ts, critic.ts) on slot graphs: WGAN-GP with λ = 10 and
 * ProGAN's drift term, the two time-scale rule (critic lr 3·10⁻⁴, generator 10⁻⁴, 2 critic steps
 * per generator step), an EMA of the generator's weights for generation, all as the layout GAN
 * does (../losses.ts, ../training.ts; see ../README.md "Loss and why"). The generator adds:
 *
 * - a count term: squared miss of the equipment counts the condition asks for (columns
 *   `counts.offset…` of c × `counts.scale`, in the order of the "type" group), so the
 *   unconstrained model learns to respect counts (sample.ts enforces them only at decoding);
 * - an optional validity reward (MolGAN, De Cao & Kipf 2018), off by default: `rewardFn` scores
 *   the hard sampled graphs (e.g. the share of the validator's topology rules they pass) and the
 *   generator minimises −w·E[A·log p(sample)] with the advantage A = (r − r̄) / σ_r, the batch's
 *   rewards centred on their mean and scaled by their spread (REINFORCE with a baseline, the
 *   advantage normalisation of PPO-style trainers), so the term's scale does not shrink with the
 *   reward's (1/(1 + errors) sits near 0.03 on early graphs); log p from generator.ts `runGenerator`. A score-function term, because the validator is
 *   not differentiable; the lead wires the validator in.
 *
 * Deterministic for a seed: every random draw takes a seed from (seed, draw counter), the epoch
 * shuffle from (seed, epoch), and both counters are part of `state()`.
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { EQUIPMENT_TYPES } from "../../design/vocabulary.js";
import { CONDITION_LAYOUT, CONDITION_SIZE, COUNT_SCALE } from "../condition.js";
import { registerGanGradients } from "../gradients.js";
import { criticLoss, driftPenalty, generatorAdversarialLoss } from "../losses.js";
import { concatArrays, sampleLatent, saveModel } from "../models.js";
import { decodeOptimizer, deriveSeed, type EncodedWeights, encodeOptimizer, setModelWeights } from "../training.js";
import { buildTopologyCritic } from "./critic.js";
import {
  buildTopologyGenerator,
  disposeGenerator,
  type GeneratedTensors,
  generatorStages,
  lineCapacity,
  resolveTopologyModelConfig,
  runGenerator,
  type SlotGraphTensors,
  stageColumns,
  type TopologyGenerator,
  type TopologyModelConfig,
} from "./generator.js";
import { mergeVocabulary, type ObservedVocabulary, observeVocabulary } from "./observed-vocabulary.js";
import { motifHeadPriors } from "./row-motifs.js";
import { uniformStream } from "./sample.js";
import { spareMemberWeights } from "./spare-sets.js";
import type { SlotGraph, SlotGraphSpec } from "./spec.js";

/** Where c holds the requested count of each type (the "type" group's order), and its scale. */
export interface CountColumns {
  readonly offset: number;
  readonly scale: number;
}

export interface TopologyTrainingConfig {
  readonly generatorLearningRate: number;
  readonly criticLearningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  /** Critic steps per generator step. */
  readonly criticSteps: number;
  /** λ of the gradient penalty. */
  readonly gradientPenalty: number;
  /** ε of the drift term. */
  readonly drift: number;
  /** Decay of the generator EMA per generator update, after a warm-up of min(decay, (1 + k)/(10 + k)). */
  readonly emaDecay: number;
  /** Gumbel-softmax temperature while training. */
  readonly temperature: number;
  /** Weight of the count term (0: off). */
  readonly countWeight: number;
  /** Count columns of c; null when c holds none (the count term is then off). */
  readonly counts: CountColumns | null;
  /** Weight of the REINFORCE reward term; used only with a `rewardFn`. Default 0 (off). */
  readonly rewardWeight: number;
}

export const DEFAULT_TOPOLOGY_TRAINING: Omit<TopologyTrainingConfig, "counts"> = {
  generatorLearningRate: 1e-4,
  criticLearningRate: 3e-4,
  beta1: 0.5,
  beta2: 0.9,
  criticSteps: 2,
  gradientPenalty: 10,
  drift: 1e-3,
  emaDecay: 0.999,
  temperature: 1,
  countWeight: 0.1,
  rewardWeight: 0,
};

/**
 * REINFORCE advantages of one batch: rewards minus their mean, divided by their standard deviation.
 * A batch whose rewards (nearly) all agree has no advantage (zeros), rather than noise blown up.
 */
export function normalisedAdvantage(rewards: Float32Array | readonly number[]): Float32Array {
  const n = rewards.length;
  const out = new Float32Array(n);
  if (n === 0) return out;
  let mean = 0;
  for (const r of rewards) mean += r / n;
  let variance = 0;
  for (const r of rewards) variance += (r - mean) ** 2 / n;
  const spread = Math.sqrt(variance);
  if (spread < 1e-6) return out;
  for (let k = 0; k < n; k++) out[k] = (rewards[k]! - mean) / spread;
  return out;
}

/** Reward of hard sampled graphs, one number per graph (higher is better), e.g. validity. */
export type RewardFn = (graphs: readonly SlotGraph[]) => readonly number[];

export type TopologyTrainerInput = Partial<TopologyModelConfig> &
  Partial<TopologyTrainingConfig> & {
    /** The MolGAN-style validity reward hook (not saved with the config). */
    readonly rewardFn?: RewardFn;
  };

/** Everything that decides a run, JSON-able (saved beside the model). */
export interface TopologyTrainerConfig {
  readonly spec: SlotGraphSpec;
  readonly model: TopologyModelConfig;
  readonly training: TopologyTrainingConfig;
}

/** c's count columns when c is conditionVector()'s and the type group is EQUIPMENT_TYPES; else null. */
export function defaultCountColumns(spec: SlotGraphSpec): CountColumns | null {
  const type = spec.nodeGroups.find((g) => g.name === "type");
  if (spec.conditionWidth !== CONDITION_SIZE || type?.size !== EQUIPMENT_TYPES.length) return null;
  return { offset: CONDITION_LAYOUT.counts, scale: COUNT_SCALE };
}

export function resolveTopologyTrainerConfig(
  spec: SlotGraphSpec,
  input: TopologyTrainerInput = {},
  seed?: number,
): TopologyTrainerConfig {
  const { rewardFn: _ignored, ...rest } = input;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const model = resolveTopologyModelConfig({ ...defined, ...(seed === undefined ? {} : { seed }) });
  const training: TopologyTrainingConfig = {
    ...DEFAULT_TOPOLOGY_TRAINING,
    counts: defaultCountColumns(spec),
    ...(Object.fromEntries(
      Object.keys({ ...DEFAULT_TOPOLOGY_TRAINING, counts: null }).flatMap((k) =>
        k in defined ? [[k, defined[k]]] : [],
      ),
    ) as Partial<TopologyTrainingConfig>),
  };
  if (!Number.isInteger(training.criticSteps) || training.criticSteps < 1) {
    throw new RangeError(`criticSteps must be a positive integer; got ${training.criticSteps}`);
  }
  stageColumns(spec, model.skeletonGroups); // throws on a spec the generator cannot serve
  return { spec, model, training };
}

// ---------------------------------------------------------------------------------------------
// Batches

export interface TopologyBatch extends SlotGraphTensors {
  /** [B,C] */
  readonly c: tf.Tensor2D;
}

/**
 * A slot graph with its lines listed instead of dense: ~80 KB for a typical design at nMax 48
 * against 7 MB dense (spec.ts: nMax² × (1 + edgeWidth) floats), so a whole split fits in memory.
 */
export interface CompactSlotGraph {
  readonly nodes: Float32Array;
  readonly mask: Float32Array;
  readonly condition: Float32Array;
  /** Per line, its start and end slot: [from₀, to₀, from₁, to₁, …], row-major order of (from, to). */
  readonly lineEnds: Int32Array;
  /** Per line, its edgeWidth features. */
  readonly lineFeatures: Float32Array;
}

export function compactSlotGraph(graph: SlotGraph | CompactSlotGraph, spec: SlotGraphSpec): CompactSlotGraph {
  if ("lineEnds" in graph) return graph;
  const n = spec.nMax;
  const stride = 1 + spec.edgeWidth;
  if (
    graph.nodes.length !== n * spec.nodeWidth ||
    graph.mask.length !== n ||
    graph.edges.length !== n * n * stride ||
    graph.condition.length !== spec.conditionWidth
  ) {
    throw new RangeError(`a slot graph does not match the spec (nMax ${n})`);
  }
  const cells: number[] = [];
  for (let cell = 0; cell < n * n; cell++) if (graph.edges[cell * stride]! > 0.5) cells.push(cell);
  const lineEnds = new Int32Array(cells.flatMap((cell) => [Math.floor(cell / n), cell % n]));
  const lineFeatures = new Float32Array(cells.length * spec.edgeWidth);
  cells.forEach((cell, m) => {
    lineFeatures.set(graph.edges.subarray(cell * stride + 1, (cell + 1) * stride), m * spec.edgeWidth);
  });
  return { nodes: graph.nodes, mask: graph.mask, condition: graph.condition, lineEnds, lineFeatures };
}

/** Output biases matching a data set's marginals, per generator head (see `Trainer.setOutputPriors`). */
export interface OutputPriors {
  /** Skeleton head: the skeleton groups' columns, then existence. */
  readonly skeleton: Float32Array;
  /** Line existence between two existing slots. */
  readonly line: number;
  /** Attachment head: the other node groups' columns, in stage order (generator.ts stageColumns). */
  readonly attachments: Float32Array;
  /** Line features, in spec order. */
  readonly lineFeatures: Float32Array;
}

/**
 * The bias of each output column that reproduces the data's marginal frequency: log p for a
 * categorical column (softmax ignores a shared shift), logit p for binary and existence columns,
 * logit of the mean for continuous ones (sigmoid outputs); p clamped to [10⁻³, 1 − 10⁻³].
 */
export function outputPriors(
  graphs: readonly (SlotGraph | CompactSlotGraph)[],
  spec: SlotGraphSpec,
  skeletonGroups: readonly string[],
): OutputPriors {
  const compact = graphs.map((g) => compactSlotGraph(g, spec));
  const n = spec.nMax;
  const w = spec.nodeWidth;
  const e = spec.edgeWidth;
  const nodeMean = new Float64Array(w);
  const lineMean = new Float64Array(e);
  let present = 0;
  let lines = 0;
  let pairs = 0;
  for (const g of compact) {
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (g.mask[i]! <= 0.5) continue;
      k++;
      for (let c = 0; c < w; c++) nodeMean[c]! += g.nodes[i * w + c]!;
    }
    present += k;
    pairs += k * (k - 1);
    const count = g.lineEnds.length / 2;
    lines += count;
    for (let m = 0; m < count; m++) for (let c = 0; c < e; c++) lineMean[c]! += g.lineFeatures[m * e + c]!;
  }
  const clamp = (p: number) => Math.min(1 - 1e-3, Math.max(1e-3, p));
  const logit = (p: number) => Math.log(clamp(p) / (1 - clamp(p)));
  const bias = (groups: readonly { offset: number; size: number; kind: string }[], mean: Float64Array, total: number) =>
    Float32Array.from(
      groups.flatMap((g) =>
        Array.from({ length: g.size }, (_, k) => {
          const p = total === 0 ? 0.5 : mean[g.offset + k]! / total;
          return g.kind === "categorical" ? Math.log(clamp(p)) : logit(p);
        }),
      ),
    );
  const cols = stageColumns(spec, skeletonGroups);
  const skeleton = bias(cols.skeleton, nodeMean, present);
  const existence = logit(present / Math.max(1, compact.length * n));
  return {
    skeleton: Float32Array.from([...skeleton, existence]),
    line: logit(lines / Math.max(1, pairs)),
    attachments: bias(cols.attachments, nodeMean, present),
    lineFeatures: bias(
      [...spec.edgeGroups].sort((a, b) => a.offset - b.offset),
      lineMean,
      lines,
    ),
  };
}

/**
 * Stacks slot graphs (dense or compact) into batch tensors, their lines listed (generator.ts
 * SlotGraphTensors) with room for `capacity` lines per graph (generator.ts lineCapacity). The
 * caller disposes the batch.
 */
export function makeTopologyBatch(
  graphs: readonly (SlotGraph | CompactSlotGraph)[],
  spec: SlotGraphSpec,
  capacity: number,
): TopologyBatch {
  const b = graphs.length;
  const n = spec.nMax;
  const e = spec.edgeWidth;
  const compact = graphs.map((g) => compactSlotGraph(g, spec));
  const adjacency = new Float32Array(b * n * n);
  const from = new Float32Array(b * capacity * n);
  const to = new Float32Array(b * capacity * n);
  const lines = new Float32Array(b * capacity * e);
  compact.forEach((g, k) => {
    const count = g.lineEnds.length / 2;
    if (count > capacity) {
      throw new RangeError(
        `makeTopologyBatch: graph ${k} has ${count} lines, more than ${capacity} (raise linesPerSlot)`,
      );
    }
    for (let m = 0; m < count; m++) {
      const [i, j] = [g.lineEnds[2 * m]!, g.lineEnds[2 * m + 1]!];
      adjacency[k * n * n + i * n + j] = 1;
      from[(k * capacity + m) * n + i] = 1;
      to[(k * capacity + m) * n + j] = 1;
    }
    lines.set(g.lineFeatures, k * capacity * e);
  });
  return {
    nodes: tf.tensor3d(concatArrays(compact.map((g) => g.nodes)), [b, n, spec.nodeWidth]),
    mask: tf.tensor2d(concatArrays(compact.map((g) => g.mask)), [b, n]),
    adjacency: tf.tensor3d(adjacency, [b, n, n]),
    from: tf.tensor3d(from, [b, capacity, n]),
    to: tf.tensor3d(to, [b, capacity, n]),
    lines: tf.tensor3d(lines, [b, capacity, e]),
    c: tf.tensor2d(concatArrays(compact.map((g) => g.condition)), [b, spec.conditionWidth]),
  };
}

/** The tensors of a batch, in the critic's input order (critic.ts) but for c. */
export function graphInputs(g: SlotGraphTensors): tf.Tensor[] {
  return [g.nodes, g.adjacency, g.from, g.to, g.lines, g.mask];
}

export function disposeTopologyBatch(batch: TopologyBatch): void {
  tf.dispose([...graphInputs(batch), batch.c]);
}

/** Downloads a batch of graph tensors as SlotGraphs (dense edges; conditions from `c`). */
export function slotGraphsOf(graph: SlotGraphTensors, c: tf.Tensor2D): SlotGraph[] {
  const [b, n, w] = graph.nodes.shape;
  const [, capacity, e] = graph.lines.shape;
  const stride = 1 + e;
  const cw = c.shape[1];
  const [nodes, mask, adjacency, from, to, lines, cond] = [
    graph.nodes,
    graph.mask,
    graph.adjacency,
    graph.from,
    graph.to,
    graph.lines,
    c,
  ].map((t) => t.dataSync() as Float32Array) as Float32Array[];
  const hot = (rows: Float32Array, at: number) => {
    for (let i = 0; i < n; i++) if (rows[at + i]! > 0.5) return i;
    return -1;
  };
  return Array.from({ length: b }, (_, k) => {
    const edges = new Float32Array(n * n * stride);
    for (let m = 0; m < capacity; m++) {
      const i = hot(from!, (k * capacity + m) * n);
      const j = hot(to!, (k * capacity + m) * n);
      if (i < 0 || j < 0 || adjacency![k * n * n + i * n + j]! <= 0.5) continue;
      edges[(i * n + j) * stride] = 1;
      edges.set(lines!.subarray((k * capacity + m) * e, (k * capacity + m + 1) * e), (i * n + j) * stride + 1);
    }
    return {
      nodes: nodes!.slice(k * n * w, (k + 1) * n * w),
      mask: mask!.slice(k * n, (k + 1) * n),
      edges,
      condition: cond!.slice(k * cw, (k + 1) * cw),
    };
  });
}

/**
 * WGAN-GP's penalty E[(‖∇D(x̂)‖ − 1)²] (losses.ts `gradientPenalty`) over all of the critic's graph
 * inputs, x̂ = ε·real + (1 − ε)·fake per sample.
 */
function graphGradientPenalty(
  critic: (inputs: tf.Tensor[]) => tf.Tensor,
  real: tf.Tensor[],
  fake: tf.Tensor[],
  epsilon: tf.Tensor1D,
): tf.Scalar {
  const mixed = real.map((r, i) => {
    const e = tf.reshape(epsilon, [-1, ...r.shape.slice(1).map(() => 1)]);
    return tf.add(tf.mul(e, r), tf.mul(tf.sub(1, e), fake[i]!));
  });
  const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(critic(xs)))(mixed);
  const squared = tf.addN(grads.map((g) => tf.sum(tf.reshape(tf.square(g), [g.shape[0]!, -1]), 1)));
  return tf.mean(tf.square(tf.sub(tf.sqrt(tf.add(squared, 1e-12)), 1))) as tf.Scalar;
}

// ---------------------------------------------------------------------------------------------
// Trainer

export const TOPOLOGY_LOSS_KEYS = [
  "d_loss",
  "wasserstein",
  "gp",
  "drift",
  "g_loss",
  "g_adversarial",
  "count",
  "reward",
] as const;
type LossKey = (typeof TOPOLOGY_LOSS_KEYS)[number];

/** Losses of one step. Generator entries are NaN on critic-only steps; `reward` NaN without a rewardFn. */
export type TopologyStepLosses = Readonly<Record<LossKey, number>> & {
  readonly step: number;
  readonly generatorUpdated: boolean;
};

export interface TopologyEpochSummary {
  readonly epoch: number;
  readonly steps: number;
  readonly seconds: number;
  /** Mean of each loss over the epoch (generator entries over generator steps only). */
  readonly mean: Readonly<Record<LossKey, number>>;
}

export interface TopologyTrainerState {
  readonly format: "plantgan-topology-trainer";
  readonly version: 1;
  readonly config: TopologyTrainerConfig;
  readonly step: number;
  readonly draws: number;
  readonly epochs: number;
  /** Per stage (skeleton, lines, attachments). */
  readonly generator: tf.io.ModelArtifacts[];
  readonly generatorEma: tf.io.ModelArtifacts[];
  readonly critic: tf.io.ModelArtifacts;
  readonly optimizers: { readonly generator: EncodedWeights; readonly critic: EncodedWeights };
  /** What the data held (observed-vocabulary.ts); absent in checkpoints from before it was kept. */
  readonly vocabulary?: ObservedVocabulary;
}

export interface TopologyTrainer {
  readonly config: TopologyTrainerConfig;
  readonly generator: TopologyGenerator;
  /** EMA of the generator's weights: the one to generate with. */
  readonly generatorEma: TopologyGenerator;
  readonly critic: tfl.LayersModel;
  readonly steps: number;
  readonly epochs: number;
  /** One critic update, and a generator update every `criticSteps` steps. */
  step(batch: TopologyBatch): TopologyStepLosses;
  /** A shuffled pass over `graphs` (dense or compact) in batches of `batchSize` (the last may be smaller). */
  epoch(
    graphs: readonly (SlotGraph | CompactSlotGraph)[],
    batchSize: number,
    onProgress?: (done: number, total: number, losses: TopologyStepLosses) => void,
  ): TopologyEpochSummary;
  /**
   * Sets the output biases of both generators (live and EMA) to the data's marginals
   * (`outputPriors`), so training starts from graphs with the data's item, line and attachment
   * frequencies instead of uniform guesses over ~300 columns. Call before the first step.
   */
  setOutputPriors(graphs: readonly (SlotGraph | CompactSlotGraph)[]): void;
  /**
   * Records the discrete values `graphs` hold into `vocabulary` (merged with what was recorded
   * before). `epoch` calls it; a loop that calls `step` itself calls it once with its graphs.
   */
  observe(graphs: readonly (SlotGraph | CompactSlotGraph)[]): void;
  /** The values the training data held, saved with the model; undefined before any data is seen. */
  readonly vocabulary: ObservedVocabulary | undefined;
  state(): Promise<TopologyTrainerState>;
  restore(state: TopologyTrainerState): Promise<void>;
  dispose(): void;
}

export function createTopologyTrainer(
  spec: SlotGraphSpec,
  config: TopologyTrainerInput | TopologyTrainerConfig = {},
  seed?: number,
): TopologyTrainer {
  registerGanGradients();
  const resolved =
    "spec" in config && "model" in config && "training" in config
      ? (config as TopologyTrainerConfig)
      : resolveTopologyTrainerConfig(spec, config as TopologyTrainerInput, seed);
  const rewardFn = "rewardFn" in config ? (config as TopologyTrainerInput).rewardFn : undefined;
  return new Trainer(resolved, rewardFn);
}

type Gradients = Parameters<tf.AdamOptimizer["applyGradients"]>[0];

function variablesOf(models: readonly tfl.LayersModel[]): tf.Variable[] {
  return models.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
}

class Trainer implements TopologyTrainer {
  readonly config: TopologyTrainerConfig;
  readonly generator: TopologyGenerator;
  readonly generatorEma: TopologyGenerator;
  readonly critic: tfl.LayersModel;
  private readonly rewardFn: RewardFn | undefined;
  private readonly typeColumns: { start: number; size: number } | undefined;
  private readonly spareColumns: { start: number; size: number } | undefined;
  private gOpt: tf.AdamOptimizer;
  private dOpt: tf.AdamOptimizer;
  private stepCount = 0;
  private drawCount = 0;
  private epochCount = 0;
  private observed: ObservedVocabulary | undefined;
  /** Data sets already observed (an epoch loop passes the same array every epoch). */
  private readonly observedSets = new WeakSet<readonly unknown[]>();

  constructor(config: TopologyTrainerConfig, rewardFn: RewardFn | undefined) {
    this.config = config;
    this.rewardFn = rewardFn;
    const { spec, model } = config;
    this.generator = buildTopologyGenerator(spec, model);
    this.generatorEma = buildTopologyGenerator(spec, model, "topology_generator_ema");
    this.critic = buildTopologyCritic(spec, model);
    generatorStages(this.generator).forEach((m, i) => {
      generatorStages(this.generatorEma)[i]!.setWeights(m.getWeights());
    });
    const cols = stageColumns(spec, model.skeletonGroups);
    const at = cols.skeleton.findIndex((g) => g.name === "type");
    const startOf = (k: number) => cols.skeleton.slice(0, k).reduce((s, g) => s + g.size, 0);
    this.typeColumns = at < 0 ? undefined : { start: startOf(at), size: cols.skeleton[at]!.size };
    // With spare sets a slot stands for its set's members (spare-sets.ts), so the count weighs each by them.
    const spare = cols.skeleton.findIndex((g) => g.name === "spare");
    this.spareColumns =
      spec.spareSets && spare >= 0 ? { start: startOf(spare), size: cols.skeleton[spare]!.size } : undefined;
    this.gOpt = this.newOptimizer("generator");
    this.dOpt = this.newOptimizer("critic");
  }

  get steps(): number {
    return this.stepCount;
  }

  get epochs(): number {
    return this.epochCount;
  }

  get vocabulary(): ObservedVocabulary | undefined {
    return this.observed;
  }

  observe(graphs: readonly (SlotGraph | CompactSlotGraph)[]): void {
    if (graphs.length === 0 || this.observedSets.has(graphs)) return;
    this.observedSets.add(graphs);
    const seen = observeVocabulary(graphs, this.config.spec);
    this.observed = this.observed ? mergeVocabulary(this.observed, seen) : seen;
  }

  private newOptimizer(which: "generator" | "critic"): tf.AdamOptimizer {
    const t = this.config.training;
    return tf.train.adam(
      which === "generator" ? t.generatorLearningRate : t.criticLearningRate,
      t.beta1,
      t.beta2,
      1e-8,
    );
  }

  private nextSeed(): number {
    return deriveSeed(this.config.model.seed, this.drawCount++);
  }

  private critique(graph: SlotGraphTensors, c: tf.Tensor2D): tf.Tensor {
    return this.critiqueInputs(graphInputs(graph), c);
  }

  private critiqueInputs(inputs: tf.Tensor[], c: tf.Tensor2D): tf.Tensor {
    return this.critic.apply([...inputs, c], { training: true }) as tf.Tensor;
  }

  private fakes(c: tf.Tensor2D, latentSeed: number, noiseSeed: number): GeneratedTensors {
    const z = sampleLatent(c.shape[0], this.config.model.latentSize, latentSeed, Number.POSITIVE_INFINITY);
    return runGenerator(this.generator, z, c, {
      temperature: this.config.training.temperature,
      noiseSeed,
      training: true,
    });
  }

  /** The count term: Σ_types (generated count − requested count)², mean over the batch. */
  private countTerm(fake: GeneratedTensors, c: tf.Tensor2D): tf.Scalar | undefined {
    const counts = this.config.training.counts;
    if (!counts || !this.typeColumns || this.config.training.countWeight === 0) return undefined;
    const { start, size } = this.typeColumns;
    let types = tf.slice(fake.skeleton, [0, 0, start], [-1, -1, size]) as tf.Tensor3D; // [B,N,T]
    if (this.spareColumns) {
      const [b, n] = types.shape;
      const spare = tf.slice(fake.skeleton, [0, 0, this.spareColumns.start], [-1, -1, this.spareColumns.size]);
      const weights = tf.tensor2d(spareMemberWeights(), [this.spareColumns.size, 1]);
      const members = tf.reshape(tf.matMul(tf.reshape(spare, [b * n, -1]) as tf.Tensor2D, weights), [b, n, 1]);
      types = tf.mul(types, members) as tf.Tensor3D;
    }
    const have = tf.sum(types, 1); // [B,T]
    const want = tf.mul(tf.slice(c, [0, counts.offset], [-1, size]), counts.scale);
    return tf.mean(tf.sum(tf.square(tf.sub(have, want)), 1)) as tf.Scalar;
  }

  step(batch: TopologyBatch): TopologyStepLosses {
    const t = this.config.training;
    const b = batch.c.shape[0];
    const seeds = { z: this.nextSeed(), noise: this.nextSeed(), eps: this.nextSeed() };
    const critic = tf.tidy(() => {
      const generated = this.fakes(batch.c, seeds.z, seeds.noise);
      const epsilon = tf.randomUniform([b], 0, 1, "float32", seeds.eps) as tf.Tensor1D;
      const parts: tf.Scalar[] = [];
      const { value, grads } = tf.variableGrads(
        () => {
          const dReal = this.critique(batch, batch.c);
          const dFake = this.critique(generated, batch.c);
          const w = criticLoss(dReal, dFake);
          const gp = graphGradientPenalty(
            (xs) => this.critiqueInputs(xs, batch.c),
            graphInputs(batch),
            graphInputs(generated),
            epsilon,
          );
          const drift = driftPenalty(dReal);
          parts.push(tf.keep(w), tf.keep(gp), tf.keep(drift));
          return tf.addN([w, tf.mul(gp, t.gradientPenalty), tf.mul(drift, t.drift)]) as tf.Scalar;
        },
        variablesOf([this.critic]),
      );
      this.dOpt.applyGradients(grads as Gradients);
      const all = tf.stack([value, ...parts]);
      tf.dispose(parts);
      return all;
    });
    const [dLoss, negW, gp, drift] = Array.from(critic.dataSync());
    critic.dispose();

    const generatorUpdated = this.stepCount % t.criticSteps === t.criticSteps - 1;
    const g = generatorUpdated ? this.generatorStep(batch.c) : [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
    const losses: TopologyStepLosses = {
      step: this.stepCount,
      d_loss: dLoss!,
      wasserstein: -negW!,
      gp: gp!,
      drift: drift!,
      g_loss: g[0]!,
      g_adversarial: g[1]!,
      count: g[2]!,
      reward: g[3]!,
      generatorUpdated,
    };
    this.stepCount++;
    return losses;
  }

  private generatorStep(c: tf.Tensor2D): number[] {
    const t = this.config.training;
    const seeds = { z: this.nextSeed(), noise: this.nextSeed() };
    let meanReward = Number.NaN;
    const out = tf.tidy(() => {
      const parts: tf.Scalar[] = [];
      const { value, grads } = tf.variableGrads(
        () => {
          const fake = this.fakes(c, seeds.z, seeds.noise);
          const adversarial = generatorAdversarialLoss(this.critique(fake, c));
          const count = this.countTerm(fake, c) ?? tf.scalar(0);
          let reward: tf.Scalar = tf.scalar(0);
          if (this.rewardFn && t.rewardWeight > 0) {
            const r = Float32Array.from(this.rewardFn(slotGraphsOf(fake, c)));
            if (r.length !== c.shape[0])
              throw new RangeError(`rewardFn gave ${r.length} rewards for ${c.shape[0]} graphs`);
            meanReward = r.reduce((s, x) => s + x, 0) / r.length;
            const advantage = tf.tensor1d(normalisedAdvantage(r));
            reward = tf.neg(tf.mean(tf.mul(advantage, fake.logProb))) as tf.Scalar;
          }
          parts.push(tf.keep(adversarial), tf.keep(count));
          return tf.addN([adversarial, tf.mul(count, t.countWeight), tf.mul(reward, t.rewardWeight)]) as tf.Scalar;
        },
        variablesOf(generatorStages(this.generator)),
      );
      this.gOpt.applyGradients(grads as Gradients);
      this.updateEma();
      const all = tf.stack([value, ...parts]);
      tf.dispose(parts);
      return all;
    });
    const values = Array.from(out.dataSync());
    out.dispose();
    return [...values, meanReward];
  }

  private updateEma(): void {
    // Warm-up (as TensorFlow's ExponentialMovingAverage with num_updates): at 0.999 from the first
    // update, 100 updates would leave the average 90% initial weights; (1 + k)/(10 + k) follows the
    // live weights early and reaches the set decay after ~10,000 updates.
    const updates = Math.floor(this.stepCount / this.config.training.criticSteps);
    const decay = Math.min(this.config.training.emaDecay, (1 + updates) / (10 + updates));
    const live = generatorStages(this.generator).flatMap((m) => m.weights);
    const shadow = generatorStages(this.generatorEma).flatMap((m) => m.weights);
    tf.tidy(() => {
      shadow.forEach((s, i) => {
        s.write(tf.add(tf.mul(s.read(), decay), tf.mul(live[i]!.read(), 1 - decay)));
      });
    });
  }

  epoch(
    graphs: readonly (SlotGraph | CompactSlotGraph)[],
    batchSize: number,
    onProgress?: (done: number, total: number, losses: TopologyStepLosses) => void,
  ): TopologyEpochSummary {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer`);
    this.observe(graphs);
    const start = performance.now();
    const order = shuffled(graphs.length, deriveSeed(this.config.model.seed ^ 0x5bd1e995, this.epochCount));
    const sums = Object.fromEntries(TOPOLOGY_LOSS_KEYS.map((k) => [k, 0])) as Record<LossKey, number>;
    const counts = Object.fromEntries(TOPOLOGY_LOSS_KEYS.map((k) => [k, 0])) as Record<LossKey, number>;
    let steps = 0;
    for (let at = 0; at < order.length; at += batchSize) {
      const rows = order.slice(at, at + batchSize).map((i) => graphs[i]!);
      const batch = makeTopologyBatch(rows, this.config.spec, lineCapacity(this.config.spec, this.config.model));
      let losses: TopologyStepLosses;
      try {
        losses = this.step(batch);
      } finally {
        disposeTopologyBatch(batch);
      }
      steps++;
      for (const k of TOPOLOGY_LOSS_KEYS) {
        if (Number.isFinite(losses[k])) {
          sums[k] += losses[k];
          counts[k]++;
        }
      }
      onProgress?.(Math.min(at + batchSize, order.length), order.length, losses);
    }
    this.epochCount++;
    const mean = Object.fromEntries(
      TOPOLOGY_LOSS_KEYS.map((k) => [k, counts[k] === 0 ? Number.NaN : sums[k] / counts[k]]),
    ) as Record<LossKey, number>;
    return { epoch: this.epochCount, steps, seconds: (performance.now() - start) / 1000, mean };
  }

  setOutputPriors(graphs: readonly (SlotGraph | CompactSlotGraph)[]): void {
    const { spec, model } = this.config;
    const priors = outputPriors(graphs, spec, model.skeletonGroups);
    // With row motifs the heads give the continuous columns and then one logit per motif.
    const motifs = model.rowMotifs;
    const heads = motifs
      ? {
          attachments: motifHeadPriors(
            stageColumns(spec, model.skeletonGroups).attachments,
            priors.attachments,
            motifs.nodes,
          ),
          lines: motifHeadPriors(
            [...spec.edgeGroups].sort((a, b) => a.offset - b.offset),
            priors.lineFeatures,
            motifs.lines,
          ),
        }
      : { attachments: priors.attachments, lines: priors.lineFeatures };
    for (const g of [this.generator, this.generatorEma]) {
      const set = (stage: tfl.LayersModel, layer: string, index: number, values: Float32Array) => {
        const weights = stage.layers.find((l) => l.name.endsWith(layer))?.weights;
        const target = weights?.[index];
        const current = target?.read();
        if (!target || !current || current.size !== values.length) {
          throw new Error(`setOutputPriors: no bias of ${values.length} in layer *${layer}`);
        }
        const value = tf.tensor(values, current.shape);
        target.write(value);
        value.dispose();
      };
      set(g.skeleton, "_skeleton_head", 1, priors.skeleton);
      set(g.lines, "_line_head", 2, Float32Array.of(priors.line));
      set(g.attachments, "_attach_head", 1, heads.attachments);
      set(g.attachments, "_line_features", 4, heads.lines);
    }
  }

  async state(): Promise<TopologyTrainerState> {
    const [generator, generatorEma, critic, gOpt, dOpt] = await Promise.all([
      Promise.all(generatorStages(this.generator).map(saveModel)),
      Promise.all(generatorStages(this.generatorEma).map(saveModel)),
      saveModel(this.critic),
      encodeOptimizer(this.gOpt),
      encodeOptimizer(this.dOpt),
    ]);
    return {
      format: "plantgan-topology-trainer",
      version: 1,
      config: this.config,
      step: this.stepCount,
      draws: this.drawCount,
      epochs: this.epochCount,
      generator,
      generatorEma,
      critic,
      optimizers: { generator: gOpt, critic: dOpt },
      ...(this.observed ? { vocabulary: this.observed } : {}),
    };
  }

  async restore(state: TopologyTrainerState): Promise<void> {
    if (state.format !== "plantgan-topology-trainer" || state.version !== 1) {
      throw new Error(`restore: not a topology trainer checkpoint (format ${state.format}, version ${state.version})`);
    }
    if (JSON.stringify(state.config) !== JSON.stringify(this.config)) {
      throw new Error("restore: the checkpoint's configuration differs from this trainer's");
    }
    for (const [i, m] of generatorStages(this.generator).entries()) setModelWeights(m, state.generator[i]!);
    for (const [i, m] of generatorStages(this.generatorEma).entries()) setModelWeights(m, state.generatorEma[i]!);
    setModelWeights(this.critic, state.critic);
    // Adam.setWeights creates new accumulators without freeing the old: start from fresh optimizers.
    this.gOpt.dispose();
    this.dOpt.dispose();
    this.gOpt = this.newOptimizer("generator");
    this.dOpt = this.newOptimizer("critic");
    await decodeOptimizer(this.gOpt, state.optimizers.generator);
    await decodeOptimizer(this.dOpt, state.optimizers.critic);
    this.stepCount = state.step;
    this.drawCount = state.draws;
    this.epochCount = state.epochs;
    this.observed = state.vocabulary;
  }

  dispose(): void {
    this.gOpt.dispose();
    this.dOpt.dispose();
    disposeGenerator(this.generator);
    disposeGenerator(this.generatorEma);
    this.critic.dispose();
  }
}

/** A seeded permutation of 0..n−1 (Fisher–Yates). */
function shuffled(n: number, seed: number): number[] {
  const next = uniformStream(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
