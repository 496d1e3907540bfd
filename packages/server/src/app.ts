import { existsSync } from "node:fs";
import { resolve } from "node:path";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { DEFAULT_LIMITS as JSON_LIMITS, parseJsonText } from "@plantgan/core/design";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import {
  DEFAULT_LIMITS,
  DEFAULT_QUOTAS,
  DEFAULT_RATE_LIMITS,
  DEFAULT_STORAGE,
  fromEnv,
  type Limits,
  QUOTA_ENV,
  type Quotas,
  type RateLimits,
  type RouteOptions,
  STORAGE_ENV,
  type StorageOptions,
} from "./config.js";
import { ApiError, installErrorHandling } from "./errors.js";
import type { RunnerOptions } from "./jobs/runner.js";
import { SWAGGER_OPTIONS } from "./openapi.js";
import { authPlugin, requireApiKey } from "./plugins/auth.js";
import { type EventStreamOptions, eventStreamsPlugin } from "./plugins/event-streams.js";
import { jobsPlugin } from "./plugins/jobs.js";
import { storePlugin } from "./plugins/store.js";
import { candidateRoutes } from "./routes/candidates.js";
import { datasetRoutes } from "./routes/datasets.js";
import { designRoutes } from "./routes/designs.js";
import { generateRoutes } from "./routes/generate.js";
import { importRoutes } from "./routes/imports.js";
import { jobRoutes } from "./routes/jobs.js";
import { modelRoutes } from "./routes/models.js";
import { rulePackRoutes } from "./routes/rule-packs.js";
import { systemRoutes } from "./routes/system.js";
import { validateRoutes } from "./routes/validate.js";
import type { Services } from "./services.js";
import { storagePlugin } from "./storage/plugin.js";
import { QuotaGuard, withJobQuotas } from "./storage/quotas.js";
import { openStore, type StoreConfig, storeConfigFrom } from "./store/open.js";
import { installValidation } from "./validation.js";

export interface AppOptions {
  /** Folder of the SQLite file and blobs. Default ./data. */
  readonly dataDir?: string;
  /** A postgres:// URL: store everything in that PostgreSQL database instead. Default $PLANTGAN_DATABASE_URL. */
  readonly databaseUrl?: string;
  /** fastify's logger option. Default off (serve turns it on). */
  readonly logger?: FastifyServerOptions["logger"];
  readonly limits?: Partial<Limits>;
  /** Per-workspace quotas; unset ones come from the environment (config.ts QUOTA_ENV), else off. */
  readonly quotas?: Partial<Quotas>;
  /** Orphan blob collection; unset settings come from the environment (config.ts STORAGE_ENV). */
  readonly storage?: Partial<StorageOptions>;
  /** Requests per minute per key on costly routes, or false for none. */
  readonly rateLimit?: Partial<RateLimits> | false;
  /** Job runner settings; `start: false` queues jobs without running them. */
  readonly jobs?: Omit<RunnerOptions, "storeConfig"> & { readonly start?: boolean };
  /** Job event streams: how many one key may hold open, how soon a revoked key's streams end. */
  readonly streams?: EventStreamOptions;
  /** Generation and training, once the GAN provides them; absent: those routes answer 501. */
  readonly services?: Services;
  /** A built viewer to serve at / (index.html and assets). */
  readonly viewerDir?: string;
}

/** The viewer is a static app talking to this origin only: the policy keeps it that way. */
const VIEWER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; worker-src 'self' blob:; font-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

/**
 * Builds the app without listening (tests use inject() or listen on port 0). Plugin tree: store,
 * auth, jobs as shared plugins; route groups encapsulated under /v1; OpenAPI at /docs.
 */
