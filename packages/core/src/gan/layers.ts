/**
 * Custom tfjs-layers layers of the PlantGAN generator and critic, in the style of
 * tfjs-layers `src/layers/core.ts`: an args interface, `static className`, `getConfig()` and
 * `serialization.registerClass`, so a saved model reloads with `tf.loadLayersModel`.
 *
 * Two constraints shape them:
 * - The wasm backend has no `UnsortedSegmentSum` (the gradient of `gather`) and no
 *   `Conv2DBackpropFilter`, so message passing and the grid branch are dense matmuls
 *   (A·H·W over all relations at once; a separable soft rasteriser as two matmuls).
 * - The WGAN-GP critic is differentiated twice, so its layers use plain ops only (matMul, add,
 *   activation) and never fused kernels, whose gradients (`customGrad`) are first-order only.
 *
 * Tensor shapes: B batch, N = nMax nodes, F node features, R relations, C condition size.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { matMulDense } from "./gradients.js";

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type Shape = (number | null)[];
type Config = tf.serialization.ConfigDict;

/** Activation names; camelCase because tfjs-layers camel-cases string config values on load. */
export type ActivationName = "linear" | "relu" | "leakyRelu" | "tanh" | "sigmoid";

/** Slope of the critic's leaky ReLU (Radford et al. 2016, DCGAN). */
export const LEAKY_SLOPE = 0.2;

export function activate(x: tf.Tensor, name: ActivationName): tf.Tensor {
  switch (name) {
    case "linear":
      return x;
    case "relu":
      return tf.relu(x);
    case "leakyRelu":
      return tf.leakyRelu(x, LEAKY_SLOPE);
    case "tanh":
      return tf.tanh(x);
    case "sigmoid":
      return tf.sigmoid(x);
  }
}

function list(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(inputs) ? inputs : [inputs];
}

function first(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  const t = list(inputs)[0];
  if (t === undefined) throw new Error("layer called without inputs");
  return t;
}

function shapes(inputShape: Shape | Shape[]): Shape[] {
  return Array.isArray(inputShape[0]) ? (inputShape as Shape[]) : [inputShape as Shape];
}

function dim(shape: Shape | undefined, axis: number, what: string): number {
  const d = shape?.at(axis);
  if (typeof d !== "number") throw new Error(`${what}: dimension ${axis} of [${shape?.join(",")}] must be known`);
  return d;
}

function read(v: tfl.LayerVariable | null, what: string): tf.Tensor {
  if (v === null) throw new Error(`${what} used before build()`);
  return v.read();
}

function glorot(seed: number | null) {
  return tfl.initializers.glorotUniform(seed === null ? {} : { seed });
}

/** Derives a distinct, reproducible initializer seed for the i-th weight of a layer. */
function subSeed(seed: number | null, i: number): number | null {
  return seed === null ? null : (seed * 7919 + i * 104729) % 2147483647;
}

// ---------------------------------------------------------------------------------------------

export interface LinearArgs extends LayerArgs {
  readonly units: number;
  readonly activation?: ActivationName;
  readonly useBias?: boolean;
  /** Initial value of every bias entry. Default 0. */
  readonly biasInit?: number;
  /** Initializer seed (glorot uniform); null for unseeded. */
  readonly seed?: number | null;
}

/**
 * A dense layer over the last axis of a tensor of any rank: y = act(x·W + b). Unlike
 * `tf.layers.dense` it never uses the fused matMul kernel (see the file comment).
 */
export class Linear extends tfl.layers.Layer {
  static className = "PlantGanLinear";
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly biasInit: number;
  readonly seed: number | null;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;

