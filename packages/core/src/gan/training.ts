/**
 * Training loop of the PlantGAN: WGAN-GP critic steps, generator steps with layout penalties and
 * a condition-match term, an exponential moving average of the generator's weights (Karras et al.
 * 2018; Yazıcı et al. 2019, "The unusual effectiveness of averaging in GAN training") used for
 * generation, and checkpoints through `state()`/`restore()`.
 *
 * Reproducible: every random draw (latent, Gumbel noise, interpolation ε) takes a seed derived
 * from (config seed, draw counter), and the counter is part of the checkpoint, so a restored run
 * continues exactly as the uninterrupted one. tfjs random ops draw on the JS side with seedrandom,
 * so the same seeds give the same numbers on every backend.
 *
 * Every step runs inside `tf.tidy`; the trainer owns its models and optimizers until `dispose()`.
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { EncodingLayout } from "../views/vocabulary.js";
import { CONDITION_SIZE } from "./condition.js";
import { registerGanGradients } from "./gradients.js";
import {
  countLoss,
  criticLoss,
  driftPenalty,
  generatorAdversarialLoss,
  gradientPenalty,
  HAZARD_SPACING,
  layoutCost,
  layoutPenalties,
  type SpacingOptions,
} from "./losses.js";
import {
  buildCritic,
  buildGenerator,
  categorical,
  concatArrays,
  type GanModelConfig,
  type GanModelConfigInput,
  type GraphTensors,
  modelLayout,
  resolveModelConfig,
  sampleGraph,
  sampleLatent,
  saveModel,
} from "./models.js";
import { MAX_OBSTACLES, OBSTACLE_WIDTH } from "./obstacles.js";

export interface PenaltyWeights {
  /** Footprint overlap (fraction of footprint area). */
  readonly overlap: number;
  /** Distance outside the site, per m. */
  readonly site: number;
  /** Clearance shortfall (fraction of the required distance). */
  readonly spacing: number;
  /** Squared miss of the requested equipment counts. */
  readonly count: number;
  /** Per item, the share of its footprint on racks (with their keep-free strip) or keep-outs, summed. */
  readonly obstacle: number;
  /**
   * Layout cost (losses.ts `layoutCost`): ½·(piping proxy + bounding-box area), each as a ratio to
   * the designer's layout of the same topology, so 1 is the designer's cost. Counts only in the
   * generator's objective (it is not one of the logged losses). Default 1, as measured (issue 19;
   * bench/layout-cost-finetune.ts, the shipped model fine-tuned 80 steps at each weight from its
   * weights, then `bench:layout --per-class 10 --seeds 1 --limit 0`, 70 test-split candidates):
   * against weight 0, weight 1 gave before the polish a median piping measure 0.86×, routed length
   * 0.82× and area 0.80× (lower in every class) with validity unchanged (68 of 70 in both); weight
   * 3 gave 0.88×, 0.85×, 0.83×.
   */
  readonly cost: number;
}

export interface TrainingConfig {
  /** Adam learning rates. Two time-scale update rule: the critic learns faster (Heusel et al. 2017). */
  readonly generatorLearningRate: number;
  readonly criticLearningRate: number;
  /** Adam β1, β2 (WGAN-GP: 0 and 0.9; we keep a little momentum). */
  readonly beta1: number;
  readonly beta2: number;
  /** Critic steps per generator step (WGAN-GP used 5; with TTUR fewer suffice). */
  readonly criticSteps: number;
  /** λ of the gradient penalty (Gulrajani et al. 2017: 10). */
  readonly gradientPenalty: number;
  /** ε of the drift term (Karras et al. 2018: 0.001). */
  readonly drift: number;
  /** Decay of the generator EMA per generator step. */
  readonly emaDecay: number;
  /** Gumbel-softmax temperature while training. */
  readonly temperature: number;
  readonly penalties: PenaltyWeights;
  readonly spacing: SpacingOptions;
  /**
   * Layout-only training: fakes take the real batch's graph (types, sizes, hazards, edges, mask)
   * and only positions and rotations from the generator, so generator and critic learn where a
   * given topology's equipment goes (the task the pipeline uses the generator for). Default false.
   */
  readonly layoutOnly: boolean;
}

