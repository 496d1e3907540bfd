import type { Pool } from "pg";

/**
 * The PostgreSQL schema as a versioned list, with the same tables and columns as the SQLite one
 * (migrations.ts), so both stores share their row mapping (rows.ts): times are BIGINT
 * milliseconds, JSON documents TEXT (the stored text is what a design's sha256 names), flags
 * INTEGER 0/1. Differences: BIGSERIAL keys for SQLite's rowids (jobs.seq orders the queue),
 * and blob_contents holds blob bytes, so any machine on the database can read them.
 * Never edit a shipped migration: append a new one.
 */
export const PG_MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  hash TEXT NOT NULL UNIQUE,
  label TEXT,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);

CREATE TABLE designs (
  pk BIGSERIAL PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  name TEXT,
  process_class TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('uploaded', 'accepted')),
  source TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size BIGINT NOT NULL,
  -- The JSON text inline, or the sha256 of a blob for large designs: exactly one is set.
  body TEXT,
  blob TEXT,
  summary TEXT NOT NULL,
  job_id TEXT,
  candidate_id TEXT,
  created_at BIGINT NOT NULL,
  UNIQUE (workspace_id, id),
  CHECK ((body IS NULL) <> (blob IS NULL))
);
CREATE INDEX designs_by_class ON designs (workspace_id, process_class, pk);
CREATE INDEX designs_by_status ON designs (workspace_id, status, pk);
CREATE INDEX designs_by_job ON designs (job_id) WHERE job_id IS NOT NULL;

CREATE TABLE datasets (
  pk BIGSERIAL PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  created_at BIGINT NOT NULL,
  UNIQUE (workspace_id, id)
);

CREATE TABLE dataset_designs (
  dataset_pk BIGINT NOT NULL REFERENCES datasets(pk) ON DELETE CASCADE,
  design_pk BIGINT NOT NULL REFERENCES designs(pk) ON DELETE CASCADE,
  PRIMARY KEY (dataset_pk, design_pk)
);
CREATE INDEX dataset_designs_by_design ON dataset_designs (design_pk);

CREATE TABLE rule_packs (
  pk BIGSERIAL PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  version TEXT NOT NULL,
  name TEXT,
  sha256 TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (workspace_id, id, version)
);

CREATE TABLE jobs (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  payload TEXT NOT NULL,
  checkpoint TEXT,
  progress_done INTEGER NOT NULL DEFAULT 0,
  progress_total INTEGER NOT NULL DEFAULT 0,
  result TEXT,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  -- The lease: whoever holds lease_token may write the job's steps until lease_expires_at.
  lease_token TEXT,
  lease_expires_at BIGINT,
  heartbeat_at BIGINT,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT
);
-- The queue: claimers take the oldest queued row they can lock (FOR UPDATE SKIP LOCKED).
CREATE INDEX jobs_queue ON jobs (created_at, seq) WHERE status = 'queued';
CREATE INDEX jobs_running ON jobs (lease_expires_at) WHERE status = 'running';
CREATE INDEX jobs_by_workspace ON jobs (workspace_id, seq);

CREATE TABLE job_events (
  id BIGSERIAL PRIMARY KEY,
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX job_events_by_job ON job_events (job_id, id);

CREATE TABLE models (
  pk BIGSERIAL PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('training', 'ready', 'failed')),
  card TEXT,
  weights TEXT,
  job_id TEXT,
  created_at BIGINT NOT NULL,
  UNIQUE (workspace_id, id)
);

CREATE TABLE candidates (
  pk BIGSERIAL PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  job_id TEXT,
  model_id TEXT,
  rank INTEGER,
  design_id TEXT NOT NULL,
  process_class TEXT NOT NULL,
  design TEXT NOT NULL,
  report TEXT,
  errors INTEGER,
  status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
  comment TEXT,
  reviewed_at BIGINT,
  reviewed_by TEXT,
  accepted_as TEXT,
  override_reason TEXT,
  cost TEXT,
  polish TEXT,
  created_at BIGINT NOT NULL,
  UNIQUE (workspace_id, id)
);
CREATE INDEX candidates_by_job ON candidates (workspace_id, job_id, pk);

-- Which blobs rows refer to, for clean-up (as in SQLite).
CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);

-- The blob bytes themselves (SQLite keeps them as files in the data folder).
CREATE TABLE blob_contents (
  sha256 TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  content BYTEA NOT NULL,
  created_at BIGINT NOT NULL
);
`,
  },
  {
    version: 2,
    // Which worker process holds (or last held) a job: several workers share one queue.
    sql: "ALTER TABLE jobs ADD COLUMN worker_id TEXT;",
  },
  {
    version: 3,
    // Each workspace's place in the job queue's round robin: the claim number of its last job
    // (0: none yet), drawn from one sequence so claimers on any machine agree on the order.
    sql: `ALTER TABLE workspaces ADD COLUMN job_turn BIGINT NOT NULL DEFAULT 0;
CREATE SEQUENCE job_turns;`,
  },
  {
    version: 4,
    // Freeing a blob asks whether a design or a model still holds it (store/blob-holders.ts).
    sql: `CREATE INDEX designs_by_blob ON designs (blob) WHERE blob IS NOT NULL;
CREATE INDEX models_by_weights ON models (weights) WHERE weights IS NOT NULL;`,
  },
  {
    version: 5,
    // How many of a candidate's errors its topology-mode request's own drawing already has (marked
    // inherited in its report): a list shows layoutValid without reading each report. NULL: no report.
    sql: "ALTER TABLE candidates ADD COLUMN inherited_errors INTEGER;",
  },
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;

/** Any constant: the advisory lock that lets one process at a time migrate. */
const MIGRATION_LOCK = 0x706c616e;

/**
 * Brings the database to the latest version; refuses a database newer than this code. All in one
 * transaction (PostgreSQL's DDL is transactional: a crash leaves the previous version), under an
 * advisory lock, so servers and job workers starting at once migrate one after the other.
 */
export async function migratePostgres(pool: Pool): Promise<{ from: number; to: number }> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    try {
      // Another process's migration may take longer than the store's usual lock timeout.
      await client.query("SET LOCAL lock_timeout = '60s'");
      await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      await client.query("CREATE TABLE IF NOT EXISTS plantgan_schema (version INTEGER PRIMARY KEY)");
      const read = await client.query("SELECT coalesce(max(version), 0) AS v FROM plantgan_schema");
      const from = Number(read.rows[0].v);
      if (from > PG_SCHEMA_VERSION) {
        throw new Error(
          `database schema version ${from} is newer than this server (${PG_SCHEMA_VERSION}); upgrade the server`,
        );
      }
      for (const m of PG_MIGRATIONS) {
        if (m.version <= from) continue;
        await client.query(m.sql);
        await client.query("INSERT INTO plantgan_schema (version) VALUES ($1)", [m.version]);
      }
      await client.query("COMMIT");
      return { from, to: PG_SCHEMA_VERSION };
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    }
  } finally {
    client.release();
  }
}
