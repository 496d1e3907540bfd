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
