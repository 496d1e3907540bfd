import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { type AppOptions, buildApp } from "./app.js";
import { generationService } from "./gan/generation-service.js";
import { trainingService } from "./gan/training-service.js";
import { JobRunner, type RunnerOptions } from "./jobs/runner.js";
import { createApiKey } from "./keys.js";
import { seedShippedDataset, seedShippedModel } from "./seed.js";
import { DATABASE_URL_ENV, openStore, storeConfigFrom } from "./store/open.js";

export interface ServeOptions extends Omit<AppOptions, "viewerDir"> {
  /** Default 127.0.0.1: reachable from this machine only until someone decides otherwise. */
  readonly host?: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** The built viewer; default packages/viewer/dist when it exists. */
  readonly viewerDir?: string | false;
  /** On first run, load the shipped dataset and model into the default workspace. Default both; false: neither. */
  readonly seed?: false | { readonly dataset?: boolean; readonly model?: boolean };
  /** Where the URL and the first-run key are printed. Default stderr. */
  readonly print?: (line: string) => void;
  /**
   * "all" (default): the API runs the queued jobs too. "api": it queues them for worker processes
   * (startWorker) on the same database and runs none itself.
   */
  readonly role?: "api" | "all";
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly url: string;
  /** The key created on first run (an empty database), shown once. */
  readonly firstRunKey?: string;
  close(): Promise<void>;
}

/** packages/viewer/dist, from src/ (source runs) and dist/ (built) alike. */
const DEFAULT_VIEWER_DIR = fileURLToPath(new URL("../../viewer/dist", import.meta.url));

/**
 * Starts the API (and the viewer at / when built). On first run, with no workspace yet, it
 * creates workspace "default" and a key and prints both: convenient for local development, and
 * the only way in until `plantgan keys create` makes others.
 */
export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const viewerDir = options.viewerDir === false ? undefined : (options.viewerDir ?? DEFAULT_VIEWER_DIR);
  const {
    host = "127.0.0.1",
    port = 8080,
    print: _print,
    viewerDir: _viewer,
    seed: _seed,
    role = "all",
    ...appOptions
  } = options;
  const app = await buildApp({
    logger: { level: "warn" },
    services: { generation: generationService, training: trainingService },
    ...appOptions,
    // An API-only process still recovers expired leases when it queues a job, but claims none.
    ...(role === "api" ? { jobs: { ...appOptions.jobs, start: false } } : {}),
    ...(viewerDir && existsSync(viewerDir) ? { viewerDir } : {}),
  });
  warnUnreadDatabaseUrl(options.databaseUrl, print);
  let firstRunKey: string | undefined;
  if ((await app.store.countWorkspaces()) === 0) {
    const created = await createApiKey(app.store, "default", "first-run key");
    firstRunKey = created.key;
    const seed = options.seed === false ? { dataset: false, model: false } : (options.seed ?? {});
    if (seed.dataset !== false) {
      const seeded = await seedShippedDataset(app.store, created.workspace.id);
      for (const d of seeded.datasets) print(`First run: loaded dataset ${d.id} (${d.designs} designs)`);
    }
    if (seed.model !== false) {
      const model = await seedShippedModel(app.store, app.blobs, created.workspace.id);
      if (model) print(`First run: registered the shipped model as "${model}"`);
    }
  }
  const address = await app.listen({ host, port });
  const url = address.replace("://[::1]", "://localhost");
  print(
    `PlantGAN API on ${url}/v1 — OpenAPI at ${url}/docs${viewerDir && existsSync(viewerDir) ? ` — viewer at ${url}/` : ""}`,
  );
  if (role === "api") print("Role api: jobs are queued here and run by `plantgan serve --role worker` processes.");
  if (firstRunKey) {
    print(`First run: created workspace "default" with API key (shown once; local development only):`);
    print(`  ${firstRunKey}`);
    // The line the README's examples start from: paste it into the shell.
    print(`  export KEY=${firstRunKey}`);
    print(`  e.g. curl -H "Authorization: Bearer ${firstRunKey}" ${url}/v1/designs`);
  }
  return {
    app,
    url,
    ...(firstRunKey ? { firstRunKey } : {}),
    close: () => app.close(),
  };
}

function warnUnreadDatabaseUrl(databaseUrl: string | undefined, print: (line: string) => void): void {
  if (process.env.DATABASE_URL && !process.env[DATABASE_URL_ENV] && databaseUrl === undefined) {
    print(`DATABASE_URL is not read: set ${DATABASE_URL_ENV}=postgres://… to store in PostgreSQL.`);
  }
}

export interface WorkerOptions {
  /** Folder of the SQLite file and blobs (one machine only). Default ./data. */
  readonly dataDir?: string;
  /** A postgres:// URL (default $PLANTGAN_DATABASE_URL): the database the API processes queue jobs in. */
  readonly databaseUrl?: string;
  /** Runner settings: concurrency, lease, polling, the worker id. */
  readonly jobs?: Omit<RunnerOptions, "storeConfig">;
  /** Where the health endpoint listens. Default 127.0.0.1. */
  readonly host?: string;
  /** Default 8081; 0 picks a free port. */
  readonly port?: number;
  /** Where the URL and runner warnings are printed. Default stderr. */
  readonly print?: (line: string) => void;
}

export interface RunningWorker {
  /** Where GET /health (and /v1/health) answers. */
  readonly url: string;
  readonly workerId: string;
  readonly runner: JobRunner;
  /** Stops taking jobs, gives running ones back to the queue, closes the health endpoint and the store. */
  close(): Promise<void>;
}

/**
 * A job worker process (`plantgan serve --role worker`): claims queued jobs from the shared
 * database and runs them, as many at once as `jobs.concurrency`. It serves no API, only its
 * health, so orchestrators can probe it: `{ status, role, worker, running }` at /health and
 * /v1/health (the API's probe path), 404 for anything else.
 */
export async function startWorker(options: WorkerOptions = {}): Promise<RunningWorker> {
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  warnUnreadDatabaseUrl(options.databaseUrl, print);
  const storeConfig = storeConfigFrom({
    dataDir: resolve(options.dataDir ?? "data"),
    databaseUrl: options.databaseUrl,
  });
  const { store } = openStore(storeConfig);
  const runner = new JobRunner(store, { ...options.jobs, storeConfig });
  runner.on("error-log", (error: unknown) =>
    print(`job runner: ${error instanceof Error ? error.message : String(error)}`),
  );
  const health = createServer((request, reply) => {
    const path = (request.url ?? "").split("?")[0];
    const found = request.method === "GET" && (path === "/health" || path === "/v1/health");
    reply.writeHead(found ? 200 : 404, { "content-type": found ? "application/json" : "application/problem+json" });
    reply.end(
      JSON.stringify(
        found
          ? { status: "ok", role: "worker", worker: runner.workerId, running: runner.runningJobs().length }
          : { status: 404, code: "not_found", detail: "a worker process serves GET /health only" },
      ),
    );
  });
  // Listen first: a taken port ends the process before it claims any job.
  try {
    await listen(health, options.host ?? "127.0.0.1", options.port ?? 8081);
  } catch (error) {
    await store.close();
    throw error;
  }
  await runner.start();
  const address = health.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  print(`PlantGAN worker ${runner.workerId} running jobs (health at ${url}/health)`);
  return {
    url,
    workerId: runner.workerId,
    runner,
    async close() {
      await runner.stop();
      await new Promise<void>((done) => health.close(() => done()));
      await store.close();
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      done();
    });
  });
}
