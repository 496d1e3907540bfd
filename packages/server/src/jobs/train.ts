import { gunzipSync } from "node:zlib";
import { type Design, type ModelCard, parseDesign } from "@plantgan/core/design";
import {
  createTrainer,
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
import { bundleModelFiles } from "../gan/bundle.js";
import { closeWorkers, startTrainingHelpers, trainWorkerCount } from "../gan/parallel-training.js";
import type { TrainPayload } from "../gan/training-service.js";
import type { JobEventType } from "../store/store.js";
import { JobCancelledError, type JobContext } from "./context.js";

/** What a training job commits with each epoch: where to continue from. */
interface TrainCheckpoint {
  /** Layout epochs done. */
  readonly epoch: number;
  /** sha256 of the packed layout trainer state; absent while only the topology generator has trained. */
  readonly state?: string;
  /** sha256 of the model bundle of that epoch. */
  readonly weights: string;
  /** Seconds of layout training. */
  readonly trainingSeconds: number;
  /** The topology phase, when the run has one. */
  readonly topology?: {
    readonly epoch: number;
    /** sha256 of the packed topology trainer state. */
    readonly state: string;
    readonly trainingSeconds: number;
    readonly losses: Record<string, number>;
  };
}

/** Mid-epoch progress events at most this often (the chart updates per epoch; the bar moves in between). */
const BATCH_EVENT_MS = 2000;

function readSnapshot(bytes: Uint8Array): Design[] {
  return gunzipSync(bytes)
    .toString("utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, i) => {
      const parsed = parseDesign(line);
      if (!parsed.success) throw new Error(`dataset snapshot line ${i + 1}: ${parsed.issues[0]?.message}`);
      return parsed.data;
    });
}

/** Loss names of the topology phase in `metrics` events, apart from the layout generator's in the charts. */
const topologyLosses = (losses: Record<string, number>) =>
  Object.fromEntries(Object.entries(losses).map(([k, v]) => [`topology_${k}`, v]));

/**
 * The "train" job: trains the topology GAN on every design of the dataset snapshot in the payload
 * (placed and topology-only), then the layout GAN on its placed designs. Each epoch of either
 * phase ends with one step that commits the checkpoint (trainer state blobs), the model so far
 * (bundle blob and card) and the epoch's `metrics` event; a new attempt after a crash restores the
 * last checkpoint and goes on from the next epoch. A snapshot without placed designs trains the
 * topology generator only, and its model keeps the layout generator untrained (epoch 0, said in
 * the log and the card).
 */