  constructor(args: LinearArgs) {
    super(args);
    this.units = args.units;
    this.activation = args.activation ?? "linear";
    this.useBias = args.useBias ?? true;
    this.biasInit = args.biasInit ?? 0;
    this.seed = args.seed ?? null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const fin = dim(shapes(inputShape)[0], -1, this.name);
    this.kernel = this.addWeight("kernel", [fin, this.units], "float32", glorot(this.seed));
    if (this.useBias) {
      this.bias = this.addWeight("bias", [this.units], "float32", tfl.initializers.constant({ value: this.biasInit }));
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = first(inputs);
      const kernel = read(this.kernel, this.name);
      const fin = kernel.shape[0]!;
      let y = tf.matMul(tf.reshape(x, [-1, fin]), kernel as tf.Tensor2D);
      if (this.useBias) y = tf.add(y, read(this.bias, this.name));
      return tf.reshape(activate(y, this.activation), [...x.shape.slice(0, -1), this.units]);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...shapes(inputShape)[0]!.slice(0, -1), this.units];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      biasInit: this.biasInit,
      seed: this.seed,
    };
  }
}
tf.serialization.registerClass(Linear);

// ---------------------------------------------------------------------------------------------

export interface RelationalGraphConvArgs extends LayerArgs {
  readonly units: number;
  readonly activation?: ActivationName;
  /** Also pass messages against edge direction (Aᵀ as R more relations). Default true. */
  readonly bidirectional?: boolean;
  /** Number of basis adjacencies the relations are mixed into. Default 4. */
  readonly bases?: number;
  readonly seed?: number | null;
}

/**
 * Relational graph convolution with basis decomposition (Schlichtkrull et al. 2018, R-GCN; the
 * relational critic of MolGAN, De Cao & Kipf 2018), dense and mask-aware:
 *
 *   H'_i = act( H_i·W_0 + Σ_r Σ_j Â_r[i,j]·H_j·W_r + b ) · mask_i,   Â_r = A_r / max(deg_r(i), 1)
 *
 * with W_r = Σ_b a_rb·V_b over `bases` shared matrices, computed as Σ_b (Σ_r a_rb Â_r)·H·V_b: the
 * relations are first mixed into the basis adjacencies (one 2-D matmul), so the costly batched
 * product A·H runs over `bases` slices instead of R (or 2R). Bidirectional adds Âᵀ_r as R more
 * relations. Inputs [H [B,N,F], A [B,R,N,N], mask [B,N]] → [B,N,units].
 */
export class RelationalGraphConv extends tfl.layers.Layer {
  static className = "PlantGanRelationalGraphConv";
  readonly units: number;
  readonly activation: ActivationName;
  readonly bidirectional: boolean;
  readonly bases: number;
  readonly seed: number | null;
  private coefficients: tfl.LayerVariable | null = null;
  private selfKernel: tfl.LayerVariable | null = null;
  private basisKernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;

