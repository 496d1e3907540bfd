import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { gunzipSync, gzipSync } from "node:zlib";
import { PROCESS_CLASSES, parseDesign } from "@plantgan/core/design";
import { DESIGNER_VERSION, mixSeed, Rng } from "@plantgan/core/designer";
import { DEFAULT_RULE_PACK } from "@plantgan/core/validate";
import type { Command } from "commander";
import { CliError, EXIT } from "../exit.js";
import { printError, printJson, printLine } from "../output.js";
import { ProgressReporter } from "../progress.js";
import { buildOne, type DatasetJob, type DesignStats, type JobResult } from "./dataset-worker.js";

export const SPLITS = ["train", "val", "test"] as const;
export type Split = (typeof SPLITS)[number];

/** gzip level of the split files: fixed, so the same content gives the same bytes. */
const GZIP_LEVEL = 9;

interface BuildOptions {
  out: string;
  seed: string;
  perClass: string;
  classes?: string;
  workers: string;
  json?: boolean;
}

export interface BuiltDesign {
  readonly job: DatasetJob;
  readonly id: string;
  readonly text: string;
  readonly stats: DesignStats;
  readonly split: Split;
}

export interface Manifest {
  readonly name: string;
  readonly description: string;
  readonly command: string;
  readonly seed: number;
  readonly perClass: number;
  readonly split: Readonly<Record<Split, number>>;
  readonly generator: { readonly name: string; readonly version: string };
  readonly rulePack: { readonly id: string; readonly version: string };
  readonly counts: {
    readonly total: number;
    readonly byClass: Readonly<Record<string, number>>;
    readonly bySplit: Readonly<
      Record<Split, { readonly total: number; readonly byClass: Readonly<Record<string, number>> }>
    >;
  };
  readonly retries: { readonly total: number; readonly byReason: Readonly<Record<string, number>> };
  readonly files: readonly {
    readonly path: string;
    readonly designs: number;
    readonly bytes: number;
    readonly sha256: string;
    /** sha256 of the uncompressed NDJSON: the content, whatever gzip implementation wrote it. */
    readonly contentSha256: string;
  }[];
}

function positiveInt(value: string, what: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new CliError(`--${what} must be an integer of at least ${min}, got ${JSON.stringify(value)}`);
  return n;
}

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

/**
 * gzip with a header that does not depend on the machine: zlib writes mtime 0 already; the OS byte
 * is set to 3 (Unix) so that a build on any system gives the same bytes for the same deflate stream.
 */
export function gzipStable(text: string): Buffer {
  const gz = gzipSync(Buffer.from(text, "utf8"), { level: GZIP_LEVEL });
  gz[9] = 3;
  return gz;
}

/** Runs the jobs on `workers` threads (0: in this thread). Results come back in job order. */
async function runJobs(
  jobs: readonly DatasetJob[],
  workers: number,
  onDone: (r: JobResult) => void,
): Promise<JobResult[]> {
  const results: JobResult[] = new Array(jobs.length);
  if (workers === 0) {
    for (const job of jobs) {
      const r = buildOne(job);
      results[job.index] = r;
      onDone(r);
    }
    return results;
  }
  // The worker module sits next to this one: .js when built, .ts when run from source through tsx
  // (the worker inherits tsx's loader through execArgv).
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  const url = new URL(`./dataset-worker${ext}`, import.meta.url);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, jobs.length) }, () => {
      const worker = startWorker(url, ext);
      return new Promise<void>((resolve, reject) => {
        const feed = () => {
          const job = jobs[next++];
          worker.postMessage(job ?? null);
          if (!job) void worker.terminate().then(() => resolve());
        };
        worker.on("message", (r: JobResult) => {
          results[r.index] = r;
          onDone(r);
          feed();
        });
        worker.on("error", reject);
        feed();
      });
    }),
  );
  return results;
}

/**
 * A dataset worker thread. Built, the worker module is plain JavaScript. From source (tsx), Node 20
 * does not carry tsx's loader into worker threads: a small bootstrap registers it first (tsx's
 * documented `tsx/esm/api`), and the `--conditions` flag is passed on so that imports of
 * `@plantgan/core` resolve to the TypeScript sources as in the parent.
 */
