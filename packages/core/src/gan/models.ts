/**
 * The conditional relational GAN: generator (z, c) → graph, critic (X, A, mask, c) → score,
 * straight-through sampling of the discrete parts, generation, and save/load through tfjs IOHandlers.
 *
 * Generator (MolGAN-style MLP, De Cao & Kipf 2018, with a factorised edge head):
 *   [z ‖ c] → MLP → per-node embeddings [N, Dn] → node head [N, F+1] (the F columns of X, as
 *   logits or pre-sigmoids, plus an existence logit) and typed edge logits [R, N, N].
 *   Discrete parts (existence, node type, rotation, placed, hazard, edges) are sampled with
 *   Gumbel-softmax / binary-concrete noise and made hard with the straight-through estimator
 *   (Jang et al. 2017; Maddison et al. 2017; Bengio et al. 2013), so the critic sees one-hots as
 *   in real data while gradients flow through the soft relaxation. Sizes and positions are
 *   sigmoids (positions as a fraction of the site side, as in the encoding). Columns the encoding
 *   leaves zero for non-equipment rows are zeroed the same way, and positions of unplaced rows.
 *
 * Critic: node embedding → relational graph convolutions over all R relations, both directions
 *   → gated sum/mean readout, beside a soft-rasterised coarse occupancy grid → MLP (matmuls
 *   only) → joint MLP → projection head ⟨V·c, φ⟩ (Miyato & Koyama 2018).
 *
 * Shapes: B batch, N = nMax, F = layout.F (51 by default), R = layout.R (9), C = CONDITION_SIZE (21).
 */

import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { type EncodingLayout, EQUIPMENT_TYPES, encodingLayout, HAZARDS } from "../views/vocabulary.js";
import { CONDITION_LAYOUT, CONDITION_SIZE, SITE_SCALE } from "./condition.js";
import {
  GraphReadout,
  Linear,
  PairwiseEdgeLogits,
  ProjectionOutput,
  RelationalGraphConv,
  SoftRaster,
} from "./layers.js";
import { buildLayoutGenerator } from "./layout-generator.js";
import type { TopologyModel } from "./topology/model-io.js";

/** Architecture of a PlantGAN model pair. Everything a saved model needs to be rebuilt. */
export interface GanModelConfig {
  /** Rows of X; 32–48 keeps CPU training in minutes. */
  readonly nMax: number;
  /** Encoding parameters (see views/vocabulary.ts). */
  readonly footprintScale: number;
  readonly sizeClassBounds: readonly number[];
  /** Length of z. */
  readonly latentSize: number;
  /** Width of the generator MLP. */
  readonly generatorHidden: number;
  /** Per-node embedding width in the generator. */
  readonly nodeHidden: number;
  /** Rank of each relation's bilinear edge form. */
  readonly edgeRank: number;
  /** Per relation, whether generated logits are symmetric. The encoding is directed: all false. */
  readonly symmetricRelations: readonly boolean[];
  /** Width of the critic's node embeddings and joint MLP. */
  readonly criticHidden: number;
  /** Number of relational graph convolutions in the critic. */
  readonly graphLayers: number;
  /** Basis adjacencies the critic mixes its 2R relations into (R-GCN basis decomposition). */
  readonly relationBases: number;
  /** Side of the critic's coarse occupancy grid, cells. */
  readonly grid: number;
  /** Width of the grid branch. */
  readonly gridHidden: number;
  /** Seed of the weight initializers. */
  readonly seed: number;
  /**
   * "graph": (z, c) → a whole graph (MolGAN-style, below). "layout": (z, c, topology, site
   * obstacles) → positions and rotations of that topology's equipment (layout-generator.ts).
   */
  readonly generator: "graph" | "layout";
  /** Rounds of geometric message passing of the layout generator. */
  readonly refineSteps: number;
  /** Whether the layout generator's refiner ends each round with a repulsion step (layout-generator.ts). */
  readonly repulsion: boolean;
  /** Repulsion-only rounds after the layout generator's message-passing rounds. */
  readonly settleSteps: number;
}

