/**
 * Generator of the topology GAN: (z, c) → a slot graph (spec.ts), coarse to fine in three stages,
 * each a tfjs-layers model so that it saves and reloads like models.ts:
 *
 * 1. skeleton (z, c) → [z ‖ c] → MLP → per-slot embeddings H [B,N,D] → self-attention over the
 *    slots (SAGAN, Zhang et al. 2019: slots coordinate, e.g. how many pumps spare each other) →
 *    logits of the skeleton groups (the equipment "type") and of each slot's existence.
 * 2. lines (H, sampled skeleton) → H₂ = attention(Linear(H ‖ type one-hot ‖ exists)) → line
 *    existence logits L[i,j] = ⟨U h_i, V h_j⟩/√k + b (layers.ts PairwiseEdgeLogits), so a line
 *    is drawn knowing both ends' equipment types (StackGAN/ProGAN's coarse to fine, on graphs).
 * 3. attachments (H₂, sampled lines, mask) → one relational graph convolution over the sampled
 *    lines (both directions) → logits of the other node groups (instruments, loops, trips...) and
 *    of every line's features from an MLP of its two ends (LineFeatures). Lines are listed, M =
 *    linesPerSlot·nMax per graph (the likeliest kept), since a line has ~600 feature columns.
 *
 * Between the stages the discrete parts are sampled with straight-through Gumbel-softmax /
 * binary concrete (`sampleBlocks`, as models.ts `categorical`/`bernoulli` but all blocks of a
 * tensor at once): hard one-hots forward, soft gradients
 * back, so the critic sees data-like 0/1 rows while the whole chain trains end to end.
 * Continuous groups are sigmoids. Rows of absent slots are zero, there are no self loops, and
 * lines run only between existing slots.
 *
 * Shapes: B batch, N = spec.nMax, D = slotHidden, W = spec.nodeWidth, E = spec.edgeWidth.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { Linear, PairwiseEdgeLogits, RelationalGraphConv } from "../layers.js";
import { lineBudget, lineEndCaps, topLines } from "./line-budget.js";
import { allowedColumns, type ObservedVocabulary } from "./observed-vocabulary.js";
import {
  lineMotifMask,
  linePairMask,
  motifExpansion,
  nodeMotifGroups,
  nodeMotifMask,
  type RowMotifs,
  type TypeMotifs,
} from "./row-motifs.js";
import { columnSteps, ROW_STEPS, RowSequenceLogits, stepBlocks } from "./row-sequence.js";
import type { FeatureGroup, SlotGraphSpec } from "./spec.js";

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type Shape = (number | null)[];
type Config = tf.serialization.ConfigDict;

/** Architecture of the topology GAN (generator and critic). Saved with the model. */
export interface TopologyModelConfig {
  /** Length of z. */
  readonly latentSize: number;
  /** Width of the generator's MLP. */
  readonly hidden: number;
  /** Per-slot embedding width D. */
  readonly slotHidden: number;
  /** Self-attention blocks over the slots in the skeleton stage (the lines stage adds one). */
  readonly attentionBlocks: number;
  /** Query/key width of the attention. */
  readonly attentionKey: number;
  /** Rank of the bilinear line-existence form. */
  readonly edgeRank: number;
  /** Hidden width of the line-feature MLP. */
  readonly edgeHidden: number;
  /** Lines listed per slot: a graph holds at most this × nMax lines (the most likely are kept). */
  readonly linesPerSlot: number;
  /** Width of the critic's node embeddings and joint MLP. */
  readonly criticHidden: number;
  /** Relational graph convolutions in the critic. */
  readonly criticLayers: number;
  /** Learned line relations the critic mixes the line features into (besides "a line exists"). */
  readonly edgeRelations: number;
  /** Node groups sampled in the first stage, by name; the rest come with the attachments. */
  readonly skeletonGroups: readonly string[];
  /** Seed of the weight initializers. */
  readonly seed: number;
  /**
   * Draw each attachment and line row in sequence (row-sequence.ts: what it is, then its control,
   * then its instruments, each step conditioned on the row's earlier draws). Absent or false: every
   * block of a row is drawn on its own, as models saved before it were.
   */
  readonly attachmentSequence?: boolean;
  /** Hidden units of the sequence's MADE layer (default 64). */
  readonly sequenceHidden?: number;
  /**
   * Decode each attachment row and each listed line into one of the whole discrete rows the data
   * holds (row-motifs.ts): the heads give logits over these motifs, plus the continuous columns.
   * Absent: every block is drawn on its own, as models saved before it were.
   */
  readonly rowMotifs?: RowMotifs;
}

export const DEFAULT_TOPOLOGY_MODEL: TopologyModelConfig = {
  latentSize: 32,
  hidden: 256,
  slotHidden: 64,
  attentionBlocks: 2,
  attentionKey: 16,
  edgeRank: 8,
  edgeHidden: 64,
  linesPerSlot: 2,
  criticHidden: 64,
  criticLayers: 2,
  edgeRelations: 3,
  skeletonGroups: ["type"],
  seed: 1,
};

export function resolveTopologyModelConfig(input: Partial<TopologyModelConfig> = {}): TopologyModelConfig {
  // Only the model's own keys: a trainer input also carries training settings.
  const merged = Object.fromEntries(
    Object.entries(DEFAULT_TOPOLOGY_MODEL).map(([k, v]) => [k, (input as Record<string, unknown>)[k] ?? v]),
  ) as unknown as TopologyModelConfig;
  // Optional keys stay absent when not asked for, so older configurations read back unchanged.
  const extra = input as Partial<TopologyModelConfig>;
  if (extra.attachmentSequence) {
    const hidden = extra.sequenceHidden ?? 64;
    if (!Number.isInteger(hidden) || hidden < 1 || hidden > 4096)
      throw new RangeError(`sequenceHidden must be an integer in 1..4096; got ${hidden}`);
    Object.assign(merged, { attachmentSequence: true, sequenceHidden: hidden });
  }
  if (extra.rowMotifs) {
    if (extra.attachmentSequence) throw new RangeError("rowMotifs and attachmentSequence are two heads: pick one");
    if (extra.rowMotifs.nodes.length === 0 || extra.rowMotifs.lines.length === 0)
      throw new RangeError("rowMotifs needs at least one node motif and one line motif");
    Object.assign(merged, { rowMotifs: extra.rowMotifs });
  }
  for (const key of [
    "latentSize",
    "hidden",
    "slotHidden",
    "attentionKey",
    "edgeRank",
    "edgeHidden",
    "linesPerSlot",
    "criticHidden",
    "criticLayers",
    "edgeRelations",
  ] as const) {
    const v = merged[key];
    if (!Number.isInteger(v) || v < 1 || v > 4096)
      throw new RangeError(`${key} must be an integer in 1..4096; got ${v}`);
  }
  if (!Number.isInteger(merged.attentionBlocks) || merged.attentionBlocks < 0 || merged.attentionBlocks > 8) {
    throw new RangeError(`attentionBlocks must be an integer in 0..8; got ${merged.attentionBlocks}`);
  }
  return merged;
}

/** M: the lines a graph may hold, listed. synthetic-v1 has at most 1.36 lines per item. */
export function lineCapacity(spec: SlotGraphSpec, config: TopologyModelConfig): number {
  return config.linesPerSlot * spec.nMax;
}