function startWorker(url: URL, ext: string): Worker {
  const workerData = { role: "dataset" };
  if (ext !== ".ts") return new Worker(url, { workerData });
  const api = import.meta.resolve("tsx/esm/api");
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  const execArgv = process.execArgv.filter((a) => a.startsWith("--conditions"));
  return new Worker(code, { eval: true, workerData, execArgv });
}

/**
 * Splits each class's designs by a seeded shuffle: the first 80% train, the next 10% val, the rest
 * test (stratified, so every split holds every class in the same proportion).
 */
export function assignSplits(perClass: number, seed: number, processClass: string): Split[] {
  const order = new Rng(mixSeed(seed, `split:${processClass}`)).shuffle(Array.from({ length: perClass }, (_, k) => k));
  const train = Math.round(perClass * 0.8);
  const val = Math.round(perClass * 0.1);
  const split: Split[] = new Array(perClass);
  order.forEach((k, position) => {
    split[k] = position < train ? "train" : position < train + val ? "val" : "test";
  });
  return split;
}

async function build(options: BuildOptions): Promise<void> {
  const seed = positiveInt(options.seed, "seed", 0);
  const perClass = positiveInt(options.perClass, "per-class", 1);
  const workers = positiveInt(options.workers, "workers", 0);
  const classes = options.classes ? options.classes.split(",").map((c) => c.trim()) : [...PROCESS_CLASSES];
  for (const c of classes) {
    if (!(PROCESS_CLASSES as readonly string[]).includes(c)) {
      throw new CliError(`--classes: unknown process class ${JSON.stringify(c)}; known: ${PROCESS_CLASSES.join(", ")}`);
    }
  }
  const jobs: DatasetJob[] = [];
  for (const processClass of classes) {
    for (let k = 0; k < perClass; k++) {
      jobs.push({ index: jobs.length, processClass: processClass as DatasetJob["processClass"], k, seed });
    }
  }
  const progress = new ProgressReporter("dataset build", jobs.length);
  const results = await runJobs(jobs, workers, (r) => progress.tick(r.id));
  progress.stop();

  const failed = results.filter((r): r is Extract<JobResult, { ok: false }> => !r.ok);
  if (failed.length > 0) {
    for (const f of failed.slice(0, 20)) printError(`  ${f.id}: ${f.error}`);
    throw new CliError(`${failed.length} design(s) failed; nothing written`, EXIT.findings);
  }
  const splits = new Map(classes.map((c) => [c, assignSplits(perClass, seed, c)]));
  const built: BuiltDesign[] = results.map((r, i) => {
    const job = jobs[i]!;
    if (!r.ok) throw new Error("unreachable");
    return { job, id: r.id, text: r.text, stats: r.stats, split: splits.get(job.processClass)![job.k]! };
  });

  await mkdir(options.out, { recursive: true });
  const files: Manifest["files"][number][] = [];
  const bySplit = {} as Record<Split, { total: number; byClass: Record<string, number> }>;
  for (const split of SPLITS) {
    const members = built.filter((b) => b.split === split);
    const content = members.map((b) => `${b.text}\n`).join("");
    const gz = gzipStable(content);
    const path = `${split}.ndjson.gz`;
    await writeAtomic(join(options.out, path), gz);
    files.push({ path, designs: members.length, bytes: gz.length, sha256: sha256(gz), contentSha256: sha256(content) });
    const byClass: Record<string, number> = {};
    for (const b of members) byClass[b.job.processClass] = (byClass[b.job.processClass] ?? 0) + 1;
    bySplit[split] = { total: members.length, byClass };
  }
  const svg = histogramSvg(built);
  await writeAtomic(join(options.out, "histograms.svg"), svg);
  files.push({
    path: "histograms.svg",
    designs: 0,
    bytes: Buffer.byteLength(svg),
    sha256: sha256(svg),
    contentSha256: sha256(svg),
  });

  const byReason: Record<string, number> = {};
  for (const b of built) for (const f of b.stats.failures) byReason[f] = (byReason[f] ?? 0) + 1;
  const byClass: Record<string, number> = {};
  for (const b of built) byClass[b.job.processClass] = (byClass[b.job.processClass] ?? 0) + 1;
  const manifest: Manifest = {
    name: "synthetic-v1",
    description:
      "Procedural plant designs (PlantGAN designer): placed, routed, zero validator errors under the default rule pack.",
    command: `pnpm plantgan dataset build --out ${options.out} --seed ${seed} --per-class ${perClass}${options.classes ? ` --classes ${classes.join(",")}` : ""}`,
    seed,
    perClass,
    split: { train: 0.8, val: 0.1, test: 0.1 },
    generator: { name: "plantgan-designer", version: DESIGNER_VERSION },
    rulePack: { id: DEFAULT_RULE_PACK.id, version: DEFAULT_RULE_PACK.version },
    counts: { total: built.length, byClass, bySplit },
    retries: { total: Object.values(byReason).reduce((s, n) => s + n, 0), byReason },
    files,
  };
  await writeAtomic(join(options.out, "README.md"), datasetCard(manifest, built));
  await writeAtomic(join(options.out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);

  if (options.json) printJson(manifest);
  else {
    printLine(`wrote ${built.length} designs to ${options.out}`);
    for (const f of files)
      printLine(`  ${f.path}: ${f.designs ? `${f.designs} designs, ` : ""}${f.bytes} bytes, sha256 ${f.sha256}`);
    printLine(`  retries: ${manifest.retries.total}`);
  }
}

async function writeAtomic(path: string, data: Buffer | string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, data);
  await rename(temp, path);
}