  constructor(args: RelationalGraphConvArgs) {
    super(args);
    this.units = args.units;
    this.activation = args.activation ?? "leakyRelu";
    this.bidirectional = args.bidirectional ?? true;
    this.bases = args.bases ?? 4;
    this.seed = args.seed ?? null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const [h, a] = shapes(inputShape);
    const fin = dim(h, 2, this.name);
    const relations = dim(a, 1, this.name) * (this.bidirectional ? 2 : 1);
    this.coefficients = this.addWeight(
      "basis_coefficients",
      [relations, this.bases],
      "float32",
      glorot(subSeed(this.seed, 2)),
    );
    this.selfKernel = this.addWeight("self_kernel", [fin, this.units], "float32", glorot(subSeed(this.seed, 0)));
    this.basisKernel = this.addWeight(
      "basis_kernel",
      [this.bases * fin, this.units],
      "float32",
      glorot(subSeed(this.seed, 1)),
    );
    this.bias = this.addWeight("bias", [this.units], "float32", tfl.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [h, a, mask] = list(inputs) as [tf.Tensor3D, tf.Tensor4D, tf.Tensor2D];
      const [, n, fin] = h.shape;
      const nb = this.bases;
      const normalise = (adj: tf.Tensor4D) => tf.div(adj, tf.maximum(tf.sum(adj, 3, true), 1));
      const slices = this.bidirectional
        ? tf.concat([normalise(a), normalise(tf.transpose(a, [0, 1, 3, 2]))], 1)
        : normalise(a);
      const relations = slices.shape[1]!;
      // Mix relations into bases: [B·N·N, D·R] · [D·R, nb] → [B, nb, N, N]
      const mixed = tf.transpose(
        tf.reshape(
          matMulDense(
            tf.reshape(tf.transpose(slices, [0, 2, 3, 1]), [-1, relations]),
            read(this.coefficients, this.name),
          ),
          [-1, n, n, nb],
        ),
        [0, 3, 1, 2],
      );
      // [B, nb·N, N] · [B, N, F] → [B, nb, N, F] → [B·N, nb·F]
      const messages = matMulDense(tf.reshape(mixed, [-1, nb * n, n]), h);
      const perNode = tf.reshape(tf.transpose(tf.reshape(messages, [-1, nb, n, fin]), [0, 2, 1, 3]), [-1, nb * fin]);
      const y = tf.add(
        tf.add(
          matMulDense(perNode, read(this.basisKernel, this.name)),
          matMulDense(tf.reshape(h, [-1, fin]), read(this.selfKernel, this.name)),
        ),
        read(this.bias, this.name),
      );
      const out = tf.reshape(activate(y, this.activation), [-1, n, this.units]);
      return tf.mul(out, tf.expandDims(mask, 2));
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const h = shapes(inputShape)[0]!;
    return [h[0] ?? null, h[1] ?? null, this.units];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      bidirectional: this.bidirectional,
      bases: this.bases,
      seed: this.seed,
    };
  }
}
tf.serialization.registerClass(RelationalGraphConv);

// ---------------------------------------------------------------------------------------------

export interface GraphReadoutArgs extends LayerArgs {
  readonly units: number;
  readonly seed?: number | null;
}

/**
 * Gated graph readout (Li et al. 2016, used by MolGAN): g = Σ_i mask_i·σ(H_i·W_g)⊙tanh(H_i·W_v),
 * returned with the masked mean beside the sum so the critic sees both size and composition.
 * Inputs [H [B,N,F], mask [B,N]] → [B, 2·units].
 */
export class GraphReadout extends tfl.layers.Layer {
  static className = "PlantGanGraphReadout";
  readonly units: number;
  readonly seed: number | null;
  private gateKernel: tfl.LayerVariable | null = null;
  private gateBias: tfl.LayerVariable | null = null;
  private valueKernel: tfl.LayerVariable | null = null;
  private valueBias: tfl.LayerVariable | null = null;

  constructor(args: GraphReadoutArgs) {
    super(args);
    this.units = args.units;
    this.seed = args.seed ?? null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const fin = dim(shapes(inputShape)[0], 2, this.name);
    this.gateKernel = this.addWeight("gate_kernel", [fin, this.units], "float32", glorot(subSeed(this.seed, 0)));
    this.gateBias = this.addWeight("gate_bias", [this.units], "float32", tfl.initializers.zeros());
    this.valueKernel = this.addWeight("value_kernel", [fin, this.units], "float32", glorot(subSeed(this.seed, 1)));
    this.valueBias = this.addWeight("value_bias", [this.units], "float32", tfl.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [h, mask] = list(inputs) as [tf.Tensor3D, tf.Tensor2D];
      const [, n, fin] = h.shape;
      const flat = tf.reshape(h, [-1, fin]) as tf.Tensor2D;
      const gate = tf.sigmoid(
        tf.add(tf.matMul(flat, read(this.gateKernel, this.name) as tf.Tensor2D), read(this.gateBias, this.name)),
      );
      const value = tf.tanh(
        tf.add(tf.matMul(flat, read(this.valueKernel, this.name) as tf.Tensor2D), read(this.valueBias, this.name)),
      );
      const node = tf.mul(tf.reshape(tf.mul(gate, value), [-1, n, this.units]), tf.expandDims(mask, 2));
      const sum = tf.sum(node, 1);
      const mean = tf.div(sum, tf.add(tf.sum(mask, 1, true), 1));
      return tf.concat([sum, mean], 1);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [shapes(inputShape)[0]![0] ?? null, 2 * this.units];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), units: this.units, seed: this.seed };
  }
}
tf.serialization.registerClass(GraphReadout);

