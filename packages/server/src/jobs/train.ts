import { gunzipSync } from "node:zlib";
import { type Design, parseDesign } from "@plantgan/core/design";
import {
  createTrainer,
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
import { bundleModelFiles } from "../gan/bundle.js";
import type { TrainPayload } from "../gan/training-service.js";
import { JobCancelledError, type JobContext } from "./context.js";

/** What a training job commits with each epoch: where to continue from. */
interface TrainCheckpoint {
  readonly epoch: number;
  /** sha256 of the packed trainer state (weights, optimizers, draw counter). */
  readonly state: string;
  /** sha256 of the model bundle of that epoch. */
  readonly weights: string;
  readonly trainingSeconds: number;
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

/**
 * The "train" job: trains the layout GAN on the dataset snapshot in the payload. Each epoch ends
 * with one step that commits the checkpoint (trainer state blob), the model so far (bundle blob
 * and card) and the epoch's `metrics` event with losses, preview metrics and sample layouts; a new
 * attempt after a crash restores the last checkpoint and goes on from the next epoch.
 */
export async function runTrain(ctx: JobContext): Promise<unknown> {
  const payload = ctx.job.payload as TrainPayload;
  const { settings } = payload;
  const backend = await selectBackend();
  await ctx.emit("log", { message: `TensorFlow.js backend: ${backend.name}` });
  const designs = readSnapshot(new Uint8Array(await ctx.blobs.get(payload.designs)));

  const resumeFrom = ctx.job.checkpoint as TrainCheckpoint | undefined;
  let trainer: Trainer;
  let trainingSeconds = 0;
  if (resumeFrom) {
    const { state } = unpackCheckpoint(new Uint8Array(await ctx.blobs.get(resumeFrom.state)));
    trainer = await restoreTrainer(state);
    trainingSeconds = resumeFrom.trainingSeconds;
    await ctx.emit("log", { message: `resuming after epoch ${resumeFrom.epoch} (attempt ${ctx.job.attempts})` });
  } else {
    const lr = settings.learningRate;
    trainer = createTrainer({
      nMax: settings.nMax,
      ...trainerSettings(MODEL_SIZES[settings.size]!, settings.generator ?? "graph"),
      ...(lr !== undefined ? { generatorLearningRate: lr, criticLearningRate: lr } : {}),
      seed: settings.seed,
    });
  }

  let previous = resumeFrom;
  let lastMetrics: Record<string, number> = {};
  let epochsDone = resumeFrom?.epoch ?? 0;
  try {
    const items = trainingItems(designs, trainer);
    if (items.length === 0) throw new Error(`no design of the snapshot fits nMax ${settings.nMax}`);
    await ctx.step({
      progress: { done: epochsDone, total: settings.epochs },
      events: [
        {
          type: "log",
          data: { message: `training ${payload.modelId} on ${items.length} designs of ${payload.datasetId}` },
        },
      ],
    });
    let lastBatchEvent = Date.now();
    epochsDone = await runTrainingLoop({
      trainer,
      items,
      preview: pipelinePreview(previewRequests(designs, settings.previews)),
      fromEpoch: epochsDone,
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      seed: settings.seed,
      shouldStop: () => ctx.signal.aborted,
      async onBatch(epoch, batch, batches) {
        if (Date.now() - lastBatchEvent < BATCH_EVENT_MS) return;
        lastBatchEvent = Date.now();
        await ctx.emit("progress", { done: epoch - 1, total: settings.epochs, epoch, batch, batches });
      },
      async onEpoch({ epoch, step, seconds, losses, metrics, samples }) {
        trainingSeconds += seconds;
        lastMetrics = { ...losses, ...metrics };
        const info: ModelInfo = {
          format: "plantgan-model",
          version: 1,
          config: trainer.config,
          epoch,
          dataset: payload.datasetId,
        };
        const card = modelCard({
          id: payload.modelId,
          trainer,
          dataset: { id: payload.datasetId, designs: items.length, processClasses: payload.processClasses },
          sha256: payload.designs,
          settings,
          backend: backend.name,
          trainingSeconds,
          epochsDone: epoch,
          metrics: lastMetrics,
        });
        const files = await modelFiles(trainer, info);
        files.set("model-card.json", new TextEncoder().encode(`${JSON.stringify(card, null, 2)}\n`));
        const weights = (await ctx.blobs.put(bundleModelFiles(files))).sha256;
        const state = (await ctx.blobs.put(packCheckpoint(await trainer.state(), { epoch, trainingSeconds }))).sha256;
        const checkpoint: TrainCheckpoint = { epoch, state, weights, trainingSeconds };
        await ctx.step({
          checkpoint,
          model: { id: payload.modelId, card, weights },
          progress: { done: epoch, total: settings.epochs },
          events: [
            { type: "progress", data: { done: epoch, total: settings.epochs } },
            { type: "metrics", data: { epoch, epochs: settings.epochs, step, seconds, losses, metrics, samples } },
          ],
        });
        // The committed step no longer refers to the previous epoch's blobs.
        if (previous) {
          await ctx.blobs.remove(previous.state);
          if (previous.weights !== weights) await ctx.blobs.remove(previous.weights);
        }
        previous = checkpoint;
      },
    });
  } finally {
    trainer.dispose();
  }
  const result = {
    model: payload.modelId,
    epochs: epochsDone,
    trainingSeconds,
    backend: backend.name,
    metrics: lastMetrics,
  };
  if (ctx.signal.aborted && epochsDone < settings.epochs) throw new JobCancelledError(result);
  return result;
}
