import type { BuiltDesign, Manifest } from "./manifest.js";

// The dataset card (README.md): a pure function of the manifest and the built designs.

const fmt = (v: number, digits = 1) => (Number.isInteger(v) ? String(v) : v.toFixed(digits));

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function summary(values: readonly number[]): {
  min: number;
  p50: number;
  mean: number;
  max: number;
  p5: number;
  p95: number;
} {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return {
    min: sorted[0] ?? 0,
    p5: quantile(sorted, 0.05),
    p50: quantile(sorted, 0.5),
    mean,
    max: sorted[sorted.length - 1] ?? 0,
    p95: quantile(sorted, 0.95),
  };
}

const range = (values: readonly number[]) => {
  const s = summary(values);
  return `${fmt(s.min)} / ${fmt(s.p50)} / ${fmt(s.mean)} / ${fmt(s.max)}`;
};

/** The dataset card (README.md): what is in the set, how it was made, its distributions. */
export function datasetCard(m: Manifest, built: readonly BuiltDesign[]): string {
  const classes = Object.keys(m.counts.byClass);
  const of = (c: string) => built.filter((b) => b.job.processClass === c);
  const row = (cells: readonly (string | number)[]) => `| ${cells.join(" | ")} |`;
  const out: string[] = [];
  out.push(`# ${m.name}: procedural plant designs`);
  out.push("");
  out.push(
    `${m.counts.total} plant designs, ${m.perClass} per process class, made by the PlantGAN procedural designer ` +
      `(\`@plantgan/core/designer\` ${m.generator.version}): parametric P&ID templates per process class ` +
      "(A/B pumps with check valves, level, flow, pressure and temperature loops, relief valves, trips), placed by " +
      "layout practice along a pipe rack, legalised, routed and validated. Every design is placed, every line routed, " +
      `and every design passes \`validateDesign\` with zero errors under rule pack ${m.rulePack.id} ${m.rulePack.version}: ` +
      "the build refuses to write a set in which one does not.",
  );
  out.push("");
  out.push(
    "Rebuild it bit for bit (same Node.js major version; the manifest also holds the sha256 of the uncompressed content):",
  );
  out.push("");
  out.push("```");
  out.push(m.command);
  out.push("```");
  out.push("");
  out.push("## Files");
  out.push("");
  out.push(row(["file", "designs", "bytes"]));
  out.push(row(["---", "---:", "---:"]));
  for (const f of m.files) out.push(row([`\`${f.path}\``, f.designs || "", f.bytes]));
  out.push("");
  out.push(
    "Each split is gzip-compressed NDJSON, one design document (`schemas/plant-design.schema.json`) per line. Values the " +
      "contract gives as defaults (z 0, rotation 0, hazard none, service process, empty lists, grid 1 m) are left out; " +
      "`parseDesign` puts them back. Splits are stratified: a seeded shuffle of each class gives 80% train, 10% val, 10% test. " +
      "`manifest.json` holds the counts, the seeds and the sha256 of every file; `pnpm plantgan dataset inspect <dir>` checks them.",
  );
  out.push("");
  out.push("## Counts");
  out.push("");
  out.push(row(["process class", "train", "val", "test", "total"]));
  out.push(row(["---", "---:", "---:", "---:", "---:"]));
  for (const c of classes) {
    out.push(
      row([
        c,
        m.counts.bySplit.train.byClass[c] ?? 0,
        m.counts.bySplit.val.byClass[c] ?? 0,
        m.counts.bySplit.test.byClass[c] ?? 0,
        m.counts.byClass[c] ?? 0,
      ]),
    );
  }
  out.push(
    row([
      "**all**",
      m.counts.bySplit.train.total,
      m.counts.bySplit.val.total,
      m.counts.bySplit.test.total,
      m.counts.total,
    ]),
  );
  out.push("");
  out.push("## Size of the designs");
  out.push("");
  out.push("Per design, min / median / mean / max.");
  out.push("");
  out.push(
    row([
      "process class",
      "equipment",
      "lines",
      "of which branches",
      "instruments",
      "loops",
      "interlocks",
      "inline components",
    ]),
  );
  out.push(row(["---", "---", "---", "---", "---", "---", "---", "---"]));
  const sizeRow = (name: string, set: readonly BuiltDesign[]) =>
    row([
      name,
      range(set.map((b) => b.stats.equipment)),
      range(set.map((b) => b.stats.lines)),
      range(set.map((b) => b.stats.branches)),
      range(set.map((b) => b.stats.instruments)),
      range(set.map((b) => b.stats.loops)),
      range(set.map((b) => b.stats.interlocks)),
      range(set.map((b) => b.stats.components)),
    ]);
  for (const c of classes) out.push(sizeRow(c, of(c)));
  out.push(sizeRow("**all**", built));
  out.push("");
  out.push("Equipment by type, over the whole set:");
  out.push("");
  const types: Record<string, number> = {};
  for (const b of built) for (const [t, n] of Object.entries(b.stats.byType)) types[t] = (types[t] ?? 0) + n;
  out.push(row(["type", "items", "designs holding it"]));
  out.push(row(["---", "---:", "---:"]));
  for (const [t, n] of Object.entries(types).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    out.push(row([t, n, built.filter((b) => (b.stats.byType[t] ?? 0) > 0).length]));
  }
  out.push("");
  out.push("## Layout and spacing");
  out.push("");
  out.push(
    "Site area (m²) and aspect ratio (long side / short side), min / median / mean / max; nearest-neighbour gap: the " +
      "edge-to-edge plan distance from each item to its nearest other item, m (5th percentile / median / 95th percentile).",
  );
  out.push("");
  out.push(row(["process class", "site area", "aspect", "nearest gap p5 / p50 / p95", "arrangements"]));
  out.push(row(["---", "---", "---", "---", "---"]));
  const layoutRow = (name: string, set: readonly BuiltDesign[]) => {
    const gaps = summary(set.flatMap((b) => b.stats.nearestGaps));
    const arrangements: Record<string, number> = {};
    for (const b of set) arrangements[b.stats.arrangement] = (arrangements[b.stats.arrangement] ?? 0) + 1;
    return row([
      name,
      range(set.map((b) => b.stats.siteArea)),
      range(set.map((b) => b.stats.aspect)),
      `${fmt(gaps.p5, 2)} / ${fmt(gaps.p50, 2)} / ${fmt(gaps.p95, 2)}`,
      Object.entries(arrangements)
        .sort()
        .map(([a, n]) => `${a} ${n}`)
        .join(", "),
    ]);
  };
  for (const c of classes) out.push(layoutRow(c, of(c)));
  out.push(layoutRow("**all**", built));
  out.push("");
  out.push("## Lines");
  out.push("");
  out.push("Route length per line (3-D, risers included), m; every line of every design is routed.");
  out.push("");
  out.push(row(["process class", "lines", "p5", "median", "mean", "p95", "max", "total per design (median)"]));
  out.push(row(["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]));
  const lineRow = (name: string, set: readonly BuiltDesign[]) => {
    const l = summary(set.flatMap((b) => b.stats.lineLengths));
    const totals = summary(set.map((b) => b.stats.lineLengths.reduce((s, v) => s + v, 0)));
    return row([
      name,
      set.reduce((n, b) => n + b.stats.lines, 0),
      fmt(l.p5),
      fmt(l.p50),
      fmt(l.mean),
      fmt(l.p95),
      fmt(l.max),
      fmt(totals.p50),
    ]);
  };
  for (const c of classes) out.push(lineRow(c, of(c)));
  out.push(lineRow("**all**", built));
  out.push("");
  out.push("![Histograms of equipment and lines per design and of route lengths](histograms.svg)");
  out.push("");
  out.push("## How it was made");
  out.push("");
  const retried = built.filter((b) => b.stats.attempts > 1).length;
  const warnings = built.reduce((n, b) => n + b.stats.warnings, 0);
  out.push(
    `Each design: template P&ID → placement → legalise → route → validate. An attempt with a validator error, an unrouted ` +
      `line or an item the legaliser cannot place is thrown away and the next sub-seed tried. ${retried} of ` +
      `${m.counts.total} designs needed more than one attempt; ${m.retries.total} attempts were thrown away in all` +
      `${
        m.retries.total > 0
          ? ` (${Object.entries(m.retries.byReason)
              .map(([r, n]) => `${r.replace(/_/g, " ")} ${n}`)
              .join(", ")})`
          : ""
      }. ` +
      `Validator warnings left in the set: ${warnings}. Design n of class c (id \`c-000n\`, n from 1) has the seed ` +
      `mix(${m.seed}, "c:n-1") (\`designSeed\` in the dataset command), recorded in its \`metadata.seed\`; ` +
      "`designPlant({ processClass, seed, id })` gives it back on its own.",
  );
  out.push("");
  out.push("## Limits");
  out.push("");
  out.push(
    "Synthetic: the templates encode common practice, not any company's standards; sizes and pressures are screening " +
      "values. Nozzle positions are schematic (spread along footprint sides). Distances follow the default rule pack, " +
      "whose sources are public guidance, not a site-specific siting study. Use it to pre-train and to test the " +
      "pipeline, and fine-tune on real designs.",
  );
  out.push("");
  return out.join("\n");
}
