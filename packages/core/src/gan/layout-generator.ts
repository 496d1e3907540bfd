/**
 * The layout generator: places a given topology's equipment on a given site (the "topology →
 * layout" task of House-GAN, Nauata et al. 2020, which the pipeline asks of the GAN in both modes).
 *
 *   inputs  z [B,Z], c [B,C], X [B,N,F] (the topology's encoding; only type, size and hazard
 *           columns are read), A [B,R,N,N], mask [B,N], obstacles [B,K,4] (obstacles.ts)
 *   [z ‖ c ‖ obstacles] → MLP → per-slot embeddings; ‖ topology columns → Linear → relational graph conv
 *   over A (connected items learn of each other) → h₀
 *   LayoutRefiner: rotation logits and an initial position inside the site from h₀, then
 *   `steps` rounds of geometric message passing in the manner of E(n)-equivariant GNNs
 *   (Satorras et al. 2021): every pair of items exchanges a message built from their plan gaps
 *   and required distance, every item and obstacle likewise, and each item moves by learned,
 *   bounded pushes along the axes before its embedding is updated.
 *   → node params [B,N,F+1] in the graph generator's format (position pre-sigmoids, rotation
 *   logits, the rest zero), so training and the pipeline read both generators the same way.
 *
 * The pushes start at zero (zero-initialised heads), so an untrained refiner leaves the initial
 * positions alone and learns moves from the adversarial loss and the layout penalties. Every op
 * is a plain matmul or element-wise op, so it trains on the wasm backend (see layers.ts).
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { type EncodingLayout, encodingLayout } from "../views/vocabulary.js";
import { CONDITION_LAYOUT, CONDITION_SIZE, SITE_SCALE } from "./condition.js";
import { Linear, RelationalGraphConv } from "./layers.js";
import type { GanModelConfig } from "./models.js";
import { MAX_OBSTACLES, OBSTACLE_WIDTH } from "./obstacles.js";
import { DEFAULT_SPACING, requiredDistances, type SpacingCodes, spacingCodes } from "./spacing.js";

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type Shape = (number | null)[];
type Config = tf.serialization.ConfigDict;

/** Scale of the plan gaps fed to the messages, m. */
const GAP_SCALE = 20;

/**
 * `tf.stack(tensors, rank)`: a new last axis. The same tensor as a stack along a new first axis
 * moved last, which is what this does: the wasm backend copies a stack along the last axis one
 * element at a time in JavaScript (a typed-array view per element: 27,000 of them for the pair
 * features of two 48-item plants, a third of a generation's tensor time), and a stack along the
 * first axis in whole blocks, then transposes natively. Same numbers, same gradients.
 */
function stackLast(tensors: tf.Tensor[]): tf.Tensor {
  const stacked = tf.stack(tensors, 0);
  return tf.transpose(stacked, [...Array.from({ length: stacked.rank - 1 }, (_, i) => i + 1), 0]);
}

/**
 * The slices of a tensor along its last axis, that axis dropped: `tf.squeeze(tf.slice(...))` for
 * each index, made by moving the last axis first (a native transpose) so that every slice is one
 * contiguous block. The wasm backend slices along the last axis of a 4-D tensor one element at a
 * time in JavaScript. Same numbers, same gradients.
 */
function unstackLast(t: tf.Tensor): tf.Tensor[] {
  return tf.unstack(tf.transpose(t, [t.rank - 1, ...Array.from({ length: t.rank - 1 }, (_, i) => i)]));
}

function layoutOf(config: GanModelConfig): EncodingLayout {
  return encodingLayout({
    nMax: config.nMax,
    footprintScale: config.footprintScale,
    sizeClassBounds: config.sizeClassBounds,
  });
}

// ---------------------------------------------------------------------------------------------

export interface TopologyColumnsArgs extends LayerArgs {
  /** [start, count] column ranges of X to keep. */
  readonly ranges: number[][];
}

/** X → the columns that describe what an item is (type, size, hazard), not where it is. No weights. */
export class TopologyColumns extends tfl.layers.Layer {
  static className = "PlantGanTopologyColumns";
  readonly ranges: number[][];

