/**
 * Critic of the topology GAN: a permutation-invariant relational critic (MolGAN, De Cao & Kipf
 * 2018) over slot graphs, conditioned by projection (Miyato & Koyama 2018):
 *
 *   nodes [B,N,W] → Linear → leaky ReLU
 *   lines (adjacency, listed lines' ends and features) → EdgeRelations: "a line exists" plus
 *     `edgeRelations` learned mixtures of the line features, as relation slices [B,1+k,N,N]
 *   nodes ‖ in/out degrees (SlotDegrees) → `criticLayers` × RelationalGraphConv over those
 *   relations, both directions (layers.ts) → gated sum + mean readout (GraphReadout)
 *   ‖ Linear(Σ line features) (LineSum) → Linear → leaky → ProjectionOutput with c → [B,1].
 *
 * Only plain ops (matMul, add, sigmoid, leaky ReLU), so WGAN-GP can differentiate it twice
 * (gradients.ts). Mixing the line features into a few relations keeps the costly [B,R,N,N]
 * adjacency at 1 + k slices whatever the spec's edge width (~600), so nMax 96 stays small.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { GraphReadout, Linear, ProjectionOutput, RelationalGraphConv } from "../layers.js";
import { lineCapacity, type TopologyModelConfig } from "./generator.js";
import type { SlotGraphSpec } from "./spec.js";

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type Shape = (number | null)[];
type Config = tf.serialization.ConfigDict;

export interface EdgeRelationsArgs extends LayerArgs {
  /** Learned relations besides "a line exists". */
  readonly relations: number;
  readonly seed?: number | null;
}

/**
 * Lines → relation slices [B,1+k,N,N] for RelationalGraphConv. Slice 0 is the adjacency (a line
 * from i to j); slice r is A_r = Pᵀ·diag(σ(f·W_r + b_r))·Q: each listed line m (one-hot ends
 * P_m, Q_m, features f_m) adds its learned weight on relation r between its two ends. Matmuls
 * only (twice differentiable, no gather). Inputs [adjacency [B,N,N], P [B,M,N], Q [B,M,N],
 * features [B,M,E]] → [B,1+k,N,N].
 */
export class EdgeRelations extends tfl.layers.Layer {
  static className = "PlantGanEdgeRelations";
  readonly relations: number;
  readonly seed: number | null;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;

  constructor(args: EdgeRelationsArgs) {
    super(args);
    this.relations = args.relations;
    this.seed = args.seed ?? null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const width = (inputShape as Shape[])[3]?.at(-1);
    if (typeof width !== "number" || width < 1) throw new Error(`${this.name}: lines need feature columns`);
    const init = tfl.initializers.glorotUniform(this.seed === null ? {} : { seed: this.seed });
    this.kernel = this.addWeight("kernel", [width, this.relations], "float32", init);
    this.bias = this.addWeight("bias", [this.relations], "float32", tfl.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [adjacency, from, to, features] = inputs as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
      const [, m, n] = from.shape;
      const k = this.relations;
      if (this.kernel === null || this.bias === null) throw new Error(`${this.name} used before build()`);
      const width = features.shape[2];
      const weight = tf.sigmoid(
        tf.add(
          tf.matMul(tf.reshape(features, [-1, width]) as tf.Tensor2D, this.kernel.read() as tf.Tensor2D),
          this.bias.read(),
        ),
      ); // [B·M,k]
      // (P ⊙ w_r) per relation: [B,M,k,N] → [B,k·N,M], then · Q [B,M,N] → [B,k,N,N].
      const weighted = tf.mul(tf.reshape(from, [-1, m, 1, n]), tf.reshape(weight, [-1, m, k, 1]));
      const left = tf.transpose(tf.reshape(weighted, [-1, m, k * n]), [0, 2, 1]);
      const learned = tf.reshape(tf.matMul(left, to), [-1, k, n, n]);
      return tf.concat([tf.expandDims(adjacency, 1), learned], 1);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const a = (inputShape as Shape[])[0]!;
    return [a[0] ?? null, 1 + this.relations, a[1] ?? null, a[2] ?? null];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), relations: this.relations, seed: this.seed };
  }
}
tf.serialization.registerClass(EdgeRelations);