/** A loaded model: the EMA generator, optionally the critic (for ranking), and their config. */
export interface GanModel {
  readonly generator: tfl.LayersModel;
  readonly critic?: tfl.LayersModel;
  readonly config: GanModelConfig;
  readonly layout: EncodingLayout;
  /** The learned topology generator (gan/topology/), when the model folder has one. */
  readonly topology?: TopologyModel;
}

export const DEFAULT_MODEL_CONFIG: Omit<GanModelConfig, "nMax" | "symmetricRelations"> = {
  footprintScale: 50,
  sizeClassBounds: [50, 150, 300],
  latentSize: 32,
  generatorHidden: 256,
  nodeHidden: 64,
  edgeRank: 8,
  criticHidden: 64,
  graphLayers: 2,
  relationBases: 4,
  grid: 16,
  gridHidden: 64,
  seed: 1,
  generator: "graph",
  refineSteps: 3,
  repulsion: true,
  settleSteps: 8,
};

export type GanModelConfigInput = Partial<GanModelConfig> & { readonly nMax: number };

export function resolveModelConfig(input: GanModelConfigInput): GanModelConfig {
  const merged = { ...DEFAULT_MODEL_CONFIG, ...stripUndefined(input) };
  const layout = encodingLayout({
    nMax: merged.nMax,
    footprintScale: merged.footprintScale,
    sizeClassBounds: merged.sizeClassBounds,
  });
  for (const key of [
    "latentSize",
    "generatorHidden",
    "nodeHidden",
    "edgeRank",
    "criticHidden",
    "graphLayers",
    "relationBases",
    "grid",
    "gridHidden",
    "refineSteps",
  ] as const) {
    const v = merged[key];
    if (!Number.isInteger(v) || v < 1 || v > 4096)
      throw new RangeError(`${key} must be an integer in 1..4096; got ${v}`);
  }
  if (merged.generator !== "graph" && merged.generator !== "layout") {
    throw new RangeError(`generator must be "graph" or "layout"; got ${JSON.stringify(merged.generator)}`);
  }
  if (!Number.isInteger(merged.settleSteps) || merged.settleSteps < 0 || merged.settleSteps > 64) {
    throw new RangeError(`settleSteps must be an integer in 0..64; got ${merged.settleSteps}`);
  }
  if (typeof merged.repulsion !== "boolean") {
    throw new RangeError(`repulsion must be true or false; got ${JSON.stringify(merged.repulsion)}`);
  }
  return {
    ...merged,
    sizeClassBounds: [...layout.spec.sizeClassBounds],
    symmetricRelations: input.symmetricRelations ?? layout.relationNames.map(() => false),
  };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The encoding layout a model config implies. */
export function modelLayout(config: GanModelConfig): EncodingLayout {
  return encodingLayout({
    nMax: config.nMax,
    footprintScale: config.footprintScale,
    sizeClassBounds: config.sizeClassBounds,
  });
}

/**
 * Generator of the config's kind. "graph": inputs [z [B,Z], c [B,C]] → [node params [B,N,F+1],
 * edge logits [B,R,N,N]]; "layout": see layout-generator.ts.
 */
export function buildGenerator(config: GanModelConfig, name = "plantgan_generator"): tfl.LayersModel {
  if (config.generator === "layout") return buildLayoutGenerator(config, name);
  const layout = modelLayout(config);
  const { nMax: n, nodeHidden, generatorHidden, seed } = config;
  const z = tfl.input({ shape: [config.latentSize], name: "z" });
  const c = tfl.input({ shape: [CONDITION_SIZE], name: "c" });
  let h = tfl.layers.concatenate({ name: "g_zc" }).apply([z, c]) as tfl.SymbolicTensor;
  h = new Linear({ units: generatorHidden, activation: "relu", seed: seed + 1, name: "g_mlp0" }).apply(
    h,
  ) as tfl.SymbolicTensor;
  h = new Linear({ units: generatorHidden, activation: "relu", seed: seed + 2, name: "g_mlp1" }).apply(
    h,
  ) as tfl.SymbolicTensor;
  h = new Linear({ units: n * nodeHidden, activation: "relu", seed: seed + 3, name: "g_nodes" }).apply(
    h,
  ) as tfl.SymbolicTensor;
  h = tfl.layers.reshape({ targetShape: [n, nodeHidden], name: "g_node_slots" }).apply(h) as tfl.SymbolicTensor;
  h = new Linear({ units: nodeHidden, activation: "relu", seed: seed + 4, name: "g_node_mlp" }).apply(
    h,
  ) as tfl.SymbolicTensor;
  const nodeParams = new Linear({ units: layout.F + 1, seed: seed + 5, name: "g_node_head" }).apply(
    h,
  ) as tfl.SymbolicTensor;
  const edgeLogits = new PairwiseEdgeLogits({
    relations: layout.R,
    rank: config.edgeRank,
    symmetric: config.symmetricRelations,
    seed: seed + 6,
    name: "g_edge_head",
  }).apply(h) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: [z, c], outputs: [nodeParams, edgeLogits], name });
  model.setUserDefinedMetadata({ plantgan: { role: "generator", config } });
  return model;
}

