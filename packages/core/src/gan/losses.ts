/**
 * Losses of the PlantGAN: the WGAN-GP critic and generator objectives, and differentiable layout
 * penalties and a condition-match term for the generator.
 *
 * Loss choice: WGAN-GP (Gulrajani et al. 2017, "Improved Training of Wasserstein GANs"): the critic
 * minimises E[D(fake)] − E[D(real)] + λ·E[(‖∇D(x̂)‖₂ − 1)²] on random interpolates x̂, the
 * generator minimises −E[D(fake)]. We checked that the penalty's double backward works in
 * tfjs on both the cpu and the wasm backend (with the gradients of gradients.ts; the test
 * "gradient penalty matches finite differences" keeps it so), so we did not need the fallback
 * (hinge loss with spectral normalisation, Miyato et al. 2018). WGAN-GP suits discrete graph
 * GANs: MolGAN (De Cao & Kipf 2018) trains its relational critic with it, and its critic loss is
 * an estimate of the Wasserstein distance that we log as a training curve. A small drift term
 * ε·E[D(real)²] (Karras et al. 2018, ProGAN) keeps the critic's outputs near zero.
 *
 * The penalty is taken on the joint input (X, A, mask) of the critic; the condition c is held
 * fixed (it is the same for the real and the fake sample).
 */
import * as tf from "@tensorflow/tfjs-core";
import { type EncodingLayout, EQUIPMENT_TYPES } from "../views/vocabulary.js";
import { CONDITION_LAYOUT, COUNT_SCALE, SITE_SCALE } from "./condition.js";
import type { GraphTensors } from "./models.js";
import { HAZARD_SPACING, requiredDistances, type SpacingOptions, spacingCodes } from "./spacing.js";

export { DEFAULT_SPACING, HAZARD_SPACING, type SpacingOptions } from "./spacing.js";

/** Critic as a function of graph tensors (c bound by the caller). Returns scores [B,1]. */
export type CriticFn = (graph: GraphTensors) => tf.Tensor;

/** E[D(fake)] − E[D(real)]: what the critic minimises before its penalty. Its negative estimates W1. */
export function criticLoss(dReal: tf.Tensor, dFake: tf.Tensor): tf.Scalar {
  return tf.sub(tf.mean(dFake), tf.mean(dReal)) as tf.Scalar;
}

/** −E[D(fake)]. */
export function generatorAdversarialLoss(dFake: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean(dFake)) as tf.Scalar;
}

/** E[D(real)²] (ProGAN's drift term). */
export function driftPenalty(dReal: tf.Tensor): tf.Scalar {
  return tf.mean(tf.square(dReal)) as tf.Scalar;
}

/**
 * E[(‖∇_x̂ D(x̂)‖₂ − 1)²] with x̂ = ε·real + (1 − ε)·fake, one ε ~ U(0,1) per sample ([B] tensor).
 * The norm runs over all of X, A and mask of a sample. Differentiable with respect to the critic's
 * weights (second-order), which is the point.
 */
export function gradientPenalty(critic: CriticFn, real: GraphTensors, fake: GraphTensors, epsilon: tf.Tensor1D) {
  const mix = <T extends tf.Tensor>(r: T, f: T): T => {
    const e = tf.reshape(epsilon, [-1, ...r.shape.slice(1).map(() => 1)]);
    return tf.add(tf.mul(e, r), tf.mul(tf.sub(1, e), f)) as T;
  };
  const xs = [mix(real.X, fake.X), mix(real.A, fake.A), mix(real.mask, fake.mask)];
  const grads = tf.grads((x: tf.Tensor, a: tf.Tensor, m: tf.Tensor) =>
    tf.sum(critic({ X: x as tf.Tensor3D, A: a as tf.Tensor4D, mask: m as tf.Tensor2D })),
  )(xs);
  const squared = tf.addN(grads.map((g) => tf.sum(tf.reshape(tf.square(g), [g.shape[0]!, -1]), 1)));
  const norm = tf.sqrt(tf.add(squared, 1e-12));
  return tf.mean(tf.square(tf.sub(norm, 1))) as tf.Scalar;
}

// ---------------------------------------------------------------------------------------------
// Layout penalties (generator only)