interface InspectOptions {
  json?: boolean;
  validate?: boolean;
}

async function inspect(dir: string, options: InspectOptions): Promise<void> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Manifest;
  } catch (error) {
    throw new CliError(`${join(dir, "manifest.json")}: ${(error as Error).message}`);
  }
  const problems: string[] = [];
  const splits: Record<string, { designs: number; byClass: Record<string, number> }> = {};
  for (const f of manifest.files) {
    const path = join(dir, f.path);
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch {
      problems.push(`${path}: missing`);
      continue;
    }
    if (sha256(data) !== f.sha256) problems.push(`${path}: sha256 differs from the manifest`);
    if (!f.path.endsWith(".ndjson.gz")) continue;
    const lines = gunzipSync(data).toString("utf8").split("\n").filter(Boolean);
    const byClass: Record<string, number> = {};
    lines.forEach((text, n) => {
      const parsed = parseDesign(text);
      if (!parsed.success) {
        problems.push(
          `${path}: line ${n + 1}: ${parsed.issues[0]?.pointer ?? ""}: ${parsed.issues[0]?.message ?? "invalid"}`,
        );
        return;
      }
      byClass[parsed.data.processClass] = (byClass[parsed.data.processClass] ?? 0) + 1;
    });
    if (lines.length !== f.designs) problems.push(`${path}: ${lines.length} designs, the manifest says ${f.designs}`);
    splits[f.path.replace(".ndjson.gz", "")] = { designs: lines.length, byClass };
  }
  const summary = {
    dir,
    name: manifest.name,
    generator: manifest.generator,
    seed: manifest.seed,
    total: Object.values(splits).reduce((s, x) => s + x.designs, 0),
    splits,
    problems,
  };
  if (options.json) printJson(summary);
  else {
    printLine(
      `${manifest.name} (${manifest.generator.name} ${manifest.generator.version}, seed ${manifest.seed}): ${summary.total} designs`,
    );
    for (const [name, s] of Object.entries(splits)) {
      printLine(
        `  ${name.padEnd(5)} ${String(s.designs).padStart(5)}  ${Object.entries(s.byClass)
          .map(([c, n]) => `${c} ${n}`)
          .join(", ")}`,
      );
    }
    for (const p of problems) printError(`  PROBLEM ${p}`);
  }
  if (problems.length > 0) process.exitCode = EXIT.findings;
}

export function registerDataset(program: Command): void {
  const dataset = program.command("dataset").description("Build and inspect training datasets");
  dataset
    .command("build")
    .description(
      "Generate the procedural (synthetic) dataset: designs per process class, split, gzip NDJSON, card and manifest",
    )
    .option("-o, --out <dir>", "output folder", "datasets/synthetic-v1")
    .option("--seed <n>", "dataset seed: the same seed gives the same bytes", "1")
    .option("--per-class <n>", "designs per process class", "500")
    .option("--classes <list>", "comma-separated process classes (default: all seven)")
    .option("--workers <n>", "worker threads (0: build in this thread)", "2")
    .option("--json", "print the manifest as JSON on stdout")
    .addHelpText(
      "after",
      "\nEvery design is placed, routed and passes the validator with zero errors; the build writes nothing\n" +
        "if one does not (exit 1). Output order and bytes do not depend on the number of workers.",
    )
    .action(async (options: BuildOptions) => build(options));
  dataset
    .command("inspect")
    .description("Check a dataset folder against its manifest and count its designs")
    .argument("<dir>", "dataset folder (holds manifest.json)")
    .option("--json", "print the summary as JSON on stdout")
    .action(async (dir: string, options: InspectOptions) => inspect(dir, options));
}