/** What `buildGenerator`/`buildCritic` store in a model's user-defined metadata (saved with it). */
export interface ModelMetadata {
  readonly role: "generator" | "critic";
  readonly config: GanModelConfig;
}

/** The PlantGAN metadata of a model (also of one loaded with `loadModel`), or undefined. */
export function modelMetadata(model: tfl.LayersModel): ModelMetadata | undefined {
  const meta = model.getUserDefinedMetadata() as { plantgan?: ModelMetadata } | undefined;
  return meta?.plantgan;
}

/** X columns the critic's grid branch reads, from the layout. */
export function rasterColumns(layout: EncodingLayout) {
  const hazard = (h: (typeof HAZARDS)[number]) => layout.offsets.hazard + HAZARDS.indexOf(h);
  return {
    position: layout.offsets.position,
    size: layout.offsets.size,
    rotation: layout.offsets.rotation,
    placed: layout.offsets.placed,
    // All placed footprints; ignition (fired, ignition_source); flammable or toxic inventory.
    channels: [[], [hazard("fired"), hazard("ignition_source")], [hazard("flammable"), hazard("toxic")]],
    siteWidth: CONDITION_LAYOUT.siteWidth,
    siteDepth: CONDITION_LAYOUT.siteDepth,
  };
}

/** Critic: inputs [X [B,N,F], A [B,R,N,N], mask [B,N], c [B,C]] → score [B,1] (unbounded, WGAN). */
export function buildCritic(config: GanModelConfig, name = "plantgan_critic"): tfl.LayersModel {
  const layout = modelLayout(config);
  const { nMax: n, criticHidden, seed } = config;
  const x = tfl.input({ shape: [n, layout.F], name: "X" });
  const a = tfl.input({ shape: [layout.R, n, n], name: "A" });
  const mask = tfl.input({ shape: [n], name: "mask" });
  const c = tfl.input({ shape: [CONDITION_SIZE], name: "c" });
  let h = new Linear({ units: criticHidden, activation: "leakyRelu", seed: seed + 101, name: "d_embed" }).apply(
    x,
  ) as tfl.SymbolicTensor;
  for (let l = 0; l < config.graphLayers; l++) {
    h = new RelationalGraphConv({
      units: criticHidden,
      bases: config.relationBases,
      seed: seed + 110 + l,
      name: `d_rgcn${l}`,
    }).apply([h, a, mask]) as tfl.SymbolicTensor;
  }
  const graph = new GraphReadout({ units: criticHidden, seed: seed + 120, name: "d_readout" }).apply([
    h,
    mask,
  ]) as tfl.SymbolicTensor;
  const raster = new SoftRaster({
    grid: config.grid,
    columns: rasterColumns(layout),
    footprintScale: config.footprintScale,
    siteScale: SITE_SCALE,
    name: "d_raster",
  }).apply([x, mask, c]) as tfl.SymbolicTensor;
  const gridH = new Linear({
    units: config.gridHidden,
    activation: "leakyRelu",
    seed: seed + 130,
    name: "d_grid",
  }).apply(raster) as tfl.SymbolicTensor;
  const joint = tfl.layers.concatenate({ name: "d_joint_in" }).apply([graph, gridH]) as tfl.SymbolicTensor;
  const phi = new Linear({ units: criticHidden, activation: "leakyRelu", seed: seed + 140, name: "d_joint" }).apply(
    joint,
  ) as tfl.SymbolicTensor;
  const out = new ProjectionOutput({ seed: seed + 150, name: "d_out" }).apply([phi, c]) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: [x, a, mask, c], outputs: out, name });
  model.setUserDefinedMetadata({ plantgan: { role: "critic", config } });
  return model;
}