/** Plan boxes of the placed equipment of a batch, in metres. Each [B,N]. */
interface Boxes {
  readonly x: tf.Tensor2D;
  readonly y: tf.Tensor2D;
  readonly w: tf.Tensor2D;
  readonly d: tf.Tensor2D;
  /** 1 for an existing, placed equipment row. */
  readonly p: tf.Tensor2D;
  readonly siteW: tf.Tensor2D;
  readonly siteD: tf.Tensor2D;
}

function col(X: tf.Tensor3D, j: number): tf.Tensor2D {
  return tf.squeeze(tf.slice(X, [0, 0, j], [-1, -1, 1]), [2]) as tf.Tensor2D;
}

function boxes(X: tf.Tensor3D, mask: tf.Tensor2D, c: tf.Tensor2D, layout: EncodingLayout): Boxes {
  const { offsets } = layout;
  const fs = layout.spec.footprintScale;
  const siteW = tf.mul(tf.slice(c, [0, CONDITION_LAYOUT.siteWidth], [-1, 1]), SITE_SCALE) as tf.Tensor2D; // [B,1]
  const siteD = tf.mul(tf.slice(c, [0, CONDITION_LAYOUT.siteDepth], [-1, 1]), SITE_SCALE) as tf.Tensor2D;
  const straight = tf.add(col(X, offsets.rotation), col(X, offsets.rotation + 2));
  const turned = tf.add(col(X, offsets.rotation + 1), col(X, offsets.rotation + 3));
  const width = tf.mul(col(X, offsets.size), fs);
  const depth = tf.mul(col(X, offsets.size + 1), fs);
  return {
    x: tf.mul(col(X, offsets.position), siteW) as tf.Tensor2D,
    y: tf.mul(col(X, offsets.position + 1), siteD) as tf.Tensor2D,
    w: tf.add(tf.mul(width, straight), tf.mul(depth, turned)) as tf.Tensor2D,
    d: tf.add(tf.mul(depth, straight), tf.mul(width, turned)) as tf.Tensor2D,
    p: tf.mul(col(X, offsets.placed), mask) as tf.Tensor2D,
    siteW,
    siteD,
  };
}

/** [B,N] → [B,N,1] and [B,1,N] for pairwise broadcasting. */
function pairs(t: tf.Tensor2D): [tf.Tensor3D, tf.Tensor3D] {
  return [tf.expandDims(t, 2) as tf.Tensor3D, tf.expandDims(t, 1) as tf.Tensor3D];
}

export interface LayoutPenalties {
  /** Overlapping plan area over total footprint area (0 when nothing overlaps). */
  readonly overlap: tf.Scalar;
  /** Mean distance by which placed footprints stick out of the site, m. */
  readonly site: tf.Scalar;
  /** Shortfall of pairwise clearance as a fraction of the required distance, summed over pairs, per item. */
  readonly spacing: tf.Scalar;
  /** Per item, the share of its footprint on racks (with their keep-free strip) or keep-outs; summed over items. */
  readonly obstacle: tf.Scalar;
}

