import { existsSync } from "node:fs";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import {
  type BackendName,
  createTrainer,
  layoutsSvg,
  MODEL_SIZES,
  type ModelInfo,
  modelCard,
  modelFiles,
  packCheckpoint,
  restoreTrainer,
  runTrainingLoop,
  selectBackend,
  type Trainer,
  trainerSettings,
  trainingItems,
  unpackCheckpoint,
} from "@plantgan/core/gan";
import { pipelinePreview, previewRequests } from "@plantgan/core/generate";
import {
  checkTrainingSettings,
  describeSetting,
  type ResolvedTrainingSettings,
  TRAINING_DEFAULTS,
  TRAINING_SETTINGS_SCHEMA,
  type TrainingSettingName,
} from "@plantgan/server";
import type { Command } from "commander";
import { CliError } from "../exit.js";
import { readSplit, writeBytesAtomic, writeModelFiles } from "../model-files.js";
import { addOutOption } from "../out-option.js";
import { printError, printLine } from "../output.js";
import { ProgressReporter } from "../progress.js";

interface TrainOptions {
  dataset: string;
  resume?: boolean;
  out?: string;
  backend: string;
  epochs?: string;
  batch?: string;
  nmax?: string;
  limit?: string;
  seed?: string;
  size?: string;
  generator?: string;
  previews?: string;
}

/** The flag of each training setting (learningRate has none: a CLI run uses its size's rate). */
const FLAG_OF = {
  epochs: "epochs",
  batchSize: "batch",
  nMax: "nmax",
  limit: "limit",
  seed: "seed",
  size: "size",
  generator: "generator",
  previews: "previews",
} as const satisfies Partial<Record<TrainingSettingName, keyof TrainOptions>>;

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * The flags as training settings, checked against training-settings.schema.json (the API's
 * settings check) with its defaults filled; a refused one is a usage error naming its flag.
 */
function settingsOfFlags(options: TrainOptions): ResolvedTrainingSettings {
  const raw: Record<string, unknown> = {};
  for (const [setting, flag] of Object.entries(FLAG_OF)) {
    const text = options[flag];
    if (text === undefined) continue;
    const numeric = TRAINING_SETTINGS_SCHEMA.properties[setting]?.type !== "string";
    raw[setting] = numeric && NUMBER_TEXT.test(text.trim()) ? Number(text) : text;
  }
  const checked = checkTrainingSettings(raw);
  if ("settings" in checked) return checked.settings;
  throw new CliError(
    checked.issues
      .map((i) => {
        const flag = FLAG_OF[i.setting as keyof typeof FLAG_OF];
        return `--${flag} must be ${describeSetting(i.setting)}; got ${options[flag]}`;
      })
      .join("\n"),
  );
}

/** A flag's help with the schema's default. */
const withDefault = (help: string, setting: keyof typeof TRAINING_DEFAULTS) =>
  `${help} (default: ${TRAINING_DEFAULTS[setting]})`;

