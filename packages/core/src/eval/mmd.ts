/**
 * Unbiased MMD² (Gretton et al. 2012) between generated statistics and a reference (training)
 * set, Gaussian kernel, bandwidth = median pairwise distance of the reference (median heuristic),
 * both sets standardised by the reference's mean and standard deviation.
 *
 * Not gan/metrics.ts `mmd`: that one floors a column's deviation at 1e-6, so a statistic the
 * training set never varies (a count that is always 0 in a class) turns one extra item into an
 * infinite distance and every sample saturates the kernel; here the floor is half a count (every
 * statistic is a count). The reference's bandwidth and within-set term are computed once and
 * reused for every source.
 */

/** Half a count: see the module comment. */
const STD_FLOOR = 0.5;

export interface MmdReference {
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly rows: readonly Float64Array[];
  readonly sigma: number;
  /** Mean kernel over distinct reference pairs. */
  readonly within: number;
}

function squaredDistance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j]! - b[j]!) ** 2;
  return s;
}

/** Prepares a reference set (at least 2 rows). */
export function mmdReference(reference: readonly (readonly number[])[]): MmdReference {
  const n = reference.length;
  const d = reference[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const r of reference) for (let j = 0; j < d; j++) mean[j]! += r[j]! / n;
  for (const r of reference) for (let j = 0; j < d; j++) std[j]! += (r[j]! - mean[j]!) ** 2 / Math.max(1, n - 1);
  for (let j = 0; j < d; j++) std[j] = Math.max(STD_FLOOR, Math.sqrt(std[j]!));
  const partial = { mean, std };
  const rows = reference.map((r) => standardise(partial, r));
  const d2: number[] = [];
  for (let i = 0; i < n; i++) for (let k = i + 1; k < n; k++) d2.push(squaredDistance(rows[i]!, rows[k]!));
  const sorted = Float64Array.from(d2).sort();
  const sigma = Math.max(1e-6, Math.sqrt(sorted[sorted.length >> 1] ?? 1));
  let within = 0;
  for (const v of d2) within += Math.exp(-v / (2 * sigma * sigma));
  return { mean, std, rows, sigma, within: d2.length > 0 ? within / d2.length : Number.NaN };
}

function standardise(ref: Pick<MmdReference, "mean" | "std">, row: readonly number[]): Float64Array {
  return Float64Array.from(row, (v, j) => (v - ref.mean[j]!) / ref.std[j]!);
}

/** Unbiased MMD² of samples against a prepared reference; NaN with fewer than 2 samples. */
export function mmdTo(ref: MmdReference, samples: readonly (readonly number[])[]): number {
  if (samples.length < 2 || ref.rows.length < 2) return Number.NaN;
  const X = samples.map((r) => standardise(ref, r));
  const k = (a: Float64Array, b: Float64Array) => Math.exp(-squaredDistance(a, b) / (2 * ref.sigma * ref.sigma));
  let withinX = 0;
  for (let i = 0; i < X.length; i++) for (let j = i + 1; j < X.length; j++) withinX += k(X[i]!, X[j]!);
  withinX /= (X.length * (X.length - 1)) / 2;
  let between = 0;
  for (const a of X) for (const b of ref.rows) between += k(a, b);
  between /= X.length * ref.rows.length;
  return withinX + ref.within - 2 * between;
}

/** Unbiased MMD² between two sets (reference = the second). */
export function topologyMmd(
  samples: readonly (readonly number[])[],
  reference: readonly (readonly number[])[],
): number {
  return reference.length < 2 ? Number.NaN : mmdTo(mmdReference(reference), samples);
}