// ---------------------------------------------------------------------------------------------

/** Where SoftRaster finds what it needs in X and c. */
export interface RasterColumns {
  /** X column of position x (y follows), as a fraction of the site side. */
  readonly position: number;
  /** X column of footprint width (depth follows), ÷ footprintScale. */
  readonly size: number;
  /** X column of the rotation one-hot [0, 90, 180, 270]. */
  readonly rotation: number;
  /** X column of the placed flag. */
  readonly placed: number;
  /** Per output channel, the X columns whose sum weighs a node (e.g. hazard one-hot columns). */
  readonly channels: readonly (readonly number[])[];
  /** c columns of site width and depth, ÷ siteScale. */
  readonly siteWidth: number;
  readonly siteDepth: number;
}

export interface SoftRasterArgs extends LayerArgs {
  readonly grid: number;
  readonly columns: RasterColumns;
  readonly footprintScale: number;
  readonly siteScale: number;
  /** Edge softness in cells. Default 0.5. */
  readonly softness?: number;
}

/**
 * Differentiable coarse occupancy grid of the placed footprints (a soft rasteriser in the spirit
 * of House-GAN's mask rendering, Nauata et al. 2020, without convolutions): along each axis a
 * footprint covers cell u with σ((u − lo)/s)·σ((hi − u)/s); the grid is the separable product
 * summed over nodes, computed as one matmul per batch:
 *
 *   G[b,k,gx,gy] = Σ_n w[b,n,k]·Ox[b,n,gx]·Oy[b,n,gy]
 *
 * Inputs [X [B,N,F], mask [B,N], c [B,C]] → [B, K·G·G] (flattened, channel-major). The grid spans
 * the site, so the same layout on a larger plot looks smaller. Overlaps sum above 1, which the
 * critic can see. No weights.
 */
export class SoftRaster extends tfl.layers.Layer {
  static className = "PlantGanSoftRaster";
  readonly grid: number;
  readonly columns: RasterColumns;
  readonly footprintScale: number;
  readonly siteScale: number;
  readonly softness: number;

