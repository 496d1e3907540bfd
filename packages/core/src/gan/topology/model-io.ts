/**
 * A trained topology generator as files, and generation from it.
 *
 * Folder layout (core writes no files: the caller passes `write`/`read` for its folder):
 *   topology-gan.json            the spec, model and training configuration (TopologyTrainerConfig)
 *   skeleton/model.json + weights.bin, lines/…, attachments/…   the EMA generator's three stages
 *                                 (models.ts `toModelFiles`: tfjs-layers model.json and weights)
 *
 * `generateSlotGraphs` returns hard 0/1 rows in the spec's layout and the latent of every graph:
 * a candidate keeps its latent, so a variant regenerates from the same latent with a changed
 * condition and a blend mixes two latents (`blendLatents`).
 */
import * as tf from "@tensorflow/tfjs-core";
import { concatArrays, fromModelFiles, loadModel, sampleLatent, saveModel, toModelFiles } from "../models.js";
import {
  disposeGenerator,
  runGenerator,
  stageColumns,
  type TopologyGenerator,
  type TopologyModelConfig,
} from "./generator.js";
import type { ObservedVocabulary } from "./observed-vocabulary.js";
import { type SkeletonDecoderOptions, skeletonDecoder } from "./sample.js";
import type { SlotGraph } from "./spec.js";
import { graphInputs, slotGraphsOf, type TopologyTrainer, type TopologyTrainerConfig } from "./training.js";

/** What generation needs: the configuration and the (EMA) generator. */
export interface TopologyModel {
  readonly config: TopologyTrainerConfig;
  readonly generator: TopologyGenerator;
  /**
   * The discrete values the training data held (observed-vocabulary.ts). Generation decodes only
   * into them; a model saved before it was recorded has none and decodes into every value.
   */
  readonly vocabulary?: ObservedVocabulary;
}

export const TOPOLOGY_CONFIG_FILE = "topology-gan.json";
const STAGES = ["skeleton", "lines", "attachments"] as const;
/** The stage folders of a model: the within-row sequence (generator.ts) only when it has one. */
const stagesOf = (model: TopologyModelConfig) => (model.attachmentSequence ? [...STAGES, "sequence" as const] : STAGES);

/** The trainer's EMA generator as a model (shares its weights: do not dispose it separately). */
export function topologyModelOf(trainer: TopologyTrainer): TopologyModel {
  const vocabulary = trainer.vocabulary;
  return { config: trainer.config, generator: trainer.generatorEma, ...(vocabulary ? { vocabulary } : {}) };
}

/** The model's files, by relative path. */
export async function topologyModelFiles(model: TopologyModel): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  // The vocabulary rides in the configuration file, beside (not inside) the trainer's configuration.
  const saved = model.vocabulary ? { ...model.config, vocabulary: model.vocabulary } : model.config;
  files.set(TOPOLOGY_CONFIG_FILE, new TextEncoder().encode(`${JSON.stringify(saved, null, 2)}\n`));
  for (const stage of stagesOf(model.config.model)) {
    const stageModel = model.generator[stage];
    if (!stageModel) throw new Error(`the generator has no ${stage} stage`);
    const { modelJson, weights } = toModelFiles(await saveModel(stageModel));
    files.set(`${stage}/model.json`, new TextEncoder().encode(JSON.stringify(modelJson)));
    files.set(`${stage}/weights.bin`, weights);
  }
  return files;
}

/** Writes the model's files through `write` (relative paths; the caller makes the folders). */
export async function saveTopologyModel(
  model: TopologyModel,
  write: (path: string, bytes: Uint8Array) => void | Promise<void>,
): Promise<void> {
  for (const [path, bytes] of await topologyModelFiles(model)) await write(path, bytes);
}

/** Loads a model written by `saveTopologyModel`. */
export async function loadTopologyModel(
  read: (path: string) => Uint8Array | Promise<Uint8Array>,
): Promise<TopologyModel> {
  const { vocabulary, ...config } = JSON.parse(
    new TextDecoder().decode(await read(TOPOLOGY_CONFIG_FILE)),
  ) as TopologyTrainerConfig & {
    vocabulary?: ObservedVocabulary;
  };
  if (config?.spec === undefined || config.model === undefined) {
    throw new Error(`${TOPOLOGY_CONFIG_FILE} is not a topology GAN configuration`);
  }
  const models = [];
  for (const stage of stagesOf(config.model)) {
    const json = JSON.parse(new TextDecoder().decode(await read(`${stage}/model.json`))) as tf.io.ModelJSON;
    models.push(await loadModel(await fromModelFiles(json, await read(`${stage}/weights.bin`))));
  }
  const [skeleton, lines, attachments, sequence] = models as [
    (typeof models)[0],
    (typeof models)[0],
    (typeof models)[0],
    (typeof models)[0] | undefined,
  ];
  return {
    config,
    generator: {
      spec: config.spec,
      config: config.model,
      skeleton,
      lines,
      attachments,
      ...(sequence ? { sequence } : {}),
    },
    ...(vocabulary ? { vocabulary } : {}),
  };
}

export function disposeTopologyModel(model: TopologyModel): void {
  disposeGenerator(model.generator);
}

