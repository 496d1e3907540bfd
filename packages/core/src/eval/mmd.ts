/**
 * Realism as an unbiased MMD² (Gretton et al. 2012) between generated graph statistics and a
 * reference (training) set, with the distance-induced kernel: the energy distance
 * 2·E‖x−y‖ − E‖x−x′‖ − E‖y−y′‖ (Székely & Rizzo 2004; Sejdinovic et al. 2013 show it is MMD² for the
 * kernel ½(‖x‖ + ‖y‖ − ‖x−y‖)). Why not the Gaussian kernel: with any bounded kernel that decays,
 * sets far from every training design get cross terms of ~0 and MMD² saturates at the two sets'
 * within terms, so a random graph, an untrained model and a learned one all tied (README). The
 * energy distance grows with the distance and has no bandwidth to choose.
 *
 * Both sets are standardised by one scale: the whole training set's mean and standard deviation
 * per statistic (`statScale`), floored at half a count (every statistic is a count), so no single
 * count dominates, a count a class never varies does not turn one extra item into an infinite
 * distance, and figures of different classes are in the same units. The reference's within term
 * is computed once and reused for every source.
 *
 * The old Gaussian MMD² (median-heuristic bandwidth) stays as `gaussianMmdTo`, for comparison only.
 */

/** Half a count: see the module comment. */
export const STD_FLOOR = 0.5;

/** Per-statistic standardisation. */
export interface StatScale {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export interface MmdReference extends StatScale {
  readonly rows: readonly Float64Array[];
  /** Mean distance over distinct reference pairs. */
  readonly within: number;
}

/** Mean and standard deviation (floored at STD_FLOOR) of each statistic over `rows`. */
export function statScale(rows: readonly (readonly number[])[]): StatScale {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j]! += r[j]! / n;
  for (const r of rows) for (let j = 0; j < d; j++) std[j]! += (r[j]! - mean[j]!) ** 2 / Math.max(1, n - 1);
  for (let j = 0; j < d; j++) std[j] = Math.max(STD_FLOOR, Math.sqrt(std[j]!));
  return { mean, std };
}

function squaredDistance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j]! - b[j]!) ** 2;
  return s;
}

function standardise(scale: StatScale, row: readonly number[]): Float64Array {
  return Float64Array.from(row, (v, j) => (v - scale.mean[j]!) / scale.std[j]!);
}

/** Mean of f over distinct pairs of one set (the U-statistic that keeps the estimate unbiased). */
function meanOverPairs(rows: readonly Float64Array[], f: (d2: number) => number): number {
  let s = 0;
  for (let i = 0; i < rows.length; i++)
    for (let k = i + 1; k < rows.length; k++) s += f(squaredDistance(rows[i]!, rows[k]!));
  return s / ((rows.length * (rows.length - 1)) / 2);
}

function meanAcross(a: readonly Float64Array[], b: readonly Float64Array[], f: (d2: number) => number): number {
  let s = 0;
  for (const x of a) for (const y of b) s += f(squaredDistance(x, y));
  return s / (a.length * b.length);
}

/** Prepares a reference set (at least 2 rows), standardised by `scale` (default: its own). */
export function mmdReference(reference: readonly (readonly number[])[], scale = statScale(reference)): MmdReference {
  const rows = reference.map((r) => standardise(scale, r));
  return { ...scale, rows, within: rows.length < 2 ? Number.NaN : meanOverPairs(rows, Math.sqrt) };
}

/** Unbiased energy-distance MMD² of samples against a prepared reference; NaN with fewer than 2 samples. */
export function mmdTo(ref: MmdReference, samples: readonly (readonly number[])[]): number {
  if (samples.length < 2 || ref.rows.length < 2) return Number.NaN;
  const X = samples.map((r) => standardise(ref, r));
  return 2 * meanAcross(X, ref.rows, Math.sqrt) - meanOverPairs(X, Math.sqrt) - ref.within;
}

/**
 * The old figure, for comparison only: unbiased Gaussian-kernel MMD², bandwidth the median pairwise
 * distance of the reference. Saturates at its within terms once samples are far from the reference.
 */
export function gaussianMmdTo(ref: MmdReference, samples: readonly (readonly number[])[]): number {
  if (samples.length < 2 || ref.rows.length < 2) return Number.NaN;
  const d2: number[] = [];
  for (let i = 0; i < ref.rows.length; i++) {
    for (let k = i + 1; k < ref.rows.length; k++) d2.push(squaredDistance(ref.rows[i]!, ref.rows[k]!));
  }
  const sigma2 = Math.max(1e-12, Float64Array.from(d2).sort()[d2.length >> 1]!);
  const kernel = (v: number) => Math.exp(-v / (2 * sigma2));
  const X = samples.map((r) => standardise(ref, r));
  return meanOverPairs(X, kernel) + meanOverPairs(ref.rows, kernel) - 2 * meanAcross(X, ref.rows, kernel);
}

/** Unbiased energy-distance MMD² between two sets (reference = the second, standardised by its own scale). */
export function topologyMmd(
  samples: readonly (readonly number[])[],
  reference: readonly (readonly number[])[],
): number {
  return reference.length < 2 ? Number.NaN : mmdTo(mmdReference(reference), samples);
}