// ---------------------------------------------------------------------------------------------
// Where each group's columns are

/** The spec's node groups split into the two stages that sample them, each in column order. */
export interface StageColumns {
  readonly skeleton: readonly FeatureGroup[];
  readonly attachments: readonly FeatureGroup[];
  /** Logit columns of the skeleton groups (the existence logit follows them). */
  readonly skeletonWidth: number;
  readonly attachmentWidth: number;
}

export function stageColumns(spec: SlotGraphSpec, skeletonGroups: readonly string[]): StageColumns {
  const byOffset = [...spec.nodeGroups].sort((a, b) => a.offset - b.offset);
  const covered = byOffset.reduce((s, g) => s + g.size, 0);
  if (covered !== spec.nodeWidth) throw new RangeError(`node groups cover ${covered} of ${spec.nodeWidth} columns`);
  const edgeCovered = spec.edgeGroups.reduce((s, g) => s + g.size, 0);
  if (edgeCovered !== spec.edgeWidth) throw new RangeError(`edge groups cover ${edgeCovered} of ${spec.edgeWidth}`);
  // A set slot's size counts against required items, so it is drawn with the type (spare-sets.ts).
  if (spec.spareSets && !skeletonGroups.includes("spare"))
    throw new RangeError('a spec with spareSets needs "spare" in skeletonGroups');
  const skeleton = byOffset.filter((g) => skeletonGroups.includes(g.name));
  const attachments = byOffset.filter((g) => !skeletonGroups.includes(g.name));
  if (attachments.length === 0) throw new RangeError("the spec needs a node group outside the skeleton");
  if (spec.edgeWidth < 1) throw new RangeError("the spec needs at least one line feature column");
  return {
    skeleton,
    attachments,
    skeletonWidth: skeleton.reduce((s, g) => s + g.size, 0),
    attachmentWidth: attachments.reduce((s, g) => s + g.size, 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Layers

export interface SlotSelfAttentionArgs extends LayerArgs {
  /** Query/key width. */
  readonly key: number;
  readonly seed?: number | null;
}

/**
 * Self-attention over slots (SAGAN): H + γ·softmax(Q Kᵀ/√k)·V with Q, K = H·W_q, H·W_k [B,N,k],
 * V = H·W_v [B,N,D] and γ starting at 0, so an untrained block passes H through and training
 * decides how much the slots look at each other. [B,N,N] attention: 37 k floats per graph at 96.
 * Input H [B,N,D] → [B,N,D].
 */
export class SlotSelfAttention extends tfl.layers.Layer {
  static className = "PlantGanSlotSelfAttention";
  readonly key: number;
  readonly seed: number | null;
  private wq: tfl.LayerVariable | null = null;
  private wk: tfl.LayerVariable | null = null;
  private wv: tfl.LayerVariable | null = null;
  private gamma: tfl.LayerVariable | null = null;

  constructor(args: SlotSelfAttentionArgs) {
    super(args);
    this.key = args.key;
    this.seed = args.seed ?? null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const d = lastDim(inputShape, this.name);
    const init = (i: number) => tfl.initializers.glorotUniform(this.seed === null ? {} : { seed: this.seed * 31 + i });
    this.wq = this.addWeight("query_kernel", [d, this.key], "float32", init(0));
    this.wk = this.addWeight("key_kernel", [d, this.key], "float32", init(1));
    this.wv = this.addWeight("value_kernel", [d, d], "float32", init(2));
    this.gamma = this.addWeight("gamma", [1], "float32", tfl.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const h = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor3D;
      const [, n, d] = h.shape;
      const flat = tf.reshape(h, [-1, d]) as tf.Tensor2D;
      const proj = (w: tfl.LayerVariable | null, k: number) =>
        tf.reshape(tf.matMul(flat, readVar(w, this.name) as tf.Tensor2D), [-1, n, k]) as tf.Tensor3D;
      const q = proj(this.wq, this.key);
      const k = proj(this.wk, this.key);
      const v = proj(this.wv, d);
      const attention = tf.softmax(tf.div(tf.matMul(q, tf.transpose(k, [0, 2, 1])), Math.sqrt(this.key)));
      return tf.add(h, tf.mul(readVar(this.gamma, this.name), tf.matMul(attention, v)));
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return Array.isArray(inputShape[0]) ? (inputShape[0] as Shape) : (inputShape as Shape);
  }

  override getConfig(): Config {
    return { ...super.getConfig(), key: this.key, seed: this.seed };
  }
}
tf.serialization.registerClass(SlotSelfAttention);

export interface LineFeaturesArgs extends LayerArgs {
  /** Output columns per line. */
  readonly units: number;
  /** Hidden width of the pair MLP. */
  readonly hidden: number;
  readonly seed?: number | null;
}

/**
 * Features of each listed line from its two ends' embeddings: relu(h_from·U + h_to·V + b)·W + c,
 * with h_from = P·H and h_to = Q·H picked by the one-hot rows of P, Q [B,M,N] (matmuls, so the
 * wasm backend needs no gather gradient). The sum of two projections stands for the MLP of
 * [h_from ‖ h_to]. Lines are listed (M per graph) rather than dense [N,N]: a line carries ~600
 * feature columns (spec.ts: two lines per pair, each with its valves and instruments), and a dense
 * [B,N,N,600] tensor at nMax 96 would take 700 MB per batch of 32.
 * Inputs [H [B,N,D], P [B,M,N], Q [B,M,N]] → [B,M,units].
 */
export class LineFeatures extends tfl.layers.Layer {
  static className = "PlantGanLineFeatures";
  readonly units: number;
  readonly hidden: number;
  readonly seed: number | null;
  private u: tfl.LayerVariable | null = null;
  private v: tfl.LayerVariable | null = null;
  private b: tfl.LayerVariable | null = null;
  private w: tfl.LayerVariable | null = null;
  private c: tfl.LayerVariable | null = null;

  constructor(args: LineFeaturesArgs) {
    super(args);
    this.units = args.units;
    this.hidden = args.hidden;
    this.seed = args.seed ?? null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const d = lastDim(inputShape, this.name);
    const init = (i: number) => tfl.initializers.glorotUniform(this.seed === null ? {} : { seed: this.seed * 37 + i });
    this.u = this.addWeight("left_kernel", [d, this.hidden], "float32", init(0));
    this.v = this.addWeight("right_kernel", [d, this.hidden], "float32", init(1));
    this.b = this.addWeight("hidden_bias", [this.hidden], "float32", tfl.initializers.zeros());
    this.w = this.addWeight("out_kernel", [this.hidden, this.units], "float32", init(2));
    this.c = this.addWeight("out_bias", [this.units], "float32", tfl.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [h, p, q] = inputs as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
      const d = h.shape[2];
      const m = p.shape[1];
      const project = (ends: tf.Tensor3D, w: tfl.LayerVariable | null) =>
        tf.matMul(tf.reshape(tf.matMul(ends, h), [-1, d]) as tf.Tensor2D, readVar(w, this.name) as tf.Tensor2D);
      const pair = tf.relu(tf.add(tf.add(project(p, this.u), project(q, this.v)), readVar(this.b, this.name)));
      const out = tf.add(tf.matMul(pair, readVar(this.w, this.name) as tf.Tensor2D), readVar(this.c, this.name));
      return tf.reshape(out, [-1, m, this.units]);
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const p = (inputShape as Shape[])[1]!;
    return [p[0] ?? null, p[1] ?? null, this.units];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), units: this.units, hidden: this.hidden, seed: this.seed };
  }
}
tf.serialization.registerClass(LineFeatures);

function lastDim(inputShape: Shape | Shape[], what: string): number {
  const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
  const d = s.at(-1);
  if (typeof d !== "number") throw new Error(`${what}: the last dimension must be known`);
  return d;
}

function readVar(v: tfl.LayerVariable | null, what: string): tf.Tensor {
  if (v === null) throw new Error(`${what} used before build()`);
  return v.read();
}

// ---------------------------------------------------------------------------------------------
// The three stage models

/** The generator: three models run in turn (see the file comment). */
export interface TopologyGenerator {
  readonly spec: SlotGraphSpec;
  readonly config: TopologyModelConfig;
  /** [z [B,Z], c [B,C]] → [H [B,N,D], skeleton logits [B,N,S+1] (last: existence)] */
  readonly skeleton: tfl.LayersModel;
  /** [H [B,N,D], skeleton sample [B,N,S+1]] → [H₂ [B,N,D], line logits [B,1,N,N]] */
  readonly lines: tfl.LayersModel;
  /** [H₂ [B,N,D], lines [B,1,N,N], mask [B,N], P [B,M,N], Q [B,M,N]] → [attachment logits [B,N,W−S], line feature logits [B,M,E]] */
  readonly attachments: tfl.LayersModel;
  /**
   * With `attachmentSequence`: [attachment logits, the row's draws so far [B,N,W−S], line feature
   * logits, the line's draws so far [B,M,E]] → both logits corrected (row-sequence.ts).
   */
  readonly sequence?: tfl.LayersModel;
}

/** What the stage models store in their user-defined metadata. */
export interface TopologyModelMetadata {
  readonly role: "topology-generator";
  readonly stage: "skeleton" | "lines" | "attachments" | "sequence";
  readonly spec: SlotGraphSpec;
  readonly config: TopologyModelConfig;
}

const sym = (t: tfl.SymbolicTensor | tfl.SymbolicTensor[] | tf.Tensor | tf.Tensor[]) => t as tfl.SymbolicTensor;

export function buildTopologyGenerator(
  spec: SlotGraphSpec,
  config: TopologyModelConfig,
  name = "topology_generator",
): TopologyGenerator {
  const cols = stageColumns(spec, config.skeletonGroups);
  const { nMax: n } = spec;
  const { slotHidden: d, hidden, seed } = config;
  // The motif table rides in topology-gan.json once, not in every stage's metadata.
  const { rowMotifs: _table, ...described } = config;
  const meta = (stage: TopologyModelMetadata["stage"]) => ({
    plantgan: { role: "topology-generator", stage, spec, config: described } satisfies TopologyModelMetadata,
  });

  // Stage 1: skeleton.
  const z = tfl.input({ shape: [config.latentSize], name: "z" });
  const c = tfl.input({ shape: [spec.conditionWidth], name: "c" });
  let h = sym(tfl.layers.concatenate({ name: `${name}_zc` }).apply([z, c]));
  h = sym(new Linear({ units: hidden, activation: "relu", seed: seed + 1, name: `${name}_mlp0` }).apply(h));
  h = sym(new Linear({ units: hidden, activation: "relu", seed: seed + 2, name: `${name}_mlp1` }).apply(h));
  h = sym(new Linear({ units: n * d, activation: "relu", seed: seed + 3, name: `${name}_slots` }).apply(h));
  h = sym(tfl.layers.reshape({ targetShape: [n, d], name: `${name}_slot_rows` }).apply(h));
  for (let i = 0; i < config.attentionBlocks; i++) {
    h = sym(
      new SlotSelfAttention({ key: config.attentionKey, seed: seed + 10 + i, name: `${name}_attn${i}` }).apply(h),
    );
    h = sym(new Linear({ units: d, activation: "relu", seed: seed + 20 + i, name: `${name}_slot_mlp${i}` }).apply(h));
  }
  const skeletonLogits = sym(
    new Linear({ units: cols.skeletonWidth + 1, seed: seed + 30, name: `${name}_skeleton_head` }).apply(h),
  );
  const skeleton = tfl.model({ inputs: [z, c], outputs: [h, skeletonLogits], name: `${name}_skeleton` });
  skeleton.setUserDefinedMetadata(meta("skeleton"));

  // Stage 2: lines, knowing the sampled types and existence.
  const h1 = tfl.input({ shape: [n, d], name: "H" });
  const sampled = tfl.input({ shape: [n, cols.skeletonWidth + 1], name: "skeleton" });
  let h2 = sym(tfl.layers.concatenate({ name: `${name}_lines_in` }).apply([h1, sampled]));
  h2 = sym(new Linear({ units: d, activation: "relu", seed: seed + 40, name: `${name}_lines_embed` }).apply(h2));
  h2 = sym(new SlotSelfAttention({ key: config.attentionKey, seed: seed + 41, name: `${name}_lines_attn` }).apply(h2));
  const lineLogits = sym(
    new PairwiseEdgeLogits({ relations: 1, rank: config.edgeRank, seed: seed + 42, name: `${name}_line_head` }).apply(
      h2,
    ),
  );
  const lines = tfl.model({ inputs: [h1, sampled], outputs: [h2, lineLogits], name: `${name}_lines` });
  lines.setUserDefinedMetadata(meta("lines"));

  // Stage 3: attachments and line features, after one message pass over the sampled lines.
  const h2in = tfl.input({ shape: [n, d], name: "H2" });
  const a = tfl.input({ shape: [1, n, n], name: "A" });
  const mask = tfl.input({ shape: [n], name: "mask" });
  const m = lineCapacity(spec, config);
  const from = tfl.input({ shape: [m, n], name: "from" });
  const to = tfl.input({ shape: [m, n], name: "to" });
  const passed = sym(
    new RelationalGraphConv({
      units: d,
      activation: "relu",
      bases: 2,
      seed: seed + 50,
      name: `${name}_attach_conv`,
    }).apply([h2in, a, mask]),
  );
  let h3 = sym(tfl.layers.concatenate({ name: `${name}_attach_in` }).apply([h2in, passed]));
  h3 = sym(new Linear({ units: d, activation: "relu", seed: seed + 51, name: `${name}_attach_mlp` }).apply(h3));
  const heads = headWidths(spec, config);
  const attachmentLogits = sym(
    new Linear({ units: heads.attachments, seed: seed + 52, name: `${name}_attach_head` }).apply(h3),
  );
  const lineFeatureLogits = sym(
    new LineFeatures({
      units: heads.lines,
      hidden: config.edgeHidden,
      seed: seed + 53,
      name: `${name}_line_features`,
    }).apply([h3, from, to]),
  );
  const attachments = tfl.model({
    inputs: [h2in, a, mask, from, to],
    outputs: [attachmentLogits, lineFeatureLogits],
    name: `${name}_attachments`,
  });
  attachments.setUserDefinedMetadata(meta("attachments"));
  if (!config.attachmentSequence) return { spec, config, skeleton, lines, attachments };

  // The within-row sequence: its own model, run once per step (row-sequence.ts).
  const hidden2 = config.sequenceHidden ?? 64;
  const edgeGroups = [...spec.edgeGroups].sort((p, q) => p.offset - q.offset);
  const nodeBase = tfl.input({ shape: [n, cols.attachmentWidth], name: "attachment_logits" });
  const nodeDrawn = tfl.input({ shape: [n, cols.attachmentWidth], name: "attachment_drawn" });
  const lineBase = tfl.input({ shape: [m, spec.edgeWidth], name: "line_logits" });
  const lineDrawn = tfl.input({ shape: [m, spec.edgeWidth], name: "line_drawn" });
  const nodeOut = sym(
    new RowSequenceLogits({
      steps: columnSteps(cols.attachments),
      hidden: hidden2,
      seed: seed + 60,
      name: `${name}_node_sequence`,
    }).apply([nodeBase, nodeDrawn]),
  );
  const lineOut = sym(
    new RowSequenceLogits({
      steps: columnSteps(edgeGroups),
      hidden: hidden2,
      seed: seed + 61,
      name: `${name}_line_sequence`,
    }).apply([lineBase, lineDrawn]),
  );
  const sequence = tfl.model({
    inputs: [nodeBase, nodeDrawn, lineBase, lineDrawn],
    outputs: [nodeOut, lineOut],
    name: `${name}_sequence`,
  });
  sequence.setUserDefinedMetadata(meta("sequence"));
  return { spec, config, skeleton, lines, attachments, sequence };
}

/**
 * Output columns of the attachment and line-feature heads: one logit per column, or with row
 * motifs the continuous columns and then one logit per motif.
 */
export function headWidths(spec: SlotGraphSpec, config: TopologyModelConfig): { attachments: number; lines: number } {
  const cols = stageColumns(spec, config.skeletonGroups);
  const motifs = config.rowMotifs;
  if (!motifs) return { attachments: cols.attachmentWidth, lines: spec.edgeWidth };
  const continuous = (groups: readonly FeatureGroup[]) =>
    groups.filter((g) => g.kind === "continuous").reduce((s, g) => s + g.size, 0);
  return {
    attachments: continuous(cols.attachments) + motifs.nodes.length,
    lines: continuous(spec.edgeGroups) + motifs.lines.length,
  };
}

/** The stages' models, in a fixed order (weights, EMA, save): the sequence last when there is one. */
export function generatorStages(g: TopologyGenerator): readonly tfl.LayersModel[] {
  return g.sequence ? [g.skeleton, g.lines, g.attachments, g.sequence] : [g.skeleton, g.lines, g.attachments];
}

export function disposeGenerator(g: TopologyGenerator): void {
  for (const m of generatorStages(g)) m.dispose();
}

// ---------------------------------------------------------------------------------------------
// Running the stages

/**
 * A batch of slot graphs as tensors: nodes and line existence dense, the lines' features as a
 * list of M per graph (LineFeatures explains why), each listed line with one-hot ends.
 */
export interface SlotGraphTensors {
  /** [B,N,W] */
  readonly nodes: tf.Tensor3D;
  /** [B,N] */
  readonly mask: tf.Tensor2D;
  /** [B,N,N]: 1 when a line runs from slot i to slot j. */
  readonly adjacency: tf.Tensor3D;
  /** [B,M,N]: one-hot start slot of listed line m; a zero row lists no line. */
  readonly from: tf.Tensor3D;
  /** [B,M,N]: one-hot end slot of listed line m. */
  readonly to: tf.Tensor3D;
  /** [B,M,E]: features of listed line m (zero rows for no line). */
  readonly lines: tf.Tensor3D;
}

/** The generator's sample, with what the trainer's extra terms read. */
export interface GeneratedTensors extends SlotGraphTensors {
  /** Log-probability of the hard sample under the generator's distribution, per graph [B]. */
  readonly logProb: tf.Tensor1D;
  /** The sampled skeleton columns × existence [B,N,S] (straight-through; the count term reads them). */
  readonly skeleton: tf.Tensor3D;
}

export interface RunOptions {
  /** Gumbel / binary-concrete temperature. Default 1. */
  readonly temperature?: number;
  /** Seed of the sampling noise; without one, no noise (argmax, threshold at ½). */
  readonly noiseSeed?: number;
  /**
   * Scale τ of the Gumbel / logistic noise of the hard samples: argmax(l + τ·g) draws from
   * softmax(l / τ), so τ < 1 samples sharper than the model (as truncation does for z). Default 1.
   * (The `temperature` above only shapes the soft relaxation; it never changes a hard sample.)
   */
  readonly noiseScale?: number;
  /** Training mode of the layers (no dropout or batch norm here, so only for clarity). */
  readonly training?: boolean;
  /**
   * Replaces the skeleton sample: given the skeleton logits [B,N,S+1], returns the hard sample
   * [B,N,S+1] (skeleton one-hots ‖ existence). sample.ts uses it to honour required equipment.
   */
  readonly decodeSkeleton?: (logits: tf.Tensor3D) => tf.Tensor3D;
  /**
   * Sample attachments and line features only from the values the training data held
   * (observed-vocabulary.ts); the others get no probability. Generation only: training samples
   * from the model's whole distribution.
   */
  readonly vocabulary?: ObservedVocabulary;
}

/** Column blocks of one logits tensor, each sampled by its kind. */
export interface ColumnBlocks {
  readonly blocks: readonly { readonly start: number; readonly size: number; readonly kind: FeatureGroup["kind"] }[];
  readonly width: number;
}

/** Groups laid side by side in the order given (their own offsets ignored). */
export function columnBlocks(groups: readonly Pick<FeatureGroup, "size" | "kind">[]): ColumnBlocks {
  let start = 0;
  const blocks = groups.map((g) => {
    const b = { start, size: g.size, kind: g.kind };
    start += g.size;
    return b;
  });
  return { blocks, width: start };
}

/** x forward, no gradient backward (REINFORCE weighs log p of a fixed sample). */
const stopGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(Array.isArray(dy) ? dy[0]! : dy),
})) as (x: tf.Tensor) => tf.Tensor;