  constructor(args: TopologyColumnsArgs) {
    super(args);
    this.ranges = args.ranges;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      return tf.concat(
        this.ranges.map(([start, count]) => tf.slice(x, [0, 0, start!], [-1, -1, count!])),
        2,
      );
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [s[0]!, s[1]!, this.ranges.reduce((t, [, count]) => t + count!, 0)];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), ranges: this.ranges };
  }
}
tf.serialization.registerClass(TopologyColumns);

// ---------------------------------------------------------------------------------------------

export interface ScaleArgs extends LayerArgs {
  readonly factor: number;
}

/** x · factor (no weights): brings metres to the unit range of the other inputs. */
export class Scale extends tfl.layers.Layer {
  static className = "PlantGanScale";
  readonly factor: number;

  constructor(args: ScaleArgs) {
    super(args);
    this.factor = args.factor;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mul(Array.isArray(inputs) ? inputs[0]! : inputs, this.factor));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
  }

  override getConfig(): Config {
    return { ...super.getConfig(), factor: this.factor };
  }
}
tf.serialization.registerClass(Scale);

// ---------------------------------------------------------------------------------------------

export interface LayoutRefinerArgs extends LayerArgs {
  readonly units: number;
  readonly steps: number;
  /** Largest push per pair and round, m. */
  readonly stepSize: number;
  /**
   * Metres kept between footprints and the site boundary: half the usual 1 m grid, so that
   * snapping the decoded position to the grid cannot push an item out of the site. Default 0.5.
   */
  readonly siteMargin?: number;
  /** Encoding facts: X width, column offsets, footprint scale. */
  readonly features: number;
  readonly typeOffset: number;
  readonly sizeOffset: number;
  readonly positionOffset: number;
  readonly rotationOffset: number;
  readonly hazardOffset: number;
  readonly footprintScale: number;
  /** The spacing table as numbers (spacing.ts), the access clearance and the tank fraction. */
  readonly spacing: SpacingCodes;
  readonly clearance: number;
  readonly tankFraction: number;
  /**
   * End each round with a repulsion step (see `call`): every pair short of its required distance,
   * and every item on an obstacle, is pushed apart along the axis that needs the least travel,
   * scaled by a learned gain per round. Default false (layout generators saved before 2026-12-06).
   */
  readonly repulsion?: boolean;
  /** Metres beyond the required distance the repulsion aims for (grid snapping moves items by 0.5 m). */
  readonly repulsionMargin?: number;
  /** Repulsion-only rounds after the message-passing rounds (with repulsion on). Default 0. */
  readonly settleSteps?: number;
  readonly seed?: number | null;
}

type Weights = Record<string, tfl.LayerVariable>;

/** Rounds of geometric message passing that move items to legal, plausible places (see file comment). */
export class LayoutRefiner extends tfl.layers.Layer {
  static className = "PlantGanLayoutRefiner";
  readonly args: Required<Omit<LayoutRefinerArgs, keyof LayerArgs>>;
  private w: Weights = {};

  constructor(args: LayoutRefinerArgs) {
    super(args);
    this.args = {
      units: args.units,
      steps: args.steps,
      stepSize: args.stepSize,
      siteMargin: args.siteMargin ?? 0.5,
      features: args.features,
      typeOffset: args.typeOffset,
      sizeOffset: args.sizeOffset,
      positionOffset: args.positionOffset,
      rotationOffset: args.rotationOffset,
      hazardOffset: args.hazardOffset,
      footprintScale: args.footprintScale,
      spacing: args.spacing,
      clearance: args.clearance,
      tankFraction: args.tankFraction,
      repulsion: args.repulsion ?? false,
      repulsionMargin: args.repulsionMargin ?? 0.5,
      settleSteps: args.settleSteps ?? 0,
      seed: args.seed ?? null,
    };
  }