export const DEFAULT_TRAINING_CONFIG: TrainingConfig = {
  generatorLearningRate: 1e-4,
  criticLearningRate: 3e-4,
  beta1: 0.5,
  beta2: 0.9,
  criticSteps: 2,
  gradientPenalty: 10,
  drift: 1e-3,
  emaDecay: 0.999,
  temperature: 1,
  penalties: { overlap: 1, site: 0.05, spacing: 1, count: 0.1, obstacle: 0, cost: 1 },
  spacing: HAZARD_SPACING,
  layoutOnly: false,
};

/** Model and training settings; everything but nMax has a default. */
export type TrainerConfigInput = GanModelConfigInput &
  Partial<Omit<TrainingConfig, "penalties">> & { readonly penalties?: Partial<PenaltyWeights> };

export interface TrainerConfig {
  readonly model: GanModelConfig;
  readonly training: TrainingConfig;
}

export function resolveTrainerConfig(input: TrainerConfigInput): TrainerConfig {
  const model = resolveModelConfig(input);
  const pick = <K extends keyof TrainingConfig>(k: K): TrainingConfig[K] =>
    (input[k] as TrainingConfig[K] | undefined) ?? DEFAULT_TRAINING_CONFIG[k];
  const training: TrainingConfig = {
    generatorLearningRate: pick("generatorLearningRate"),
    criticLearningRate: pick("criticLearningRate"),
    beta1: pick("beta1"),
    beta2: pick("beta2"),
    criticSteps: pick("criticSteps"),
    gradientPenalty: pick("gradientPenalty"),
    drift: pick("drift"),
    emaDecay: pick("emaDecay"),
    temperature: pick("temperature"),
    penalties: { ...DEFAULT_TRAINING_CONFIG.penalties, ...stripUndefined(input.penalties ?? {}) },
    spacing: pick("spacing"),
    layoutOnly: pick("layoutOnly"),
  };
  if (model.generator === "layout" && !training.layoutOnly) {
    throw new RangeError("a layout generator places given topologies: it needs layoutOnly training");
  }
  if (!Number.isInteger(training.criticSteps) || training.criticSteps < 1) {
    throw new RangeError(`criticSteps must be a positive integer; got ${training.criticSteps}`);
  }
  return { model, training };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** One training batch: real graphs, their conditions and their sites' obstacles. */
export interface GanBatch extends GraphTensors {
  /** [B,C] */
  readonly c: tf.Tensor2D;
  /** [B,K,4] (obstacles.ts) */
  readonly obstacles: tf.Tensor3D;
}

/** One item of a batch, as the views encoder and `conditionVector` produce it. */
export interface BatchItem {
  readonly X: Float32Array;
  readonly A: Float32Array;
  readonly mask: Float32Array;
  readonly condition: Float32Array;
  /** The site's racks and keep-outs (obstacles.ts); none when absent. */
  readonly obstacles?: Float32Array;
}

/** Stacks encodings into batch tensors (the caller disposes them, e.g. with `disposeBatch`). */
export function makeBatch(items: readonly BatchItem[], layout: EncodingLayout): GanBatch {
  const b = items.length;
  const n = layout.spec.nMax;
  for (const it of items) {
    if (it.X.length !== n * layout.F || it.A.length !== layout.R * n * n || it.mask.length !== n) {
      throw new RangeError(`makeBatch: an item does not match the layout (nMax ${n}, F ${layout.F}, R ${layout.R})`);
    }
    if (it.condition.length !== CONDITION_SIZE) throw new RangeError("makeBatch: condition of the wrong length");
  }
  return {
    X: tf.tensor3d(concatArrays(items.map((i) => i.X)), [b, n, layout.F]),
    A: tf.tensor4d(concatArrays(items.map((i) => i.A)), [b, layout.R, n, n]),
    mask: tf.tensor2d(concatArrays(items.map((i) => i.mask)), [b, n]),
    c: tf.tensor2d(concatArrays(items.map((i) => i.condition)), [b, CONDITION_SIZE]),
    obstacles: tf.tensor3d(
      concatArrays(items.map((i) => i.obstacles ?? new Float32Array(MAX_OBSTACLES * OBSTACLE_WIDTH))),
      [b, MAX_OBSTACLES, OBSTACLE_WIDTH],
    ),
  };
}

export function disposeBatch(batch: GanBatch): void {
  tf.dispose([batch.X, batch.A, batch.mask, batch.c, batch.obstacles]);
}

/** The numeric entries of `StepLosses`, in the order logs and metrics list them. */
export const LOSS_KEYS = [
  "d_loss",
  "wasserstein",
  "gp",
  "drift",
  "g_loss",
  "g_adversarial",
  "overlap",
  "site",
  "spacing",
  "count",
  "obstacle",
  "cost",
] as const;

/** Losses of one step, as numbers. Generator entries are NaN on critic-only steps. */
export interface StepLosses {
  /** Steps taken before this one. */
  readonly step: number;
  /** Critic objective: E[D(fake)] − E[D(real)] + λ·gp + ε·drift. */
  readonly d_loss: number;
  /** E[D(real)] − E[D(fake)]: the critic's estimate of the Wasserstein distance. */
  readonly wasserstein: number;
  readonly gp: number;
  readonly drift: number;
  /** Generator objective: −E[D(fake)] + weighted penalties. */
  readonly g_loss: number;
  readonly g_adversarial: number;
  readonly overlap: number;
  readonly site: number;
  readonly spacing: number;
  readonly count: number;
  readonly obstacle: number;
  /** Layout cost (losses.ts `layoutCost`, 1 = the designer's), logged whatever its weight. */
  readonly cost: number;
  readonly generatorUpdated: boolean;
}

export interface EpochSummary {
  readonly steps: number;
  readonly seconds: number;
  /** Mean of each loss over the epoch's steps (generator entries over generator steps only). */
  readonly mean: Omit<StepLosses, "step" | "generatorUpdated">;
  readonly last: StepLosses | undefined;
}

/** Encoded weights (tf.io.encodeWeights), e.g. an optimizer's state. */
export interface EncodedWeights {
  readonly specs: tf.io.WeightsManifestEntry[];
  readonly data: ArrayBuffer;
}

/** Everything needed to continue training where it stopped. JSON-able except the ArrayBuffers. */
export interface TrainerState {
  readonly format: "plantgan-gan-trainer";
  readonly version: 1;
  readonly config: TrainerConfig;
  readonly step: number;
  readonly draws: number;
  readonly generator: tf.io.ModelArtifacts;
  readonly generatorEma: tf.io.ModelArtifacts;
  readonly critic: tf.io.ModelArtifacts;
  readonly optimizers: { readonly generator: EncodedWeights; readonly critic: EncodedWeights };
}

export interface Trainer {
  readonly config: TrainerConfig;
  readonly layout: EncodingLayout;
  readonly generator: tfl.LayersModel;
  /** EMA of the generator's weights: the one to generate with. */
  readonly generatorEma: tfl.LayersModel;
  readonly critic: tfl.LayersModel;
  /** Steps taken so far. */
  readonly steps: number;
  /** One critic update, and a generator update every `criticSteps` steps. */
  step(batch: GanBatch): StepLosses;
  /** `step` over every batch; the caller keeps ownership of the batches. */
  epoch(batches: Iterable<GanBatch>): EpochSummary;
  state(): Promise<TrainerState>;
  restore(state: TrainerState): Promise<void>;
  dispose(): void;
  /**
   * Data-parallel training (data-parallel.ts): one `step` split into its gradient computation and
   * its update, so several trainers with the same weights, each given its rows of a global batch,
   * sum their gradients and all apply that sum. `criticGradients` then `applyCriticGradients`;
   * when that returns true, `generatorGradients` then `applyGeneratorGradients`.
   */
  criticGradients(shard: GanBatch, rows: BatchRows): ShardGradients;
  /** Applies the summed critic gradients; true when a generator update follows in this step. */
  applyCriticGradients(sum: readonly Float32Array[]): boolean;
  generatorGradients(shard: GanBatch, rows: BatchRows): ShardGradients;
  /** Applies the summed generator gradients and updates the EMA. */
  applyGeneratorGradients(sum: readonly Float32Array[]): void;
}

/** Which rows of a global batch a shard holds: [offset, offset + size) of `total`. */
export interface BatchRows {
  readonly offset: number;
  readonly size: number;
  readonly total: number;
}

/**
 * One shard's gradients (one array per trainable variable, in the model's order) and losses, both
 * scaled by size / total (an empty array for a variable no gradient reaches): every loss is a mean over the batch, so the shards' sum is exactly the
 * gradient and the loss of the whole batch, whatever the shard sizes.
 * Critic losses: d_loss, −wasserstein, gp, drift. Generator: g_loss, adversarial, overlap, site,
 * spacing, count, obstacle.
 */
export interface ShardGradients {
  readonly grads: Float32Array[];
  readonly losses: number[];
}

/** A 31-bit seed from a base seed and a counter (splitmix-style mixing). */
export function deriveSeed(seed: number, counter: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(counter + 0x632be5ab, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

type Gradients = Parameters<tf.AdamOptimizer["applyGradients"]>[0];

function variablesOf(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

export function createTrainer(input: TrainerConfigInput | TrainerConfig): Trainer {
  registerGanGradients();
  const config = "model" in input && "training" in input ? input : resolveTrainerConfig(input);
  return new GanTrainer(config);
}

/** A trainer rebuilt from a checkpoint. */
export async function restoreTrainer(state: TrainerState): Promise<Trainer> {
  const trainer = createTrainer(state.config);
  await trainer.restore(state);
  return trainer;
}

class GanTrainer implements Trainer {
  readonly config: TrainerConfig;
  readonly layout: EncodingLayout;
  readonly generator: tfl.LayersModel;
  readonly generatorEma: tfl.LayersModel;
  readonly critic: tfl.LayersModel;
  private gOpt: tf.AdamOptimizer;
  private dOpt: tf.AdamOptimizer;
  private stepCount = 0;
  private drawCount = 0;

  constructor(config: TrainerConfig) {
    this.config = config;
    this.layout = modelLayout(config.model);
    this.generator = buildGenerator(config.model);
    this.generatorEma = buildGenerator(config.model, "plantgan_generator_ema");
    this.critic = buildCritic(config.model);
    this.generatorEma.setWeights(this.generator.getWeights());
    this.gOpt = this.newOptimizer("generator");
    this.dOpt = this.newOptimizer("critic");
  }

  get steps(): number {
    return this.stepCount;
  }

  private newOptimizer(which: "generator" | "critic"): tf.AdamOptimizer {
    const t = this.config.training;
    const lr = which === "generator" ? t.generatorLearningRate : t.criticLearningRate;
    return tf.train.adam(lr, t.beta1, t.beta2, 1e-8);
  }

  private nextSeed(): number {
    return deriveSeed(this.config.model.seed, this.drawCount++);
  }

  private critique(graph: GraphTensors, c: tf.Tensor2D): tf.Tensor {
    return this.critic.apply([graph.X, graph.A, graph.mask, c], { training: true }) as tf.Tensor;
  }

  /**
   * The generator's fakes for a batch. With `rows`, the batch is those rows of a larger one, and
   * every random draw is made for the whole batch and cut to the rows, so shards see the numbers
   * the whole batch would.
   */
  private fakes(
    c: tf.Tensor2D,
    latentSeed: number,
    noiseSeed: number,
    real?: GanBatch,
    rows?: BatchRows,
  ): GraphTensors {
    const z = rows
      ? rowsOf(sampleLatent(rows.total, this.config.model.latentSize, latentSeed, Number.POSITIVE_INFINITY), rows)
      : sampleLatent(c.shape[0], this.config.model.latentSize, latentSeed, Number.POSITIVE_INFINITY);
    if (this.config.model.generator === "layout") {
      if (!real) throw new Error("a layout generator needs the real batch's topologies");
      const nodeParams = this.generator.apply([z, c, real.X, real.A, real.mask, real.obstacles], {
        training: true,
      }) as tf.Tensor3D;
      return this.layoutFakes(nodeParams, real, noiseSeed, rows);
    }
    const [nodeParams, edgeLogits] = this.generator.apply([z, c], { training: true }) as tf.Tensor[];
    if (this.config.training.layoutOnly && real)
      return this.layoutFakes(nodeParams as tf.Tensor3D, real, noiseSeed, rows);
    if (rows) throw new RangeError("data-parallel training needs layoutOnly (sampled graphs draw noise per shard)");
    return sampleGraph(nodeParams as tf.Tensor3D, edgeLogits as tf.Tensor4D, this.layout, {
      temperature: this.config.training.temperature,
      noiseSeed,
    });
  }

  /** The real graphs with the generator's positions (× placed) and rotations (× equipment). */
  private layoutFakes(nodeParams: tf.Tensor3D, real: GraphTensors, noiseSeed: number, rows?: BatchRows): GraphTensors {
    const { offsets, F } = this.layout;
    if (offsets.rotation !== offsets.position + 2) throw new Error("layoutOnly: rotation must follow position");
    const [b, n] = [nodeParams.shape[0], nodeParams.shape[1]];
    const col = (x: tf.Tensor, start: number, size: number) => tf.slice(x, [0, 0, start], [b, n, size]);
    const placed = col(real.X, offsets.placed, 1);
    const equipment = tf.sum(col(real.X, offsets.rotation, 4), 2, true);
    const position = tf.mul(tf.sigmoid(col(nodeParams, offsets.position, 2)), placed);
    const logits = col(nodeParams, offsets.rotation, 4);
    const temperature = this.config.training.temperature;
    // A shard adds the Gumbel noise categorical would draw, drawn for the whole batch (models.ts uniformNoise).
    const sampled = rows
      ? categorical(
          tf.sub(
            logits,
            tf.log(
              tf.neg(tf.log(rowsOf(tf.randomUniform([rows.total, n, 4], 1e-6, 1 - 1e-6, "float32", noiseSeed), rows))),
            ),
          ),
          temperature,
        )
      : categorical(logits, temperature, noiseSeed);
    const rotation = tf.mul(sampled, equipment);
    const generated = tf.concat(
      [tf.zeros([b, n, offsets.position]), position, rotation, tf.zeros([b, n, F - offsets.position - 6])],
      2,
    );
    const keep = new Float32Array(F).fill(1);
    keep.fill(0, offsets.position, offsets.position + 6);
    const X = tf.add(tf.mul(real.X, tf.tensor1d(keep)), generated) as tf.Tensor3D;
    return { X, A: real.A, mask: real.mask };
  }

  step(batch: GanBatch): StepLosses {
    const t = this.config.training;
    const b = batch.c.shape[0];
    const seeds = { z: this.nextSeed(), noise: this.nextSeed(), eps: this.nextSeed() };
    const critic = tf.tidy(() => {
      const fake = this.fakes(batch.c, seeds.z, seeds.noise, batch); // constants for the critic step
      const epsilon = tf.randomUniform([b], 0, 1, "float32", seeds.eps) as tf.Tensor1D;
      const parts: tf.Scalar[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const dReal = this.critique(batch, batch.c);
        const dFake = this.critique(fake, batch.c);
        const w = criticLoss(dReal, dFake);
        const gp = gradientPenalty((g) => this.critique(g, batch.c), batch, fake, epsilon);
        const drift = driftPenalty(dReal);
        parts.push(tf.keep(w), tf.keep(gp), tf.keep(drift));
        return tf.addN([w, tf.mul(gp, t.gradientPenalty), tf.mul(drift, t.drift)]) as tf.Scalar;
      }, variablesOf(this.critic));
      this.dOpt.applyGradients(grads as Gradients);
      const all = tf.stack([value, ...parts]);
      tf.dispose(parts);
      return all;
    });
    const [dLoss, negW, gp, drift] = Array.from(critic.dataSync());
    critic.dispose();

    let g = Array.from({ length: 8 }, () => Number.NaN);
    const generatorUpdated = this.stepCount % t.criticSteps === t.criticSteps - 1;
    if (generatorUpdated) g = this.generatorStep(batch.c, batch);
    const losses: StepLosses = {
      step: this.stepCount,
      d_loss: dLoss!,
      wasserstein: -negW!,
      gp: gp!,
      drift: drift!,
      g_loss: g[0]!,
      g_adversarial: g[1]!,
      overlap: g[2]!,
      site: g[3]!,
      spacing: g[4]!,
      count: g[5]!,
      obstacle: g[6]!,
      cost: g[7]!,
      generatorUpdated,
    };
    this.stepCount++;
    return losses;
  }

  private generatorStep(c: tf.Tensor2D, real: GanBatch): number[] {
    const seeds = { z: this.nextSeed(), noise: this.nextSeed() };
    const out = tf.tidy(() => {
      const parts: tf.Scalar[] = [];
      const { value, grads } = tf.variableGrads(
        () => this.generatorObjective(this.fakes(c, seeds.z, seeds.noise, real), c, real, parts),
        variablesOf(this.generator),
      );
      this.gOpt.applyGradients(grads as Gradients);
      this.updateEma();
      const all = tf.stack([value, ...parts]);
      tf.dispose(parts);
      return all;
    });
    const values = Array.from(out.dataSync());
    out.dispose();
    return values;
  }

  criticGradients(shard: GanBatch, rows: BatchRows): ShardGradients {
    checkRows(shard, rows);
    const t = this.config.training;
    const seeds = { z: this.nextSeed(), noise: this.nextSeed(), eps: this.nextSeed() };
    const scale = rows.size / rows.total;
    return this.gradientsOf(this.critic, scale, (parts) => {
      const fixed = this.fakes(shard.c, seeds.z, seeds.noise, shard, rows); // constants for the critic step
      const epsilon = rowsOf(tf.randomUniform([rows.total], 0, 1, "float32", seeds.eps), rows) as tf.Tensor1D;
      return () => {
        const dReal = this.critique(shard, shard.c);
        const dFake = this.critique(fixed, shard.c);
        const w = criticLoss(dReal, dFake);
        const gp = gradientPenalty((g) => this.critique(g, shard.c), shard, fixed, epsilon);
        const drift = driftPenalty(dReal);
        parts.push(tf.keep(w), tf.keep(gp), tf.keep(drift));
        return tf.addN([w, tf.mul(gp, t.gradientPenalty), tf.mul(drift, t.drift)]) as tf.Scalar;
      };
    });
  }

  applyCriticGradients(sum: readonly Float32Array[]): boolean {
    this.applySum(this.dOpt, this.critic, sum);
    const t = this.config.training;
    const generatorDue = this.stepCount % t.criticSteps === t.criticSteps - 1;
    if (!generatorDue) this.stepCount++;
    return generatorDue;
  }

  generatorGradients(shard: GanBatch, rows: BatchRows): ShardGradients {
    checkRows(shard, rows);
    const seeds = { z: this.nextSeed(), noise: this.nextSeed() };
    const scale = rows.size / rows.total;
    return this.gradientsOf(
      this.generator,
      scale,
      (parts) => () =>
        this.generatorObjective(this.fakes(shard.c, seeds.z, seeds.noise, shard, rows), shard.c, shard, parts),
    );
  }

  /**
   * The generator's objective on its fakes: −E[D(fake)] plus the weighted layout penalties, the
   * count term and the layout cost. Pushes the logged parts (adversarial, overlap, site, spacing,
   * count, obstacle, cost) in that order.
   */
  private generatorObjective(fake: GraphTensors, c: tf.Tensor2D, real: GanBatch, parts: tf.Scalar[]): tf.Scalar {
    const t = this.config.training;
    const adversarial = generatorAdversarialLoss(this.critique(fake, c));
    // Obstacles only when they weigh: a weight of 0 keeps the graph generator's runs as they were.
    const pen = layoutPenalties(fake, c, this.layout, t.spacing, t.penalties.obstacle > 0 ? real.obstacles : undefined);
    const count = countLoss(fake, c, this.layout);
    // The cost is logged at every weight; at 0 it stays out of the objective, so the gradients
    // are those of a run before the term existed.
    const cost = layoutCost(fake, real, c, this.layout).total;
    parts.push(...[adversarial, pen.overlap, pen.site, pen.spacing, count, pen.obstacle, cost].map((x) => tf.keep(x)));
    const terms = [
      adversarial,
      tf.mul(pen.overlap, t.penalties.overlap),
      tf.mul(pen.site, t.penalties.site),
      tf.mul(pen.spacing, t.penalties.spacing),
      tf.mul(count, t.penalties.count),
      tf.mul(pen.obstacle, t.penalties.obstacle),
    ];
    // A checkpoint from before the term has no weight and trains on without it.
    if (t.penalties.cost > 0) terms.push(tf.mul(cost, t.penalties.cost));
    return tf.addN(terms) as tf.Scalar;
  }

  applyGeneratorGradients(sum: readonly Float32Array[]): void {
    this.applySum(this.gOpt, this.generator, sum);
    tf.tidy(() => this.updateEma());
    this.stepCount++;
  }

  /**
   * Gradients of a loss with respect to a model's variables, and the loss with its parts, all
   * scaled by `scale` and downloaded. `prepare` runs first (outside the differentiated function,
   * for the constants) and returns the loss function, which pushes its parts.
   */
  private gradientsOf(
    model: tfl.LayersModel,
    scale: number,
    prepare: (parts: tf.Scalar[]) => () => tf.Scalar,
  ): ShardGradients {
    const variables = variablesOf(model);
    const { grads, losses } = tf.tidy(() => {
      const parts: tf.Scalar[] = [];
      const loss = prepare(parts);
      const { value, grads } = tf.variableGrads(loss, variables);
      // The parts were kept past variableGrads' own scope: free them here.
      const all = tf.stack([value, ...parts]);
      tf.dispose(parts);
      // A variable the loss does not reach has no gradient (undefined here): it travels as an empty array.
      return { grads: variables.map((v) => grads[v.name]), losses: all };
    });
    // Scaled here, not by a kernel per variable: a float32 product is exact in a double, so storing
    // it in a Float32Array rounds it once, as a float32 multiply does (the same numbers).
    const factor = Math.fround(scale);
    const scaled = (values: Float32Array) => {
      if (factor !== 1) for (let i = 0; i < values.length; i++) values[i] = values[i]! * factor;
      return values;
    };
    const out = {
      grads: grads.map((g) => (g ? scaled((g.dataSync() as Float32Array).slice()) : new Float32Array(0))),
      losses: Array.from(scaled((losses.dataSync() as Float32Array).slice())),
    };
    tf.dispose([...grads.filter((g) => g !== undefined), losses]);
    return out;
  }

  private applySum(optimizer: tf.AdamOptimizer, model: tfl.LayersModel, sum: readonly Float32Array[]): void {
    const variables = variablesOf(model);
    if (sum.length !== variables.length) {
      throw new RangeError(`applyGradients: ${sum.length} gradients for ${variables.length} variables`);
    }
    tf.tidy(() => {
      const grads: Record<string, tf.Tensor> = {};
      variables.forEach((v, i) => {
        // Empty: no gradient reached this variable, and the optimizer skips it (as in `step`).
        if (sum[i]!.length > 0 || v.size === 0) grads[v.name] = tf.tensor(sum[i]!, v.shape, "float32");
      });
      optimizer.applyGradients(grads as Gradients);
    });
  }

  private updateEma(): void {
    const decay = this.config.training.emaDecay;
    const live = this.generator.weights;
    const shadow = this.generatorEma.weights;
    tf.tidy(() => {
      shadow.forEach((s, i) => {
        const w = live[i]!.read();
        s.write(tf.add(tf.mul(s.read(), decay), tf.mul(w, 1 - decay)));
      });
    });
  }

  epoch(batches: Iterable<GanBatch>): EpochSummary {
    const start = performance.now();
    const keys = LOSS_KEYS;
    const sums = Object.fromEntries(keys.map((k) => [k, 0])) as Record<(typeof keys)[number], number>;
    let steps = 0;
    let gSteps = 0;
    let last: StepLosses | undefined;
    for (const batch of batches) {
      last = this.step(batch);
      steps++;
      if (last.generatorUpdated) gSteps++;
      for (const k of keys) if (Number.isFinite(last[k])) sums[k] += last[k];
    }
    const mean = Object.fromEntries(
      keys.map((k) => {
        const generatorKey = !["d_loss", "wasserstein", "gp", "drift"].includes(k);
        const count = generatorKey ? gSteps : steps;
        return [k, count === 0 ? Number.NaN : sums[k] / count];
      }),
    ) as EpochSummary["mean"];
    return { steps, seconds: (performance.now() - start) / 1000, mean, last };
  }

  async state(): Promise<TrainerState> {
    const [generator, generatorEma, critic, gOpt, dOpt] = await Promise.all([
      saveModel(this.generator),
      saveModel(this.generatorEma),
      saveModel(this.critic),
      encodeOptimizer(this.gOpt),
      encodeOptimizer(this.dOpt),
    ]);
    return {
      format: "plantgan-gan-trainer",
      version: 1,
      config: this.config,
      step: this.stepCount,
      draws: this.drawCount,
      generator,
      generatorEma,
      critic,
      optimizers: { generator: gOpt, critic: dOpt },
    };
  }

  async restore(state: TrainerState): Promise<void> {
    if (state.format !== "plantgan-gan-trainer" || state.version !== 1) {
      throw new Error(`restore: not a PlantGAN trainer checkpoint (format ${state.format}, version ${state.version})`);
    }
    if (JSON.stringify(state.config.model) !== JSON.stringify(this.config.model)) {
      throw new Error("restore: the checkpoint's model config differs from this trainer's");
    }
    setModelWeights(this.generator, state.generator);
    setModelWeights(this.generatorEma, state.generatorEma);
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
  }

  dispose(): void {
    this.gOpt.dispose();
    this.dOpt.dispose();
    this.generator.dispose();
    this.generatorEma.dispose();
    this.critic.dispose();
  }
}

/** Copies saved weights into a model of the same architecture (matched by order and shape). */
export function setModelWeights(model: tfl.LayersModel, artifacts: tf.io.ModelArtifacts): void {
  const specs = artifacts.weightSpecs ?? [];
  if (artifacts.weightData === undefined) throw new Error("setModelWeights: artifacts hold no weights");
  const named = tf.io.decodeWeights(artifacts.weightData, specs);
  const ordered = specs.map((s) => named[s.name]!);
  try {
    if (ordered.length !== model.weights.length) {
      throw new Error(`setModelWeights: ${ordered.length} saved weights for ${model.weights.length} in the model`);
    }
    model.setWeights(ordered);
  } finally {
    tf.dispose(ordered);
  }
}

/** An optimizer's state (Adam's moments, the step) as weight bytes; shared with the topology trainer. */
export async function encodeOptimizer(opt: tf.Optimizer): Promise<EncodedWeights> {
  const named = await opt.getWeights();
  try {
    const { data, specs } = await tf.io.encodeWeights(named);
    return { data: data as ArrayBuffer, specs };
  } finally {
    // getWeights returns the live accumulators and a fresh "iter" scalar: free only the latter.
    for (const w of named) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  }
}

/** The inverse of `encodeOptimizer`. */
export async function decodeOptimizer(opt: tf.Optimizer, encoded: EncodedWeights): Promise<void> {
  const named = tf.io.decodeWeights(encoded.data, encoded.specs);
  const list = encoded.specs.map((s) => ({ name: s.name, tensor: named[s.name]! }));
  try {
    await opt.setWeights(list);
  } finally {
    tf.dispose(list.map((w) => w.tensor));
  }
}

/** Rows [offset, offset + size) of a tensor's first axis. */
function rowsOf<T extends tf.Tensor>(x: T, rows: BatchRows): T {
  if (rows.offset === 0 && rows.size === rows.total) return x;
  return tf.slice(x, [rows.offset, ...x.shape.slice(1).map(() => 0)], [rows.size, ...x.shape.slice(1).map(() => -1)]);
}

function checkRows(shard: GanBatch, rows: BatchRows): void {
  const { offset, size, total } = rows;
  if (!(Number.isInteger(offset) && Number.isInteger(size) && offset >= 0 && size >= 1 && offset + size <= total)) {
    throw new RangeError(`data-parallel: rows ${offset}+${size} do not fit a batch of ${total}`);
  }
  if (shard.c.shape[0] !== size) throw new RangeError(`data-parallel: a shard of ${shard.c.shape[0]} rows for ${size}`);
}