/** Forward: `hard`; backward: the gradient goes to `soft` (straight-through, Bengio et al. 2013). */
const straightThrough = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [soft, hard] = args as [tf.Tensor, tf.Tensor];
  return {
    value: tf.add(hard, tf.mul(soft, 0)),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
      const g = Array.isArray(dy) ? dy[0]! : dy;
      return [g, tf.zerosLike(g)];
    },
  };
}) as (soft: tf.Tensor, hard: tf.Tensor) => tf.Tensor;

/** Logits are clipped here before exp: softmax over any block without a per-block max. */
const LOGIT_CLIP = 30;

/**
 * Samples every block of a logits tensor [..., W] at once: categorical blocks by Gumbel-softmax,
 * binary by binary concrete, continuous by sigmoid; hard one-hots / 0-1 forward, soft gradients
 * back (straight-through). One softmax over all categorical blocks (sums per block by a matmul
 * with a block indicator) and the hard argmax in JS: no slice per block, since the wasm backend
 * copies a whole tensor per slice and a line has ~100 blocks. Also returns log p of the hard
 * sample under the noiseless distribution, summed over the last axis.
 */
export function sampleBlocks(
  logits: tf.Tensor,
  layout: ColumnBlocks,
  temperature: number,
  noiseSeed?: number,
  noiseScale = 1,
  allowed?: Float32Array,
): { value: tf.Tensor; logProb: tf.Tensor } {
  const w = layout.width;
  if (logits.shape.at(-1) !== w) throw new RangeError(`sampleBlocks: ${logits.shape.at(-1)} columns for ${w}`);
  // `allowed` is one row for all rows, or one per row (row motifs' masks by slot type).
  const perRow = allowed !== undefined && allowed.length !== w;
  if (perRow && allowed.length !== logits.size)
    throw new RangeError(`sampleBlocks: ${allowed.length} allowed for ${w} columns of ${logits.size / w} rows`);
  // A column that may not be drawn gets a logit far below any other (and is skipped by the argmax).
  if (allowed !== undefined) {
    const open = perRow ? tf.tensor(allowed, logits.shape) : tf.tensor1d(allowed);
    logits = tf.add(logits, tf.mul(tf.sub(open, 1), 1e4));
  }
  const lead = logits.shape.slice(0, -1);
  const kindMask = (kind: FeatureGroup["kind"]) => {
    const m = new Float32Array(w);
    for (const b of layout.blocks) if (b.kind === kind) m.fill(1, b.start, b.start + b.size);
    return tf.tensor1d(m);
  };
  const [cat, bin, cont] = [kindMask("categorical"), kindMask("binary"), kindMask("continuous")];
  const categoricals = layout.blocks.filter((b) => b.kind === "categorical");
  const indicatorData = new Float32Array(w * Math.max(1, categoricals.length));
  categoricals.forEach((b, k) => {
    for (let j = b.start; j < b.start + b.size; j++) indicatorData[j * categoricals.length + k] = 1;
  });
  const indicator = tf.tensor2d(indicatorData, [w, Math.max(1, categoricals.length)]);
  // Transposed up front: a matMul with a transpose flag takes wasm's slow path (gradients.ts matMulDense).
  const spread = tf.transpose(indicator) as tf.Tensor2D;
  const flat = tf.reshape(logits, [-1, w]) as tf.Tensor2D;
  const blockSoftmax = (l: tf.Tensor2D) => {
    const e = tf.exp(tf.clipByValue(l, -LOGIT_CLIP, LOGIT_CLIP)) as tf.Tensor2D;
    const sums = tf.matMul(tf.matMul(e, indicator), spread);
    return tf.div(e, tf.add(sums, tf.sub(1, cat)));
  };

  let noisy: tf.Tensor2D = flat;
  if (noiseSeed !== undefined) {
    const u = tf.randomUniform(flat.shape, 1e-6, 1 - 1e-6, "float32", noiseSeed);
    const gumbel = tf.mul(tf.neg(tf.log(tf.neg(tf.log(u)))), noiseScale);
    const logistic = tf.mul(tf.sub(tf.log(u), tf.log(tf.sub(1, u))), noiseScale);
    noisy = tf.add(flat, tf.add(tf.mul(cat, gumbel), tf.mul(bin, logistic))) as tf.Tensor2D;
  }
  const scaled = tf.div(noisy, temperature) as tf.Tensor2D;
  const soft = tf.addN([
    tf.mul(cat, blockSoftmax(scaled)),
    tf.mul(bin, tf.sigmoid(scaled)),
    tf.mul(cont, tf.sigmoid(flat)),
  ]) as tf.Tensor2D;

  // Hard sample in JS: per row, the argmax of each categorical block, binary at ½, continuous as is.
  const values = soft.dataSync() as Float32Array;
  const hardData = new Float32Array(values.length);
  const rows = values.length / w;
  for (let r = 0; r < rows; r++) {
    const at = r * w;
    const allowedAt = perRow ? at : 0;
    for (const b of layout.blocks) {
      if (b.kind === "categorical") {
        let best = -1;
        for (let k = 0; k < b.size; k++) {
          if (allowed !== undefined && allowed[allowedAt + b.start + k] === 0) continue;
          if (best < 0 || values[at + b.start + k]! > values[at + b.start + best]!) best = k;
        }
        hardData[at + b.start + Math.max(0, best)] = 1;
      } else if (b.kind === "binary") {
        for (let k = 0; k < b.size; k++) hardData[at + b.start + k] = values[at + b.start + k]! > 0.5 ? 1 : 0;
      } else {
        for (let k = 0; k < b.size; k++) hardData[at + b.start + k] = values[at + b.start + k]!;
      }
    }
  }
  const hard = tf.tensor2d(hardData, flat.shape);
  const value = tf.reshape(straightThrough(soft, hard), logits.shape);

  const fixed = stopGradient(hard);
  const logSoftmax = tf.log(tf.add(blockSoftmax(flat), 1e-9));
  const p = tf.sigmoid(flat);
  const logBernoulli = tf.add(
    tf.mul(fixed, tf.log(tf.add(p, 1e-9))),
    tf.mul(tf.sub(1, fixed), tf.log(tf.add(tf.sub(1, p), 1e-9))),
  );
  const perColumn = tf.add(tf.mul(cat, tf.mul(fixed, logSoftmax)), tf.mul(bin, logBernoulli));
  const logProb = tf.reshape(tf.sum(perColumn, 1), lead);
  return { value, logProb };
}

