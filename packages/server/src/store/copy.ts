import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { PostgresStore } from "./postgres.js";
import { RECORD_TABLES } from "./rows.js";
import { SqliteStore } from "./sqlite.js";

/**
 * Copies an SQLite data folder (the embedded default) into a PostgreSQL database, so a team can
 * grow past one machine. Both schemas keep the same tables and columns (postgres-migrations.ts),
 * so rows travel as they are, column by column, with no per-table SQL: ids, times, API key hashes
 * (old keys keep working) and the keys that tie rows together are kept. Blob files become
 * blob_contents rows. Everything is written in one PostgreSQL transaction: all or nothing.
 */

/** Tables in the order their foreign keys need. */
export const COPIED_TABLES = RECORD_TABLES;
export type CopiedTable = (typeof COPIED_TABLES)[number];

/** The rows copied per table, and the blob files copied ("blob_contents"). */
export type CopyCounts = Record<CopiedTable | "blob_contents", number>;

/** Why the copy did not start: the user can fix it (a missing folder, a database in use). */
export class CopyRefused extends Error {
  override name = "CopyRefused";
}

export interface CopyProgress {
  /** Called once before writing, with the number of steps (row batches and blob files). */
  start(steps: number): void;
  tick(item: string): void;
}

/** Rows per INSERT: well under PostgreSQL's 65,535 parameters, and a few MB of inline designs. */
const BATCH_ROWS = 100;

/** Columns PostgreSQL fills from a sequence, moved past the copied values after the copy. */
const SERIAL_COLUMNS: readonly (readonly [string, string])[] = [
  ["designs", "pk"],
  ["datasets", "pk"],
  ["rule_packs", "pk"],
  ["jobs", "seq"],
  ["job_events", "id"],
  ["models", "pk"],
  ["candidates", "pk"],
];

export const REQUEUE_REASON = "copied to PostgreSQL: a worker there runs it again";

export async function copySqliteToPostgres(dataDir: string, url: string, progress?: CopyProgress): Promise<CopyCounts> {
  if (!existsSync(join(dataDir, "plantgan.db"))) {
    throw new CopyRefused(`--from: ${dataDir} holds no plantgan.db (not a plantgan data folder)`);
  }
  // Both through their normal open path: the source is brought to the current schema, the target migrated.
  const source = SqliteStore.open(dataDir);
  try {
    const target = await PostgresStore.connect(url);
    await target.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await copyInTransaction(source, client, progress);
    } finally {
      await client.end();
    }
  } finally {
    await source.close();
  }
}