export interface GenerateSlotGraphOptions {
  /** Same seed (and everything else), same graphs. Default 0. */
  readonly seed?: number;
  /** BigGAN truncation of z (models.ts `sampleLatent`). Default 1. */
  readonly truncation?: number;
  /** One latent per condition (length latentSize): reuse a candidate's, or a blend; overrides seed for z. */
  readonly latents?: readonly Float32Array[];
  /**
   * Items required per type (EQUIPMENT_TYPES order), one list for all or one per condition; each type
   * listed (count > 0) comes out at exactly its count. A constraint at decoding (sample.ts): count
   * the model's condition match without it in eval.
   */
  readonly required?: SkeletonDecoderOptions["required"];
  /**
   * Sample the discrete parts with Gumbel / logistic noise (temperature 1), seeded by `seed`.
   * Default true: lines are sparse (a pair of items is joined with p ≈ 0.04 in synthetic-v1), so
   * argmax decoding (false) draws no line at all.
   */
  readonly sampleNoise?: boolean;
  /** Noise scale τ of the line and attachment samples (generator.ts RunOptions.noiseScale). Default 1. */
  readonly noiseScale?: number;
  /**
   * Decode the attachments and line features only into values the training data held (the
   * model's `vocabulary`). Default true; a model without a vocabulary decodes into every value.
   */
  readonly observedOnly?: boolean;
}

export interface GeneratedSlotGraphs {
  readonly graphs: SlotGraph[];
  /** The latent each graph was made from. */
  readonly latents: Float32Array[];
}

/** One slot graph per condition vector (length spec.conditionWidth). */
export function generateSlotGraphs(
  model: TopologyModel,
  conditions: readonly Float32Array[],
  options: GenerateSlotGraphOptions = {},
): GeneratedSlotGraphs {
  const { spec, model: config } = model.config;
  const b = conditions.length;
  if (b === 0) return { graphs: [], latents: [] };
  for (const c of conditions) {
    if (c.length !== spec.conditionWidth) throw new RangeError(`a condition of ${c.length} for ${spec.conditionWidth}`);
  }
  if (options.latents && options.latents.length !== b) throw new RangeError("one latent per condition");
  for (const z of options.latents ?? []) {
    if (z.length !== config.latentSize) throw new RangeError(`a latent of ${z.length} for ${config.latentSize}`);
  }
  const seed = options.seed ?? 0;
  const noiseSeed = (options.sampleNoise ?? true) ? deriveNoiseSeed(seed) : undefined;
  const cols = stageColumns(spec, config.skeletonGroups);
  const vocabulary = (options.observedOnly ?? true) ? model.vocabulary : undefined;
  const decode = skeletonDecoder(cols, {
    spareSets: spec.spareSets === true,
    ...(config.rowMotifs?.types ? { spareClasses: config.rowMotifs.types.map((t) => t.spareClasses) } : {}),
    ...(options.required ? { required: options.required } : {}),
    ...(noiseSeed === undefined ? {} : { noiseSeed }),
  });
  // Tensors out of the tidy, arrays after it (tf.tidy walks returned typed arrays element by element).
  const out = tf.tidy(() => {
    const c = tf.tensor2d(concatArrays(conditions), [b, spec.conditionWidth]);
    const zTensor = options.latents
      ? tf.tensor2d(concatArrays(options.latents), [b, config.latentSize])
      : sampleLatent(b, config.latentSize, seed, options.truncation ?? 1);
    const { nodes, mask, adjacency, from, to, lines } = runGenerator(model.generator, zTensor, c, {
      decodeSkeleton: decode,
      ...(vocabulary ? { vocabulary } : {}),
      ...(noiseSeed === undefined ? {} : { noiseSeed }),
      ...(options.noiseScale === undefined ? {} : { noiseScale: options.noiseScale }),
    });
    return { graph: { nodes, mask, adjacency, from, to, lines }, c, z: zTensor };
  });
  const graphs = slotGraphsOf(out.graph, out.c);
  const z = out.z.dataSync() as Float32Array;
  tf.dispose([...graphInputs(out.graph), out.c, out.z]);
  const latents = Array.from({ length: b }, (_, i) => z.slice(i * config.latentSize, (i + 1) * config.latentSize));
  return { graphs, latents };
}

/** A latent between a (t = 0) and b (t = 1), along the great circle (slerp; White 2016), as GANs' latent walks do. */
export function blendLatents(a: Float32Array, b: Float32Array, t = 0.5): Float32Array {
  if (a.length !== b.length) throw new RangeError("latents of different lengths");
  const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const dot = a.reduce((s, x, i) => s + x * b[i]!, 0);
  const omega = Math.acos(Math.min(1, Math.max(-1, dot / (norm(a) * norm(b) || 1))));
  const out = new Float32Array(a.length);
  if (omega < 1e-6) {
    for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i]! + t * b[i]!;
    return out;
  }
  const [wa, wb] = [Math.sin((1 - t) * omega) / Math.sin(omega), Math.sin(t * omega) / Math.sin(omega)];
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i]! + wb * b[i]!;
  return out;
}

function deriveNoiseSeed(seed: number): number {
  return (Math.imul(seed, 131) + 17) >>> 1;
}