// ---------------------------------------------------------------------------------------------
// Straight-through sampling

/** A batch of graphs in the encoding's tensor form. */
export type GraphTensors = {
  /** [B,N,F] */
  readonly X: tf.Tensor3D;
  /** [B,R,N,N] */
  readonly A: tf.Tensor4D;
  /** [B,N] */
  readonly mask: tf.Tensor2D;
};

export interface SampleOptions {
  /** Gumbel-softmax / binary-concrete temperature. Default 1. */
  readonly temperature?: number;
  /** Seed of the Gumbel noise; without one, no noise (argmax / threshold at 0.5). */
  readonly noiseSeed?: number;
}

/** Forward: the hard one-hot (or 0/1) of `soft`; backward: the gradient of `soft` (identity). */
const straightThroughOneHot = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const soft = args[0] as tf.Tensor;
  const depth = soft.shape.at(-1)!;
  return {
    // int32 one-hot, then cast: the wasm OneHot kernel (4.22) writes int bits into float32 outputs.
    value: tf.cast(tf.oneHot(tf.argMax(soft, -1), depth), "float32"),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => (Array.isArray(dy) ? dy[0]! : dy),
  };
});

const straightThroughBinary = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.cast(tf.greater(args[0] as tf.Tensor, 0.5), "float32"),
  gradFunc: (dy: tf.Tensor | tf.Tensor[]) => (Array.isArray(dy) ? dy[0]! : dy),
}));

function uniformNoise(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, 1e-6, 1 - 1e-6, "float32", seed);
}

/** Gumbel-softmax with a straight-through hard sample over the last axis. */
export function categorical(logits: tf.Tensor, temperature: number, noiseSeed?: number): tf.Tensor {
  let l = logits;
  if (noiseSeed !== undefined) l = tf.sub(l, tf.log(tf.neg(tf.log(uniformNoise(logits.shape, noiseSeed)))));
  return straightThroughOneHot(tf.softmax(tf.div(l, temperature))) as tf.Tensor;
}

/** Binary concrete (logistic noise) with a straight-through 0/1 sample. */
export function bernoulli(logits: tf.Tensor, temperature: number, noiseSeed?: number): tf.Tensor {
  let l = logits;
  if (noiseSeed !== undefined) {
    const u = uniformNoise(logits.shape, noiseSeed);
    l = tf.add(l, tf.sub(tf.log(u), tf.log(tf.sub(1, u))));
  }
  return straightThroughBinary(tf.sigmoid(tf.div(l, temperature))) as tf.Tensor;
}

function columns(t: tf.Tensor3D, start: number, count: number): tf.Tensor3D {
  return tf.slice(t, [0, 0, start], [-1, -1, count]);
}

/**
 * Turns generator outputs into a graph in the encoding's layout, with straight-through hard
 * discrete parts. Differentiable with respect to the generator outputs.
 */
