import { existsSync } from "node:fs";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Design } from "@plantgan/core/design";
import {
  type BackendName,
  type CompactSlotGraph,
  createTrainer,
  layoutsSvg,
  layoutTrainingData,
  MODEL_SIZES,
  type ModelInfo,
  modelCard,
  modelFiles,
  packCheckpoint,
  packTopologyCheckpoint,
  restoreTopologyTrainer,
  restoreTrainer,
  runTopologyTrainingLoop,
  runTrainingLoop,
  selectBackend,
  type TopologyDataCount,
  type TopologyTrainer,
  type Trainer,
  topologyFolderFiles,
  topologyLineCapacity,
  topologyTrainingGraphs,
  topologyTrainingSetup,
  trainerSettings,
  unpackCheckpoint,
  unpackTopologyCheckpoint,
} from "@plantgan/core/gan";
import { pipelinePreview, previewRequests } from "@plantgan/core/generate";
import {
  checkTrainingSettings,
  closeWorkers,
  describeSetting,
  parseTrainWorkers,
  type ResolvedTrainingSettings,
  startTrainingHelpers,
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
  topologyEpochs?: string;
  batch?: string;
  nmax?: string;
  limit?: string;
  seed?: string;
  size?: string;
  generator?: string;
  previews?: string;
  costWeight?: string;
  workers: string;
}

/** The flag of each training setting (learningRate has none: a CLI run uses its size's rate). */
const FLAG_OF = {
  epochs: "epochs",
  topologyEpochs: "topologyEpochs",
  batchSize: "batch",
  nMax: "nmax",
  limit: "limit",
  seed: "seed",
  size: "size",
  generator: "generator",
  previews: "previews",
  costWeight: "costWeight",
} as const satisfies Partial<Record<TrainingSettingName, keyof TrainOptions>>;