// ---- Dataset card: README.md and histograms.svg, pure functions of the built designs. ----

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

const COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1"];

/**
 * Three histograms side by side, bars stacked by process class: equipment per design, lines per
 * design, route length per line. Plain SVG text, the same for the same designs.
 */
export function histogramSvg(built: readonly BuiltDesign[]): string {
  const classes = [...new Set(built.map((b) => b.job.processClass))];
  const panels: { title: string; bin: number; values: (b: BuiltDesign) => number[] }[] = [
    { title: "equipment per design", bin: 2, values: (b) => [b.stats.equipment] },
    { title: "lines per design", bin: 5, values: (b) => [b.stats.lines] },
    { title: "route length per line, m", bin: 10, values: (b) => b.stats.lineLengths.map((l) => Math.min(l, 299.99)) },
  ];
  const W = 300;
  const H = 200;
  const pad = 36;
  const parts: string[] = [];
  panels.forEach((p, n) => {
    const counts = new Map<number, number[]>();
    let maxBin = 0;
    for (const b of built) {
      const ci = classes.indexOf(b.job.processClass);
      for (const v of p.values(b)) {
        const bin = Math.floor(v / p.bin);
        maxBin = Math.max(maxBin, bin);
        const c = counts.get(bin) ?? new Array(classes.length).fill(0);
        c[ci] += 1;
        counts.set(bin, c);
      }
    }
    const bins = maxBin + 1;
    let top = 1;
    for (const c of counts.values())
      top = Math.max(
        top,
        c.reduce((s, v) => s + v, 0),
      );
    const x0 = n * (W + pad) + pad;
    const bw = (W - pad) / bins;
    parts.push(`<g transform="translate(${x0},20)">`);
    parts.push(`<text x="${(W - pad) / 2}" y="0" text-anchor="middle" font-size="12">${p.title}</text>`);
    parts.push(
      `<line x1="0" y1="${H}" x2="${W - pad}" y2="${H}" stroke="#333"/><line x1="0" y1="10" x2="0" y2="${H}" stroke="#333"/>`,
    );
    parts.push(
      `<text x="-4" y="14" text-anchor="end" font-size="9">${top}</text><text x="-4" y="${H}" text-anchor="end" font-size="9">0</text>`,
    );
    for (let bin = 0; bin < bins; bin++) {
      let y = H;
      (counts.get(bin) ?? []).forEach((v, ci) => {
        if (v === 0) return;
        const h = ((H - 10) * v) / top;
        y -= h;
        parts.push(
          `<rect x="${(bin * bw).toFixed(2)}" y="${y.toFixed(2)}" width="${Math.max(0.5, bw - 0.5).toFixed(2)}" height="${h.toFixed(2)}" fill="${COLOURS[ci % COLOURS.length]}"/>`,
        );
      });
    }
    for (const frac of [0, 0.5, 1]) {
      const v = Math.round(bins * p.bin * frac);
      parts.push(
        `<text x="${((W - pad) * frac).toFixed(1)}" y="${H + 12}" text-anchor="middle" font-size="9">${v}${frac === 1 && p.bin === 10 ? "+" : ""}</text>`,
      );
    }
    parts.push("</g>");
  });
  classes.forEach((c, i) => {
    const x = pad + i * 130;
    parts.push(`<rect x="${x}" y="${H + 45}" width="10" height="10" fill="${COLOURS[i % COLOURS.length]}"/>`);
    parts.push(`<text x="${x + 14}" y="${H + 54}" font-size="10">${c}</text>`);
  });
  const width = panels.length * (W + pad) + pad;
  const height = H + 70;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n<rect width="${width}" height="${height}" fill="white"/>\n${parts.join("\n")}\n</svg>\n`;
}