export async function runTrain(ctx: JobContext): Promise<unknown> {
  const payload = ctx.job.payload as TrainPayload;
  const { settings } = payload;
  const topologyEpochs = settings.topologyEpochs ?? 0;
  const backend = await selectBackend();
  // Processes the layout generator trains on (data-parallel); a bad setting fails the job here.
  const workersWanted = trainWorkerCount();
  let workers = 1;
  await ctx.emit("log", { message: `TensorFlow.js backend: ${backend.name}` });
  const designs = readSnapshot(new Uint8Array(await ctx.blobs.get(payload.designs)));

  const resumeFrom = ctx.job.checkpoint as TrainCheckpoint | undefined;
  let trainer: Trainer;
  let trainingSeconds = 0;
  if (resumeFrom?.state) {
    const { state } = unpackCheckpoint(new Uint8Array(await ctx.blobs.get(resumeFrom.state)));
    trainer = await restoreTrainer(state);
    trainingSeconds = resumeFrom.trainingSeconds;
  } else {
    const lr = settings.learningRate;
    const sized = trainerSettings(MODEL_SIZES[settings.size]!, settings.generator ?? "graph");
    trainer = createTrainer({
      nMax: settings.nMax,
      ...sized,
      ...(lr !== undefined ? { generatorLearningRate: lr, criticLearningRate: lr } : {}),
      // A job queued before the setting existed has none: the trainer's default.
      penalties: { ...sized.penalties, cost: settings.costWeight },
      seed: settings.seed,
    });
  }
  let topology: TopologyTrainer | undefined;
  let fresh: ReturnType<typeof topologyTrainingSetup> | undefined;
  let topologyDone = resumeFrom?.topology?.epoch ?? 0;
  let topologySeconds = resumeFrom?.topology?.trainingSeconds ?? 0;
  let topologyLast = resumeFrom?.topology?.losses ?? {};
  if (resumeFrom?.topology) {
    const { state } = unpackTopologyCheckpoint(new Uint8Array(await ctx.blobs.get(resumeFrom.topology.state)));
    topology = await restoreTopologyTrainer(state);
  } else if (topologyEpochs > 0) {
    // A new run: the trainer's row-motif table (model-sizes.ts TOPOLOGY_ROW_MOTIFS) comes from these designs.
    fresh = topologyTrainingSetup({
      designs,
      size: settings.size,
      nMax: settings.nMax,
      seed: settings.seed,
      // The job's learning rate is for both generators; absent, each size's own.
      ...(settings.learningRate !== undefined ? { learningRate: settings.learningRate } : {}),
    });
    topology = fresh.trainer;
  }
  if (resumeFrom) {
    await ctx.emit("log", {
      message: `resuming after topology epoch ${topologyDone} and layout epoch ${resumeFrom.epoch} (attempt ${ctx.job.attempts})`,
    });
  }

  let previous = resumeFrom;
  let lastMetrics: Record<string, number> = {};
  let epochsDone = resumeFrom?.epoch ?? 0;
  try {
    const layoutData = layoutTrainingData(designs, trainer);
    const { items } = layoutData;
    const topologyData =
      fresh ??
      (topology ? topologyTrainingGraphs(designs, topology.config.spec, topologyLineCapacity(topology)) : undefined);
    if (topologyData && topologyData.graphs.length === 0) {
      topology?.dispose();
      topology = undefined;
    }
    const trainsTopology = topology !== undefined && topologyData !== undefined;
    if (items.length === 0 && !trainsTopology) {
      throw new Error(`no design of the snapshot fits nMax ${settings.nMax} for either generator`);
    }
    const layoutEpochs = items.length > 0 ? settings.epochs : 0;
    const total = (trainsTopology ? topologyEpochs : 0) + layoutEpochs;
    const done = () => (trainsTopology ? topologyDone : 0) + epochsDone;
    await ctx.step({
      progress: { done: done(), total },
      events: [
        {
          type: "log",
          data: {
            message:
              `training ${payload.modelId} on ${payload.datasetId}: ` +
              (trainsTopology
                ? `topology generator on ${topologyData.count.designs} designs (${topologyData.count.placed} placed, ${topologyData.count.topologyOnly} topology-only), ${topologyEpochs} epochs; `
                : "") +
              (items.length > 0
                ? `layout generator on ${items.length} placed designs, ${settings.epochs} epochs`
                : "layout generator not trained: no placed design"),
          },
        },
      ],
    });

    /** The model's files and card as they stand. */
    const exportModel = async (layoutEpoch: number, metrics: Record<string, number>) => {
      const info: ModelInfo = {
        format: "plantgan-model",
        version: 1,
        config: trainer.config,
        epoch: layoutEpoch,
        dataset: payload.datasetId,
      };
      const card = modelCard({
        id: payload.modelId,
        trainer,
        dataset: {
          id: payload.datasetId,
          designs: Math.max(items.length, topologyData?.count.designs ?? 0),
          processClasses: payload.processClasses,
        },
        sha256: payload.designs,
        settings: { ...settings, workers },
        backend: backend.name,
        trainingSeconds: trainingSeconds + topologySeconds,
        epochsDone: layoutEpoch,
        metrics,
        layout: { designs: items.length, epochs: layoutEpoch, skipped: layoutData.skipped },
        ...(topology && topologyData
          ? {
              topology: {
                trainer: topology,
                count: topologyData.count,
                epochsDone: topologyDone,
                trainingSeconds: topologySeconds,
                losses: topologyLast,
                size: settings.size,
              },
            }
          : {}),
      });
      const files = await modelFiles(trainer, info);
      if (topology) for (const [path, bytes] of await topologyFolderFiles(topology)) files.set(path, bytes);
      files.set("model-card.json", new TextEncoder().encode(`${JSON.stringify(card, null, 2)}\n`));
      return { card, weights: (await ctx.blobs.put(bundleModelFiles(files))).sha256 };
    };

    /** Commits a checkpoint with the model and events, then frees the previous checkpoint's blobs. */
    const commit = async (
      checkpoint: TrainCheckpoint,
      card: ModelCard,
      events: { type: JobEventType; data: Record<string, unknown> }[],
    ) => {
      await ctx.step({
        checkpoint,
        model: { id: payload.modelId, card, weights: checkpoint.weights },
        progress: { done: done(), total },
        events: [{ type: "progress", data: { done: done(), total } }, ...events],
      });
      // The committed step no longer refers to the previous epoch's blobs.
      if (previous) {
        for (const [old, now] of [
          [previous.state, checkpoint.state],
          [previous.weights, checkpoint.weights],
          [previous.topology?.state, checkpoint.topology?.state],
        ]) {
          if (old && old !== now) await ctx.blobs.remove(old);
        }
      }
      previous = checkpoint;
    };

    let lastBatchEvent = Date.now();
    if (topology && topologyData) {
      const phase = topology;
      topologyDone = await runTopologyTrainingLoop({
        trainer: phase,
        graphs: topologyData.graphs,
        fromEpoch: topologyDone,
        epochs: topologyEpochs,
        batchSize: settings.batchSize,
        seed: settings.seed,
        shouldStop: () => ctx.signal.aborted,
        async onBatch(epoch, batch, batches) {
          if (Date.now() - lastBatchEvent < BATCH_EVENT_MS) return;
          lastBatchEvent = Date.now();
          await ctx.emit("progress", { done: epoch - 1, total, phase: "topology", epoch, batch, batches });
        },
        async onEpoch({ epoch, step, seconds, losses }) {
          topologySeconds += seconds;
          topologyDone = epoch;
          topologyLast = losses;
          const { card, weights } = await exportModel(epochsDone, lastMetrics);
          const state = (
            await ctx.blobs.put(packTopologyCheckpoint(await phase.state(), { epoch, seconds: topologySeconds }))
          ).sha256;
          await commit(
            {
              epoch: epochsDone,
              ...(previous?.state ? { state: previous.state } : {}),
              weights,
              trainingSeconds,
              topology: { epoch, state, trainingSeconds: topologySeconds, losses },
            },
            card,
            [
              {
                type: "metrics",
                data: {
                  phase: "topology",
                  epoch,
                  epochs: topologyEpochs,
                  step,
                  seconds,
                  losses: topologyLosses(losses),
                },
              },
            ],
          );
        },
      });
      if (ctx.signal.aborted && topologyDone < topologyEpochs) throw new JobCancelledError(resultOf());
    }

    if (items.length === 0) {
      // Nothing placed to learn positions from: commit the model once more only if no epoch did.
      if (!previous) {
        const { card, weights } = await exportModel(0, {});
        await commit({ epoch: 0, weights, trainingSeconds }, card, []);
      }
    } else {
      // Never more workers than designs: each worker takes a row of every step.
      workers = Math.min(workersWanted, items.length);
      const helpers = await startTrainingHelpers(trainer, workers, backend.name, items);
      if (workers > 1) {
        await ctx.emit("log", {
          message: `layout generator: data-parallel on ${workers} processes (PLANTGAN_TRAIN_WORKERS), gradients averaged every step`,
        });
      }
      epochsDone = await runTrainingLoop({
        trainer,
        items,
        helpers,
        preview: pipelinePreview(previewRequests(designs, settings.previews)),
        fromEpoch: epochsDone,
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        seed: settings.seed,
        shouldStop: () => ctx.signal.aborted,
        async onBatch(epoch, batch, batches) {
          if (Date.now() - lastBatchEvent < BATCH_EVENT_MS) return;
          lastBatchEvent = Date.now();
          await ctx.emit("progress", { done: done(), total, epoch, batch, batches });
        },
        async onEpoch({ epoch, step, seconds, losses, metrics, samples }) {
          trainingSeconds += seconds;
          epochsDone = epoch;
          lastMetrics = { ...losses, ...metrics };
          const { card, weights } = await exportModel(epoch, lastMetrics);
          const state = (await ctx.blobs.put(packCheckpoint(await trainer.state(), { epoch, trainingSeconds }))).sha256;
          await commit(
            {
              epoch,
              state,
              weights,
              trainingSeconds,
              ...(previous?.topology ? { topology: previous.topology } : {}),
            },
            card,
            [{ type: "metrics", data: { epoch, epochs: settings.epochs, step, seconds, losses, metrics, samples } }],
          );
        },
      }).finally(() => closeWorkers(helpers));
      if (ctx.signal.aborted && epochsDone < settings.epochs) throw new JobCancelledError(resultOf());
    }
  } finally {
    trainer.dispose();
    topology?.dispose();
  }
  return resultOf();

  function resultOf() {
    return {
      model: payload.modelId,
      epochs: epochsDone,
      ...(topologyEpochs > 0 ? { topologyEpochs: topologyDone } : {}),
      trainingSeconds: trainingSeconds + topologySeconds,
      backend: backend.name,
      workers,
      metrics: lastMetrics,
    };
  }
}
