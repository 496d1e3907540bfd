import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AppOptions, buildApp, createApiKey, startServer } from "@plantgan/server";
import { OWN_DEXPI, ownDexpiPath } from "@plantgan/testing";
import { postgresMissing, type RunningPostgres, startPostgres } from "@plantgan/testing/postgres";
import { afterAll } from "vitest";

type App = Awaited<ReturnType<typeof buildApp>>;

/**
 * A topology-only DEXPI P&ID from the repository (packages/testing/dexpi), so the suite runs on
 * every clone. The tee branch imports as a pump station, which the listing tests count on.
 */
export const DEXPI_FILE = ownDexpiPath(OWN_DEXPI.teeBranch);

/** Short leases so crash recovery shows within a test; fast polls. */
export const TEST_JOBS = { leaseMs: 1500, heartbeatMs: 250, pollMs: 150, cancelGraceMs: 2000 } as const;

/** Training steps hold the CPU longer than import steps: a lease a loaded CI machine cannot outrun. */
export const TRAINING_JOBS = { ...TEST_JOBS, leaseMs: 6000 } as const;

/** Generate steps polish each candidate (an LP, a second route and validate): as long a lease as training. */
export const GENERATION_JOBS = { ...TEST_JOBS, leaseMs: TRAINING_JOBS.leaseMs } as const;

/**
 * The store the test servers use: SQLite in each server's data folder (the default), or with
 * PLANTGAN_TEST_STORE=postgres a fresh database per data folder in a throwaway PostgreSQL cluster
 * (one per test file's process), so the whole API suite runs on both stores.
 */
export const TEST_STORE: "sqlite" | "postgres" = process.env.PLANTGAN_TEST_STORE === "postgres" ? "postgres" : "sqlite";

let cluster: RunningPostgres | undefined;
/** A data folder keeps its database: a server restarted on the same folder (the crash tests) finds its data. */
const databases = new Map<string, string>();
/** Set in the environment of server processes a test spawns (they import this module outside vitest). */
const SPAWNED = "PLANTGAN_TEST_SPAWNED_SERVER";
// The test file's process can end without running exit hooks (a leftover cluster was seen): stop
// the cluster after the file's tests.
if (TEST_STORE === "postgres" && process.env[SPAWNED] === undefined) {
  afterAll(() => {
    cluster?.stop();
    cluster = undefined;
    databases.clear();
  });
}

/**
 * The postgres:// URL of the database for the server on `dataDir`, or undefined on SQLite. The
 * cluster starts on first use and stops after the test file.
 * Asked for PostgreSQL where it cannot start, this throws with the reason rather than quietly
 * testing SQLite.
 */
export async function testDatabaseUrl(dataDir: string): Promise<string | undefined> {
  if (TEST_STORE === "sqlite") return undefined;
  const known = databases.get(dataDir);
  if (known) return known;
  if (!cluster) {
    const missing = postgresMissing();
    if (missing) throw new Error(`PLANTGAN_TEST_STORE=postgres, but ${missing}`);
    cluster = await startPostgres();
  }
  const url = cluster.newDatabase();
  databases.set(dataDir, url);
  return url;
}

/** The environment for a server process the test spawns on `dataDir`: its database on PostgreSQL. */
export async function testServerEnv(dataDir: string): Promise<NodeJS.ProcessEnv> {
  const url = await testDatabaseUrl(dataDir);
  return url ? { ...process.env, PLANTGAN_DATABASE_URL: url, [SPAWNED]: "1" } : process.env;
}

export interface TestServer {
  readonly app: App;
  readonly url: string;
  readonly dataDir: string;
  /** Keys of two workspaces, for isolation checks. */
  readonly keyA: string;
  readonly keyB: string;
  /** fetch against the server with workspace A's key (or `key`). */
  api(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  close(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * A real server: buildApp on a temporary folder (its SQLite file, or its own PostgreSQL database
 * under PLANTGAN_TEST_STORE=postgres), listening on 127.0.0.1, port 0.
 */
export async function startTestServer(
  options: Omit<AppOptions, "dataDir"> & { dataDir?: string } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "plantgan-api-"));
  const databaseUrl = options.databaseUrl ?? (await testDatabaseUrl(dataDir));
  const app = await buildApp({
    rateLimit: false,
    jobs: TEST_JOBS,
    ...options,
    dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  const url = `http://127.0.0.1:${address.port}`;
  const keyA = (await createApiKey(app.store, "workspace-a")).key;
  const keyB = (await createApiKey(app.store, "workspace-b")).key;
  return {
    app,
    url,
    dataDir,
    keyA,
    keyB,
    api(path, init = {}) {
      const { key = keyA, headers, ...rest } = init;
      return fetch(`${url}${path}`, {
        ...rest,
        headers: {
          ...(key === null ? {} : { authorization: `Bearer ${key}` }),
          ...(headers as Record<string, string> | undefined),
        },
      });
    },
    async close({ keepData = false } = {}) {
      await app.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function json(body: unknown): RequestInit {
  return { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

export interface SseEvent {
  readonly id: number;
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/**
 * Reads a server-sent event stream with fetch (which, unlike EventSource, sends Authorization)
 * until the server ends it or `until` returns true.
 */
export async function readSse(
  url: string,
  key: string,
  options: { lastEventId?: number; until?: (e: SseEvent) => boolean; timeoutMs?: number } = {},
): Promise<SseEvent[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs ?? 30_000);
  const events: SseEvent[] = [];
  try {
    const response = await fetch(url, {
      headers: {
        authorization: `Bearer ${key}`,
        accept: "text/event-stream",
        ...(options.lastEventId !== undefined ? { "last-event-id": String(options.lastEventId) } : {}),
      },
      signal: abort.signal,
    });
    if (!response.ok || !response.body) throw new Error(`SSE ${response.status}: ${await response.text()}`);
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        const fields = Object.fromEntries(
          block
            .split("\n")
            .filter((l) => l && !l.startsWith(":"))
            .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trimStart()]),
        );
        if (fields.id === undefined) continue;
        const e = {
          id: Number(fields.id),
          event: String(fields.event),
          data: JSON.parse(String(fields.data)) as Record<string, unknown>,
        };
        events.push(e);
        if (options.until?.(e)) {
          abort.abort();
          return events;
        }
      }
    }
    return events;
  } catch (error) {
    if (abort.signal.aborted && options.until && events.length > 0 && options.until(events[events.length - 1]!))
      return events;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A server as `pnpm start` runs it: the shipped model registered on first run, its first-run key. */
export interface ModelServer {
  readonly url: string;
  readonly key: string;
  /** fetch with the key and a JSON content type (headers in `init` win). */
  api(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Starts a ModelServer on a temporary data folder (removed on close), with generation leases. */
export async function startModelServer(): Promise<ModelServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "plantgan-model-server-"));
  const databaseUrl = await testDatabaseUrl(dataDir);
  const server = await startServer({
    port: 0,
    dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    viewerDir: false,
    seed: { dataset: false, model: true },
    rateLimit: false,
    jobs: GENERATION_JOBS,
    print: () => {},
    logger: false,
  });
  const key = server.firstRunKey!;
  return {
    url: server.url,
    key,
    api: (path, init = {}) =>
      fetch(`${server.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...init.headers },
      }),
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
