import { existsSync } from "node:fs";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { type Design, type GenerationRequest, type ProcessClass, parseDocument } from "@plantgan/core/design";
import {
  type BackendName,
  type BatchItem,
  createTrainer,
  deriveSeed,
  disposeBatch,
  generateCandidates,
  layoutItem,
  layoutsSvg,
  makeBatch,
  modelLayout,
  packCheckpoint,
  restoreTrainer,
  type StepLosses,
  selectBackend,
  type Trainer,
  type TrainerConfigInput,
  unpackCheckpoint,
} from "@plantgan/core/gan";
import type { Command } from "commander";
import { CliError } from "../exit.js";
import { printError, printLine } from "../output.js";
import { ProgressReporter } from "../progress.js";
import { MODEL_INFO, type ModelInfo, readSplit, saveModelFolder, writeBytesAtomic } from "./model-files.js";

interface TrainOptions {
  dataset: string;
  epochs: string;
  resume?: boolean;
  out?: string;
  batch: string;
  nmax: string;
  limit?: string;
  seed: string;
  size: string;
  backend: string;
  previews: string;
}

/** Model sizes: "small" is the shipped one (a few MB), "tiny" is for tests. */
const SIZES: Record<string, Omit<TrainerConfigInput, "nMax">> = {
  small: {
    latentSize: 32,
    generatorHidden: 128,
    nodeHidden: 32,
    edgeRank: 4,
    criticHidden: 48,
    grid: 16,
    gridHidden: 48,
    layoutOnly: true,
    // A short CPU run (~400 generator steps): faster learning rates and EMA than the defaults.
    generatorLearningRate: 1e-3,
    criticLearningRate: 1e-3,
    emaDecay: 0.99,
  },
  tiny: {
    latentSize: 8,
    generatorHidden: 32,
    nodeHidden: 16,
    edgeRank: 2,
    criticHidden: 16,
    graphLayers: 1,
    grid: 8,
    gridHidden: 16,
    layoutOnly: true,
    emaDecay: 0.9,
  },
};

const LOSS_KEYS = [
  "d_loss",
  "wasserstein",
  "gp",
  "drift",
  "g_loss",
  "g_adversarial",
  "overlap",
  "site",
  "spacing",
  "count",
] as const;

function int(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new CliError(`--${name} must be an integer ≥ ${min}; got ${value}`);
  return n;
}

/** Fisher–Yates with a seeded generator: the epoch's data order depends only on (seed, epoch). */
function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = deriveSeed(seed, i) % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Preview requests: one held-out design per class (topology mode, their own sites). */
function previewRequests(designs: readonly Design[], count: number): GenerationRequest[] {
  const seen = new Set<ProcessClass>();
  const out: GenerationRequest[] = [];
  for (const d of designs) {
    if (out.length >= count) break;
    if (seen.has(d.processClass)) continue;
    seen.add(d.processClass);
    out.push({
      schemaVersion: "1.0",
      mode: "topology",
      processClass: d.processClass,
      site: d.site,
      topology: d,
      count: 1,
      seed: 7,
    } as GenerationRequest);
  }
  return out;
}