/**
 * The line sample under a budget: the top `budget[g]` allowed cells of each graph by logit plus
 * Gumbel noise (none without a seed), straight-through the binary-concrete relaxation as
 * sampleBlocks' binary columns; logProb is each cell's Bernoulli log-probability.
 */
function budgetedLines(
  logits: tf.Tensor3D,
  allowed: tf.Tensor,
  budget: Int32Array,
  temperature: number,
  noiseSeed: number | undefined,
  noiseScale: number,
  needs: LineNeeds | undefined,
  caps: Int32Array | undefined,
): { value: tf.Tensor; logProb: tf.Tensor } {
  let noisy: tf.Tensor = logits;
  if (noiseSeed !== undefined) {
    const u = tf.randomUniform(logits.shape, 1e-6, 1 - 1e-6, "float32", noiseSeed);
    noisy = tf.add(logits, tf.mul(tf.neg(tf.log(tf.neg(tf.log(u)))), noiseScale));
  }
  const [b, n] = logits.shape;
  const scores = noisy.dataSync() as Float32Array;
  const open = allowed.dataSync() as Float32Array;
  // First the lines every item needs (as linesForLoneItems adds them), counted in the budget.
  const needed = linesForLoneItems(new Float32Array(open.length), open, scores, b, n, needs);
  const hardData = topLines(scores, open, budget, n, needed, caps);
  const hard = tf.tensor3d(hardData, logits.shape);
  const value = straightThrough(tf.sigmoid(tf.div(noisy, temperature)), hard);
  const p = tf.sigmoid(logits);
  const logProb = tf.add(
    tf.mul(hard, tf.log(tf.add(p, 1e-9))),
    tf.mul(tf.sub(1, hard), tf.log(tf.add(tf.sub(1, p), 1e-9))),
  );
  return { value, logProb };
}