/**
 * What R-GCN's degree-normalised (mean) messages cannot see (Xu et al. 2019, GIN: mean
 * aggregation is blind to how many neighbours send the same message): each slot's out- and
 * in-degree, scaled by ¼, beside its features. Input adjacency [B,N,N] → [B,N,2]. No weights.
 */
export class SlotDegrees extends tfl.layers.Layer {
  static className = "PlantGanSlotDegrees";

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const a = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor3D;
      return tf.mul(tf.stack([tf.sum(a, 2), tf.sum(a, 1)], 2), 0.25);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [s[0] ?? null, s[1] ?? null, 2];
  }
}
tf.serialization.registerClass(SlotDegrees);

/**
 * The sum of the listed lines' features [B,M,E] → [B,E]: how many lines of each service, with a
 * check valve, a control valve... a direct view of the line statistics for the critic's readout.
 */
export class LineSum extends tfl.layers.Layer {
  static className = "PlantGanLineSum";

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.sum((Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor3D, 1));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [s[0] ?? null, s[2] ?? null];
  }
}
tf.serialization.registerClass(LineSum);

/**
 * Critic: inputs [nodes [B,N,W], adjacency [B,N,N], P [B,M,N], Q [B,M,N], line features [B,M,E],
 * mask [B,N], c [B,C]] (generator.ts SlotGraphTensors, in that order) → score [B,1] (WGAN: unbounded).
 */
export function buildTopologyCritic(
  spec: SlotGraphSpec,
  config: TopologyModelConfig,
  name = "topology_critic",
): tfl.LayersModel {
  const { nMax: n } = spec;
  const { criticHidden: width, seed } = config;
  const nodes = tfl.input({ shape: [n, spec.nodeWidth], name: "nodes" });
  const m = lineCapacity(spec, config);
  const adjacency = tfl.input({ shape: [n, n], name: "adjacency" });
  const from = tfl.input({ shape: [m, n], name: "from" });
  const to = tfl.input({ shape: [m, n], name: "to" });
  const lines = tfl.input({ shape: [m, spec.edgeWidth], name: "lines" });
  const mask = tfl.input({ shape: [n], name: "mask" });
  const c = tfl.input({ shape: [spec.conditionWidth], name: "c" });
  const relations = new EdgeRelations({
    relations: config.edgeRelations,
    seed: seed + 200,
    name: `${name}_relations`,
  }).apply([adjacency, from, to, lines]) as tfl.SymbolicTensor;
  const degrees = new SlotDegrees({ name: `${name}_degrees` }).apply(adjacency) as tfl.SymbolicTensor;
  const nodeIn = tfl.layers.concatenate({ name: `${name}_node_in` }).apply([nodes, degrees]) as tfl.SymbolicTensor;
  let h = new Linear({ units: width, activation: "leakyRelu", seed: seed + 201, name: `${name}_embed` }).apply(
    nodeIn,
  ) as tfl.SymbolicTensor;
  for (let l = 0; l < config.criticLayers; l++) {
    h = new RelationalGraphConv({
      units: width,
      bases: Math.min(4, 2 * (1 + config.edgeRelations)),
      seed: seed + 210 + l,
      name: `${name}_rgcn${l}`,
    }).apply([h, relations, mask]) as tfl.SymbolicTensor;
  }
  const graph = new GraphReadout({ units: width, seed: seed + 220, name: `${name}_readout` }).apply([
    h,
    mask,
  ]) as tfl.SymbolicTensor;
  const lineStats = new Linear({
    units: width,
    activation: "leakyRelu",
    seed: seed + 225,
    name: `${name}_lines`,
  }).apply(new LineSum({ name: `${name}_line_sum` }).apply(lines)) as tfl.SymbolicTensor;
  const joint = tfl.layers.concatenate({ name: `${name}_joint_in` }).apply([graph, lineStats]) as tfl.SymbolicTensor;
  const phi = new Linear({ units: width, activation: "leakyRelu", seed: seed + 230, name: `${name}_joint` }).apply(
    joint,
  ) as tfl.SymbolicTensor;
  const out = new ProjectionOutput({ seed: seed + 240, name: `${name}_out` }).apply([phi, c]) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: [nodes, adjacency, from, to, lines, mask, c], outputs: out, name });
  model.setUserDefinedMetadata({ plantgan: { role: "topology-critic", spec, config } });
  return model;
}
