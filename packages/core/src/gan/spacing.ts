/**
 * Required plan distances between equipment, as tensors: what the validator's geometry rules ask
 * (access clearance, the spacing table, NFPA 30 tank spacing), for the generator's layout
 * penalties and for the layout generator itself, which reads them to push items apart.
 *
 * Rules are kept as numbers ([aType, aHazard, bType, bHazard, distance], −1 for "any") so that
 * they serialise inside a layer config: tfjs-layers camel-cases string config values on load,
 * which would turn "heat_exchanger" into "heatExchanger".
 */
import * as tf from "@tensorflow/tfjs-core";
import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import type { SpacingEntry } from "../design/types.js";
import { EQUIPMENT_TYPES, HAZARDS } from "../views/vocabulary.js";

export interface SpacingOptions {
  /** Clear access way kept around every piece of equipment, m (default rule pack: 0.9 m, PIP PNE00003). */
  readonly clearance: number;
  /** Pairwise minimum distances (the rule pack's spacing table; selectors on type and/or hazard). */
  readonly rules: readonly Pick<SpacingEntry, "a" | "b" | "distance">[];
  /** Shell-to-shell tank spacing as a fraction of the sum of the two diameters (NFPA 30); 0 for none. */
  readonly tankFraction?: number;
  /**
   * Metres added to every required distance and obstacle clearance while training, so that
   * layouts clear the validator's thresholds rather than sit on them. Default 0.
   */
  readonly margin?: number;
  /**
   * Divide the summed shortfall by the number of items instead of averaging it over the pairs, so
   * one pair too close weighs the same in a plant of any size. Default false (the graph
   * generator's, and the shipped model's, setting).
   */
  readonly perItem?: boolean;
}

/** The access clearance and the two ignition-source rules: what the graph generator trains with. */
export const HAZARD_SPACING: SpacingOptions = {
  clearance: 0.9,
  rules: [
    { a: { hazard: "fired" }, b: { hazard: "flammable" }, distance: 15 },
    { a: { hazard: "ignition_source" }, b: { hazard: "flammable" }, distance: 15 },
  ],
};

/** The default rule pack's distances (what the layout generator trains with and reads). */
export const DEFAULT_SPACING: SpacingOptions = {
  clearance: DEFAULT_RULE_PACK.access.clearance,
  rules: DEFAULT_RULE_PACK.spacing.map(({ a, b, distance }) => ({ a, b, distance })),
  tankFraction: DEFAULT_RULE_PACK.tankSpacing.fractionOfSumOfDiameters,
};

/** A spacing table as numbers: [aType, aHazard, bType, bHazard, distance], −1 for "any". */
export type SpacingCodes = number[][];

export function spacingCodes(spacing: SpacingOptions): SpacingCodes {
  const code = (s: SpacingEntry["a"]): [number, number] => [
    s.type === undefined ? -1 : EQUIPMENT_TYPES.indexOf(s.type),
    s.hazard === undefined ? -1 : HAZARDS.indexOf(s.hazard),
  ];
  return spacing.rules.map((r) => [...code(r.a), ...code(r.b), r.distance]);
}

/** Column offsets of the encoding the distances read. */
export interface SpacingColumns {
  readonly type: number;
  readonly size: number;
  readonly hazard: number;
  readonly footprintScale: number;
}

function column(X: tf.Tensor3D, j: number): tf.Tensor2D {
  return tf.squeeze(tf.slice(X, [0, 0, j], [-1, -1, 1]), [2]) as tf.Tensor2D;
}

/**
 * Required edge-to-edge distance of every pair of rows [B,N,N], m: the clearance, a matching
 * spacing rule's distance, or the tank spacing, whichever is largest, plus `margin`. Reads only
 * the type, size and hazard columns of X.
 */
export function requiredDistances(
  X: tf.Tensor3D,
  columns: SpacingColumns,
  codes: SpacingCodes,
  clearance: number,
  tankFraction = 0,
  margin = 0,
): tf.Tensor3D {
  return tf.tidy(() => {
    // Each column sliced once, and each selector's match (and its two broadcast views) made once:
    // the rules share their selectors (five of six name "flammable"). A selector naming only a
    // type or a hazard is that column itself (the old 1 × column was the same numbers, one kernel
    // more).
    const columnCache = new Map<number, tf.Tensor2D>();
    const cachedColumn = (j: number): tf.Tensor2D => {
      const cached = columnCache.get(j);
      if (cached) return cached;
      const t = column(X, j);
      columnCache.set(j, t);
      return t;
    };
    const matchCache = new Map<string, [tf.Tensor, tf.Tensor]>();
    const matchPairs = (type: number, hazard: number): [tf.Tensor, tf.Tensor] => {
      const key = `${type},${hazard}`;
      let pair = matchCache.get(key);
      if (!pair) {
        const t = type >= 0 ? cachedColumn(columns.type + type) : undefined;
        const h = hazard >= 0 ? cachedColumn(columns.hazard + hazard) : undefined;
        const m = t && h ? tf.mul(t, h) : (t ?? h ?? tf.onesLike(cachedColumn(columns.type)));
        pair = pairs(m as tf.Tensor2D);
        matchCache.set(key, pair);
      }
      return pair;
    };
    const pairs = (t: tf.Tensor2D): [tf.Tensor, tf.Tensor] => [tf.expandDims(t, 2), tf.expandDims(t, 1)];
    // The clearance as a full [B,N,N] tensor, not a [1,1,1] one broadcast: wasm runs Maximum
    // between two shapes through its slow broadcasting loop (~50-80x a same-shape Maximum at 16
    // rows), and a full start also spares the final broadcast against ones([1,N,N]).
    const [b, n] = X.shape;
    let required: tf.Tensor = tf.fill([b, n, n], Math.max(clearance, 1e-3));
    for (const [aType, aHazard, bType, bHazard, distance] of codes) {
      const [ai, aj] = matchPairs(aType!, aHazard!);
      const [bi, bj] = matchPairs(bType!, bHazard!);
      const either = tf.minimum(tf.add(tf.mul(ai, bj), tf.mul(bi, aj)), 1);
      required = tf.maximum(required, tf.mul(either, distance!));
    }
    if (tankFraction > 0) {
      const tank = cachedColumn(columns.type + EQUIPMENT_TYPES.indexOf("tank"));
      const diameter = tf.mul(column(X, columns.size), columns.footprintScale);
      const [ti, tj] = pairs(tank);
      const [di, dj] = pairs(diameter as tf.Tensor2D);
      required = tf.maximum(required, tf.mul(tf.mul(ti, tj), tf.mul(tf.add(di, dj), tankFraction)));
    }
    return (margin === 0 ? required : tf.add(required, margin)) as tf.Tensor3D;
  });
}
