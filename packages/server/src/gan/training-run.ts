/**
 * One training run of the PlantGAN, shared by `plantgan train` (files in a model folder) and the
 * API's "train" job (blobs and job steps): model sizes, the epoch loop with previews and quick
 * metrics, the exported model files and the model card. Where the results go is the caller's
 * `onEpoch`, which is the commit point of each epoch.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Design, GenerationRequest, ModelCard, ProcessClass } from "@plantgan/core/design";
import { parseDocument } from "@plantgan/core/design";
import {
  type BatchItem,
  DEFAULT_SPACING,
  deriveSeed,
  disposeBatch,
  LOSS_KEYS,
  layoutItem,
  makeBatch,
  modelLayout,
  type StepLosses,
  saveModel,
  type Trainer,
  type TrainerConfig,
  type TrainerConfigInput,
  toModelFiles,
} from "@plantgan/core/gan";
import { generateCandidates } from "@plantgan/core/generate";

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

/** Critic-side losses are averaged over every step; the rest over generator steps only. */
const CRITIC_KEYS: ReadonlySet<string> = new Set(["d_loss", "wasserstein", "gp", "drift"]);

/** Name of the trainer-config file in a model folder and a model bundle. */
export const MODEL_INFO = "plantgan-model.json";

export interface ModelInfo {
  readonly format: "plantgan-model";
  readonly version: 1;
  readonly config: TrainerConfig;
  readonly epoch: number;
  readonly dataset: string;
}

/** Fisher–Yates with a seeded generator: the epoch's data order depends only on (seed, epoch). */
export function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = deriveSeed(seed, i) % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Preview requests: one design per process class first, then others (topology mode, on their own sites). */
export function previewRequests(designs: readonly Design[], count: number): GenerationRequest[] {
  const seen = new Set<ProcessClass>();
  const firstOfClass = designs.filter((d) => !seen.has(d.processClass) && seen.add(d.processClass));
  const rest = designs.filter((d) => !firstOfClass.includes(d));
  return [...firstOfClass, ...rest].slice(0, count).map(
    (d) =>
      ({
        schemaVersion: "1.0",
        mode: "topology",
        processClass: d.processClass,
        site: d.site,
        topology: d,
        count: 1,
        seed: 7,
      }) as GenerationRequest,
  );
}

/** The designs that fit the trainer's encoding, as batch items. */
export function trainingItems(designs: readonly Design[], trainer: Trainer): BatchItem[] {
  const items: BatchItem[] = [];
  for (const d of designs) {
    const it = layoutItem(d, trainer.layout.spec);
    if (it) items.push(it);
  }
  return items;
}

export interface EpochResult {
  readonly epoch: number;
  /** Generator and critic steps so far. */
  readonly step: number;
  readonly seconds: number;
  /** Mean losses of the epoch. */
  readonly losses: Record<string, number>;
  /** Preview metrics: shares of valid candidates before and after legalising, mean legaliser moves. */
  readonly metrics: Record<string, number>;
  /** Preview layouts of the EMA generator (legalised and routed). */
  readonly samples: Design[];
}

export interface TrainingLoopInput {
  readonly trainer: Trainer;
  readonly items: readonly BatchItem[];
  readonly previews: readonly GenerationRequest[];
  /** Epochs done before (0, or the checkpoint's epoch). */
  readonly fromEpoch: number;
  /** Train until this many epochs are done. */
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly onBatch?: (epoch: number, batch: number, batches: number, losses: StepLosses) => void | Promise<void>;
  /** The epoch's commit point: export, checkpoint, report. */
  readonly onEpoch: (result: EpochResult) => Promise<void>;
  /** Checked between batches: a stop ends the loop without committing the unfinished epoch. */
  readonly shouldStop?: () => boolean;
}

/** Runs epochs `fromEpoch + 1 … epochs`; returns the last completed epoch. */
export async function runTrainingLoop(input: TrainingLoopInput): Promise<number> {
  const { trainer, items, batchSize } = input;
  const batches = Math.ceil(items.length / batchSize);
  let done = input.fromEpoch;
  for (let epoch = input.fromEpoch + 1; epoch <= input.epochs; epoch++) {
    const started = performance.now();
    const order = shuffled(items.length, deriveSeed(input.seed, 100_000 + epoch));
    const sums = Object.fromEntries(LOSS_KEYS.map((k) => [k, 0])) as Record<string, number>;
    let steps = 0;
    let generatorSteps = 0;
    for (let b = 0; b < batches; b++) {
      if (input.shouldStop?.()) return done;
      const batch = makeBatch(
        order.slice(b * batchSize, (b + 1) * batchSize).map((i) => items[i]!),
        trainer.layout,
      );
      let losses: StepLosses;
      try {
        losses = trainer.step(batch);
      } finally {
        disposeBatch(batch);
      }
      steps++;
      if (losses.generatorUpdated) generatorSteps++;
      for (const k of LOSS_KEYS) if (Number.isFinite(losses[k])) sums[k]! += losses[k];
      await input.onBatch?.(epoch, b + 1, batches, losses);
      // tfjs steps run synchronously: give timers (a job's lease heartbeat) and I/O their turn.
      await nextTurn();
    }
    const seconds = (performance.now() - started) / 1000;
    const losses = Object.fromEntries(
      LOSS_KEYS.map((k) => [k, sums[k]! / Math.max(1, CRITIC_KEYS.has(k) ? steps : generatorSteps)]),
    );
    const { metrics, samples } = await previewEpoch(trainer, input.previews);
    await input.onEpoch({ epoch, step: trainer.steps, seconds, losses, metrics, samples });
    done = epoch;
  }
  return done;
}