  constructor(args: SoftRasterArgs) {
    super(args);
    this.grid = args.grid;
    this.columns = args.columns;
    this.footprintScale = args.footprintScale;
    this.siteScale = args.siteScale;
    this.softness = args.softness ?? 0.5;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, mask, c] = list(inputs) as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];
      const k = this.columns.channels.length;
      const g = this.grid;
      const n = x.shape[1];
      const col = (j: number) => tf.squeeze(tf.slice(x, [0, 0, j], [-1, -1, 1]), [2]); // [B,N]
      const siteCol = (j: number) =>
        tf.maximum(tf.mul(tf.slice(c, [0, j], [-1, 1]), this.siteScale), 1e-3) as tf.Tensor2D; // [B,1]
      const rot = this.columns.rotation;
      const straight = tf.add(col(rot), col(rot + 2));
      const turned = tf.add(col(rot + 1), col(rot + 3));
      const w = col(this.columns.size);
      const d = col(this.columns.size + 1);
      // Plan extents after rotation, as half sides in site fractions.
      const halfX = tf.div(
        tf.mul(tf.add(tf.mul(w, straight), tf.mul(d, turned)), this.footprintScale / 2),
        siteCol(this.columns.siteWidth),
      );
      const halfY = tf.div(
        tf.mul(tf.add(tf.mul(d, straight), tf.mul(w, turned)), this.footprintScale / 2),
        siteCol(this.columns.siteDepth),
      );
      const centres = tf.reshape(tf.div(tf.add(tf.range(0, g, 1, "float32"), 0.5), g), [1, 1, g]);
      const s = this.softness / g;
      const cover = (pos: tf.Tensor, half: tf.Tensor) => {
        const p = tf.expandDims(pos, 2);
        const h = tf.expandDims(half, 2);
        return tf.mul(
          tf.sigmoid(tf.div(tf.sub(centres, tf.sub(p, h)), s)),
          tf.sigmoid(tf.div(tf.sub(tf.add(p, h), centres), s)),
        ); // [B,N,G]
      };
      const ox = cover(col(this.columns.position), halfX);
      const oy = cover(col(this.columns.position + 1), halfY) as tf.Tensor3D;
      const placed = tf.mul(col(this.columns.placed), mask);
      const weights = tf.stack(
        this.columns.channels.map((cols) =>
          tf.mul(placed, cols.length === 0 ? tf.onesLike(placed) : tf.addN(cols.map(col))),
        ),
        2,
      ); // [B,N,K]
      const weighted = tf.reshape(tf.mul(tf.expandDims(weights, 3), tf.expandDims(ox, 2)), [-1, n, k * g]);
      const grid = matMulDense(weighted, oy, true, false); // [B, K·G, G]
      return tf.reshape(grid, [-1, k * g * g]);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [shapes(inputShape)[0]![0] ?? null, this.columns.channels.length * this.grid * this.grid];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      grid: this.grid,
      columns: {
        ...this.columns,
        channels: this.columns.channels.map((c) => [...c]),
      } as unknown as tf.serialization.ConfigDictValue,
      footprintScale: this.footprintScale,
      siteScale: this.siteScale,
      softness: this.softness,
    };
  }
}
tf.serialization.registerClass(SoftRaster);

// ---------------------------------------------------------------------------------------------

export interface ProjectionOutputArgs extends LayerArgs {
  readonly seed?: number | null;
}

/**
 * Projection discriminator head (Miyato & Koyama 2018): D(x, c) = ψ(φ(x)) + ⟨V·c, φ(x)⟩ with a
 * linear ψ. c is a one-hot class plus continuous site and count entries, so V·c is the class
 * embedding plus a learnt linear map of the rest. Inputs [φ [B,H], c [B,C]] → [B,1].
 */
export class ProjectionOutput extends tfl.layers.Layer {
  static className = "PlantGanProjectionOutput";
  readonly seed: number | null;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;
  private embedding: tfl.LayerVariable | null = null;

  constructor(args: ProjectionOutputArgs = {}) {
    super(args);
    this.seed = args.seed ?? null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const [phi, c] = shapes(inputShape);
    const h = dim(phi, 1, this.name);
    const cs = dim(c, 1, this.name);
    this.kernel = this.addWeight("kernel", [h, 1], "float32", glorot(subSeed(this.seed, 0)));
    this.bias = this.addWeight("bias", [1], "float32", tfl.initializers.zeros());
    this.embedding = this.addWeight("embedding", [cs, h], "float32", glorot(subSeed(this.seed, 1)));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [phi, c] = list(inputs) as [tf.Tensor2D, tf.Tensor2D];
      const psi = tf.add(tf.matMul(phi, read(this.kernel, this.name) as tf.Tensor2D), read(this.bias, this.name));
      const embedded = tf.matMul(c, read(this.embedding, this.name) as tf.Tensor2D);
      return tf.add(psi, tf.sum(tf.mul(embedded, phi), 1, true));
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [shapes(inputShape)[0]![0] ?? null, 1];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), seed: this.seed };
  }
}
tf.serialization.registerClass(ProjectionOutput);

// ---------------------------------------------------------------------------------------------

