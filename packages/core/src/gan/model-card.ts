/**
 * What a training run leaves: the files of a model folder (generator, critic, trainer config) and
 * the model card (schemas/model-card.schema.json). Bytes only: where they go is the caller's.
 */

import { parseDocument } from "../design/parse.js";
import type { ModelCard } from "../design/types.js";
import { saveModel, toModelFiles } from "./models.js";
import type { TopologyTrainer } from "./topology/training.js";
import type { TopologyDataCount } from "./topology-training-run.js";
import type { Trainer, TrainerConfig } from "./training.js";

/** Name of the trainer-config file in a model folder and a model bundle. */
export const MODEL_INFO = "plantgan-model.json";

export interface ModelInfo {
  readonly format: "plantgan-model";
  readonly version: 1;
  readonly config: TrainerConfig;
  readonly epoch: number;
  readonly dataset: string;
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
    /** Processes the layout generator trained on (data-parallel); 1 when absent. */
    readonly workers?: number;
  };
  readonly backend: string;
  readonly trainingSeconds: number;
  readonly epochsDone: number;
  readonly metrics: Record<string, number>;
  /** What the layout generator learned from: placed designs used, epochs done, designs left out by reason. */
  readonly layout?: {
    readonly designs: number;
    readonly epochs: number;
    readonly skipped: Readonly<Record<string, number>>;
  };
  /** The topology generator, when the run trained one. */
  readonly topology?: {
    readonly trainer: TopologyTrainer;
    readonly count: TopologyDataCount;
    readonly epochsDone: number;
    readonly trainingSeconds: number;
    readonly losses: Record<string, number>;
    readonly size: string;
  };
}

const finite = (values: Record<string, number>) =>
  Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v)));

/** The card's `generators`: what each generator learned from. */
function generatorsOf(input: CardInput) {
  const topology = input.topology;
  const model = topology?.trainer.config.model;
  const training = topology?.trainer.config.training;
  return {
    ...(input.layout
      ? {
          layout: {
            designs: input.layout.designs,
            epochs: input.layout.epochs,
            skipped: { ...input.layout.skipped },
          },
        }
      : {}),
    ...(topology && model && training
      ? {
          topology: {
            designs: topology.count.designs,
            placed: topology.count.placed,
            topologyOnly: topology.count.topologyOnly,
            skipped: { ...topology.count.skipped },
            epochs: topology.epochsDone,
            trainingSeconds: Math.round(topology.trainingSeconds * 10) / 10,
            settings: {
              size: topology.size,
              nMax: topology.trainer.config.spec.nMax,
              latentSize: model.latentSize,
              hidden: model.hidden,
              slotHidden: model.slotHidden,
              attentionBlocks: model.attentionBlocks,
              edgeHidden: model.edgeHidden,
              linesPerSlot: model.linesPerSlot,
              criticHidden: model.criticHidden,
              criticLayers: model.criticLayers,
              generatorLearningRate: training.generatorLearningRate,
              criticLearningRate: training.criticLearningRate,
              criticSteps: training.criticSteps,
              gradientPenalty: training.gradientPenalty,
              emaDecay: training.emaDecay,
              countWeight: training.countWeight,
              loss: "WGAN-GP",
            },
            losses: finite(topology.losses),
          },
        }
      : {}),
  };
}

/** The model card (schemas/model-card.schema.json) of a run so far; throws if it breaks the schema. */
export function modelCard(input: CardInput): ModelCard {
  const { config } = input.trainer;
  const card = {
    schemaVersion: "1.0",
    id: input.id.replace(/[^A-Za-z0-9._-]/g, "-") || "model",
    description: input.topology
      ? "PlantGAN topology generator (topology/, EMA weights: makes a P&ID's equipment, lines and instruments from a request) and layout generator (places them on a site); see packages/core/src/gan/README.md and topology/README.md."
      : "PlantGAN layout generator (EMA weights): places a P&ID's equipment on a site; see packages/core/src/gan/README.md.",
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
      workers: input.settings.workers ?? 1,
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
      // A checkpoint from before the layout cost term has no weight: it was trained without it.
      penaltyCost: config.training.penalties.cost ?? 0,
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
    metrics: finite(input.metrics),
    ...(input.layout || input.topology ? { generators: generatorsOf(input) } : {}),
  };
  const parsed = parseDocument("modelCard", card);
  if (!parsed.success)
    throw new Error(`model card: ${parsed.issues.map((i) => `${i.pointer} ${i.message}`).join("; ")}`);
  return parsed.data;
}