  override build(): void {
    const h = this.args.units;
    let k = 0;
    const seed = this.args.seed;
    const glorot = () => tfl.initializers.glorotUniform(seed === null ? {} : { seed: seed * 7919 + ++k * 104729 });
    const add = (name: string, shape: number[], init: "glorot" | "zeros") => {
      this.w[name] = this.addWeight(name, shape, "float32", init === "glorot" ? glorot() : tfl.initializers.zeros());
    };
    add("rotation_kernel", [h, 4], "glorot");
    add("rotation_bias", [4], "zeros");
    add("position_kernel", [h, 2], "glorot");
    add("position_bias", [2], "zeros");
    for (let s = 0; s < this.args.steps; s++) {
      add(`pair_features_${s}`, [6, h], "glorot");
      add(`pair_self_${s}`, [h, h], "glorot");
      add(`pair_other_${s}`, [h, h], "glorot");
      add(`pair_bias_${s}`, [h], "zeros");
      add(`pair_push_${s}`, [h, 2], "zeros");
      add(`obstacle_features_${s}`, [7, h], "glorot");
      add(`obstacle_self_${s}`, [h, h], "glorot");
      add(`obstacle_bias_${s}`, [h], "zeros");
      add(`obstacle_push_${s}`, [h, 2], "zeros");
      add(`update_kernel_${s}`, [3 * h, h], "glorot");
      add(`update_bias_${s}`, [h], "zeros");
      if (this.args.repulsion) {
        for (const kind of ["pair", "obstacle"]) this.addGain(`${kind}_gain_${s}`);
      }
    }
    for (let s = 0; s < (this.args.repulsion ? this.args.settleSteps : 0); s++) {
      for (const kind of ["settle_pair", "settle_obstacle"]) this.addGain(`${kind}_gain_${s}`);
    }
    this.built = true;
  }

  /** A repulsion gain, softplus(0.5413) = 1 at first: an untrained refiner resolves each shortfall fully. */
  private addGain(name: string): void {
    this.w[name] = this.addWeight(name, [1], "float32", tfl.initializers.constant({ value: Math.log(Math.E - 1) }));
  }

  private weight(name: string): tf.Tensor {
    const v = this.w[name];
    if (!v) throw new Error(`${this.name}: weight ${name} used before build()`);
    return v.read();
  }