export function sampleGraph(
  nodeParams: tf.Tensor3D,
  edgeLogits: tf.Tensor4D,
  layout: EncodingLayout,
  options: SampleOptions = {},
): GraphTensors {
  return tf.tidy(() => {
    const t = options.temperature ?? 1;
    const seed = options.noiseSeed;
    const sub = (k: number) => (seed === undefined ? undefined : (seed * 31 + k) % 2147483647);
    const { offsets } = layout;
    const typeCount = offsets.size - offsets.type;
    const n = nodeParams.shape[1];

    const exist = tf.squeeze(bernoulli(columns(nodeParams, layout.F, 1), t, sub(1)), [2]) as tf.Tensor2D; // [B,N]
    const type = categorical(columns(nodeParams, offsets.type, typeCount), t, sub(2));
    // The node-type one-hot lists the equipment types first (views/vocabulary.ts NODE_TYPES).
    const equipment = tf.sum(columns(type as tf.Tensor3D, 0, EQUIPMENT_TYPES.length), 2, true); // [B,N,1]
    const size = tf.mul(tf.sigmoid(columns(nodeParams, offsets.size, 3)), equipment);
    const placed = tf.mul(bernoulli(columns(nodeParams, offsets.placed, 1), t, sub(3)), equipment);
    const position = tf.mul(tf.sigmoid(columns(nodeParams, offsets.position, 2)), placed);
    const rotation = tf.mul(categorical(columns(nodeParams, offsets.rotation, 4), t, sub(4)), equipment);
    const hazard = tf.mul(categorical(columns(nodeParams, offsets.hazard, HAZARDS.length), t, sub(5)), equipment);

    const blocks: [number, tf.Tensor][] = [
      [offsets.type, type],
      [offsets.size, size],
      [offsets.position, position],
      [offsets.rotation, rotation],
      [offsets.placed, placed],
      [offsets.hazard, hazard],
    ];
    blocks.sort((p, q) => p[0] - q[0]);
    const width = blocks.reduce((s, [, b]) => s + b.shape.at(-1)!, 0);
    if (width !== layout.F) throw new Error(`sampleGraph: blocks cover ${width} of ${layout.F} feature columns`);
    const X = tf.mul(
      tf.concat(
        blocks.map(([, b]) => b),
        2,
      ),
      tf.expandDims(exist, 2),
    ) as tf.Tensor3D;

    const noSelf = tf.reshape(tf.sub(1, tf.eye(n)), [1, 1, n, n]);
    const pair = tf.mul(tf.expandDims(tf.expandDims(exist, 2), 1), tf.expandDims(tf.expandDims(exist, 1), 1)); // [B,1,N,N]
    const A = tf.mul(tf.mul(bernoulli(edgeLogits, t, sub(6)), noSelf), pair) as tf.Tensor4D;
    return { X, A, mask: exist };
  });
}

// ---------------------------------------------------------------------------------------------
// Generation

export interface GenerateOptions {
  /** Same seed, same samples. Default 0. */
  readonly seed?: number;
  /**
   * Truncation threshold θ of the latent (Brock et al. 2019, BigGAN): entries with |z| > θ are
   * redrawn. Lower is more typical, higher more diverse; ≥ 3 is practically untruncated. Default 1.
   */
  readonly truncation?: number;
  /** When set, discrete parts are sampled with Gumbel noise at this temperature; else argmax. */
  readonly temperature?: number;
}

/** z ~ N(0, I) truncated at θ by resampling (then clipped, after 8 rounds). */
export function sampleLatent(count: number, latentSize: number, seed: number, truncation = 1): tf.Tensor2D {
  return tf.tidy(() => {
    let z = tf.randomNormal([count, latentSize], 0, 1, "float32", seed) as tf.Tensor2D;
    if (!(truncation > 0) || truncation >= 8) return z;
    for (let round = 1; round <= 8; round++) {
      const outside = tf.greater(tf.abs(z), truncation);
      const fresh = tf.randomNormal([count, latentSize], 0, 1, "float32", seed + round * 7919);
      z = tf.where(outside, fresh, z) as tf.Tensor2D;
    }
    return tf.clipByValue(z, -truncation, truncation);
  });
}

