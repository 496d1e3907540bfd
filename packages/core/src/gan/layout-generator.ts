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
import { untaped } from "./wasm-kernels.js";

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type Shape = (number | null)[];
type Config = tf.serialization.ConfigDict;

/** Scale of the plan gaps fed to the messages, m. */
const GAP_SCALE = 20;

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

  /**
   * The rounds, written for few kernel calls (each costs ~7 µs of engine work on wasm whatever its
   * size, and its gradient as many again): x and y travel together as one tensor with the axis
   * first, P [2,B,N,1], so every step along the axes is one kernel for both; what does not change
   * between rounds (the plan extents, the pairs' and obstacles' reach, the exits' targets and
   * whether they fit the site, masks) is computed once per call; constant index patterns are
   * uploaded from JavaScript instead of built from kernels; the embedding h stays flat [B·N,H].
   * Element for element it is the same arithmetic in the same order as the round-by-round form
   * it replaced, so the outputs are the same bit for bit and the gradients within float rounding
   * (bench/layout-generator.bench.ts --compare); the shipped model's forward ran 2,424 kernel calls,
   * now 1,071, and a training forward and backward 7,210, now 2,688.
   */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown> = {}): tf.Tensor {
    return tf.tidy(() => {
      const [h0, X, mask, obstacles, c] = inputs as [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.Tensor2D];
      const a = this.args;
      const [b, n, units] = [h0.shape[0]!, h0.shape[1]!, h0.shape[2]!];
      const k = obstacles.shape[1]!;
      const w = (name: string) => this.weight(name) as tf.Tensor2D;
      /** [2,B,…] from [B,…,2]: the axis pair moved first. */
      const axisFirst = (t: tf.Tensor, shape: number[]) =>
        tf.reshape(tf.transpose(t, [t.rank - 1, ...Array.from({ length: t.rank - 1 }, (_, i) => i)]), shape);
      const sites = axisFirst(tf.mul(tf.slice(c, [0, CONDITION_LAYOUT.siteWidth], [-1, 2]), SITE_SCALE), [2, b, 1, 1]); // site width, depth [2,B,1,1] (siteDepth follows siteWidth in c)
      const sides = axisFirst(tf.mul(tf.slice(X, [0, 0, a.sizeOffset], [-1, -1, 2]), a.footprintScale), [2, b, n, 1]);
      const h0Flat = tf.reshape(h0, [b * n, units]);

      // Rotation first: it decides the plan extents every later step reasons with.
      const rotationLogits = tf.reshape(tf.add(tf.matMul(h0Flat, w("rotation_kernel")), this.weight("rotation_bias")), [
        b,
        n,
        4,
      ]);
      // Training reasons with the expected extents (differentiable in the rotation logits); generation
      // with the rotation it will output (argmax), so pushes and the site clamp use the real extents.
      const turn = kwargs.training
        ? tf.softmax(rotationLogits)
        : tf.cast(tf.oneHot(tf.argMax(rotationLogits, 2) as tf.Tensor2D, 4), "float32");
      // [0°+180°, 90°+270°] per item, then the extents along x and y: E [2,B,N,1].
      const [straight, turned] = tf.split(tf.sum(tf.reshape(turn, [b, n, 2, 2]), 2), 2, 2) as [tf.Tensor, tf.Tensor];
      const extents = tf.add(tf.mul(sides, straight), tf.mul(tf.reverse(sides, 0), turned));
      const halfExtents = tf.div(extents, 2);
      const low = tf.add(halfExtents, a.siteMargin); // the clamp's bounds [2,B,N,1]
      const high = tf.sub(sites, low);
      const clamp = (p: tf.Tensor) => tf.maximum(low, tf.minimum(high, p));

      const start = tf.sigmoid(tf.add(tf.matMul(h0Flat, w("position_kernel")), this.weight("position_bias")));
      let p = tf.add(halfExtents, tf.mul(axisFirst(start, [2, b, n, 1]), tf.relu(tf.sub(sites, extents)))); // [2,B,N,1]

      const required = requiredDistances(
        X,
        { type: a.typeOffset, size: a.sizeOffset, hazard: a.hazardOffset, footprintScale: a.footprintScale },
        a.spacing,
        a.clearance,
        a.tankFraction,
      );
      const requiredFeature = tf.reshape(required, [1, b, n, n]);
      const pairs = (f: (i: number, j: number) => number) =>
        tf.tensor(
          Float32Array.from({ length: n * n }, (_, q) => f(Math.floor(q / n), q % n)),
          [n, n],
        );
      const pairMask = tf.mul(
        tf.mul(tf.reshape(mask, [b, n, 1]), tf.reshape(mask, [b, 1, n])),
        pairs((i, j) => (i === j ? 0 : 1)),
      ); // [B,N,N]
      const pairCount = tf.add(tf.sum(pairMask, 2, true), 1); // [B,N,1]
      // The distance the repulsion aims for; −1e30 for no pair (an item and itself, or a padding
      // row), so that its shortfall is zero without a mask.
      const repelledDistance = tf.add(tf.add(required, a.repulsionMargin), tf.mul(tf.sub(pairMask, 1), 1e30));
      // Half the sum of two items' extents along each axis [2,B,N,N].
      const pairReach = tf.div(tf.add(extents, tf.reshape(extents, [2, b, 1, n])), 2);
      // Two items at the same point part by row order (i before j moves towards −, j towards +).
      const tieOrder = pairs((i, j) => Math.sign(i - j));

      // Obstacles: centres and sides [2,B,1,K], and which rows are real, for every item [B,N,K].
      const [centres, obstacleSides] = tf.unstack(axisFirst(obstacles, [2, 2, b, 1, k])) as [tf.Tensor, tf.Tensor];
      const valid = tf.mul(
        tf.cast(tf.greater(tf.reshape(tf.slice(obstacles, [0, 0, 2], [-1, -1, 1]), [b, 1, k]), 0), "float32"),
        tf.reshape(mask, [b, n, 1]),
      );
      const obstacleCount = tf.add(tf.sum(valid, 2, true), 1);
      const obstacleReach = tf.div(tf.add(extents, obstacleSides), 2); // [2,B,N,K]
      const obstacleSideFeature = tf.mul(obstacleSides, tf.ones([b, n, k]));
      const direction = (d: tf.Tensor, magnitude: tf.Tensor) => tf.div(d, tf.add(magnitude, 1)); // a smooth sign

      // Stepping off: an obstacle's four exits (−x, +x, −y, +y) [2,2,B,N,K] lie where the item
      // just clears it, and cost 1e4 more where the item would leave the site there.
      const clearReach = tf.add(obstacleReach, a.repulsionMargin);
      const exits = tf.stack([tf.sub(centres, clearReach), tf.add(centres, clearReach)], 1);
      // Which exit an item takes and whether it is on an obstacle are decisions, not differentiable:
      // they read untaped copies (the same values), so the backward pass skips them. (Comparisons
      // are against 0: wasm compares tensors of two shapes ~100 times slower than it subtracts
      // them, and a − b ≥ 0 exactly when a ≥ b.)
      const exitPenalty = tf.mul(
        tf.sub(
          1,
          tf.cast(
            tf.logicalAnd(
              tf.greaterEqual(tf.sub(untaped(exits), tf.reshape(untaped(low), [2, 1, b, n, 1])), 0),
              tf.lessEqual(tf.sub(untaped(exits), tf.reshape(untaped(high), [2, 1, b, n, 1])), 0),
            ),
            "float32",
          ),
        ),
        1e4,
      );
      const onReach = untaped(clearReach);

      // The learned gains of every round at once: softplus(w)/2 per pair repulsion, softplus(w) × mask
      // [1,B,N,1] per step off obstacles.
      const settle = a.repulsion ? a.settleSteps : 0;
      const rounds = (kind: string, settleKind: string) => [
        ...Array.from({ length: a.steps }, (_, s) => `${kind}_gain_${s}`),
        ...Array.from({ length: settle }, (_, s) => `${settleKind}_gain_${s}`),
      ];
      const softplusOf = (names: string[]) => tf.softplus(tf.concat(names.map((name) => this.weight(name))));
      // (tfjs's Unpack gradient fails for a single output: that one is a reshape.)
      const unstack = (t: tf.Tensor) => (t.shape[0] === 1 ? [tf.reshape(t, t.shape.slice(1))] : tf.unstack(t));
      const pairGains = a.repulsion ? unstack(tf.mul(softplusOf(rounds("pair", "settle_pair")), 0.5)) : [];
      const obstacleGains = a.repulsion
        ? unstack(
            tf.mul(
              tf.reshape(softplusOf(rounds("obstacle", "settle_obstacle")), [-1, 1, 1, 1, 1]),
              tf.reshape(mask, [1, b, n, 1]),
            ),
          )
        : [];

      /** Centre offsets and axis gaps between the footprints of every pair [2,B,N,N]. */
      const pairGaps = (q: tf.Tensor) => {
        const d = tf.sub(q, tf.reshape(q, [2, b, 1, n]));
        const distance = tf.abs(d);
        const gaps = tf.sub(distance, pairReach);
        const [gx, gy] = tf.unstack(gaps) as [tf.Tensor, tf.Tensor];
        return { d, distance, gaps, gx, gy, widest: tf.maximum(gx, gy) };
      };

      // Repulsion (a force-directed step with a learned gain): a pair short of its required distance
      // moves apart along the axis where its footprints are further apart (the least travel), each
      // item by half the shortfall. Returns the moves [2,B,N,1].
      // (Each item's share is short × gain/2 × along × towards: along 0 or 1, towards −1, 0 or 1, so
      // short × (gain/2 × along × towards) is the same number.)
      const repel = (g: ReturnType<typeof pairGaps>, round: number): tf.Tensor => {
        const short = tf.relu(tf.sub(repelledDistance, g.widest));
        const alongX = tf.cast(tf.greaterEqual(untaped(g.gx), untaped(g.gy)), "float32");
        // The sign of each offset, the row order where it is zero (no gradient: untaped).
        const d = untaped(g.d);
        const towards = tf.add(tf.sign(d), tf.mul(tf.cast(tf.equal(d, 0), "float32"), tieOrder));
        const along = tf.mul(tf.stack([alongX, tf.sub(1, alongX)]), towards);
        return tf.sum(tf.mul(short, tf.mul(pairGains[round]!, along)), 3, true);
      };

      // Obstacles do not move, so an item on one steps off it, to the nearest of the obstacle's four
      // sides where the item still fits inside the site (scaled by a learned gain).
      // (The exit taken and being on the obstacle are 0 or 1, so one mask of both is the same number.)
      const stepOff = (q: tf.Tensor, round: number): tf.Tensor => {
        const [onX, onY] = tf.unstack(tf.less(tf.abs(tf.sub(untaped(q), centres)), onReach));
        const on = tf.mul(tf.cast(tf.logicalAnd(onX!, onY!), "float32"), valid);
        const travel = tf.sub(exits, tf.reshape(q, [2, 1, b, n, 1]));
        const cost = tf.add(tf.abs(untaped(travel)), exitPenalty);
        const nearest = tf.oneHot(tf.argMin(tf.reshape(cost, [4, b, n, k]), 0), 4); // [B,N,K,4]
        const taken = tf.mul(tf.reshape(tf.transpose(tf.cast(nearest, "float32"), [3, 0, 1, 2]), [2, 2, b, n, k]), on);
        const chosen = tf.sum(tf.mul(taken, travel), 1); // [2,B,N,K]
        return clamp(tf.add(q, tf.mul(tf.sum(chosen, 3, true), obstacleGains[round]!)));
      };

      /** x [R,F] · W + b → its pushes [2, …shape], at most stepSize. */
      const pushes = (x: tf.Tensor, kernel: string, shape: number[]) =>
        tf.reshape(tf.transpose(tf.mul(tf.tanh(tf.matMul(x as tf.Tensor2D, w(kernel))), a.stepSize)), [2, ...shape]);
      /** Features [F,…] → [rows, F] for a matmul (the feature axis last). */
      const rows = (t: tf.Tensor) =>
        tf.reshape(tf.transpose(t, [...Array.from({ length: t.rank - 1 }, (_, i) => i + 1), 0]), [-1, t.shape[0]!]);

      // The masks as the embeddings' pooling and update read them.
      const [pairMaskH, validH, maskH] = [
        tf.expandDims(pairMask, 3),
        tf.expandDims(valid, 3),
        tf.reshape(mask, [b * n, 1]),
      ];
      let h = h0Flat; // [B·N,H]
      for (let s = 0; s < a.steps; s++) {
        // Item pairs: centre offsets, axis gaps between the footprints, clearance shortfall.
        const gaps = pairGaps(p);
        const shortfall = tf.relu(tf.sub(required, gaps.widest));
        const pairFeatures = tf.div(
          tf.concat([gaps.d, gaps.gaps, tf.expandDims(shortfall, 0), requiredFeature], 0),
          GAP_SCALE,
        ); // [6,B,N,N]
        const message = tf.relu(
          tf.add(
            tf.add(
              tf.add(
                tf.reshape(tf.matMul(rows(pairFeatures) as tf.Tensor2D, w(`pair_features_${s}`)), [b, n, n, units]),
                tf.reshape(tf.matMul(h, w(`pair_self_${s}`)), [b, n, 1, units]),
              ),
              tf.reshape(tf.matMul(h, w(`pair_other_${s}`)), [b, 1, n, units]),
            ),
            this.weight(`pair_bias_${s}`),
          ),
        ); // [B,N,N,H]
        const push = pushes(tf.reshape(message, [-1, units]), `pair_push_${s}`, [b, n, n]);
        let move = tf.sum(tf.mul(tf.mul(push, direction(gaps.d, gaps.distance)), pairMask), 3, true); // [2,B,N,1]

        // Items against obstacles.
        const offsets = tf.sub(p, centres); // [2,B,N,K]
        const distance = tf.abs(offsets);
        const obstacleGaps = tf.sub(distance, obstacleReach);
        const [ogx, ogy] = tf.unstack(obstacleGaps) as [tf.Tensor, tf.Tensor];
        const inside = tf.relu(tf.neg(tf.maximum(ogx, ogy)));
        const obstacleFeatures = tf.div(
          tf.concat([offsets, obstacleGaps, tf.expandDims(inside, 0), obstacleSideFeature], 0),
          GAP_SCALE,
        ); // [7,B,N,K]
        const obstacleMessage = tf.relu(
          tf.add(
            tf.add(
              tf.reshape(tf.matMul(rows(obstacleFeatures) as tf.Tensor2D, w(`obstacle_features_${s}`)), [
                b,
                n,
                k,
                units,
              ]),
              tf.reshape(tf.matMul(h, w(`obstacle_self_${s}`)), [b, n, 1, units]),
            ),
            this.weight(`obstacle_bias_${s}`),
          ),
        ); // [B,N,K,H]
        const away = pushes(tf.reshape(obstacleMessage, [-1, units]), `obstacle_push_${s}`, [b, n, k]);
        move = tf.add(move, tf.sum(tf.mul(tf.mul(away, direction(offsets, distance)), valid), 3, true));

        if (a.repulsion) move = tf.add(move, repel(gaps, s));
        // Every move is zero on a padding row (the pair and obstacle masks), so it needs no mask of its own.
        p = clamp(tf.add(p, move));
        if (a.repulsion) p = stepOff(p, s);

        const pooled = tf.div(tf.sum(tf.mul(message, pairMaskH), 2), pairCount);
        const obstaclePooled = tf.div(tf.sum(tf.mul(obstacleMessage, validH), 2), obstacleCount);
        const update = tf.relu(
          tf.add(
            tf.matMul(
              tf.concat([h, tf.reshape(pooled, [b * n, units]), tf.reshape(obstaclePooled, [b * n, units])], 1),
              w(`update_kernel_${s}`),
            ),
            this.weight(`update_bias_${s}`),
          ),
        );
        h = tf.mul(tf.add(h, update), maskH);
      }

      // Settling rounds: repulsion only (no messages, cheap), each with its own learned gains.
      for (let s = 0; s < settle; s++) {
        p = clamp(tf.add(p, repel(pairGaps(p), a.steps + s)));
        p = stepOff(p, a.steps + s);
      }

      // Back to the encoding: positions as pre-sigmoids of the site fraction.
      const q = tf.clipByValue(tf.div(p, sites), 1e-4, 1 - 1e-4);
      const position = tf.transpose(tf.reshape(tf.log(tf.div(q, tf.sub(1, q))), [2, b, n]), [1, 2, 0]);
      const zeros = (width: number) => tf.zeros([b, n, width]);
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