/** Differentiable layout penalties of a batch of graphs (each averaged over the batch). */
export function layoutPenalties(
  graph: GraphTensors,
  c: tf.Tensor2D,
  layout: EncodingLayout,
  spacing: SpacingOptions = HAZARD_SPACING,
  obstacles?: tf.Tensor3D,
): LayoutPenalties {
  const { X, mask } = graph;
  const b = boxes(X, mask, c, layout);
  const n = X.shape[1];
  const [xi, xj] = pairs(b.x);
  const [yi, yj] = pairs(b.y);
  const [wi, wj] = pairs(b.w);
  const [di, dj] = pairs(b.d);
  const [pi, pj] = pairs(b.p);
  const pairWeight = tf.mul(tf.mul(pi, pj), tf.reshape(tf.sub(1, tf.eye(n)), [1, n, n])); // [B,N,N]
  const dx = tf.abs(tf.sub(xi, xj));
  const dy = tf.abs(tf.sub(yi, yj));
  const halfW = tf.div(tf.add(wi, wj), 2);
  const halfD = tf.div(tf.add(di, dj), 2);

  // Overlap area of each ordered pair (counted twice), over the total footprint area.
  const ox = tf.relu(tf.sub(halfW, dx));
  const oy = tf.relu(tf.sub(halfD, dy));
  const area = tf.sum(tf.mul(tf.mul(ox, oy), pairWeight), [1, 2]);
  const footprint = tf.sum(tf.mul(tf.mul(b.w, b.d), b.p), 1);
  const overlap = tf.mean(tf.div(tf.div(area, 2), tf.add(footprint, 1e-6))) as tf.Scalar;

  // Distance outside the plot, per placed footprint.
  const out = tf.addN([
    tf.relu(tf.sub(tf.div(b.w, 2), b.x)),
    tf.relu(tf.sub(tf.add(b.x, tf.div(b.w, 2)), b.siteW)),
    tf.relu(tf.sub(tf.div(b.d, 2), b.y)),
    tf.relu(tf.sub(tf.add(b.y, tf.div(b.d, 2)), b.siteD)),
  ]);
  const site = tf.mean(tf.div(tf.sum(tf.mul(out, b.p), 1), tf.add(tf.sum(b.p, 1), 1e-6))) as tf.Scalar;

  // Clearance: edge-to-edge plan gap (Chebyshev; negative when overlapping) against the required one.
  const gap = tf.maximum(tf.sub(dx, halfW), tf.sub(dy, halfD));
  const required = requiredDistance(X, layout, spacing);
  const shortfall = tf.div(tf.relu(tf.sub(required, gap)), required);
  // perItem: summed over pairs and divided by the items, so one pair too close in a plant of 40
  // items weighs as much as in a plant of 4 (either makes the layout invalid); else the pairs' mean.
  const per = spacing.perItem ? tf.sum(b.p, 1) : tf.sum(pairWeight, [1, 2]);
  const spacingPen = tf.mean(tf.div(tf.sum(tf.mul(shortfall, pairWeight), [1, 2]), tf.add(per, 1e-6))) as tf.Scalar;

  const obstacle = obstacles ? obstacleOverlap(b, obstacles, spacing.margin ?? 0) : tf.scalar(0);
  return { overlap, site, spacing: spacingPen, obstacle };
}

/**
 * Share of each item's footprint inside obstacle rectangles (obstacles.ts: [B,K,4] centre x, y,
 * width, depth, m; zero rows are padding), each grown by `margin`, summed over the items.
 */
function obstacleOverlap(b: Boxes, obstacles: tf.Tensor3D, margin: number): tf.Scalar {
  const part = (j: number) => tf.expandDims(tf.squeeze(tf.slice(obstacles, [0, 0, j], [-1, -1, 1]), [2]), 1); // [B,1,K]
  const [ox, oy, ow, od] = [part(0), part(1), part(2), part(3)];
  const valid = tf.cast(tf.greater(ow, 0), "float32");
  const x = tf.expandDims(b.x, 2); // [B,N,1]
  const y = tf.expandDims(b.y, 2);
  const w = tf.expandDims(b.w, 2);
  const d = tf.expandDims(b.d, 2);
  // Overlap of two intervals: the sum of half-lengths less the centre distance, but never more
  // than the shorter interval (an item wholly on a long rack overlaps it by its own width).
  // (tfjs's Minimum gradient does not reduce broadcast axes: both sides are brought to [B,N,K].)
  const overlapLength = (size: tf.Tensor, obstacle: tf.Tensor, centre: tf.Tensor, at: tf.Tensor) => {
    const full = (t: tf.Tensor) => tf.add(t, tf.zerosLike(tf.add(size, obstacle)));
    const shorter = tf.minimum(full(size), full(tf.add(obstacle, 2 * margin)));
    return tf.relu(
      tf.minimum(tf.sub(tf.add(tf.div(tf.add(size, obstacle), 2), margin), tf.abs(tf.sub(centre, at))), shorter),
    );
  };
  const ix = overlapLength(w, ow, x, ox);
  const iy = overlapLength(d, od, y, oy);
  const inside = tf.mul(tf.mul(ix, iy), valid); // [B,N,K]
  // Each item's share of its footprint inside obstacles, summed over the items: one pump on a rack
  // counts fully however large the plant (the validator fails the layout for it all the same).
  const share = tf.div(tf.sum(inside, 2), tf.add(tf.mul(b.w, b.d), 1e-6));
  return tf.mean(tf.sum(tf.mul(share, b.p), 1)) as tf.Scalar;
}

/** Required distance of every pair [B,N,N] (spacing.ts), margin included. */
function requiredDistance(X: tf.Tensor3D, layout: EncodingLayout, spacing: SpacingOptions): tf.Tensor {
  const { offsets, spec } = layout;
  return requiredDistances(
    X,
    { type: offsets.type, size: offsets.size, hazard: offsets.hazard, footprintScale: spec.footprintScale },
    spacingCodes(spacing),
    spacing.clearance,
    spacing.tankFraction ?? 0,
    spacing.margin ?? 0,
  );
}