/** The command-line spelling of an option key: topologyEpochs → topology-epochs. */
const flagName = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

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
        return `--${flagName(flag)} must be ${describeSetting(i.setting)}; got ${options[flag]}`;
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
    .description(
      "Train PlantGAN's generators on a dataset: the topology generator on every design (placed and topology-only), then the layout generator on the placed ones; checkpoints every epoch",
    )
    .requiredOption("--dataset <dir>", "dataset folder with train.ndjson.gz (and val.ndjson.gz for previews)")
    .option("--epochs <n>", withDefault("layout generator: train until this many epochs are done in all", "epochs"))
    .option(
      "--topology-epochs <n>",
      withDefault(
        "topology generator: epochs on every design, before the layout generator; 0 skips it",
        "topologyEpochs",
      ),
    )
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
    .option(
      "--cost-weight <w>",
      withDefault(
        "weight of the layout cost term (piping and area against the designer's layout) in the generator's objective; 0 trains without it",
        "costWeight",
      ),
    )
    .option(
      "--workers <n>",
      "processes the layout generator trains on, each with its own backend, gradients averaged every step (data-parallel; 1 to 64)",
      "1",
    )
    .addHelpText(
      "after",
      "\nWrites <out>/metrics.jsonl (one line per layout epoch), previews/, generator/, critic/, model-card.json\n" +
        "and checkpoint.bin (weights, optimizer and trainer state; written atomically each epoch); with a topology\n" +
        "phase also topology/ (the topology generator), topology-metrics.jsonl and topology-checkpoint.bin.\n" +
        "A dataset without placed designs (e.g. DEXPI imports) trains the topology generator only.\n" +
        "A killed run continues with --resume from its last completed epoch.",
    )
    .action(async (options: TrainOptions) => {
      const {
        epochs,
        topologyEpochs,
        batchSize,
        nMax,
        seed,
        previews: previewCount,
        limit,
        generator,
        costWeight,
        ...settings
      } = settingsOfFlags(options);
      const workersWanted = parseTrainWorkers(options.workers);
      if (workersWanted === undefined)
        throw new CliError(`--workers must be an integer from 1 to 64; got ${options.workers}`);
      const size = MODEL_SIZES[settings.size]!;
      const datasetName = basename(options.dataset.replace(/\/+$/, ""));
      const out = options.out ?? join("datasets/models", datasetName);
      const checkpointPath = join(out, "checkpoint.bin");
      const topologyCheckpointPath = join(out, "topology-checkpoint.bin");
      if (!options.resume && (existsSync(checkpointPath) || existsSync(topologyCheckpointPath))) {
        throw new CliError(`${out} already holds a checkpoint: pass --resume to continue it, or another --out`);
      }

      const backendChoice = await selectBackend({
        ...(options.backend === "auto" ? {} : { prefer: options.backend as BackendName }),
        log: (m) => printError(m),
      });
      const { designs: all, sha256 } = await readSplit(options.dataset, "train");
      const designs = limit !== undefined ? all.slice(0, limit) : all;

      // The layout generator (restored, or new: a dataset without placed designs exports it untrained).
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
        if (options.resume && !existsSync(topologyCheckpointPath))
          printError(`no checkpoint in ${out}: starting from scratch`);
        const sized = trainerSettings(size, generator);
        trainer = createTrainer({ nMax, ...sized, penalties: { ...sized.penalties, cost: costWeight }, seed });
      }
      const layoutData = layoutTrainingData(designs, trainer);
      const items = layoutData.items;
      // Never more workers than designs: each worker takes a row of every step.
      const workers = Math.max(1, Math.min(workersWanted, items.length));

      // The topology generator, on every design.
      let topology: TopologyPhase | undefined;
      if (topologyEpochs > 0) {
        topology = await topologyPhaseOf(designs, {
          resumeFrom: options.resume && existsSync(topologyCheckpointPath) ? topologyCheckpointPath : undefined,
          size: settings.size,
          nMax,
          seed,
        });
      }
      const trainsLayout = items.length > 0;
      if (!trainsLayout && !(topology && topology.graphs.length > 0)) {
        throw new CliError(
          `${options.dataset}: too few designs to train on: ${designs.length} read, none placed within nMax ${nMax}` +
            (topology
              ? ` and none the topology generator can take (${skippedText(topology.count.skipped)})`
              : " (--topology-epochs 0)"),
        );
      }
      if (topology && topology.graphs.length === 0) {
        printError(
          `topology generator: no design fits nMax ${nMax} (${skippedText(topology.count.skipped)}): not trained`,
        );
        topology.trainer.dispose();
        topology = undefined;
      }
      printError(
        (topology
          ? `topology generator: ${topology.count.designs} of ${designs.length} designs (${topology.count.placed} placed, ${topology.count.topologyOnly} topology-only), ${topologyEpochs} epochs; `
          : "") +
          (trainsLayout
            ? `layout generator: ${items.length} placed designs, ${epochs} epochs`
            : "layout generator: no placed design, not trained (the model folder keeps its initial weights)") +
          ` (backend ${backendChoice.name}${trainsLayout && workers > 1 ? `, data-parallel on ${workers} processes` : ""})`,
      );
      await mkdir(join(out, "previews"), { recursive: true });

      const metricsPath = join(out, "metrics.jsonl");
      const topologyMetricsPath = join(out, "topology-metrics.jsonl");
      await keepMetricLines(metricsPath, startEpoch);
      await keepMetricLines(topologyMetricsPath, topology?.fromEpoch ?? 0);

      /** Writes the model folder and card as they stand; the checkpoints are written after it. */
      const exportModel = async (layoutEpoch: number, metrics: Record<string, number>) => {
        const info: ModelInfo = {
          format: "plantgan-model",
          version: 1,
          config: trainer.config,
          epoch: layoutEpoch,
          dataset: options.dataset,
        };
        const files = await modelFiles(trainer, info);
        if (topology) for (const [path, bytes] of await topologyFolderFiles(topology.trainer)) files.set(path, bytes);
        await writeModelFiles(out, files);
        const card = modelCard({
          id: basename(out),
          trainer,
          dataset: {
            id: datasetName,
            designs: Math.max(items.length, topology?.count.designs ?? 0),
            processClasses: [...new Set(designs.map((d) => d.processClass))],
          },
          sha256,
          settings: { epochs, batchSize, seed, size: settings.size, workers },
          backend: backendChoice.name,
          trainingSeconds: trainingSeconds + (topology?.seconds ?? 0),
          epochsDone: layoutEpoch,
          metrics,
          layout: { designs: items.length, epochs: layoutEpoch, skipped: layoutData.skipped },
          ...(topology
            ? {
                topology: {
                  trainer: topology.trainer,
                  count: topology.count,
                  epochsDone: topology.epochsDone,
                  trainingSeconds: topology.seconds,
                  losses: topology.losses,
                  size: settings.size,
                },
              }
            : {}),
        });
        await writeBytesAtomic(join(out, "model-card.json"), `${JSON.stringify(card, null, 2)}\n`);
      };

      let progress: ProgressReporter | undefined;
      if (topology) {
        const phase = topology;
        await runTopologyTrainingLoop({
          trainer: phase.trainer,
          graphs: phase.graphs,
          fromEpoch: phase.fromEpoch,
          epochs: topologyEpochs,
          batchSize,
          seed,
          onBatch(epoch, batch, batches, losses) {
            if (batch === 1) progress = new ProgressReporter(`topology epoch ${epoch}/${topologyEpochs}`, batches);
            progress?.tick(`d ${losses.d_loss.toFixed(3)}`);
          },
          async onEpoch({ epoch, step, seconds, losses }) {
            progress?.stop();
            phase.seconds += seconds;
            phase.epochsDone = epoch;
            phase.losses = losses;
            await appendFile(topologyMetricsPath, `${JSON.stringify({ epoch, step, seconds, ...losses })}\n`);
            await exportModel(startEpoch, {});
            await writeBytesAtomic(
              topologyCheckpointPath,
              packTopologyCheckpoint(await phase.trainer.state(), { epoch, seconds: phase.seconds, losses }),
            );
            printError(
              `topology epoch ${epoch}: ${seconds.toFixed(1)} s, d_loss ${Number(losses.d_loss).toFixed(3)}, g_loss ${Number(losses.g_loss).toFixed(3)}`,
            );
          },
        });
      }

      if (!trainsLayout) {
        // Nothing placed to learn positions from: the folder still loads (layout generator at epoch 0).
        await exportModel(0, {});
      } else {
        const val = existsSync(join(options.dataset, "val.ndjson.gz"))
          ? (await readSplit(options.dataset, "val")).designs
          : designs;
        const placedVal = val.filter((d) => d.equipment.length > 0 && d.equipment.every((e) => e.x !== undefined));
        const helpers = await startTrainingHelpers(trainer, workers, backendChoice.name, items);
        await runTrainingLoop({
          trainer,
          items,
          helpers,
          preview: pipelinePreview(
            previewRequests(placedVal.length > 0 ? placedVal : designs, Math.max(previewCount, 1)),
          ),
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
            await appendFile(
              metricsPath,
              `${JSON.stringify({ epoch, step, seconds, workers, ...losses, ...metrics })}\n`,
            );

            // Export the model, then the checkpoint (the checkpoint is the commit point of the epoch).
            await exportModel(epoch, { ...losses, ...metrics });
            await writeBytesAtomic(
              checkpointPath,
              packCheckpoint(await trainer.state(), { epoch, trainingSeconds, seed }),
            );
            printError(
              `epoch ${epoch}: ${seconds.toFixed(1)} s, d_loss ${Number(losses.d_loss).toFixed(3)}, g_loss ${Number(losses.g_loss).toFixed(3)}, ` +
                `preview validity ${metrics.preview_validity} (raw ${metrics.preview_raw_validity})`,
            );
          },
        }).finally(() => closeWorkers(helpers));
      }
      trainer.dispose();
      topology?.trainer.dispose();
      printLine(out);
    });
}