export interface PairwiseEdgeLogitsArgs extends LayerArgs {
  readonly relations: number;
  /** Rank of each relation's bilinear form. */
  readonly rank: number;
  /** Initial logit of every edge: negative, since plant graphs are sparse. Default -3. */
  readonly biasInit?: number;
  /** Per relation, whether its logits are made symmetric ((L + Lᵀ)/2). Default all false. */
  readonly symmetric?: readonly boolean[];
  readonly seed?: number | null;
}

/**
 * Typed adjacency logits from node embeddings by a low-rank bilinear form per relation:
 * L_r[i,j] = ⟨U_r h_i, V_r h_j⟩/√k + b_r (a factorised alternative to MolGAN's dense N×N×R head,
 * whose parameter count grows with N²). Input H [B,N,D] → [B,R,N,N].
 */
export class PairwiseEdgeLogits extends tfl.layers.Layer {
  static className = "PlantGanPairwiseEdgeLogits";
  readonly relations: number;
  readonly rank: number;
  readonly biasInit: number;
  readonly symmetric: readonly boolean[];
  readonly seed: number | null;
  private left: tfl.LayerVariable | null = null;
  private right: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;

  constructor(args: PairwiseEdgeLogitsArgs) {
    super(args);
    this.relations = args.relations;
    this.rank = args.rank;
    this.biasInit = args.biasInit ?? -3;
    this.symmetric = args.symmetric ?? [];
    this.seed = args.seed ?? null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const d = dim(shapes(inputShape)[0], 2, this.name);
    const cols = this.relations * this.rank;
    this.left = this.addWeight("left_kernel", [d, cols], "float32", glorot(subSeed(this.seed, 0)));
    this.right = this.addWeight("right_kernel", [d, cols], "float32", glorot(subSeed(this.seed, 1)));
    this.bias = this.addWeight(
      "bias",
      [this.relations],
      "float32",
      tfl.initializers.constant({ value: this.biasInit }),
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const h = first(inputs) as tf.Tensor3D;
      const [, n, d] = h.shape;
      const { relations: r, rank: k } = this;
      const flat = tf.reshape(h, [-1, d]) as tf.Tensor2D;
      const project = (w: tf.Tensor) =>
        tf.transpose(tf.reshape(tf.matMul(flat, w as tf.Tensor2D), [-1, n, r, k]), [0, 2, 1, 3]) as tf.Tensor4D;
      const u = project(read(this.left, this.name));
      const v = project(read(this.right, this.name));
      let logits: tf.Tensor = tf.div(matMulDense(u, v, false, true), Math.sqrt(k));
      if (this.symmetric.some(Boolean)) {
        const sym = tf.reshape(
          tf.tensor1d(
            Array.from({ length: r }, (_, i) => (this.symmetric[i] ? 1 : 0)),
            "float32",
          ),
          [1, r, 1, 1],
        );
        const mirrored = tf.div(tf.add(logits, tf.transpose(logits, [0, 1, 3, 2])), 2);
        logits = tf.add(tf.mul(sym, mirrored), tf.mul(tf.sub(1, sym), logits));
      }
      return tf.add(logits, tf.reshape(read(this.bias, this.name), [1, r, 1, 1]));
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const h = shapes(inputShape)[0]!;
    return [h[0] ?? null, this.relations, h[1] ?? null, h[1] ?? null];
  }

  override getConfig(): Config {
    return {
      ...super.getConfig(),
      relations: this.relations,
      rank: this.rank,
      biasInit: this.biasInit,
      symmetric: [...this.symmetric],
      seed: this.seed,
    };
  }
}
tf.serialization.registerClass(PairwiseEdgeLogits);

/** The classes above, for tests and for callers that register them elsewhere. */
export const CUSTOM_LAYERS = [
  Linear,
  RelationalGraphConv,
  GraphReadout,
  SoftRaster,
  ProjectionOutput,
  PairwiseEdgeLogits,
] as const;
