import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { PROCESS_CLASSES } from "@plantgan/core/design";
import { DESIGNER_VERSION } from "@plantgan/core/designer";
import { DEFAULT_RULE_PACK } from "@plantgan/core/validate";
import type { Command } from "commander";
import { CliError, EXIT } from "../../exit.js";
import { printError, printJson, printLine, writeFileAtomic } from "../../output.js";
import { ProgressReporter } from "../../progress.js";
import { datasetCard } from "./card.js";
import { gzipStable, sha256 } from "./hashing.js";
import { histogramSvg } from "./histogram-svg.js";
import type { BuiltDesign, Manifest } from "./manifest.js";
import { assignSplits, SPLITS, type Split } from "./splits.js";
import { buildOne, type DatasetJob, type JobResult } from "./worker.js";

interface BuildOptions {
  out: string;
  seed: string;
  perClass: string;
  classes?: string;
  workers: string;
  json?: boolean;
}

function positiveInt(value: string, what: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new CliError(`--${what} must be an integer of at least ${min}, got ${JSON.stringify(value)}`);
  return n;
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
  const url = new URL(`./worker${ext}`, import.meta.url);
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
    await writeFileAtomic(join(options.out, path), gz);
    files.push({ path, designs: members.length, bytes: gz.length, sha256: sha256(gz), contentSha256: sha256(content) });
    const byClass: Record<string, number> = {};
    for (const b of members) byClass[b.job.processClass] = (byClass[b.job.processClass] ?? 0) + 1;
    bySplit[split] = { total: members.length, byClass };
  }
  const svg = histogramSvg(built);
  await writeFileAtomic(join(options.out, "histograms.svg"), svg);
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
  await writeFileAtomic(join(options.out, "README.md"), datasetCard(manifest, built));
  await writeFileAtomic(join(options.out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);

  if (options.json) printJson(manifest);
  else {
    printLine(`wrote ${built.length} designs to ${options.out}`);
    for (const f of files)
      printLine(`  ${f.path}: ${f.designs ? `${f.designs} designs, ` : ""}${f.bytes} bytes, sha256 ${f.sha256}`);
    printLine(`  retries: ${manifest.retries.total}`);
  }
}

/** `plantgan dataset build`: the procedural dataset, split, gzip NDJSON, card and manifest. */
export function registerDatasetBuild(dataset: Command): void {
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
}