export function registerTrain(program: Command): void {
  program
    .command("train")
    .description("Train the PlantGAN layout generator on a dataset; checkpoints every epoch")
    .requiredOption("--dataset <dir>", "dataset folder with train.ndjson.gz (and val.ndjson.gz for previews)")
    .option("--epochs <n>", "train until this many epochs are done in all", "10")
    .option("--resume", "continue from <out>/checkpoint.bin")
    .option("--out <dir>", "model folder (default datasets/models/<dataset name>)")
    .option("--batch <n>", "batch size", "32")
    .option("--nmax <n>", "rows of the encoding (designs with more equipment are skipped)", "48")
    .option("--limit <n>", "use only the first n training designs")
    .option("--seed <n>", "seed of weights, noise and data order", "1")
    .option("--size <name>", "model size: small (shipped) or tiny (tests)", "small")
    .option("--backend <name>", "auto, wasm, cpu, tensorflow, tensorflow-gpu", "wasm")
    .option("--previews <n>", "layouts drawn per epoch in previews/epoch-XXX.svg", "4")
    .addHelpText(
      "after",
      "\nWrites <out>/metrics.jsonl (one line per epoch), previews/, generator/, critic/, model-card.json\n" +
        "and checkpoint.bin (weights, optimizer and trainer state; written atomically each epoch).\n" +
        "A killed run continues with --resume from its last completed epoch.",
    )
    .action(async (options: TrainOptions) => {
      const epochs = int("epochs", options.epochs, 1);
      const batchSize = int("batch", options.batch, 1);
      const nMax = int("nmax", options.nmax, 2);
      const seed = int("seed", options.seed, 0);
      const previewCount = int("previews", options.previews, 0);
      const size = SIZES[options.size];
      if (!size) throw new CliError(`--size must be small or tiny; got ${options.size}`);
      const out = options.out ?? join("datasets/models", basename(options.dataset.replace(/\/+$/, "")));
      const checkpointPath = join(out, "checkpoint.bin");
      if (!options.resume && existsSync(checkpointPath)) {
        throw new CliError(`${out} already holds a checkpoint: pass --resume to continue it, or another --out`);
      }

      const backendChoice = await selectBackend({
        ...(options.backend === "auto" ? {} : { prefer: options.backend as BackendName }),
        log: (m) => printError(m),
      });
      const { designs: all, sha256 } = await readSplit(options.dataset, "train");
      const designs = options.limit ? all.slice(0, int("limit", options.limit, 1)) : all;
      const val = existsSync(join(options.dataset, "val.ndjson.gz"))
        ? (await readSplit(options.dataset, "val")).designs
        : designs;

      let trainer: Trainer;
      let startEpoch = 0;
      let trainingSeconds = 0;
      if (options.resume && existsSync(checkpointPath)) {
        const { state, extra } = unpackCheckpoint(new Uint8Array(await readFile(checkpointPath)));
        trainer = await restoreTrainer(state);
        startEpoch = Number(extra.epoch ?? 0);
        trainingSeconds = Number(extra.trainingSeconds ?? 0);
        printError(`resuming ${out} after epoch ${startEpoch} (step ${trainer.steps})`);
      } else {
        if (options.resume) printError(`no checkpoint in ${out}: starting from scratch`);
        trainer = createTrainer({ nMax, ...size, seed });
      }
      const spec = trainer.layout.spec;
      const items: BatchItem[] = [];
      for (const d of designs) {
        const it = layoutItem(d, spec);
        if (it) items.push(it);
      }
      if (items.length === 0) throw new CliError(`no training design fits nMax ${spec.nMax}`);
      printError(`training on ${items.length} of ${designs.length} designs (backend ${backendChoice.name})`);
      await mkdir(join(out, "previews"), { recursive: true });

      // A resumed run drops metric lines of epochs after its checkpoint (written before a kill).
      const metricsPath = join(out, "metrics.jsonl");
      if (existsSync(metricsPath)) {
        const kept = (await readFile(metricsPath, "utf8"))
          .split("\n")
          .filter((l) => l.trim() && Number(JSON.parse(l).epoch) <= startEpoch);
        await writeBytesAtomic(metricsPath, kept.map((l) => `${l}\n`).join(""));
      }

      const previews = previewRequests(val, Math.max(previewCount, 1));
      const batches = Math.ceil(items.length / batchSize);
      let lastMetrics: Record<string, number> = {};
      for (let epoch = startEpoch + 1; epoch <= epochs; epoch++) {
        const started = performance.now();
        const order = shuffled(items.length, deriveSeed(seed, 100_000 + epoch));
        const progress = new ProgressReporter(`epoch ${epoch}/${epochs}`, batches);
        const sums = Object.fromEntries(LOSS_KEYS.map((k) => [k, 0])) as Record<(typeof LOSS_KEYS)[number], number>;
        let steps = 0;
        let gSteps = 0;
        for (let b = 0; b < batches; b++) {
          const batch = makeBatch(
            order.slice(b * batchSize, (b + 1) * batchSize).map((i) => items[i]!),
            trainer.layout,
          );
          let losses: StepLosses;
          try {
            losses = trainer.step(batch);
          } finally {
            disposeBatch(batch);
          }
          steps++;
          if (losses.generatorUpdated) gSteps++;
          for (const k of LOSS_KEYS) if (Number.isFinite(losses[k])) sums[k] += losses[k];
          progress.tick(`d ${losses.d_loss.toFixed(3)}`);
        }
        progress.stop();
        const seconds = (performance.now() - started) / 1000;
        trainingSeconds += seconds;
        const mean = Object.fromEntries(
          LOSS_KEYS.map((k) => [
            k,
            ["d_loss", "wasserstein", "gp", "drift"].includes(k) ? sums[k] / steps : sums[k] / Math.max(1, gSteps),
          ]),
        );

        // Previews and quick metrics: the EMA generator places held-out topologies.
        const model = {
          generator: trainer.generatorEma,
          critic: trainer.critic,
          config: trainer.config.model,
          layout: modelLayout(trainer.config.model),
        };
        const candidates = previews.flatMap((r) => generateCandidates(r, { model, count: 1 }));
        const share = (f: (c: (typeof candidates)[number]) => boolean) =>
          candidates.filter(f).length / Math.max(1, candidates.length);
        lastMetrics = {
          preview_raw_validity: share((c) => c.rawErrors === 0),
          preview_validity: share((c) => c.valid),
          preview_moves: candidates.reduce((s, c) => s + c.stats.moves, 0) / Math.max(1, candidates.length),
        };
        const tag = String(epoch).padStart(3, "0");
        await writeBytesAtomic(
          join(out, "previews", `epoch-${tag}.svg`),
          layoutsSvg(
            candidates.slice(0, previewCount).map((c) => c.design),
            `epoch ${epoch}: EMA generator, legalised and routed`,
          ),
        );
        const line = { epoch, step: trainer.steps, seconds, ...mean, ...lastMetrics };
        await appendFile(metricsPath, `${JSON.stringify(line)}\n`);

        // Export the model, then the checkpoint (the checkpoint is the commit point of the epoch).
        const info: ModelInfo = {
          format: "plantgan-model",
          version: 1,
          config: trainer.config,
          epoch,
          dataset: options.dataset,
        };
        await saveModelFolder(trainer.generatorEma, join(out, "generator"));
        await saveModelFolder(trainer.critic, join(out, "critic"));
        await writeBytesAtomic(join(out, MODEL_INFO), `${JSON.stringify(info, null, 2)}\n`);
        const card = {
          schemaVersion: "1.0",
          id: basename(out).replace(/[^A-Za-z0-9._-]/g, "-") || "model",
          description:
            "PlantGAN layout generator (EMA weights): places a P&ID's equipment on a site; see packages/core/src/gan/README.md.",
          createdAt: new Date().toISOString(),
          dataset: {
            id: basename(options.dataset.replace(/\/+$/, "")),
            designs: items.length,
            processClasses: [...new Set(designs.map((d) => d.processClass))],
            sha256,
          },
          settings: {
            epochs,
            batchSize,
            nMax: spec.nMax,
            seed,
            size: options.size,
            latentSize: trainer.config.model.latentSize,
            generatorHidden: trainer.config.model.generatorHidden,
            nodeHidden: trainer.config.model.nodeHidden,
            criticHidden: trainer.config.model.criticHidden,
            generatorLearningRate: trainer.config.training.generatorLearningRate,
            criticLearningRate: trainer.config.training.criticLearningRate,
            criticSteps: trainer.config.training.criticSteps,
            loss: "WGAN-GP",
            layoutOnly: trainer.config.training.layoutOnly,
            gradientPenalty: trainer.config.training.gradientPenalty,
            emaDecay: trainer.config.training.emaDecay,
            penaltyOverlap: trainer.config.training.penalties.overlap,
            penaltySite: trainer.config.training.penalties.site,
            penaltySpacing: trainer.config.training.penalties.spacing,
            penaltyCount: trainer.config.training.penalties.count,
          },
          backend: backendChoice.name,
          trainingSeconds: Math.round(trainingSeconds * 10) / 10,
          epochs: epoch,
          metrics: Object.fromEntries(
            Object.entries({ ...mean, ...lastMetrics }).filter(([, v]) => Number.isFinite(v)),
          ) as Record<string, number>,
        };
        const parsedCard = parseDocument("modelCard", card);
        if (!parsedCard.success)
          throw new Error(`model card: ${parsedCard.issues.map((i) => `${i.pointer} ${i.message}`).join("; ")}`);
        await writeBytesAtomic(join(out, "model-card.json"), `${JSON.stringify(card, null, 2)}\n`);
        await writeBytesAtomic(checkpointPath, packCheckpoint(await trainer.state(), { epoch, trainingSeconds, seed }));
        printError(
          `epoch ${epoch}: ${seconds.toFixed(1)} s, d_loss ${Number(mean.d_loss).toFixed(3)}, g_loss ${Number(mean.g_loss).toFixed(3)}, ` +
            `preview validity ${lastMetrics.preview_validity} (raw ${lastMetrics.preview_raw_validity})`,
        );
      }
      trainer.dispose();
      printLine(out);
    });
}
