import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { type AppOptions, buildApp } from "./app.js";
import { generationService } from "./gan/generation-service.js";
import { trainingService } from "./gan/training-service.js";
import { createApiKey } from "./keys.js";
import { seedShippedDataset, seedShippedModel } from "./seed.js";
import { DATABASE_URL_ENV } from "./store/open.js";

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
  const { host = "127.0.0.1", port = 8080, print: _print, viewerDir: _viewer, seed: _seed, ...appOptions } = options;
  const app = await buildApp({
    logger: { level: "warn" },
    services: { generation: generationService, training: trainingService },
    ...appOptions,
    ...(viewerDir && existsSync(viewerDir) ? { viewerDir } : {}),
  });
  if (process.env.DATABASE_URL && !process.env[DATABASE_URL_ENV] && options.databaseUrl === undefined) {
    print(`DATABASE_URL is not read: set ${DATABASE_URL_ENV}=postgres://… to store in PostgreSQL.`);
  }
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
