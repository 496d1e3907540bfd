import type { Quotas } from "../config.js";
import { ApiError } from "../errors.js";
import type { JobKind, Store } from "../store/store.js";

/**
 * Seconds a workspace with a full queue is told to wait: jobs leave the queue as runners take
 * them, and a short job takes about this long.
 */
const QUEUE_RETRY_AFTER_S = 30;

/**
 * Checks a workspace's use against its quotas (config.ts Quotas) before it queues a job or stores
 * designs. A quota is a soft limit: requests checked at the same moment may together pass it by
 * what they add. Nothing is asked of the store while every quota is off.
 */
export class QuotaGuard {
  readonly quotas: Quotas;
  readonly #store: Store;

  constructor(quotas: Quotas, store: Store) {
    this.quotas = quotas;
    this.#store = store;
  }

  /** Refuses a new job: 429 when the queue or (for a training) the training minutes are used up, 507 when storage is. */
  async beforeJob(workspaceId: string, kind: JobKind): Promise<void> {
    const { queuedJobs, storedBytes, trainingMinutes } = this.quotas;
    const training = kind === "train" && Number.isFinite(trainingMinutes);
    if (!Number.isFinite(queuedJobs) && !Number.isFinite(storedBytes) && !training) return;
    const now = Date.now();
    const windowMs = this.quotas.trainingWindowHours * 3_600_000;
    const usage = await this.#store.workspaceUsage(workspaceId, now - windowMs);
    if (usage.queuedJobs >= queuedJobs) {
      throw new ApiError(
        "quota_exceeded",
        `the workspace has ${usage.queuedJobs} jobs queued, its quota is ${queuedJobs}: wait for some to start`,
        { quota: "queuedJobs", limit: queuedJobs, used: usage.queuedJobs, retryAfter: QUEUE_RETRY_AFTER_S },
      );
    }
    this.#checkStorage(usage.storedBytes, 0);
    if (training && usage.trainingMs >= trainingMinutes * 60_000) {
      // The window frees minutes as the earliest counted training leaves it.
      const frees = (usage.firstTrainingEnd ?? now) + windowMs;
      throw new ApiError(
        "quota_exceeded",
        `the workspace trained ${Math.round(usage.trainingMs / 60_000)} of its ${trainingMinutes} minutes in ` +
          `the last ${this.quotas.trainingWindowHours} h`,
        {
          quota: "trainingMinutes",
          limit: trainingMinutes,
          used: usage.trainingMs / 60_000,
          retryAfter: Math.max(1, Math.ceil((frees - now) / 1000)),
        },
      );
    }
  }

  /**
   * Refuses to store `incoming` bytes more (507) when that would pass the workspace's storage
   * quota; a function is only called when the quota is on (measuring may cost).
   */
  async beforeStoring(workspaceId: string, incoming: number | (() => number)): Promise<void> {
    if (!Number.isFinite(this.quotas.storedBytes)) return;
    const usage = await this.#store.workspaceUsage(workspaceId, Date.now());
    this.#checkStorage(usage.storedBytes, typeof incoming === "function" ? incoming() : incoming);
  }

  #checkStorage(used: number, incoming: number): void {
    const limit = this.quotas.storedBytes;
    if (used + incoming <= limit && used < limit) return;
    throw new ApiError(
      "insufficient_storage",
      `the workspace stores ${used} bytes${incoming > 0 ? ` and this adds up to ${incoming}` : ""}; its quota is ` +
        `${limit} bytes: delete designs, candidates or models to make room`,
      { quota: "storedBytes", limit, used },
    );
  }
}

/**
 * The store with every job creation checked against the quotas first: routes queue jobs on
 * several paths (the runner's enqueue, a direct generation's own row), and all of them create
 * the job here. Every other member is the store's own.
 */
export function withJobQuotas(store: Store, guard: QuotaGuard): Store {
  const createJob: Store["createJob"] = async (workspaceId, input) => {
    await guard.beforeJob(workspaceId, input.kind);
    return store.createJob(workspaceId, input);
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === "createJob") return createJob;
      const value = Reflect.get(target, property, target) as unknown;
      // Bound to the store itself: its methods use private fields.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
