/**
 * The table `pnpm bench:layout` prints (issue 19's done-when, per class and pooled): cost ratios to
 * the time-limited optimiser before and after the polish, validity before and after counted, polish
 * time, and how much faster the polish is than the optimiser reaching the polished cost.
 */

export interface Measure {
  /** Pipe + elbows on the routed layout, currency. */
  readonly piping: number;
  /** Routed pipe length, m. */
  readonly length: number;
  /** Bounding-box area of the equipment, m². */
  readonly area: number;
  readonly valid: boolean;
}

export interface LayoutRow {
  readonly cls: string;
  readonly design: string;
  readonly seed: number;
  readonly items: number;
  readonly before: Measure;
  readonly after: Measure;
  /** The optimiser's layout after snap, route and validate; absent when it found none in time. */
  readonly optimiser?: Measure & { readonly status: string };
  /** The polish LP (all rounds), ms; and the whole polish (problem, LP, snap, re-route, validate), ms. */
  readonly lpMs: number;
  readonly polishMs: number;
  /** ms until the optimiser's first incumbent at or below the polished layout's objective. */
  readonly optimiserReachMs?: number;
  /** ms the optimiser ran in all (its time limit, or less when it proved optimality). */
  readonly optimiserMs: number;
}

export const median = (v: readonly number[]): number => {
  if (v.length === 0) return Number.NaN;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * The optimiser's time to reach the polished cost over the polish time. Where the optimiser never
 * reached it, its whole run stands in: a lower bound (the ratio is at least that).
 */
export function speedRatio(r: LayoutRow, polishMs: number): { ratio: number; bound: boolean } {
  const reach = r.optimiserReachMs;
  return reach === undefined
    ? { ratio: r.optimiserMs / polishMs, bound: true }
    : { ratio: reach / polishMs, bound: false };
}

const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "–");
const f0 = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : "–");

export function layoutTable(rows: readonly LayoutRow[], header: { limit: number; load: readonly string[] }): string {
  const out: string[] = [
    `optimiser: ${header.limit > 0 ? `HiGHS MILP (free pair orders), ${header.limit} s time limit` : "not run (--limit 0)"}; load average ${header.load.join(" → ")} (start → end)`,
    "ratios: median over candidates of candidate / optimiser, where the optimiser's layout is valid after the pipeline's snap, route and validate (n opt✓)",
    "valid: candidates valid before → after the polish, and how many the polish made invalid (lost)",
    "speed: the optimiser's ms to its first incumbent at or below the polished objective (the polish LP's positions before the grid snap, as the incumbents are; the candidate's where the polish was not kept) ÷ the polish's ms (median; ≥: a candidate the optimiser never reached counts at its whole run, a lower bound); LP = the polish LP alone, all = the whole polish",
    "",
  ];
  const cols = [
    ["class", 16],
    ["n", 4],
    ["opt✓", 5],
    ["piping b→a", 12],
    ["length b→a", 12],
    ["area b→a", 12],
    ["valid b→a lost", 15],
    ["LP ms", 6],
    ["all ms", 7],
    ["reached", 8],
    ["speed LP", 9],
    ["speed all", 10],
    ["≥50× LP", 8],
  ] as const;
  out.push(cols.map(([h, w]) => h.padStart(w)).join(" "));
  for (const cls of [...new Set(rows.map((r) => r.cls)), "all"]) {
    const rs = rows.filter((r) => cls === "all" || r.cls === cls);
    const paired = rs.filter((r) => r.optimiser?.valid);
    const ratio = (pick: (m: Measure) => number, which: "before" | "after") =>
      median(paired.map((r) => pick(r[which]) / pick(r.optimiser!)));
    const pair = (pick: (m: Measure) => number) => `${f2(ratio(pick, "before"))}→${f2(ratio(pick, "after"))}`;
    const lp = rs.map((r) => speedRatio(r, r.lpMs));
    const all = rs.map((r) => speedRatio(r, r.polishMs));
    const speed = (v: { ratio: number; bound: boolean }[]) => {
      if (header.limit <= 0) return "–";
      const m = median(v.map((s) => s.ratio));
      return `${v.some((s) => s.bound) ? "≥" : ""}${f0(m)}×`;
    };
    const valid = `${rs.filter((r) => r.before.valid).length}→${rs.filter((r) => r.after.valid).length} ${rs.filter((r) => r.before.valid && !r.after.valid).length}`;
    const cells = [
      cls,
      String(rs.length),
      String(paired.length),
      pair((m) => m.piping),
      pair((m) => m.length),
      pair((m) => m.area),
      valid,
      f0(median(rs.map((r) => r.lpMs))),
      f0(median(rs.map((r) => r.polishMs))),
      `${rs.filter((r) => r.optimiserReachMs !== undefined).length}/${rs.length}`,
      speed(lp),
      speed(all),
      header.limit > 0 ? `${lp.filter((s) => s.ratio >= 50).length}/${rs.length}` : "–",
    ];
    out.push(cells.map((c, k) => (k === 0 ? c.padEnd(cols[k]![1]) : c.padStart(cols[k]![1]))).join(" "));
  }
  const near20 = rows.filter((r) => r.items >= 18 && r.items <= 22);
  if (near20.length > 0) {
    const over = near20.filter((r) => r.polishMs >= 500).length;
    out.push(
      "",
      `18–22-item candidates (n ${near20.length}): whole polish median ${f0(median(near20.map((r) => r.polishMs)))} ms, max ${f0(Math.max(...near20.map((r) => r.polishMs)))} ms, ${over} at or over 500 ms; LP median ${f0(median(near20.map((r) => r.lpMs)))} ms, max ${f0(Math.max(...near20.map((r) => r.lpMs)))} ms`,
    );
  }
  return out.join("\n");
}
