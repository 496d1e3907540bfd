import type { Database } from "better-sqlite3";

/**
 * The SQLite schema as a versioned list. Version n is applied when `PRAGMA user_version` is
 * below n, each in its own transaction with the version bump, so a crash mid-migration leaves
 * the previous version intact. Never edit a shipped migration: append a new one.
 *
 * Conventions: STRICT tables (a wrong type is an error, not a silent conversion); times are
 * INTEGER milliseconds since the epoch; JSON documents are TEXT; every user row carries its
 * workspace_id and every lookup includes it.
 */
export const MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  hash TEXT NOT NULL UNIQUE,
  label TEXT,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;

CREATE TABLE designs (
  pk INTEGER PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  name TEXT,
  process_class TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('uploaded', 'accepted')),
  source TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  -- The JSON text inline, or the sha256 of a blob file for large designs: exactly one is set.
  body TEXT,
  blob TEXT,
  summary TEXT NOT NULL,
  job_id TEXT,
  candidate_id TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (workspace_id, id),
  CHECK ((body IS NULL) <> (blob IS NULL))
) STRICT;
CREATE INDEX designs_by_class ON designs (workspace_id, process_class, pk);
CREATE INDEX designs_by_status ON designs (workspace_id, status, pk);
CREATE INDEX designs_by_job ON designs (job_id) WHERE job_id IS NOT NULL;

CREATE TABLE datasets (
  pk INTEGER PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (workspace_id, id)
) STRICT;

CREATE TABLE dataset_designs (
  dataset_pk INTEGER NOT NULL REFERENCES datasets(pk) ON DELETE CASCADE,
  design_pk INTEGER NOT NULL REFERENCES designs(pk) ON DELETE CASCADE,
  PRIMARY KEY (dataset_pk, design_pk)
) STRICT, WITHOUT ROWID;
CREATE INDEX dataset_designs_by_design ON dataset_designs (design_pk);

CREATE TABLE rule_packs (
  pk INTEGER PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  version TEXT NOT NULL,
  name TEXT,
  sha256 TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (workspace_id, id, version)
) STRICT;

CREATE TABLE jobs (
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
  lease_expires_at INTEGER,
  heartbeat_at INTEGER,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER
) STRICT;
CREATE INDEX jobs_queue ON jobs (status, created_at);
CREATE INDEX jobs_by_workspace ON jobs (workspace_id, created_at);

CREATE TABLE job_events (
  id INTEGER PRIMARY KEY,
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX job_events_by_job ON job_events (job_id, id);

CREATE TABLE models (
  pk INTEGER PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('training', 'ready', 'failed')),
  card TEXT,
  weights TEXT,
  job_id TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (workspace_id, id)
) STRICT;

CREATE TABLE candidates (
  pk INTEGER PRIMARY KEY,
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
  reviewed_at INTEGER,
  reviewed_by TEXT,
  accepted_as TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (workspace_id, id)
) STRICT;
CREATE INDEX candidates_by_job ON candidates (workspace_id, job_id, pk);

-- Content-addressed files under <dataDir>/blobs; this table says which exist, for clean-up.
CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
`,
  },
  {
    version: 2,
    // Accepting a candidate with errors needs a reason, kept with the review.
    sql: "ALTER TABLE candidates ADD COLUMN override_reason TEXT;",
  },
  {
    version: 3,
    // Each candidate's cost breakdown and polish report (JSON), as the pipeline gave them (issue 19).
    sql: "ALTER TABLE candidates ADD COLUMN cost TEXT; ALTER TABLE candidates ADD COLUMN polish TEXT;",
  },
  {
    version: 4,
    // Which worker process holds (or last held) a job: several workers share one queue (issue 17).
    sql: "ALTER TABLE jobs ADD COLUMN worker_id TEXT;",
  },
  {
    version: 5,
    // Each workspace's place in the job queue's round robin: the claim number of its last job
    // (0: none yet). The claimer serves the workspace whose turn is lowest first.
    sql: "ALTER TABLE workspaces ADD COLUMN job_turn INTEGER NOT NULL DEFAULT 0;",
  },
  {
    version: 6,
    // Freeing a blob asks whether a design or a model still holds it (store/blob-holders.ts).
    sql: `CREATE INDEX designs_by_blob ON designs (blob) WHERE blob IS NOT NULL;
CREATE INDEX models_by_weights ON models (weights) WHERE weights IS NOT NULL;`,
  },
  {
    version: 7,
    // How many of a candidate's errors its topology-mode request's own drawing already has (marked
    // inherited in its report): a list shows layoutValid without reading each report. NULL: no report.
    sql: "ALTER TABLE candidates ADD COLUMN inherited_errors INTEGER;",
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Brings the database to the latest version; refuses a database newer than this code. */
export function migrate(db: Database): { from: number; to: number } {
  const from = db.pragma("user_version", { simple: true }) as number;
  if (from > SCHEMA_VERSION) {
    throw new Error(
      `database schema version ${from} is newer than this server (${SCHEMA_VERSION}); upgrade the server`,
    );
  }
  // A new database gives deleted rows' pages back to the file system when the collector asks
  // (PRAGMA incremental_vacuum). The mode takes effect on an empty file only through a VACUUM
  // (WAL mode has written the header already); on an empty database that is instant.
  if (from === 0 && db.pragma("auto_vacuum", { simple: true }) === 0) {
    db.pragma("auto_vacuum = INCREMENTAL");
    db.exec("VACUUM");
  }
  for (const m of MIGRATIONS) {
    if (m.version <= from) continue;
    db.transaction(() => {
      // Read again under the write lock: another process (a job worker) may have migrated meanwhile.
      if ((db.pragma("user_version", { simple: true }) as number) >= m.version) return;
      db.exec(m.sql);
      // PRAGMA takes no bound parameters; the version is our own integer.
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return { from, to: SCHEMA_VERSION };
}