const subSeed = (seed: number | undefined, k: number) =>
  seed === undefined ? undefined : (seed * 31 + k) % 2147483647;

/**
 * Lists each graph's lines (row-major by start, then end slot) as one-hot ends P, Q [B,M,N], keeping
 * the M with the highest `score` when there are more. Returns the lists and, per cell, 0 where a
 * line was dropped for want of room, else 1 (a mask for the sampled adjacency: cells without a
 * line stay 1 so that their straight-through gradient still reaches the line logits).
 */
export function listLines(
  adjacency: Float32Array,
  batch: number,
  n: number,
  capacity: number,
  score?: Float32Array,
): { from: Float32Array; to: Float32Array; keep: Float32Array; count: Int32Array } {
  const from = new Float32Array(batch * capacity * n);
  const to = new Float32Array(batch * capacity * n);
  const keep = new Float32Array(batch * n * n).fill(1);
  const count = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    let cells: number[] = [];
    for (let k = 0; k < n * n; k++) if (adjacency[b * n * n + k]! > 0.5) cells.push(k);
    if (cells.length > capacity) {
      const s = score ?? adjacency;
      const ranked = cells.sort((p, q) => s[b * n * n + q]! - s[b * n * n + p]! || p - q);
      for (const k of ranked.slice(capacity)) keep[b * n * n + k] = 0;
      cells = ranked.slice(0, capacity).sort((p, q) => p - q);
    }
    cells.forEach((k, m) => {
      const [i, j] = [Math.floor(k / n), k % n];
      from[(b * capacity + m) * n + i] = 1;
      to[(b * capacity + m) * n + j] = 1;
    });
    count[b] = cells.length;
  }
  return { from, to, keep, count };
}

