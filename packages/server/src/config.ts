/** Size limits of the API, bytes or counts. */
export interface Limits {
  /** Any JSON body (validate, datasets, rule packs...). Default 4 MiB. */
  readonly bodyBytes: number;
  /** POST /v1/designs body. Default 16 MiB. */
  readonly uploadBytes: number;
  /** POST /v1/imports body, and each file of a multipart import. Default 64 MiB (core's document limit). */
  readonly importBytes: number;
  /** Files in one multipart import. Default 16. */
  readonly importFiles: number;
  /** Designs in one synchronous upload; more go through POST /v1/imports as a job. Default 1000. */
  readonly syncRecords: number;
}

export const DEFAULT_LIMITS: Limits = {
  bodyBytes: 4 * 1024 * 1024,
  uploadBytes: 16 * 1024 * 1024,
  importBytes: 64 * 1024 * 1024,
  importFiles: 16,
  syncRecords: 1000,
};

/** Requests per minute per API key on the routes that cost the most. */
export interface RateLimits {
  /** Uploads, validation, rule packs. Default 300. */
  readonly upload: number;
  /** Imports, generation, training: each starts a job. Default 30. */
  readonly heavy: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { upload: 300, heavy: 30 };

/** What every route group is registered with. */
export interface RouteOptions {
  readonly limits: Limits;
  /** `config.rateLimit` for a route of each tier; undefined when rate limiting is off. */
  readonly rate: { readonly upload?: RateConfig; readonly heavy?: RateConfig };
}

export interface RateConfig {
  readonly max: number;
  readonly timeWindow: number;
}

/** A route's `config` with the tier's rate limit, when on. */
export function rateConfig(rate: RateConfig | undefined): { rateLimit?: RateConfig } {
  return rate ? { rateLimit: rate } : {};
}

/**
 * What one `plantgan serve` process does. "all" (the default): the API and the job runner in one
 * process. Several processes on one PostgreSQL database split the work: "api" serves HTTP and
 * queues jobs but runs none; "worker" runs queued jobs and serves only its health.
 */
export type ServerRole = "api" | "worker" | "all";
export const SERVER_ROLES: readonly ServerRole[] = ["api", "worker", "all"];

export function isServerRole(value: string): value is ServerRole {
  return (SERVER_ROLES as readonly string[]).includes(value);
}

/**
 * Per-workspace quotas (storage/quotas.ts). Each is off (Infinity) unless set: a server for one
 * team needs none; a shared one sets them in its environment (quotasFromEnv).
 */
export interface Quotas {
  /** Jobs one workspace may have waiting in the queue; one more is refused with 429 quota_exceeded. */
  readonly queuedJobs: number;
  /** Bytes of designs, candidates and model weights one workspace may keep; beyond, 507 insufficient_storage. */
  readonly storedBytes: number;
  /** Minutes of training one workspace may use in `trainingWindowHours`; a training beyond is refused with 429. */
  readonly trainingMinutes: number;
  /** The trailing window training minutes are counted in, hours. Default 24. */
  readonly trainingWindowHours: number;
}

export const DEFAULT_QUOTAS: Quotas = {
  queuedJobs: Number.POSITIVE_INFINITY,
  storedBytes: Number.POSITIVE_INFINITY,
  trainingMinutes: Number.POSITIVE_INFINITY,
  trainingWindowHours: 24,
};

/** Orphan blob collection (storage/collector.ts). */
export interface StorageOptions {
  /** How often the collector runs, ms; 0 turns it off. Default 10 minutes. */
  readonly collectIntervalMs: number;
  /** A blob stored within this long is never freed (an upload on its way to its record), ms. Default 15 minutes. */
  readonly blobGraceMs: number;
}

export const DEFAULT_STORAGE: StorageOptions = { collectIntervalMs: 10 * 60_000, blobGraceMs: 15 * 60_000 };

/** The environment variable of each quota and storage setting (`plantgan serve` reads them). */
export const QUOTA_ENV: Record<keyof Quotas, string> = {
  queuedJobs: "PLANTGAN_QUOTA_QUEUED_JOBS",
  storedBytes: "PLANTGAN_QUOTA_STORED_BYTES",
  trainingMinutes: "PLANTGAN_QUOTA_TRAINING_MINUTES",
  trainingWindowHours: "PLANTGAN_QUOTA_TRAINING_WINDOW_HOURS",
};
export const STORAGE_ENV: Record<keyof StorageOptions, string> = {
  collectIntervalMs: "PLANTGAN_COLLECT_INTERVAL_MS",
  blobGraceMs: "PLANTGAN_BLOB_GRACE_MS",
};

/** The settings of `names` that the environment sets; a value that is not a number ≥ 0 is refused by name. */
export function fromEnv<T extends object>(
  names: Record<keyof T, string>,
  env: NodeJS.ProcessEnv = process.env,
): Partial<T> {
  const out: Record<string, number> = {};
  for (const [key, name] of Object.entries(names) as [string, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0)
      throw new Error(`${name} must be a number ≥ 0 (got "${raw.slice(0, 40)}")`);
    out[key] = value;
  }
  return out as Partial<T>;
}
