/**
 * A data-parallel training worker: a child process forked by parallel-training.ts, with its own
 * TensorFlow.js backend and its own copy of the trainer (restored from the parent's state, so
 * every worker starts from the same weights). It answers one request at a time: gradients on its
 * rows of a step's batch, and the summed gradients to apply (core gan/data-parallel.ts); applying
 * the critic's sum also answers with the generator's gradients when its update follows, and the
 * generator's sum is applied at the start of the next request. The
 * training designs may be sent once ("items"); a step's shard then names them by index, instead
 * of ~90 kB of encodings per row crossing the pipe every step.
 */
import {
  type BackendName,
  type BatchItem,
  type BatchRows,
  localWorker,
  restoreTrainer,
  type Trainer,
  type TrainerState,
  useBackend,
} from "@plantgan/core/gan";
import { exitWhenParentDies } from "../process/parent-watch.js";

/**
 * Requests from the parent; each gets one reply with the same id. The summed generator gradients
 * travel with the request after them (`generatorSum`, applied first): the generator update needs
 * no round trip of its own, so a step with one waits on the slower worker twice, not three times.
 */
export type GradientRequest = (
  | { readonly id: number; readonly type: "init"; readonly state: TrainerState; readonly backend: BackendName }
  | { readonly id: number; readonly type: "items"; readonly items: BatchItem[] }
  | { readonly id: number; readonly type: "critic"; readonly shard: ShardItems; readonly rows: BatchRows }
  | { readonly id: number; readonly type: "applyCritic"; readonly sum: Float32Array[] }
  | { readonly id: number; readonly type: "state" }
) & { readonly generatorSum?: Float32Array[] };

/** `ms`: how long the request took in this process (the parent's round trip less it is the IPC). */
/** A shard's designs: the encodings themselves, or their indices in the items sent before. */
export type ShardItems = { readonly items: BatchItem[] } | { readonly indices: number[] };

/** `cpuMs`: this process's CPU time on it (below `ms` when it waited for a core). */
export type GradientReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown; readonly ms: number; readonly cpuMs: number }
  | { readonly id: number; readonly ok: false; readonly error: string };

let trainer: Trainer | undefined;
let worker: ReturnType<typeof localWorker> | undefined;
let dataset: readonly BatchItem[] = [];

function itemsOf(shard: ShardItems): BatchItem[] {
  if ("items" in shard) return shard.items;
  return shard.indices.map((i) => {
    const item = dataset[i];
    if (!item) throw new RangeError(`design ${i} of a shard: ${dataset.length} were sent`);
    return item;
  });
}

async function answer(request: GradientRequest): Promise<unknown> {
  if (request.type === "init") {
    await useBackend(request.backend);
    trainer = await restoreTrainer(request.state);
    worker = localWorker(trainer);
    return null;
  }
  if (!trainer || !worker) throw new Error(`${request.type} before init`);
  if (request.generatorSum) await worker.applyGeneratorGradients(request.generatorSum);
  switch (request.type) {
    case "items":
      dataset = request.items;
      return null;
    case "critic":
      return worker.criticGradients(itemsOf(request.shard), request.rows);
    case "applyCritic":
      return worker.applyCriticGradients(request.sum);
    case "state":
      return trainer.state();
  }
}

// Requests are handled in order: the parent sends the next one only after this one's reply.
let queue: Promise<void> = Promise.resolve();
process.on("message", (request: GradientRequest) => {
  queue = queue.then(async () => {
    let reply: GradientReply;
    try {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const value = await answer(request);
      const cpu = process.cpuUsage(cpu0);
      reply = { id: request.id, ok: true, value, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
    } catch (e) {
      reply = { id: request.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    if (process.connected) process.send?.(reply, undefined, undefined, () => undefined);
  });
});
// The parent went away: nothing left to do.
process.on("disconnect", () => process.exit(0));
// "disconnect" waits for the event loop; the watch thread ends this process mid-compute too.
exitWhenParentDies();