  /** x [..., fin] · W [fin, fout] (+ b). */
  private dense(x: tf.Tensor, kernel: string, bias?: string): tf.Tensor {
    const w = this.weight(kernel) as tf.Tensor2D;
    let y = tf.matMul(tf.reshape(x, [-1, w.shape[0]]), w);
    if (bias) y = tf.add(y, this.weight(bias));
    return tf.reshape(y, [...x.shape.slice(0, -1), w.shape[1]]);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown> = {}): tf.Tensor {
    return tf.tidy(() => {
      const [h0, X, mask, obstacles, c] = inputs as [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.Tensor2D];
      const a = this.args;
      const [b, n] = [h0.shape[0]!, h0.shape[1]!];
      const col = (t: tf.Tensor3D, j: number) => tf.squeeze(tf.slice(t, [0, 0, j], [-1, -1, 1]), [2]) as tf.Tensor2D;
      const siteW = tf.mul(tf.slice(c, [0, CONDITION_LAYOUT.siteWidth], [-1, 1]), SITE_SCALE); // [B,1]
      const siteD = tf.mul(tf.slice(c, [0, CONDITION_LAYOUT.siteDepth], [-1, 1]), SITE_SCALE);
      const width = tf.mul(col(X, a.sizeOffset), a.footprintScale);
      const depth = tf.mul(col(X, a.sizeOffset + 1), a.footprintScale);

      // Rotation first: it decides the plan extents every later step reasons with.
      const rotationLogits = this.dense(h0, "rotation_kernel", "rotation_bias") as tf.Tensor3D;
      // Training reasons with the expected extents (differentiable in the rotation logits); generation
      // with the rotation it will output (argmax), so pushes and the site clamp use the real extents.
      const turn = (
        kwargs.training
          ? tf.softmax(rotationLogits)
          : tf.cast(tf.oneHot(tf.argMax(rotationLogits, 2) as tf.Tensor2D, 4), "float32")
      ) as tf.Tensor3D;
      const straight = tf.add(col(turn, 0), col(turn, 2));
      const turned = tf.add(col(turn, 1), col(turn, 3));
      const ew = tf.add(tf.mul(width, straight), tf.mul(depth, turned)); // [B,N]
      const ed = tf.add(tf.mul(depth, straight), tf.mul(width, turned));
      const halfW = tf.add(tf.div(ew, 2), a.siteMargin);
      const halfD = tf.add(tf.div(ed, 2), a.siteMargin);
      const clampX = (x: tf.Tensor) => tf.maximum(halfW, tf.minimum(tf.sub(siteW, halfW), x));
      const clampY = (y: tf.Tensor) => tf.maximum(halfD, tf.minimum(tf.sub(siteD, halfD), y));

      const start = tf.sigmoid(this.dense(h0, "position_kernel", "position_bias") as tf.Tensor3D);
      let x = tf.add(tf.div(ew, 2), tf.mul(col(start, 0), tf.relu(tf.sub(siteW, ew))));
      let y = tf.add(tf.div(ed, 2), tf.mul(col(start, 1), tf.relu(tf.sub(siteD, ed))));

      const required = requiredDistances(
        X,
        { type: a.typeOffset, size: a.sizeOffset, hazard: a.hazardOffset, footprintScale: a.footprintScale },
        a.spacing,
        a.clearance,
        a.tankFraction,
      );
      const pairMask = tf.mul(
        tf.mul(tf.expandDims(mask, 2), tf.expandDims(mask, 1)),
        tf.reshape(tf.sub(1, tf.eye(n)), [1, n, n]),
      ); // [B,N,N]
      const pairCount = tf.add(tf.sum(pairMask, 2, true), 1); // [B,N,1]
      const ob = (j: number) => tf.expandDims(col(obstacles, j), 1); // [B,1,K]
      const [ox, oy, ow, od] = [ob(0), ob(1), ob(2), ob(3)];
      const valid = tf.mul(tf.cast(tf.greater(ow, 0), "float32"), tf.expandDims(mask, 2)); // [B,N,K]
      const obstacleCount = tf.add(tf.sum(valid, 2, true), 1);
      const k = obstacles.shape[1]!;
      const direction = (d: tf.Tensor) => tf.div(d, tf.add(tf.abs(d), 1)); // a smooth sign
      // Two items at the same point part by row order (i before j moves towards −, j towards +).
      const tieOrder = tf.reshape(
        tf.sub(tf.linalg.bandPart(tf.ones([n, n]), -1, 0), tf.linalg.bandPart(tf.ones([n, n]), 0, -1)),
        [1, n, n],
      );

      const towards = (d: tf.Tensor, tie: tf.Tensor) => tf.where(tf.equal(d, 0), tie, tf.sign(d));
      const pairGaps = (px: tf.Tensor, py: tf.Tensor) => {
        const dx = tf.sub(tf.expandDims(px, 2), tf.expandDims(px, 1)); // [B,N,N]
        const dy = tf.sub(tf.expandDims(py, 2), tf.expandDims(py, 1));
        const gx = tf.sub(tf.abs(dx), tf.div(tf.add(tf.expandDims(ew, 2), tf.expandDims(ew, 1)), 2));
        const gy = tf.sub(tf.abs(dy), tf.div(tf.add(tf.expandDims(ed, 2), tf.expandDims(ed, 1)), 2));
        return { dx, dy, gx, gy };
      };

      // Repulsion (a force-directed step with a learned gain): a pair short of its required distance
      // moves apart along the axis where its footprints are further apart (the least travel), each
      // item by half the shortfall. Returns the moves [B,N] along x and y.
      const repel = (g: ReturnType<typeof pairGaps>, gainName: string): [tf.Tensor, tf.Tensor] => {
        const short = tf.mul(tf.relu(tf.sub(tf.add(required, a.repulsionMargin), tf.maximum(g.gx, g.gy))), pairMask);
        const alongX = tf.cast(tf.greaterEqual(g.gx, g.gy), "float32");
        const half = tf.mul(short, tf.mul(tf.softplus(this.weight(gainName)), 0.5));
        return [
          tf.sum(tf.mul(tf.mul(half, alongX), towards(g.dx, tieOrder)), 2),
          tf.sum(tf.mul(tf.mul(half, tf.sub(1, alongX)), towards(g.dy, tieOrder)), 2),
        ];
      };

      // Obstacles do not move, so an item on one steps off it, to the nearest of the obstacle's four
      // sides where the item still fits inside the site (scaled by a learned gain).
      const stepOff = (px: tf.Tensor, py: tf.Tensor, gainName: string): [tf.Tensor, tf.Tensor] => {
        const ax = tf.expandDims(px, 2);
        const ay = tf.expandDims(py, 2);
        const reachX = tf.add(tf.div(tf.add(tf.expandDims(ew, 2), ow), 2), a.repulsionMargin);
        const reachY = tf.add(tf.div(tf.add(tf.expandDims(ed, 2), od), 2), a.repulsionMargin);
        const on = tf.mul(
          tf.cast(
            tf.logicalAnd(tf.less(tf.abs(tf.sub(ax, ox)), reachX), tf.less(tf.abs(tf.sub(ay, oy)), reachY)),
            "float32",
          ),
          valid,
        );
        const [lowX, highX] = [tf.expandDims(halfW, 2), tf.expandDims(tf.sub(siteW, halfW), 2)];
        const [lowY, highY] = [tf.expandDims(halfD, 2), tf.expandDims(tf.sub(siteD, halfD), 2)];
        const exits = (
          [
            [tf.sub(ox, reachX), ax, lowX, highX],
            [tf.add(ox, reachX), ax, lowX, highX],
            [tf.sub(oy, reachY), ay, lowY, highY],
            [tf.add(oy, reachY), ay, lowY, highY],
          ] as const
        ).map(([target, at, low, high]) => {
          const fits = tf.cast(tf.logicalAnd(tf.greaterEqual(target, low), tf.lessEqual(target, high)), "float32");
          const travel = tf.sub(target, at);
          return { travel, cost: tf.add(tf.abs(travel), tf.mul(tf.sub(1, fits), 1e4)) };
        });
        const pick = tf.oneHot(tf.argMin(stackLast(exits.map((e) => e.cost)), 3) as tf.Tensor3D, 4); // [B,N,K,4]
        const picked = unstackLast(pick);
        const chosen = (j: number) => picked[j]!;
        const gain = tf.mul(tf.softplus(this.weight(gainName)), mask);
        const along = (j0: number, j1: number) =>
          tf.mul(
            tf.sum(tf.mul(on, tf.add(tf.mul(chosen(j0), exits[j0]!.travel), tf.mul(chosen(j1), exits[j1]!.travel))), 2),
            gain,
          );
        return [clampX(tf.add(px, along(0, 1))), clampY(tf.add(py, along(2, 3)))];
      };

      let h: tf.Tensor3D = h0;
      for (let s = 0; s < a.steps; s++) {
        // Item pairs: centre offsets, axis gaps between the footprints, clearance shortfall.
        const gaps = pairGaps(x, y);
        const { dx, dy, gx, gy } = gaps;
        const shortfall = tf.relu(tf.sub(required, tf.maximum(gx, gy)));
        const pairFeatures = tf.div(stackLast([dx, dy, gx, gy, shortfall, required]), GAP_SCALE); // [B,N,N,6]
        const message = tf.relu(
          [
            tf.expandDims(this.dense(h, `pair_self_${s}`), 2),
            tf.expandDims(this.dense(h, `pair_other_${s}`), 1),
            this.weight(`pair_bias_${s}`),
          ].reduce((sum: tf.Tensor, t) => tf.add(sum, t), this.dense(pairFeatures, `pair_features_${s}`)),
        ); // [B,N,N,H] (broadcast sums)
        const push = tf.mul(tf.tanh(this.dense(message, `pair_push_${s}`)), a.stepSize); // [B,N,N,2]
        const weighted = (t: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(tf.mul(t, direction(d)), pairMask), 2);
        const [pushX, pushY] = unstackLast(push);
        let moveX = weighted(pushX!, dx);
        let moveY = weighted(pushY!, dy);

        // Items against obstacles.
        const odx = tf.sub(tf.expandDims(x, 2), ox); // [B,N,K]
        const ody = tf.sub(tf.expandDims(y, 2), oy);
        const ogx = tf.sub(tf.abs(odx), tf.div(tf.add(tf.expandDims(ew, 2), ow), 2));
        const ogy = tf.sub(tf.abs(ody), tf.div(tf.add(tf.expandDims(ed, 2), od), 2));
        const inside = tf.relu(tf.neg(tf.maximum(ogx, ogy)));
        const ones = tf.ones([b, n, k]);
        const obstacleFeatures = tf.div(
          stackLast([odx, ody, ogx, ogy, inside, tf.mul(ow, ones), tf.mul(od, ones)]),
          GAP_SCALE,
        ); // [B,N,K,7]
        const obstacleMessage = tf.relu(
          tf.add(
            tf.add(
              this.dense(obstacleFeatures, `obstacle_features_${s}`),
              tf.expandDims(this.dense(h, `obstacle_self_${s}`), 2),
            ),
            this.weight(`obstacle_bias_${s}`),
          ),
        ); // [B,N,K,H]
        const obstaclePush = tf.mul(tf.tanh(this.dense(obstacleMessage, `obstacle_push_${s}`)), a.stepSize);
        const awayFrom = (t: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(tf.mul(t, direction(d)), valid), 2);
        const [awayX, awayY] = unstackLast(obstaclePush);
        moveX = tf.add(moveX, awayFrom(awayX!, odx));
        moveY = tf.add(moveY, awayFrom(awayY!, ody));

        if (a.repulsion) {
          const [rx, ry] = repel(gaps, `pair_gain_${s}`);
          moveX = tf.add(moveX, rx);
          moveY = tf.add(moveY, ry);
        }
        x = clampX(tf.add(x, tf.mul(moveX, mask)));
        y = clampY(tf.add(y, tf.mul(moveY, mask)));
        if (a.repulsion) [x, y] = stepOff(x, y, `obstacle_gain_${s}`);

        const pooled = tf.div(tf.sum(tf.mul(message, tf.expandDims(pairMask, 3)), 2), pairCount);
        const obstaclePooled = tf.div(tf.sum(tf.mul(obstacleMessage, tf.expandDims(valid, 3)), 2), obstacleCount);
        const update = tf.relu(
          this.dense(tf.concat([h, pooled, obstaclePooled], 2), `update_kernel_${s}`, `update_bias_${s}`),
        );
        h = tf.mul(tf.add(h, update), tf.expandDims(mask, 2)) as tf.Tensor3D;
      }

      // Settling rounds: repulsion only (no messages, cheap), each with its own learned gains.
      for (let s = 0; s < (a.repulsion ? a.settleSteps : 0); s++) {
        const [rx, ry] = repel(pairGaps(x, y), `settle_pair_gain_${s}`);
        x = clampX(tf.add(x, tf.mul(rx, mask)));
        y = clampY(tf.add(y, tf.mul(ry, mask)));
        [x, y] = stepOff(x, y, `settle_obstacle_gain_${s}`);
      }

      // Back to the encoding: positions as pre-sigmoids of the site fraction.
      const logit = (v: tf.Tensor, side: tf.Tensor) => {
        const q = tf.clipByValue(tf.div(v, side), 1e-4, 1 - 1e-4);
        return tf.log(tf.div(q, tf.sub(1, q)));
      };
      const position = tf.stack([logit(x, siteW), logit(y, siteD)], 2);
      const zeros = (w: number) => tf.zeros([b, n, w]);
      return tf.concat(
        [
          zeros(a.positionOffset),
          position,
          rotationLogits,
          zeros(a.features - a.positionOffset - 6),
          tf.expandDims(tf.sub(tf.mul(mask, 20), 10), 2), // existence: the topology's own rows
        ],
        2,
      );
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const h = (inputShape as Shape[])[0]!;
    return [h[0]!, h[1]!, this.args.features + 1];
  }

  override getConfig(): Config {
    return { ...super.getConfig(), ...this.args };
  }
}
tf.serialization.registerClass(LayoutRefiner);

// ---------------------------------------------------------------------------------------------

/** Generator of the "layout" kind: [z, c, X, A, mask, obstacles] → node params [B,N,F+1]. */
export function buildLayoutGenerator(config: GanModelConfig, name: string): tfl.LayersModel {
  const layout = layoutOf(config);
  const { nMax: n, nodeHidden, generatorHidden, seed } = config;
  const { offsets, F, R } = layout;
  const z = tfl.input({ shape: [config.latentSize], name: "z" });
  const c = tfl.input({ shape: [CONDITION_SIZE], name: "c" });
  const x = tfl.input({ shape: [n, F], name: "X" });
  const a = tfl.input({ shape: [R, n, n], name: "A" });
  const mask = tfl.input({ shape: [n], name: "mask" });
  const obstacles = tfl.input({ shape: [MAX_OBSTACLES, OBSTACLE_WIDTH], name: "obstacles" });

  // The site's racks and keep-outs reach the start positions too, not only the refiner's pushes.
  const site = tfl.layers
    .flatten({ name: "g_obstacles_flat" })
    .apply(new Scale({ factor: 1 / SITE_SCALE, name: "g_obstacles_scale" }).apply(obstacles)) as tfl.SymbolicTensor;
  let g = tfl.layers.concatenate({ name: "g_zc" }).apply([z, c, site]) as tfl.SymbolicTensor;
  g = new Linear({ units: generatorHidden, activation: "relu", seed: seed + 1, name: "g_mlp0" }).apply(
    g,
  ) as tfl.SymbolicTensor;
  g = new Linear({ units: generatorHidden, activation: "relu", seed: seed + 2, name: "g_mlp1" }).apply(
    g,
  ) as tfl.SymbolicTensor;
  g = new Linear({ units: n * nodeHidden, activation: "relu", seed: seed + 3, name: "g_nodes" }).apply(
    g,
  ) as tfl.SymbolicTensor;
  const slots = tfl.layers
    .reshape({ targetShape: [n, nodeHidden], name: "g_node_slots" })
    .apply(g) as tfl.SymbolicTensor;
  const what = new TopologyColumns({
    ranges: [
      [offsets.type, offsets.size - offsets.type + 3],
      [offsets.hazard, F - offsets.hazard],
    ],
    name: "g_topology",
  }).apply(x) as tfl.SymbolicTensor;
  let h = tfl.layers.concatenate({ name: "g_slots_topology" }).apply([slots, what]) as tfl.SymbolicTensor;
  h = new Linear({ units: nodeHidden, activation: "relu", seed: seed + 4, name: "g_node_mlp" }).apply(
    h,
  ) as tfl.SymbolicTensor;
  h = new RelationalGraphConv({
    units: nodeHidden,
    activation: "relu",
    bases: config.relationBases,
    seed: seed + 7,
    name: "g_graph",
  }).apply([h, a, mask]) as tfl.SymbolicTensor;
  const spacing = DEFAULT_SPACING;
  const nodeParams = new LayoutRefiner({
    units: nodeHidden,
    steps: config.refineSteps,
    stepSize: 4,
    features: F,
    typeOffset: offsets.type,
    sizeOffset: offsets.size,
    positionOffset: offsets.position,
    rotationOffset: offsets.rotation,
    hazardOffset: offsets.hazard,
    footprintScale: config.footprintScale,
    spacing: spacingCodes(spacing),
    clearance: spacing.clearance,
    tankFraction: spacing.tankFraction ?? 0,
    repulsion: config.repulsion,
    settleSteps: config.settleSteps,
    seed: seed + 8,
    name: "g_refine",
  }).apply([h, x, mask, obstacles, c]) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: [z, c, x, a, mask, obstacles], outputs: nodeParams, name });
  model.setUserDefinedMetadata({ plantgan: { role: "generator", config } });
  return model;
}