async function copyInTransaction(source: SqliteStore, client: pg.Client, progress?: CopyProgress): Promise<CopyCounts> {
  const blobNames = await blobsToCopy(source);
  const counts = Object.fromEntries(
    COPIED_TABLES.map((t) => [t, Number(source.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get())]),
  ) as CopyCounts;
  counts.blob_contents = blobNames.length;
  const batches = COPIED_TABLES.reduce((n, t) => n + Math.ceil(counts[t] / BATCH_ROWS), 0);
  progress?.start(batches + blobNames.length);

  await client.query("BEGIN");
  try {
    // Two copies at once must not both see an empty database.
    await client.query("LOCK TABLE workspaces IN EXCLUSIVE MODE");
    const held = Number((await client.query("SELECT count(*) AS n FROM workspaces")).rows[0].n);
    if (held > 0) {
      throw new CopyRefused(`--to: the database already holds ${held} workspace(s); copy only into an empty one`);
    }
    for (const table of COPIED_TABLES) await copyTable(source, client, table, progress);
    for (const [table, column] of SERIAL_COLUMNS) {
      await client.query(
        `SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(${column}) FROM ${table}), 0) + 1, false)`,
        [table, column],
      );
    }
    // The round robin's turns continue from the highest copied one.
    await client.query("SELECT setval('job_turns', coalesce((SELECT max(job_turn) FROM workspaces), 0) + 1, false)");
    // After the sequences move on: the requeued events get ids after the copied ones.
    await requeueUnfinishedJobs(client);
    for (const sha256 of blobNames) {
      await copyBlob(source, client, sha256);
      progress?.tick(`blob ${sha256.slice(0, 12)}`);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
  return counts;
}

/** Every blob file in the folder, and every blob the blobs table names that still has its file. */
async function blobsToCopy(source: SqliteStore): Promise<string[]> {
  const rows = source.db.prepare("SELECT sha256 FROM blobs").pluck().all() as string[];
  const names = [...new Set([...(await source.blobs.files.list()), ...rows])].sort();
  const present = await Promise.all(names.map((n) => source.blobs.files.has(n)));
  return names.filter((_, i) => present[i]);
}

/** The columns both schemas have (PostgreSQL's own serial `jobs.seq` is left to its sequence). */
async function sharedColumns(source: SqliteStore, client: pg.Client, table: CopiedTable): Promise<string[]> {
  const target = new Set(
    (await client.query("SELECT column_name FROM information_schema.columns WHERE table_name = $1", [table])).rows.map(
      (r: { column_name: string }) => r.column_name,
    ),
  );
  const own = (source.db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
  const missing = own.filter((c) => !target.has(c));
  if (missing.length > 0)
    throw new Error(`PostgreSQL's ${table} lacks ${missing.join(", ")}: upgrade the target's schema`);
  return own;
}

async function copyTable(
  source: SqliteStore,
  client: pg.Client,
  table: CopiedTable,
  progress?: CopyProgress,
): Promise<void> {
  const columns = await sharedColumns(source, client, table);
  const list = columns.join(", ");
  // rowid order is insertion order: jobs.seq (the queue's order) follows it. A WITHOUT ROWID
  // table (dataset_designs) is read in its key's order.
  const definition = String(source.db.prepare("SELECT sql FROM sqlite_master WHERE name = ?").pluck().get(table));
  const order = /WITHOUT ROWID/i.test(definition) ? "" : "ORDER BY rowid";
  const rows = source.db.prepare(`SELECT ${list} FROM ${table} ${order}`).raw().iterate() as IterableIterator<
    unknown[]
  >;
  let batch: unknown[][] = [];
  let done = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const values = batch.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(", ")})`);
    await client.query(`INSERT INTO ${table} (${list}) VALUES ${values.join(", ")}`, batch.flat());
    done += batch.length;
    batch = [];
    progress?.tick(`${table} ${done}`);
  };
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= BATCH_ROWS) await flush();
  }
  await flush();
}

/**
 * Queued and running jobs become queued with no lease, so a worker on PostgreSQL takes them (a
 * running one resumes from its checkpoint, its attempt counted); ended jobs stay as they were.
 */
async function requeueUnfinishedJobs(client: pg.Client): Promise<void> {
  const running = await client.query("SELECT id FROM jobs WHERE status = 'running'");
  await client.query(
    `UPDATE jobs SET status = 'queued', lease_token = NULL, lease_expires_at = NULL, heartbeat_at = NULL, worker_id = NULL
     WHERE status IN ('queued', 'running')`,
  );
  const now = Date.now();
  for (const row of running.rows as { id: string }[]) {
    await client.query("INSERT INTO job_events (job_id, type, data, created_at) VALUES ($1, 'requeued', $2, $3)", [
      row.id,
      JSON.stringify({ reason: REQUEUE_REASON }),
      now,
    ]);
  }
}

/** One blob file as a blob_contents row, checked against its name (a damaged file stops the copy). */
async function copyBlob(source: SqliteStore, client: pg.Client, sha256: string): Promise<void> {
  const bytes = await source.blobs.files.get(sha256);
  if (createHash("sha256").update(bytes).digest("hex") !== sha256) {
    throw new CopyRefused(`--from: blob ${sha256} does not match its content (damaged file); nothing was copied`);
  }
  const stamp = source.db.prepare("SELECT created_at FROM blobs WHERE sha256 = ?").pluck().get(sha256) as
    | number
    | undefined;
  const createdAt = stamp ?? Math.trunc(statSync(source.blobs.files.pathOf(sha256)).mtimeMs);
  await client.query("INSERT INTO blob_contents (sha256, size, content, created_at) VALUES ($1, $2, $3, $4)", [
    sha256,
    bytes.byteLength,
    bytes,
    createdAt,
  ]);
}
