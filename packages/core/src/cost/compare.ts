/**
 * The eval's cost columns (issue 19): per process class and pooled, the median cost, routed length
 * and plot area of a method's layouts, and their median ratios to a time-limited optimiser on the
 * same equipment and lines, counted only where the optimiser's layout is valid. Pure.
 */
/** A layout's cost, routed pipe length and plot area (the eval's cost columns). */
export interface LayoutMeasure {
  readonly cost: number;
  readonly length: number;
  readonly area: number;
}

/** One layout for the cost columns, with the optimiser's on the same equipment and lines when valid. */
export interface CostSample {
  readonly processClass: string;
  readonly measure: LayoutMeasure;
  /** The time-limited optimiser's layout, only when the pipeline's snap, route and validate accept it. */
  readonly optimiser?: LayoutMeasure;
}

export interface CostRow {
  readonly group: string;
  readonly n: number;
  /** Samples whose optimiser layout is valid: the ratios are over these. */
  readonly paired: number;
  /** Medians over all samples. */
  readonly cost: number;
  readonly length: number;
  readonly area: number;
  /** Median over paired samples of layout / optimiser. */
  readonly costRatio: number;
  readonly lengthRatio: number;
  readonly areaRatio: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Per-group and pooled ("all" last) cost columns: medians, and median ratios to the optimiser. */
export function costRows(samples: readonly CostSample[]): CostRow[] {
  const row = (group: string, ss: readonly CostSample[]): CostRow => {
    const paired = ss.filter((s) => s.optimiser !== undefined);
    const ratio = (pick: (m: LayoutMeasure) => number) =>
      median(paired.filter((s) => pick(s.optimiser!) > 0).map((s) => pick(s.measure) / pick(s.optimiser!)));
    return {
      group,
      n: ss.length,
      paired: paired.length,
      cost: median(ss.map((s) => s.measure.cost)),
      length: median(ss.map((s) => s.measure.length)),
      area: median(ss.map((s) => s.measure.area)),
      costRatio: ratio((m) => m.cost),
      lengthRatio: ratio((m) => m.length),
      areaRatio: ratio((m) => m.area),
    };
  };
  const groups = [...new Set(samples.map((s) => s.processClass))];
  return [
    ...groups.map((g) =>
      row(
        g,
        samples.filter((s) => s.processClass === g),
      ),
    ),
    row("all", samples),
  ];
}