export function registerTrain(program: Command): void {
  const command = program
    .command("train")
    .description("Train the PlantGAN layout generator on a dataset; checkpoints every epoch")
    .requiredOption("--dataset <dir>", "dataset folder with train.ndjson.gz (and val.ndjson.gz for previews)")
    .option("--epochs <n>", withDefault("train until this many epochs are done in all", "epochs"))
    .option("--resume", "continue from <out>/checkpoint.bin");
  addOutOption(command, "model folder (default datasets/models/<dataset name>)", "<dir>");
  command
    .option("--batch <n>", withDefault("batch size", "batchSize"))
    .option("--nmax <n>", withDefault("rows of the encoding (designs with more equipment are skipped)", "nMax"))
    .option("--limit <n>", "use only the first n training designs")
    .option("--seed <n>", withDefault("seed of weights, noise and data order", "seed"))
    .option("--size <name>", withDefault("model size: small (shipped) or tiny (tests)", "size"))
    .option(
      "--generator <kind>",
      withDefault(
        "graph: places a topology from the condition alone; layout: also given the topology's items and lines and the site's racks and keep-outs",
        "generator",
      ),
    )
    .option("--backend <name>", "auto, wasm, cpu, tensorflow, tensorflow-gpu", "wasm")
    .option("--previews <n>", withDefault("layouts drawn per epoch in previews/epoch-XXX.svg", "previews"))
    .addHelpText(
      "after",
      "\nWrites <out>/metrics.jsonl (one line per epoch), previews/, generator/, critic/, model-card.json\n" +
        "and checkpoint.bin (weights, optimizer and trainer state; written atomically each epoch).\n" +
        "A killed run continues with --resume from its last completed epoch.",
    )
    .action(async (options: TrainOptions) => {
      const {
        epochs,
        batchSize,
        nMax,
        seed,
        previews: previewCount,
        limit,
        generator,
        ...settings
      } = settingsOfFlags(options);
      const size = MODEL_SIZES[settings.size]!;
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
      const designs = limit !== undefined ? all.slice(0, limit) : all;
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
        trainer = createTrainer({ nMax, ...trainerSettings(size, generator), seed });
      }
      const items = trainingItems(designs, trainer);
      if (items.length === 0) throw new CliError(`no training design fits nMax ${trainer.layout.spec.nMax}`);
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

      let progress: ProgressReporter | undefined;
      await runTrainingLoop({
        trainer,
        items,
        preview: pipelinePreview(previewRequests(val, Math.max(previewCount, 1))),
        fromEpoch: startEpoch,
        epochs,
        batchSize,
        seed,
        onBatch(epoch, batch, batches, losses) {
          if (batch === 1) progress = new ProgressReporter(`epoch ${epoch}/${epochs}`, batches);
          progress?.tick(`d ${losses.d_loss.toFixed(3)}`);
        },
        async onEpoch({ epoch, step, seconds, losses, metrics, samples }) {
          progress?.stop();
          trainingSeconds += seconds;
          const tag = String(epoch).padStart(3, "0");
          await writeBytesAtomic(
            join(out, "previews", `epoch-${tag}.svg`),
            layoutsSvg(samples.slice(0, previewCount), `epoch ${epoch}: EMA generator, legalised and routed`),
          );
          await appendFile(metricsPath, `${JSON.stringify({ epoch, step, seconds, ...losses, ...metrics })}\n`);

          // Export the model, then the checkpoint (the checkpoint is the commit point of the epoch).
          const info: ModelInfo = {
            format: "plantgan-model",
            version: 1,
            config: trainer.config,
            epoch,
            dataset: options.dataset,
          };
          await writeModelFiles(out, await modelFiles(trainer, info));
          const card = modelCard({
            id: basename(out),
            trainer,
            dataset: {
              id: basename(options.dataset.replace(/\/+$/, "")),
              designs: items.length,
              processClasses: [...new Set(designs.map((d) => d.processClass))],
            },
            sha256,
            settings: { epochs, batchSize, seed, size: settings.size },
            backend: backendChoice.name,
            trainingSeconds,
            epochsDone: epoch,
            metrics: { ...losses, ...metrics },
          });
          await writeBytesAtomic(join(out, "model-card.json"), `${JSON.stringify(card, null, 2)}\n`);
          await writeBytesAtomic(
            checkpointPath,
            packCheckpoint(await trainer.state(), { epoch, trainingSeconds, seed }),
          );
          printError(
            `epoch ${epoch}: ${seconds.toFixed(1)} s, d_loss ${Number(losses.d_loss).toFixed(3)}, g_loss ${Number(losses.g_loss).toFixed(3)}, ` +
              `preview validity ${metrics.preview_validity} (raw ${metrics.preview_raw_validity})`,
          );
        },
      });
      trainer.dispose();
      printLine(out);
    });
}