export async function buildApp(options: AppOptions = {}): Promise<FastifyInstance> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const storage: StorageOptions = { ...DEFAULT_STORAGE, ...fromEnv(STORAGE_ENV), ...options.storage };
  const storeConfig: StoreConfig = {
    ...storeConfigFrom({ dataDir: resolve(options.dataDir ?? "data"), databaseUrl: options.databaseUrl }),
    blobGraceMs: storage.blobGraceMs,
  };
  const { store: opened, blobs } = openStore(storeConfig);
  const quotas = new QuotaGuard({ ...DEFAULT_QUOTAS, ...fromEnv(QUOTA_ENV), ...options.quotas }, opened);
  // Every job a route creates, on any path, is checked against the workspace's quotas first.
  const store = withJobQuotas(opened, quotas);

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: limits.bodyBytes,
    // Identifiers are up to 128 characters; fastify's default cap on a path parameter is 100.
    routerOptions: { maxParamLength: 256, ignoreTrailingSlash: true },
    // Prototype poisoning in JSON bodies is refused, not stripped.
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
  });
  installValidation(app);
  // JSON bodies are read as uploaded files are (core's parseJsonText): a key repeated in one
  // object, which parsers resolve differently, is refused with its pointer; fastify's own parser
  // then builds the body, refusing prototype poisoning. The body limit is fastify's.
  const fastifyJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const read = parseJsonText(body as string, { ...JSON_LIMITS, maxLength: Number.POSITIVE_INFINITY });
    if (!read.ok && read.issue.code === "invalid_json" && read.issue.pointer !== "") {
      const { code, pointer, message } = read.issue;
      done(
        new ApiError("invalid_json", `body${pointer}: ${message}`, {
          issues: [{ code, pointer, message, in: "body" }],
        }),
        undefined,
      );
      return;
    }
    fastifyJson(request, body as string, done);
  });
  const viewerDir = options.viewerDir && existsSync(options.viewerDir) ? resolve(options.viewerDir) : undefined;
  installErrorHandling(
    app,
    viewerDir
      ? { spaFallback: (reply) => reply.header("content-security-policy", VIEWER_CSP).sendFile("index.html") }
      : {},
  );

  await app.register(storePlugin, { store, blobs, owned: true });
  await app.register(storagePlugin, { quotas, storeConfig, collectIntervalMs: storage.collectIntervalMs });
  await app.register(authPlugin);
  await app.register(eventStreamsPlugin, options.streams ?? {});
  await app.register(jobsPlugin, {
    runner: { ...options.jobs, storeConfig },
    start: options.jobs?.start ?? true,
  });

  const rates = options.rateLimit === false ? undefined : { ...DEFAULT_RATE_LIMITS, ...options.rateLimit };
  if (rates) {
    await app.register(rateLimit, {
      global: false,
      // After auth (onRequest), so the limit counts per API key rather than per address.
      hook: "preHandler",
      keyGenerator: (request) => request.auth?.keyId ?? request.ip,
      errorResponseBuilder: (_request, context) =>
        new ApiError("rate_limited", `at most ${context.max} requests per ${context.after}; try again later`),
    });
  }
  const routeOptions: RouteOptions = {
    limits,
    rate: rates
      ? { upload: { max: rates.upload, timeWindow: 60_000 }, heavy: { max: rates.heavy, timeWindow: 60_000 } }
      : {},
  };

  await app.register(swagger, SWAGGER_OPTIONS);
  await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true });

  await app.register(
    async (v1) => {
      v1.addHook("onRequest", requireApiKey(v1));
      await v1.register(systemRoutes);
      await v1.register(designRoutes, { prefix: "/designs", ...routeOptions });
      await v1.register(datasetRoutes, { prefix: "/datasets", ...routeOptions });
      await v1.register(validateRoutes, { prefix: "/validate", ...routeOptions });
      await v1.register(rulePackRoutes, { prefix: "/rule-packs", ...routeOptions });
      await v1.register(importRoutes, { prefix: "/imports", ...routeOptions });
      await v1.register(jobRoutes, { prefix: "/jobs", ...routeOptions });
      await v1.register(modelRoutes, { prefix: "/models", ...routeOptions, services: options.services ?? {} });
      await v1.register(generateRoutes, { prefix: "/generate", ...routeOptions, services: options.services ?? {} });
      await v1.register(candidateRoutes, { prefix: "/candidates", ...routeOptions });
    },
    { prefix: "/v1" },
  );

  if (viewerDir) {
    await app.register(fastifyStatic, {
      root: viewerDir,
      prefix: "/",
      wildcard: false,
      setHeaders: (reply) => {
        reply.header("content-security-policy", VIEWER_CSP);
      },
    });
  }
  return app;
}