/**
 * Condition match: squared difference between the (straight-through) count of each equipment type
 * in the sample and the count c asks for, summed over types, averaged over the batch. A direct
 * reward for what the "condition match" metric measures (in the spirit of MolGAN's reward term).
 */
export function countLoss(graph: GraphTensors, c: tf.Tensor2D, layout: EncodingLayout): tf.Scalar {
  const types = tf.slice(graph.X, [0, 0, layout.offsets.type], [-1, -1, EQUIPMENT_TYPES.length]);
  const counts = tf.sum(tf.mul(types, tf.expandDims(graph.mask, 2)), 1); // [B,T]
  const wanted = tf.mul(tf.slice(c, [0, CONDITION_LAYOUT.counts], [-1, EQUIPMENT_TYPES.length]), COUNT_SCALE);
  return tf.mean(tf.sum(tf.square(tf.sub(counts, wanted)), 1)) as tf.Scalar;
}

// ---------------------------------------------------------------------------------------------
// Layout cost (generator only; issue 19)

/** A batch's layout cost against the designers' layouts of the same topologies. */
export interface LayoutCost {
  /** Mean over the batch of the piping proxy's ratio to the real layout's (1: as cheap as the designer). */
  readonly piping: tf.Scalar;
  /** Mean over the batch of the footprints' bounding-box area's ratio to the real layout's. */
  readonly area: tf.Scalar;
  /** ½·(piping + area): the term the trainer weighs (penalties.cost). */
  readonly total: tf.Scalar;
}

/**
 * Per sample [B]: the piping proxy, Σ over process lines of the Manhattan distance between the
 * connected equipment centres (m; the polish's and the eval's piping measure, without nozzle
 * offsets or DN prices), and the bounding-box area of the placed footprints (m², the land term).
 */
function costParts(
  graph: GraphTensors,
  c: tf.Tensor2D,
  layout: EncodingLayout,
): { piping: tf.Tensor1D; area: tf.Tensor1D } {
  const b = boxes(graph.X, graph.mask, c, layout);
  const [xi, xj] = pairs(b.x);
  const [yi, yj] = pairs(b.y);
  const [pi, pj] = pairs(b.p);
  // Pipe slices are the first `sizeClasses` of A: every process line, whatever its DN.
  const lines = tf.sum(tf.slice(graph.A, [0, 0, 0, 0], [-1, layout.sizeClasses, -1, -1]), 1); // [B,N,N]
  const manhattan = tf.add(tf.abs(tf.sub(xi, xj)), tf.abs(tf.sub(yi, yj)));
  const piping = tf.sum(tf.mul(tf.mul(manhattan, lines), tf.mul(pi, pj)), [1, 2]) as tf.Tensor1D;
  // Unplaced rows are pushed past the other side so that max and min never pick them.
  const far = tf.mul(tf.sub(1, b.p), 1e6);
  const extent = (centre: tf.Tensor2D, size: tf.Tensor2D) => {
    const half = tf.div(size, 2);
    const hi = tf.max(tf.sub(tf.add(centre, half), far), 1);
    const lo = tf.min(tf.add(tf.sub(centre, half), far), 1);
    return tf.relu(tf.sub(hi, lo)); // 0 when nothing is placed
  };
  const area = tf.mul(extent(b.x, b.w), extent(b.y, b.d)) as tf.Tensor1D;
  return { piping, area };
}

/**
 * Differentiable layout cost of the generator's layouts, each as a ratio to the real layout of the
 * same topology (layout-only training places the real batch's topologies): the weight then means
 * the same in every class and site size, and 1 is the designer's cost. 1 m and 1 m² are added to
 * both sides so a design without lines or placed items counts as 1, not as 0/0.
 */
export function layoutCost(fake: GraphTensors, real: GraphTensors, c: tf.Tensor2D, layout: EncodingLayout): LayoutCost {
  const f = costParts(fake, c, layout);
  const r = costParts(real, c, layout);
  const ratio = (a: tf.Tensor1D, b: tf.Tensor1D) => tf.mean(tf.div(tf.add(a, 1), tf.add(b, 1))) as tf.Scalar;
  const piping = ratio(f.piping, r.piping);
  const area = ratio(f.area, r.area);
  return { piping, area, total: tf.mul(tf.add(piping, area), 0.5) as tf.Scalar };
}