/** Runs the generator on conditions [B,C] and samples hard graphs (no gradients needed). */
export function generateGraphs(
  generator: tfl.LayersModel,
  layout: EncodingLayout,
  conditions: tf.Tensor2D,
  options: GenerateOptions = {},
): GraphTensors {
  if (modelMetadata(generator)?.config.generator === "layout") {
    throw new Error("generateGraphs: a layout generator places a given topology; use the generation pipeline");
  }
  return tf.tidy(() => {
    const latentSize = (generator.inputs[0]!.shape[1] as number | null) ?? 0;
    const seed = options.seed ?? 0;
    const z = sampleLatent(conditions.shape[0], latentSize, seed, options.truncation ?? 1);
    const [nodeParams, edgeLogits] = generator.apply([z, conditions], { training: false }) as tf.Tensor[];
    const sampleOptions: SampleOptions =
      options.temperature === undefined
        ? {}
        : { temperature: options.temperature, noiseSeed: (seed * 131 + 17) % 2147483647 };
    return sampleGraph(nodeParams as tf.Tensor3D, edgeLogits as tf.Tensor4D, layout, sampleOptions);
  });
}

/** One generated graph as plain arrays, in the shape `decodeDesign` reads (views/decode.ts). */
export interface GeneratedEncoding {
  readonly X: Float32Array;
  readonly A: Float32Array;
  readonly mask: Float32Array;
  readonly nMax: number;
  readonly featureNames: readonly string[];
  readonly relationNames: readonly string[];
  readonly spec: EncodingLayout["spec"];
}

/** Generates one sample per condition vector and downloads them as plain arrays. */
export function generateEncodings(
  generator: tfl.LayersModel,
  layout: EncodingLayout,
  conditions: readonly Float32Array[],
  options: GenerateOptions = {},
): GeneratedEncoding[] {
  if (conditions.length === 0) return [];
  const { X, A, mask } = tf.tidy(() => {
    const c = tf.tensor2d(concatArrays(conditions), [conditions.length, CONDITION_SIZE]);
    return generateGraphs(generator, layout, c, options);
  });
  const [x, a, m] = [X.dataSync() as Float32Array, A.dataSync() as Float32Array, mask.dataSync() as Float32Array];
  tf.dispose([X, A, mask]);
  const n = layout.spec.nMax;
  const xSize = n * layout.F;
  const aSize = layout.R * n * n;
  return conditions.map((_, b) => ({
    X: x.slice(b * xSize, (b + 1) * xSize),
    A: a.slice(b * aSize, (b + 1) * aSize),
    mask: m.slice(b * n, (b + 1) * n),
    nMax: n,
    featureNames: layout.featureNames,
    relationNames: layout.relationNames,
    spec: layout.spec,
  }));
}

export function concatArrays(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Save and load (core writes no files: the caller stores what these return)

/** The model's topology and weights, as `tf.io.withSaveHandler` hands them over. */
export async function saveModel(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (captured === undefined) throw new Error("saveModel: the save handler was not called");
  return captured;
}

/** Rebuilds a model saved by `saveModel` (custom layers are registered by importing layers.ts). */
export async function loadModel(artifacts: tf.io.ModelArtifacts): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(tf.io.fromMemory(artifacts));
}

/** Splits artifacts into the usual two files: `model.json` (JSON) and its weights file (binary). */
export function toModelFiles(
  artifacts: tf.io.ModelArtifacts,
  weightsPath = "weights.bin",
): { modelJson: tf.io.ModelJSON; weights: Uint8Array } {
  const data = artifacts.weightData;
  const weights =
    data === undefined
      ? new Uint8Array(0)
      : Array.isArray(data)
        ? new Uint8Array(tf.io.concatenateArrayBuffers(data))
        : new Uint8Array(data);
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as tf.io.ModelJSON["modelTopology"],
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.format === undefined ? {} : { format: artifacts.format }),
    ...(artifacts.generatedBy === undefined ? {} : { generatedBy: artifacts.generatedBy }),
    ...(artifacts.convertedBy == null ? {} : { convertedBy: artifacts.convertedBy }),
    ...(artifacts.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: artifacts.userDefinedMetadata }),
  };
  return { modelJson, weights };
}

/** The inverse of `toModelFiles`. */
export async function fromModelFiles(modelJson: tf.io.ModelJSON, weights: Uint8Array): Promise<tf.io.ModelArtifacts> {
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => [
    manifest.flatMap((group) => group.weights),
    buffer,
  ]);
}