/** The EMA generator places the preview topologies through the whole pipeline. */
async function previewEpoch(
  trainer: Trainer,
  previews: readonly GenerationRequest[],
): Promise<{ metrics: Record<string, number>; samples: Design[] }> {
  const model = {
    generator: trainer.generatorEma,
    critic: trainer.critic,
    config: trainer.config.model,
    layout: modelLayout(trainer.config.model),
  };
  const candidates = [];
  for (const request of previews) {
    candidates.push(...generateCandidates(request, { model, count: 1 }));
    await nextTurn(); // each runs the whole pipeline synchronously
  }
  const n = Math.max(1, candidates.length);
  return {
    metrics: {
      preview_raw_validity: candidates.filter((c) => c.rawErrors === 0).length / n,
      preview_validity: candidates.filter((c) => c.valid).length / n,
      preview_moves: candidates.reduce((s, c) => s + c.stats.moves, 0) / n,
    },
    samples: candidates.map((c) => c.design),
  };
}

/** The files of a model folder (generator, critic, trainer config): path → bytes. */
export async function modelFiles(trainer: Trainer, info: ModelInfo): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const [part, model] of [
    ["generator", trainer.generatorEma],
    ["critic", trainer.critic],
  ] as const) {
    const { modelJson, weights } = toModelFiles(await saveModel(model));
    files.set(`${part}/model.json`, new TextEncoder().encode(`${JSON.stringify(modelJson)}\n`));
    files.set(`${part}/weights.bin`, weights);
  }
  files.set(MODEL_INFO, new TextEncoder().encode(`${JSON.stringify(info, null, 2)}\n`));
  return files;
}

export interface CardInput {
  readonly id: string;
  readonly trainer: Trainer;
  readonly dataset: { readonly id: string; readonly designs: number; readonly processClasses: readonly string[] };
  readonly sha256?: string;
  readonly settings: {
    readonly epochs: number;
    readonly batchSize: number;
    readonly seed: number;
    readonly size: string;
  };
  readonly backend: string;
  readonly trainingSeconds: number;
  readonly epochsDone: number;
  readonly metrics: Record<string, number>;
}

/** The model card (schemas/model-card.schema.json) of a run so far; throws if it breaks the schema. */
export function modelCard(input: CardInput): ModelCard {
  const { config } = input.trainer;
  const card = {
    schemaVersion: "1.0",
    id: input.id.replace(/[^A-Za-z0-9._-]/g, "-") || "model",
    description:
      "PlantGAN layout generator (EMA weights): places a P&ID's equipment on a site; see packages/core/src/gan/README.md.",
    createdAt: new Date().toISOString(),
    dataset: {
      id: input.dataset.id,
      designs: input.dataset.designs,
      processClasses: [...input.dataset.processClasses],
      ...(input.sha256 ? { sha256: input.sha256 } : {}),
    },
    settings: {
      epochs: input.settings.epochs,
      batchSize: input.settings.batchSize,
      nMax: input.trainer.layout.spec.nMax,
      seed: input.settings.seed,
      size: input.settings.size,
      latentSize: config.model.latentSize,
      generatorHidden: config.model.generatorHidden,
      nodeHidden: config.model.nodeHidden,
      criticHidden: config.model.criticHidden,
      generatorLearningRate: config.training.generatorLearningRate,
      criticLearningRate: config.training.criticLearningRate,
      criticSteps: config.training.criticSteps,
      loss: "WGAN-GP",
      layoutOnly: config.training.layoutOnly,
      gradientPenalty: config.training.gradientPenalty,
      emaDecay: config.training.emaDecay,
      penaltyOverlap: config.training.penalties.overlap,
      penaltySite: config.training.penalties.site,
      penaltySpacing: config.training.penalties.spacing,
      penaltyCount: config.training.penalties.count,
      penaltyObstacle: config.training.penalties.obstacle,
      generator: config.model.generator,
      refineSteps: config.model.refineSteps,
      ...(config.model.generator === "layout"
        ? { repulsion: config.model.repulsion, settleSteps: config.model.settleSteps }
        : {}),
      spacingMargin: config.training.spacing.margin ?? 0,
    },
    backend: input.backend,
    trainingSeconds: Math.round(input.trainingSeconds * 10) / 10,
    epochs: input.epochsDone,
    metrics: Object.fromEntries(Object.entries(input.metrics).filter(([, v]) => Number.isFinite(v))),
  };
  const parsed = parseDocument("modelCard", card);
  if (!parsed.success)
    throw new Error(`model card: ${parsed.issues.map((i) => `${i.pointer} ${i.message}`).join("; ")}`);
  return parsed.data;
}
