import type { ModelData } from "highs";

/**
 * Builds a linear or mixed-integer model by variable name and hands it to HiGHS as numbers (a
 * row-wise sparse matrix), so no text is written and parsed per solve. Coefficients below 1e-12 in
 * size are dropped.
 */
export class LinearModel {
  private readonly index = new Map<string, number>();
  private readonly objective: number[] = [];
  private readonly lower: number[] = [];
  private readonly upper: number[] = [];
  private readonly integer: boolean[] = [];
  private readonly rowLower: number[] = [];
  private readonly rowUpper: number[] = [];
  private readonly starts: number[] = [0];
  private readonly columns: number[] = [];
  private readonly values: number[] = [];

  /** The column of a variable, made on first use (free, cost 0, continuous). */
  column(v: string): number {
    let k = this.index.get(v);
    if (k === undefined) {
      k = this.objective.length;
      this.index.set(v, k);
      this.objective.push(0);
      this.lower.push(Number.NEGATIVE_INFINITY);
      this.upper.push(Number.POSITIVE_INFINITY);
      this.integer.push(false);
    }
    return k;
  }

  /** Adds `coef · v` to the objective (minimised). */
  cost(v: string, coef: number): void {
    const k = this.column(v);
    this.objective[k]! += coef;
  }

  /** Σ coef·var (>= | <= | =) rhs. */
  row(terms: readonly (readonly [string, number])[], sense: ">=" | "<=" | "=", rhs: number): void {
    const merged = new Map<number, number>();
    for (const [v, c] of terms) {
      const k = this.column(v);
      merged.set(k, (merged.get(k) ?? 0) + c);
    }
    let written = 0;
    for (const [k, c] of merged) {
      if (Math.abs(c) <= 1e-12) continue;
      this.columns.push(k);
      this.values.push(c);
      written++;
    }
    if (written === 0) return;
    this.starts.push(this.columns.length);
    this.rowLower.push(sense === "<=" ? Number.NEGATIVE_INFINITY : rhs);
    this.rowUpper.push(sense === ">=" ? Number.POSITIVE_INFINITY : rhs);
  }

  bound(v: string, lo: number, hi: number): void {
    const k = this.column(v);
    this.lower[k] = lo;
    this.upper[k] = hi;
  }

  binary(v: string): void {
    const k = this.column(v);
    this.integer[k] = true;
    this.lower[k] = Math.max(0, this.lower[k]!);
    this.upper[k] = Math.min(1, this.upper[k]!);
  }

  get rows(): number {
    return this.rowLower.length;
  }

  /** The model for HiGHS; `infinity` is its infinity (±Infinity is not accepted as a bound). */
  data(infinity: number): ModelData {
    const finite = (v: number) =>
      v === Number.POSITIVE_INFINITY ? infinity : v === Number.NEGATIVE_INFINITY ? -infinity : v;
    const numCols = this.objective.length;
    const numRows = this.rowLower.length;
    const mip = this.integer.some(Boolean);
    return {
      numCols,
      numRows,
      colCost: Float64Array.from(this.objective, (c) => (Math.abs(c) > 1e-12 ? c : 0)),
      colLower: Float64Array.from(this.lower, finite),
      colUpper: Float64Array.from(this.upper, finite),
      rowLower: Float64Array.from(this.rowLower, finite),
      rowUpper: Float64Array.from(this.rowUpper, finite),
      matrix: {
        format: "csr",
        numRows,
        numCols,
        starts: Int32Array.from(this.starts),
        indices: Int32Array.from(this.columns),
        values: Float64Array.from(this.values),
      },
      ...(mip ? { integrality: Int32Array.from(this.integer, (b) => (b ? 1 : 0)) } : {}),
    };
  }
}