/** Per slot of the batch [B·N], whether its type always has a line in / out in the data (RowMotifs.types). */
export interface LineNeeds {
  readonly into: Uint8Array;
  readonly out: Uint8Array;
}

/** The LineNeeds of a generator's slots, when its row motifs count types' lines. */
const lineNeedsOf = (config: TopologyModelConfig, types: Int32Array | undefined) =>
  config.rowMotifs?.types && types ? lineNeeds(config.rowMotifs.types, types) : undefined;

/** The LineNeeds of slots of the given types (−1: empty slot). */
export function lineNeeds(types: readonly TypeMotifs[], slotTypes: Int32Array): LineNeeds {
  const into = new Uint8Array(slotTypes.length);
  const out = new Uint8Array(slotTypes.length);
  slotTypes.forEach((t, r) => {
    into[r] = types[t]?.alwaysIn ? 1 : 0;
    out[r] = types[t]?.alwaysOut ? 1 : 0;
  });
  return { into, out };
}

/**
 * For each slot that may hold a line (an allowed cell in its row or column) but was drawn none,
 * the allowed cell of its row or column with the highest logit: 1 there, 0 elsewhere ([B,N,N]).
 * With `needs`, first a slot that needs a line in (out) and drew none gets the likeliest allowed
 * cell of its column (row). Slots are taken in order, and a line added for one counts for its
 * other end.
 */