/** The topology phase of a run: its trainer, data and where it stands. */
interface TopologyPhase {
  readonly trainer: TopologyTrainer;
  readonly graphs: CompactSlotGraph[];
  readonly count: TopologyDataCount;
  readonly fromEpoch: number;
  epochsDone: number;
  seconds: number;
  losses: Record<string, number>;
}

async function topologyPhaseOf(
  designs: readonly Design[],
  options: { resumeFrom: string | undefined; size: string; nMax: number; seed: number },
): Promise<TopologyPhase> {
  if (!options.resumeFrom) {
    // A new run: the trainer's row-motif table (model-sizes.ts TOPOLOGY_ROW_MOTIFS) comes from these designs.
    const { trainer, graphs, count } = topologyTrainingSetup({ designs, ...options });
    return { trainer, graphs, count, fromEpoch: 0, epochsDone: 0, seconds: 0, losses: {} };
  }
  const { state, extra } = unpackTopologyCheckpoint(new Uint8Array(await readFile(options.resumeFrom)));
  const trainer = await restoreTopologyTrainer(state);
  const fromEpoch = Number(extra.epoch ?? 0);
  printError(`resuming the topology generator after epoch ${fromEpoch}`);
  const { graphs, count } = topologyTrainingGraphs(designs, trainer.config.spec, topologyLineCapacity(trainer));
  const losses = (extra.losses ?? {}) as Record<string, number>;
  return { trainer, graphs, count, fromEpoch, epochsDone: fromEpoch, seconds: Number(extra.seconds ?? 0), losses };
}

const skippedText = (skipped: Readonly<Record<string, number | undefined>>) =>
  Object.entries(skipped)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(", ") || "none left out";

/** A resumed run drops metric lines of epochs after its checkpoint (written before a kill). */
async function keepMetricLines(path: string, lastEpoch: number): Promise<void> {
  if (!existsSync(path)) return;
  const kept = (await readFile(path, "utf8"))
    .split("\n")
    .filter((l) => l.trim() && Number(JSON.parse(l).epoch) <= lastEpoch);
  await writeBytesAtomic(path, kept.map((l) => `${l}\n`).join(""));
}