export function linesForLoneItems(
  sampled: Float32Array,
  allowed: Float32Array,
  logits: Float32Array,
  batch: number,
  n: number,
  needs?: LineNeeds,
): Float32Array {
  const added = new Float32Array(batch * n * n);
  for (let b = 0; b < batch; b++) {
    const at = (i: number, j: number) => b * n * n + i * n + j;
    if (needs) {
      // A slot whose type always has a line in (out) in the data but drew none gets its likeliest.
      const has = (i: number, into: boolean) => {
        for (let j = 0; j < n; j++) {
          const cell = into ? at(j, i) : at(i, j);
          if (sampled[cell]! > 0.5 || added[cell]! > 0) return true;
        }
        return false;
      };
      for (let i = 0; i < n; i++) {
        for (const into of [true, false]) {
          if (!(into ? needs.into : needs.out)[b * n + i] || has(i, into)) continue;
          let best = -1;
          for (let j = 0; j < n; j++) {
            const cell = into ? at(j, i) : at(i, j);
            if (allowed[cell]! > 0.5 && (best < 0 || logits[cell]! > logits[best]!)) best = cell;
          }
          if (best >= 0) added[best] = 1;
        }
      }
    }
    const lined = new Uint8Array(n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        if (sampled[at(i, j)]! > 0.5 || added[at(i, j)]! > 0) {
          lined[i] = 1;
          lined[j] = 1;
        }
    for (let i = 0; i < n; i++) {
      if (lined[i]) continue;
      let best = -1;
      for (let j = 0; j < n; j++)
        for (const cell of [at(i, j), at(j, i)])
          if (allowed[cell]! > 0.5 && (best < 0 || logits[cell]! > logits[best]!)) best = cell;
      if (best < 0) continue;
      added[best] = 1;
      const cell = best - b * n * n;
      lined[Math.floor(cell / n)] = 1;
      lined[cell % n] = 1;
    }
  }
  return added;
}

/**
 * Runs the three stages on z [B,Z] and c [B,C] and samples a hard slot graph (straight-through,
 * so differentiable with respect to the generator's weights). Call inside `tf.tidy`.
 */
export function runGenerator(
  g: TopologyGenerator,
  z: tf.Tensor2D,
  c: tf.Tensor2D,
  options: RunOptions = {},
): GeneratedTensors {
  const { spec, config } = g;
  const cols = stageColumns(spec, config.skeletonGroups);
  const t = options.temperature ?? 1;
  const seed = options.noiseSeed;
  const tau = options.noiseScale ?? 1;
  const training = options.training ?? false;
  const n = spec.nMax;
  const b = z.shape[0];
  const capacity = lineCapacity(spec, config);
  const logProbs: tf.Tensor[] = [];

  // Stage 1: skeleton groups and existence.
  const [h, skeletonLogits] = g.skeleton.apply([z, c], { training }) as [tf.Tensor3D, tf.Tensor3D];
  let skeletonSample: tf.Tensor3D;
  if (options.decodeSkeleton) {
    skeletonSample = options.decodeSkeleton(skeletonLogits);
  } else {
    const layout = columnBlocks([...cols.skeleton, { size: 1, kind: "binary" }]);
    let s = sampleBlocks(skeletonLogits, layout, t, subSeed(seed, 1), tau);
    const spares = config.rowMotifs?.types && spareMask(config.rowMotifs.types, cols, s.value as tf.Tensor3D);
    // A set size only on a type the data holds it on: the same draw again, its spare class masked.
    if (spares) s = sampleBlocks(skeletonLogits, layout, t, subSeed(seed, 1), tau, spares);
    skeletonSample = s.value as tf.Tensor3D;
    logProbs.push(tf.sum(s.logProb, 1));
  }
  const exist = tf.reshape(tf.slice(skeletonSample, [0, 0, cols.skeletonWidth], [-1, -1, 1]), [b, n]) as tf.Tensor2D;
  const existColumn = tf.expandDims(exist, 2);
  const skeleton = tf.mul(
    tf.slice(skeletonSample, [0, 0, 0], [-1, -1, cols.skeletonWidth]),
    existColumn,
  ) as tf.Tensor3D;
  const skeletonIn = tf.concat([skeleton, existColumn], 2);

  // Stage 2: lines between existing slots, no self loops; at most M, the likeliest kept.
  const [h2, lineLogits] = g.lines.apply([h, skeletonIn], { training }) as [tf.Tensor3D, tf.Tensor4D];
  const logits = tf.reshape(lineLogits, [b, n, n]);
  const noSelf = tf.reshape(tf.sub(1, tf.eye(n)), [1, n, n]);
  let allowed = tf.mul(noSelf, tf.mul(existColumn, tf.expandDims(exist, 1)));
  // With row motifs, also only between the end types some line of the data ran between.
  const types = config.rowMotifs ? slotTypes(skeleton, cols) : undefined;
  if (config.rowMotifs && types)
    allowed = tf.mul(allowed, tf.tensor3d(linePairMask(config.rowMotifs.lines, types, n), [b, n, n]));
  // With the data's line ends per type, as many lines as the slots' types hold, the likeliest (line-budget.ts).
  // A table marked budgetWhileTraining false trains on one draw per pair and generates under the budget.
  const budgeted = config.rowMotifs?.types && !(training && config.rowMotifs.budgetWhileTraining === false);
  const budget = budgeted && types ? lineBudget(config.rowMotifs!.types!, types, n) : undefined;
  const line = budget
    ? budgetedLines(
        logits as tf.Tensor3D,
        allowed,
        budget,
        t,
        subSeed(seed, 2),
        tau,
        lineNeedsOf(config, types),
        lineEndCaps(config.rowMotifs!.types!, types!),
      )
    : sampleBlocks(tf.expandDims(logits, 3), columnBlocks([{ size: 1, kind: "binary" }]), t, subSeed(seed, 2), tau);
  let sampledLines = tf.mul(tf.reshape(line.value, [b, n, n]), allowed);
  if (config.rowMotifs) {
    // Every item of the data has a line: an item drawn without one gets its likeliest allowed line.
    const added = linesForLoneItems(
      sampledLines.dataSync() as Float32Array,
      allowed.dataSync() as Float32Array,
      logits.dataSync() as Float32Array,
      b,
      n,
      lineNeedsOf(config, types),
    );
    sampledLines = tf.add(sampledLines, tf.tensor3d(added, [b, n, n]));
  }
  const list = listLines(sampledLines.dataSync() as Float32Array, b, n, capacity, logits.dataSync() as Float32Array);
  const adjacency = tf.mul(sampledLines, tf.tensor3d(list.keep, [b, n, n])) as tf.Tensor3D;
  logProbs.push(tf.sum(tf.mul(tf.reshape(line.logProb, [b, n, n]), stopGradient(allowed)), [1, 2]));
  const from = tf.tensor3d(list.from, [b, capacity, n]);
  const to = tf.tensor3d(list.to, [b, capacity, n]);

  // Stage 3: attachments and line features.
  const [attachLogits, featureLogits] = g.attachments.apply([h2, tf.expandDims(adjacency, 1), exist, from, to], {
    training,
  }) as [tf.Tensor3D, tf.Tensor3D];
  const vocabulary = options.vocabulary;
  const nodeAllowed = vocabulary && allowedColumns(vocabulary.nodes, cols.attachments);
  // A listed line's existence, read back from the adjacency so its gradient reaches the line logits.
  const present = tf.sum(tf.mul(tf.matMul(from, adjacency), to), 2); // [B,M]
  const edgeGroups = [...spec.edgeGroups].sort((p, q) => p.offset - q.offset);
  const lineAllowed = vocabulary && allowedColumns(vocabulary.lines, edgeGroups);
  let nodeDraw: tf.Tensor;
  let lineDraw: tf.Tensor;
  if (config.rowMotifs) {
    // One motif per row, masked by the slot's type or the line's end types (row-motifs.ts); the
    // hard one-hot times the motif table gives the same columns the critic and decoder read.
    const motifs = config.rowMotifs;
    const tables = motifTables(spec, config, motifs);
    const ends = (onehots: Float32Array) => lineEndTypes(onehots, types!, b, capacity, n);
    const nodeMask = nodeMotifMask(motifs.nodes, types!);
    const lineMask = lineMotifMask(
      motifs.lines,
      ends(list.from),
      ends(list.to),
      motifs.lines.some((m) => m.endLines) ? lineEndCounts(adjacency, list, b, capacity, n) : undefined,
    );
    // The drawn one-hot (and its continuous columns) times the table: the row in stage order.
    const draw = (logits: tf.Tensor3D, table: MotifTable, mask: Float32Array, k: number) => {
      const s = sampleBlocks(logits, table.layout, t, subSeed(seed, k), tau, withOpenColumns(mask, table));
      return { value: expandMotifs(s.value as tf.Tensor3D, table), logProb: s.logProb };
    };
    const a = draw(attachLogits, tables.node, nodeMask, 3);
    const f = draw(featureLogits, tables.line, lineMask, 4);
    nodeDraw = a.value;
    lineDraw = f.value;
    logProbs.push(tf.sum(tf.mul(a.logProb, stopGradient(exist)), 1));
    logProbs.push(tf.sum(tf.mul(f.logProb, stopGradient(present)), 1));
  } else if (g.sequence) {
    // Row by row in ROW_STEPS steps, each step's blocks drawn from logits that read the earlier draws.
    nodeDraw = tf.zerosLike(attachLogits);
    lineDraw = tf.zerosLike(featureLogits);
    for (let step = 0; step < ROW_STEPS; step++) {
      const [nodeLogits, lineLogits] = g.sequence.apply([attachLogits, nodeDraw, featureLogits, lineDraw], {
        training,
      }) as [tf.Tensor3D, tf.Tensor3D];
      const a = sampleBlocks(
        nodeLogits,
        stepBlocks(cols.attachments, step),
        t,
        subSeed(seed, 10 + 2 * step),
        tau,
        nodeAllowed,
      );
      const f = sampleBlocks(
        lineLogits,
        stepBlocks(edgeGroups, step),
        t,
        subSeed(seed, 11 + 2 * step),
        tau,
        lineAllowed,
      );
      nodeDraw = tf.add(nodeDraw, a.value);
      lineDraw = tf.add(lineDraw, f.value);
      logProbs.push(tf.sum(tf.mul(a.logProb, stopGradient(exist)), 1));
      logProbs.push(tf.sum(tf.mul(f.logProb, stopGradient(present)), 1));
    }
  } else {
    const attach = sampleBlocks(attachLogits, columnBlocks(cols.attachments), t, subSeed(seed, 3), tau, nodeAllowed);
    const feature = sampleBlocks(featureLogits, columnBlocks(edgeGroups), t, subSeed(seed, 4), tau, lineAllowed);
    nodeDraw = attach.value;
    lineDraw = feature.value;
    logProbs.push(tf.sum(tf.mul(attach.logProb, stopGradient(exist)), 1));
    logProbs.push(tf.sum(tf.mul(feature.logProb, stopGradient(present)), 1));
  }
  const attachments = tf.mul(nodeDraw, existColumn);
  const lines = tf.mul(lineDraw, tf.expandDims(present, 2)) as tf.Tensor3D;

  const nodes = inSpecOrder(tf.concat([skeleton, attachments], 2) as tf.Tensor3D, [
    ...cols.skeleton,
    ...cols.attachments,
  ]);
  return {
    nodes,
    mask: exist,
    adjacency,
    from,
    to,
    lines,
    logProb: tf.addN(logProbs) as tf.Tensor1D,
    skeleton,
  };
}

/** Reorders columns laid out group after group (in `groups` order) into the groups' spec offsets. */
function inSpecOrder(x: tf.Tensor3D, groups: readonly FeatureGroup[]): tf.Tensor3D {
  const w = x.shape[2];
  const source: number[] = [];
  let at = 0;
  for (const g of groups) {
    for (let k = 0; k < g.size; k++) source[g.offset + k] = at + k;
    at += g.size;
  }
  if (source.every((s, i) => s === i)) return x;
  // A permutation matrix: a matmul, where a gather's gradient would need a kernel wasm lacks.
  const perm = new Float32Array(w * w);
  source.forEach((s, i) => {
    perm[s * w + i] = 1;
  });
  return tf.reshape(
    tf.matMul(tf.reshape(x, [-1, w]) as tf.Tensor2D, tf.tensor2d(perm, [w, w])),
    x.shape,
  ) as tf.Tensor3D;
}

// ---------------------------------------------------------------------------------------------
// Row motifs (row-motifs.ts)

/** One head's motif decoding: its output layout, and the matrix from [continuous ‖ motif one-hot] to the row. */
interface MotifTable {
  readonly layout: ColumnBlocks;
  readonly continuous: number;
  readonly motifs: number;
  readonly matrix: Float32Array;
  readonly width: number;
}

const motifTableCache = new WeakMap<RowMotifs, { node: MotifTable; line: MotifTable }>();

function motifTable(
  groups: readonly FeatureGroup[],
  motifs: readonly { readonly set: readonly number[] }[],
): MotifTable {
  const { matrix, continuous, width } = motifExpansion(groups, motifs);
  const blocks: Pick<FeatureGroup, "size" | "kind">[] = [{ size: motifs.length, kind: "categorical" }];
  if (continuous > 0) blocks.unshift({ size: continuous, kind: "continuous" });
  return { layout: columnBlocks(blocks), continuous, motifs: motifs.length, matrix, width };
}

/** The node and line tables of a model's motifs (built once per table). */
export function motifTables(
  spec: SlotGraphSpec,
  config: TopologyModelConfig,
  motifs: RowMotifs,
): { node: MotifTable; line: MotifTable } {
  let tables = motifTableCache.get(motifs);
  if (!tables) {
    const cols = stageColumns(spec, config.skeletonGroups);
    // The motif columns must be exactly the discrete columns of each stage.
    const discreteNodes = nodeMotifGroups(spec, config.skeletonGroups).length;
    if (discreteNodes !== cols.attachments.filter((g) => g.kind !== "continuous").length)
      throw new RangeError("row motifs: the skeleton holds a discrete group the attachments need");
    tables = {
      node: motifTable(cols.attachments, motifs.nodes),
      line: motifTable(
        [...spec.edgeGroups].sort((p, q) => p.offset - q.offset),
        motifs.lines,
      ),
    };
    motifTableCache.set(motifs, tables);
  }
  return tables;
}

/**
 * The per-row allowed columns of a skeleton draw [B,N,S+1] that keep its types and open only the
 * spare classes the data holds on each slot's type (RowMotifs.types); undefined when the skeleton
 * has no `spare` group.
 */
function spareMask(types: readonly TypeMotifs[], cols: StageColumns, drawn: tf.Tensor3D): Float32Array | undefined {
  let start = 0;
  const spare = cols.skeleton.find((g) => {
    if (g.name === "spare") return true;
    start += g.size;
    return false;
  });
  if (!spare) return undefined;
  const slot = slotTypes(tf.slice(drawn, [0, 0, 0], [-1, -1, cols.skeletonWidth]) as tf.Tensor3D, cols);
  const w = cols.skeletonWidth + 1;
  const mask = new Float32Array(slot.length * w).fill(1);
  slot.forEach((t, r) => {
    const seen = types[t]?.spareClasses;
    if (!seen || seen.length === 0) return;
    for (let k = 0; k < spare.size; k++) mask[r * w + start + k] = seen.includes(k) ? 1 : 0;
  });
  return mask;
}

/** Each slot's type class (−1 for an empty slot), read from the sampled skeleton [B,N,S]. */
function slotTypes(skeleton: tf.Tensor3D, cols: StageColumns): Int32Array {
  let start = 0;
  const type = cols.skeleton.find((g) => {
    if (g.name === "type") return true;
    start += g.size;
    return false;
  });
  if (!type) throw new RangeError("row motifs need the `type` group in the skeleton");
  const [b, n, s] = skeleton.shape;
  const data = skeleton.dataSync() as Float32Array;
  const out = new Int32Array(b * n).fill(-1);
  for (let r = 0; r < b * n; r++) {
    for (let k = 0; k < type.size; k++) if (data[r * s + start + k]! > 0.5) out[r] = k;
  }
  return out;
}

/** The type at one end of every listed line (−1 where the list holds no line), from one-hot ends [B,M,N]. */
function lineEndTypes(onehots: Float32Array, types: Int32Array, b: number, m: number, n: number): Int32Array {
  const out = new Int32Array(b * m).fill(-1);
  for (let r = 0; r < b * m; r++) {
    const graph = Math.floor(r / m);
    for (let i = 0; i < n; i++) if (onehots[r * n + i]! > 0.5) out[r] = types[graph * n + i]!;
  }
  return out;
}

/** Per listed line, the line cells leaving its from slot and entering its to slot in the kept adjacency. */
function lineEndCounts(
  adjacency: tf.Tensor3D,
  list: { readonly from: Float32Array; readonly to: Float32Array },
  b: number,
  m: number,
  n: number,
): { from: Int32Array; to: Int32Array } {
  const a = adjacency.dataSync() as Float32Array;
  const out = new Int32Array(b * n);
  const into = new Int32Array(b * n);
  for (let g = 0; g < b; g++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (a[(g * n + i) * n + j]! <= 0.5) continue;
        out[g * n + i]!++;
        into[g * n + j]!++;
      }
    }
  }
  const slotOf = (onehots: Float32Array, r: number) => {
    for (let i = 0; i < n; i++) if (onehots[r * n + i]! > 0.5) return i;
    return -1;
  };
  const from = new Int32Array(b * m);
  const to = new Int32Array(b * m);
  for (let r = 0; r < b * m; r++) {
    const g = Math.floor(r / m);
    const [i, j] = [slotOf(list.from, r), slotOf(list.to, r)];
    from[r] = i < 0 ? 0 : out[g * n + i]!;
    to[r] = j < 0 ? 0 : into[g * n + j]!;
  }
  return { from, to };
}

/** A per-row motif mask widened with the head's continuous columns (always open) in front. */
function withOpenColumns(mask: Float32Array, table: MotifTable): Float32Array {
  if (table.continuous === 0) return mask;
  const width = table.continuous + table.motifs;
  const rows = mask.length / table.motifs;
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    out.fill(1, r * width, r * width + table.continuous);
    out.set(mask.subarray(r * table.motifs, (r + 1) * table.motifs), r * width + table.continuous);
  }
  return out;
}

/** [B,R,C+K] sampled head output → [B,R,W] rows in the stage's column order. */
function expandMotifs(x: tf.Tensor3D, table: MotifTable): tf.Tensor3D {
  const [b, r, c] = x.shape;
  const matrix = tf.tensor2d(table.matrix, [c, table.width]);
  return tf.reshape(tf.matMul(tf.reshape(x, [-1, c]) as tf.Tensor2D, matrix), [b, r, table.width]) as tf.Tensor3D;
}
