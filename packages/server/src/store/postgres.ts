import { createHash, randomBytes } from "node:crypto";
import type { RulePack } from "@plantgan/core/design";
import { type Design, type DesignSummary, summariseDesign } from "@plantgan/core/design";
import pg from "pg";
import { DEFAULT_BLOB_GRACE_MS } from "./blob-holders.js";
import { PostgresBlobStore } from "./postgres-blobs.js";
import { deleteDesign, deleteJob, deleteModel, freeUnheldBlobs, workspaceUsage } from "./postgres-cleanup.js";
import { migratePostgres } from "./postgres-migrations.js";
import {
  CANDIDATE_COLUMNS,
  candidateInsertValues,
  candidateMeta,
  candidateRecord,
  cursorValue,
  DATASET_COLUMNS,
  DESIGN_META_COLUMNS,
  datasetRecord,
  designInsertValues,
  designMeta,
  iso,
  JOB_COLUMNS,
  jobRecord,
  MODEL_COLUMNS,
  modelRecord,
  newId,
  opt,
  type PreparedDesign,
  RECORD_TABLES,
  type Row,
  RULE_PACK_COLUMNS,
  rulePackRecord,
  startedEvent,
  toPage,
} from "./rows.js";
import type {
  ApiKeyInfo,
  CandidateInsert,
  CandidateMeta,
  CandidateRecord,
  CandidateStatus,
  ClaimedJob,
  DatasetRecord,
  DesignFilter,
  DesignInsert,
  DesignMeta,
  InsertOutcome,
  JobEnd,
  JobEvent,
  JobEventType,
  JobKind,
  JobRecord,
  JobStatus,
  JobStep,
  JobStepOutcome,
  LeaseRenewal,
  ModelInsert,
  ModelRecord,
  Page,
  PageRequest,
  Review,
  ReviewOutcome,
  RulePackRecord,
  Store,
  StoredDesign,
  WorkerJob,
  Workspace,
  WorkspaceUsage,
} from "./store.js";

export interface PostgresStoreOptions {
  /** Designs whose JSON text is larger than this go to a blob instead of a row. Default 256 KiB. */
  readonly inlineLimit?: number;
  /** Connections this process keeps at most. Default 10. */
  readonly maxConnections?: number;
  /** How long a statement waits for a row lock before it fails, ms. Default 5000. */
  readonly lockTimeoutMs?: number;
  /** A blob stored within this long is never freed (blob-holders.ts), ms. Default 15 minutes. */
  readonly blobGraceMs?: number;
}

/** A pool or one checked-out client: both run queries. */
type Db = pg.Pool | pg.PoolClient;

/** SQLSTATEs after which the whole transaction may simply run again. */
const RETRYABLE = new Set(["40001", "40P01"]); // serialization_failure, deadlock_detected

async function all(db: Db, sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await db.query(sql, params)).rows as Row[];
}

async function one(db: Db, sql: string, params: unknown[] = []): Promise<Row | undefined> {
  return (await db.query(sql, params)).rows[0] as Row | undefined;
}

async function run(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  return (await db.query(sql, params)).rowCount ?? 0;
}

/**
 * The PostgreSQL store: the same behaviour as SqliteStore (one shared contract suite runs on
 * both), for several API and worker processes on one database. Where SQLite takes its single
 * write lock (BEGIN IMMEDIATE), this takes row locks in a transaction: FOR UPDATE on the row a
 * method reads before it writes, and FOR UPDATE SKIP LOCKED for claiming and recovering jobs, so
 * servers sharing the queue never take the same job and never wait on each other's claims.
 */
export class PostgresStore implements Store {
  readonly blobs: PostgresBlobStore;
  readonly #pool: pg.Pool;
  readonly #ready: Promise<void>;
  readonly #inlineLimit: number;
  readonly #blobGraceMs: number;

  /**
   * Connects lazily and migrates in the background (openStore stays synchronous, as the CLI
   * calls it); every method waits for the migration, so a failed one rejects each call.
   * `connect` waits for it up front.
   */
  constructor(url: string, options: PostgresStoreOptions = {}) {
    this.#pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      // As SQLite's busy timeout: a statement waits at most this long for a row lock, then fails
      // (callers retry on their next poll), so no connection is held indefinitely.
      options: `-c lock_timeout=${Math.trunc(options.lockTimeoutMs ?? 5000)}`,
    });
    // An idle client losing its connection (the server restarting) is dropped; the next query reconnects.
    this.#pool.on("error", () => undefined);
    this.#inlineLimit = options.inlineLimit ?? 256 * 1024;
    this.#blobGraceMs = options.blobGraceMs ?? DEFAULT_BLOB_GRACE_MS;
    this.#ready = migratePostgres(this.#pool).then(() => undefined);
    // Observed here so that a store nobody queries does not end the process with an unhandled rejection.
    this.#ready.catch(() => undefined);
    this.blobs = new PostgresBlobStore(() => this.#db());
  }

  /** Opens and migrates, rejecting when the database cannot be reached or is newer than this code. */
  static async connect(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const store = new PostgresStore(url, options);
    try {
      await store.#ready;
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  async #db(): Promise<pg.Pool> {
    await this.#ready;
    return this.#pool;
  }

  /** Runs `fn` in a transaction on one connection; a deadlock or serialization failure runs it again. */
  async #tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const pool = await this.#db();
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const out = await fn(client);
        await client.query("COMMIT");
        return out;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        const code = (error as { code?: string }).code;
        if (attempt >= 5 || !code || !RETRYABLE.has(code)) throw error;
      } finally {
        client.release();
      }
    }
  }

  // ---- workspaces and keys -------------------------------------------------------------

  async createWorkspace(name: string): Promise<Workspace> {
    const id = newId("ws");
    const now = Date.now();
    await run(await this.#db(), "INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3)", [id, name, now]);
    return { id, name, createdAt: iso(now) };
  }

  async findWorkspaceByName(name: string): Promise<Workspace | undefined> {
    const row = await one(await this.#db(), "SELECT id, name, created_at FROM workspaces WHERE name = $1", [name]);
    return row ? { id: String(row.id), name: String(row.name), createdAt: iso(row.created_at) } : undefined;
  }

  async countWorkspaces(): Promise<number> {
    return Number((await one(await this.#db(), "SELECT count(*) AS n FROM workspaces"))!.n);
  }

  async addApiKey(workspaceId: string, input: { id: string; hash: string; label?: string }): Promise<ApiKeyInfo> {
    const now = Date.now();
    await run(
      await this.#db(),
      "INSERT INTO api_keys (id, workspace_id, hash, label, created_at) VALUES ($1, $2, $3, $4, $5)",
      [input.id, workspaceId, input.hash, input.label ?? null, now],
    );
    return { id: input.id, workspaceId, ...opt("label", input.label), createdAt: iso(now) };
  }

  async listApiKeys(workspaceId?: string): Promise<ApiKeyInfo[]> {
    const rows = await all(
      await this.#db(),
      `SELECT id, workspace_id, label, created_at, revoked_at FROM api_keys
       WHERE $1::text IS NULL OR workspace_id = $1 ORDER BY created_at, id`,
      [workspaceId ?? null],
    );
    return rows.map((row) => ({
      id: String(row.id),
      workspaceId: String(row.workspace_id),
      ...opt("label", row.label === null ? undefined : String(row.label)),
      createdAt: iso(row.created_at),
      ...opt("revokedAt", row.revoked_at === null ? undefined : iso(row.revoked_at)),
    }));
  }

  async revokeApiKey(keyId: string): Promise<boolean> {
    const changed = await run(
      await this.#db(),
      "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
      [Date.now(), keyId],
    );
    return changed > 0;
  }

  async findApiKey(hash: string): Promise<{ keyId: string; workspaceId: string } | undefined> {
    const row = await one(
      await this.#db(),
      "SELECT id, workspace_id FROM api_keys WHERE hash = $1 AND revoked_at IS NULL",
      [hash],
    );
    return row ? { keyId: String(row.id), workspaceId: String(row.workspace_id) } : undefined;
  }

  // ---- designs -------------------------------------------------------------------------

  async #prepare(items: readonly DesignInsert[]): Promise<PreparedDesign[]> {
    const prepared: PreparedDesign[] = [];
    for (const item of items) {
      const text = JSON.stringify(item.design);
      const sha256 = createHash("sha256").update(text).digest("hex");
      const size = Buffer.byteLength(text);
      if (size <= this.#inlineLimit) {
        prepared.push({ item, text, blob: null, sha256, size });
      } else {
        // Written before the transaction; a refused insert leaves an orphan blob (the collector's), never a dangling row.
        const { sha256: blob } = await this.blobs.put(text);
        await this.registerBlob(blob, size);
        prepared.push({ item, text: null, blob, sha256, size });
      }
    }
    return prepared;
  }

  /** Inserts prepared rows inside the caller's transaction. */
  async #insertPrepared(
    client: pg.PoolClient,
    workspaceId: string,
    rows: readonly PreparedDesign[],
    datasetPk: string | undefined,
  ): Promise<InsertOutcome[]> {
    const now = Date.now();
    const out: InsertOutcome[] = [];
    for (const prepared of rows) {
      const d = prepared.item.design;
      const inserted = await one(
        client,
        `INSERT INTO designs (workspace_id, id, name, process_class, status, source, sha256, size, body, blob, summary,
           job_id, candidate_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (workspace_id, id) DO NOTHING RETURNING pk`,
        designInsertValues(workspaceId, prepared, now),
      );
      if (!inserted) {
        out.push({ ok: false, id: d.id, reason: "conflict" });
        continue;
      }
      if (datasetPk !== undefined) {
        await run(
          client,
          "INSERT INTO dataset_designs (dataset_pk, design_pk) VALUES ($1, $2) ON CONFLICT DO NOTHING",
          [datasetPk, inserted.pk],
        );
      }
      out.push({ ok: true, id: d.id });
    }
    return out;
  }

  async #datasetPk(db: Db, workspaceId: string, datasetId: string | undefined): Promise<string | undefined> {
    if (datasetId === undefined) return undefined;
    // FOR SHARE: the dataset cannot be deleted while designs are linked to it in this transaction.
    const row = await one(db, "SELECT pk FROM datasets WHERE workspace_id = $1 AND id = $2 FOR SHARE", [
      workspaceId,
      datasetId,
    ]);
    if (!row) throw new Error(`dataset ${datasetId} not found`);
    return String(row.pk);
  }

  async insertDesigns(
    workspaceId: string,
    items: readonly DesignInsert[],
    datasetId?: string,
  ): Promise<InsertOutcome[]> {
    const rows = await this.#prepare(items);
    return this.#tx(async (client) =>
      this.#insertPrepared(client, workspaceId, rows, await this.#datasetPk(client, workspaceId, datasetId)),
    );
  }

  async #designFromRow(row: Row): Promise<Design> {
    const text = row.body !== null ? String(row.body) : (await this.blobs.get(String(row.blob))).toString("utf8");
    return JSON.parse(text) as Design;
  }

  async getDesign(workspaceId: string, id: string): Promise<StoredDesign | undefined> {
    const row = await one(
      await this.#db(),
      `SELECT ${DESIGN_META_COLUMNS}, body, blob FROM designs WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id],
    );
    if (!row) return undefined;
    return { ...designMeta(row), design: await this.#designFromRow(row) };
  }

  async listDesigns(workspaceId: string, filter: DesignFilter, page: PageRequest): Promise<Page<DesignMeta>> {
    const params: unknown[] = [workspaceId, cursorValue(page.cursor)];
    const where = ["workspace_id = $1", "pk > $2"];
    const param = (value: unknown): string => `$${params.push(value)}`;
    if (filter.processClass !== undefined) where.push(`process_class = ${param(filter.processClass)}`);
    if (filter.status !== undefined) where.push(`status = ${param(filter.status)}`);
    if (filter.datasetId !== undefined) {
      where.push(
        `pk IN (SELECT dd.design_pk FROM dataset_designs dd JOIN datasets ds ON ds.pk = dd.dataset_pk
                WHERE ds.workspace_id = $1 AND ds.id = ${param(filter.datasetId)})`,
      );
    }
    const rows = await all(
      await this.#db(),
      `SELECT pk, ${DESIGN_META_COLUMNS} FROM designs WHERE ${where.join(" AND ")} ORDER BY pk LIMIT ${param(page.limit + 1)}`,
      params,
    );
    return toPage(rows, page.limit, designMeta);
  }

  async deleteDesign(workspaceId: string, id: string): Promise<boolean> {
    return this.#tx((client) => deleteDesign(client, workspaceId, id, Date.now() - this.#blobGraceMs));
  }

  // ---- datasets ------------------------------------------------------------------------

  async createDataset(
    workspaceId: string,
    input: { id: string; name: string; description?: string },
  ): Promise<DatasetRecord> {
    const now = Date.now();
    await run(
      await this.#db(),
      "INSERT INTO datasets (workspace_id, id, name, description, created_at) VALUES ($1, $2, $3, $4, $5)",
      [workspaceId, input.id, input.name, input.description ?? null, now],
    );
    return {
      id: input.id,
      name: input.name,
      ...opt("description", input.description),
      createdAt: iso(now),
      designCount: 0,
    };
  }

  async getDataset(workspaceId: string, id: string): Promise<DatasetRecord | undefined> {
    const row = await one(
      await this.#db(),
      `SELECT ${DATASET_COLUMNS} FROM datasets ds WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id],
    );
    return row ? datasetRecord(row) : undefined;
  }

  async listDatasets(workspaceId: string, page: PageRequest): Promise<Page<DatasetRecord>> {
    const rows = await all(
      await this.#db(),
      `SELECT ${DATASET_COLUMNS} FROM datasets ds WHERE workspace_id = $1 AND pk > $2 ORDER BY pk LIMIT $3`,
      [workspaceId, cursorValue(page.cursor), page.limit + 1],
    );
    return toPage(rows, page.limit, datasetRecord);
  }

  async deleteDataset(workspaceId: string, id: string): Promise<boolean> {
    return (
      (await run(await this.#db(), "DELETE FROM datasets WHERE workspace_id = $1 AND id = $2", [workspaceId, id])) > 0
    );
  }

  async changeDatasetDesigns(
    workspaceId: string,
    datasetId: string,
    change: { add: readonly string[]; remove: readonly string[] },
  ): Promise<{ added: number; removed: number; missing: string[] } | undefined> {
    return this.#tx(async (client) => {
      const ds = await one(client, "SELECT pk FROM datasets WHERE workspace_id = $1 AND id = $2 FOR UPDATE", [
        workspaceId,
        datasetId,
      ]);
      if (!ds) return undefined;
      // FOR SHARE: a design cannot be deleted between this lookup and its link below.
      const found = await all(client, "SELECT id, pk FROM designs WHERE workspace_id = $1 AND id = ANY($2) FOR SHARE", [
        workspaceId,
        [...new Set([...change.add, ...change.remove])],
      ]);
      const pkOf = new Map(found.map((r) => [String(r.id), String(r.pk)]));
      const missing = [...change.add, ...change.remove].filter((id) => !pkOf.has(id));
      // All or nothing: a request naming a design that does not exist changes nothing.
      if (missing.length > 0) return { added: 0, removed: 0, missing: [...new Set(missing)] };
      let added = 0;
      let removed = 0;
      for (const id of change.add) {
        added += await run(
          client,
          "INSERT INTO dataset_designs (dataset_pk, design_pk) VALUES ($1, $2) ON CONFLICT DO NOTHING",
          [ds.pk, pkOf.get(id)],
        );
      }
      for (const id of change.remove) {
        removed += await run(client, "DELETE FROM dataset_designs WHERE dataset_pk = $1 AND design_pk = $2", [
          ds.pk,
          pkOf.get(id),
        ]);
      }
      return { added, removed, missing: [] };
    });
  }

  async datasetSummaries(workspaceId: string, datasetId: string): Promise<DesignSummary[] | undefined> {
    // One statement: the dataset and its designs are read from one snapshot.
    const rows = await all(
      await this.#db(),
      `SELECT d.summary FROM datasets ds
       LEFT JOIN dataset_designs dd ON dd.dataset_pk = ds.pk
       LEFT JOIN designs d ON d.pk = dd.design_pk
       WHERE ds.workspace_id = $1 AND ds.id = $2 ORDER BY d.pk`,
      [workspaceId, datasetId],
    );
    if (rows.length === 0) return undefined;
    return rows.filter((r) => r.summary !== null).map((r) => JSON.parse(String(r.summary)) as DesignSummary);
  }

  // ---- rule packs ----------------------------------------------------------------------

  async putRulePack(workspaceId: string, pack: RulePack): Promise<RulePackRecord | "conflict"> {
    const text = JSON.stringify(pack);
    const sha256 = createHash("sha256").update(text).digest("hex");
    const now = Date.now();
    const inserted = await run(
      await this.#db(),
      `INSERT INTO rule_packs (workspace_id, id, version, name, sha256, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (workspace_id, id, version) DO NOTHING`,
      [workspaceId, pack.id, pack.version, pack.name ?? null, sha256, text, now],
    );
    if (inserted === 0) return "conflict";
    return { id: pack.id, version: pack.version, ...opt("name", pack.name), sha256, createdAt: iso(now) };
  }

  async getRulePack(
    workspaceId: string,
    id: string,
    version?: string,
  ): Promise<(RulePackRecord & { pack: RulePack }) | undefined> {
    const db = await this.#db();
    const row =
      version === undefined
        ? await one(
            db,
            `SELECT ${RULE_PACK_COLUMNS}, body FROM rule_packs WHERE workspace_id = $1 AND id = $2 ORDER BY pk DESC LIMIT 1`,
            [workspaceId, id],
          )
        : await one(
            db,
            `SELECT ${RULE_PACK_COLUMNS}, body FROM rule_packs WHERE workspace_id = $1 AND id = $2 AND version = $3`,
            [workspaceId, id, version],
          );
    return row ? { ...rulePackRecord(row), pack: JSON.parse(String(row.body)) as RulePack } : undefined;
  }

  async listRulePacks(workspaceId: string, page: PageRequest): Promise<Page<RulePackRecord>> {
    const rows = await all(
      await this.#db(),
      `SELECT pk, ${RULE_PACK_COLUMNS} FROM rule_packs WHERE workspace_id = $1 AND pk > $2 ORDER BY pk LIMIT $3`,
      [workspaceId, cursorValue(page.cursor), page.limit + 1],
    );
    return toPage(rows, page.limit, rulePackRecord);
  }

  // ---- jobs ----------------------------------------------------------------------------

  async #event(db: Db, jobId: string, type: JobEventType, data: unknown, now = Date.now()): Promise<void> {
    await run(db, "INSERT INTO job_events (job_id, type, data, created_at) VALUES ($1, $2, $3, $4)", [
      jobId,
      type,
      JSON.stringify(data ?? {}),
      now,
    ]);
  }

  async #jobRow(db: Db, jobId: string): Promise<JobRecord> {
    return jobRecord((await one(db, `SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [jobId]))!);
  }

  async createJob(
    workspaceId: string,
    input: { id: string; kind: JobKind; payload: unknown; maxAttempts: number },
  ): Promise<JobRecord> {
    return this.#tx(async (client) => {
      const now = Date.now();
      await run(
        client,
        "INSERT INTO jobs (id, workspace_id, kind, status, payload, max_attempts, created_at) VALUES ($1, $2, $3, 'queued', $4, $5, $6)",
        [input.id, workspaceId, input.kind, JSON.stringify(input.payload), input.maxAttempts, now],
      );
      await this.#event(client, input.id, "queued", { kind: input.kind }, now);
      return this.#jobRow(client, input.id);
    });
  }

  async getJob(workspaceId: string, id: string): Promise<JobRecord | undefined> {
    const row = await one(await this.#db(), `SELECT ${JOB_COLUMNS} FROM jobs WHERE workspace_id = $1 AND id = $2`, [
      workspaceId,
      id,
    ]);
    return row ? jobRecord(row) : undefined;
  }

  async listJobs(
    workspaceId: string,
    filter: { kind?: JobKind; status?: JobStatus },
    page: PageRequest,
  ): Promise<Page<JobRecord>> {
    const params: unknown[] = [workspaceId, cursorValue(page.cursor)];
    const where = ["workspace_id = $1", "seq > $2"];
    const param = (value: unknown): string => `$${params.push(value)}`;
    if (filter.kind !== undefined) where.push(`kind = ${param(filter.kind)}`);
    if (filter.status !== undefined) where.push(`status = ${param(filter.status)}`);
    const rows = await all(
      await this.#db(),
      `SELECT seq AS pk, ${JOB_COLUMNS} FROM jobs WHERE ${where.join(" AND ")} ORDER BY seq LIMIT ${param(page.limit + 1)}`,
      params,
    );
    return toPage(rows, page.limit, jobRecord);
  }

  async jobEvents(workspaceId: string, jobId: string, afterId: number, limit: number): Promise<JobEvent[]> {
    const rows = await all(
      await this.#db(),
      `SELECT e.id, e.type, e.data, e.created_at FROM job_events e JOIN jobs j ON j.id = e.job_id
       WHERE j.workspace_id = $1 AND e.job_id = $2 AND e.id > $3 ORDER BY e.id LIMIT $4`,
      [workspaceId, jobId, afterId, limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      type: String(r.type) as JobEventType,
      data: JSON.parse(String(r.data)) as unknown,
      createdAt: iso(r.created_at),
    }));
  }

  async requestCancel(workspaceId: string, jobId: string): Promise<JobRecord | undefined> {
    return this.#tx(async (client) => {
      const row = await one(client, "SELECT status FROM jobs WHERE workspace_id = $1 AND id = $2 FOR UPDATE", [
        workspaceId,
        jobId,
      ]);
      if (!row) return undefined;
      const now = Date.now();
      if (row.status === "queued") {
        await run(
          client,
          "UPDATE jobs SET status = 'cancelled', cancel_requested = 1, finished_at = $1, error = 'cancelled before it started' WHERE id = $2",
          [now, jobId],
        );
        await this.#endModelsOf(client, jobId, "cancelled");
        await this.#event(client, jobId, "cancelled", { reason: "cancelled before it started" }, now);
      } else if (row.status === "running") {
        // The worker sees the flag at its next heartbeat or step and stops at a step boundary.
        await run(client, "UPDATE jobs SET cancel_requested = 1 WHERE id = $1", [jobId]);
      }
      return this.#jobRow(client, jobId);
    });
  }

  async deleteJob(workspaceId: string, jobId: string): Promise<"deleted" | "not_ended" | undefined> {
    // Its events go with it, and the blobs its payload and checkpoint named are freed.
    return this.#tx((client) => deleteJob(client, workspaceId, jobId, Date.now() - this.#blobGraceMs));
  }

  async claimJob(jobId: string, leaseMs: number): Promise<ClaimedJob | undefined> {
    return this.#tx(async (client) => {
      const row = await one(
        client,
        "SELECT id, workspace_id, kind, attempts FROM jobs WHERE id = $1 AND status = 'queued' FOR UPDATE SKIP LOCKED",
        [jobId],
      );
      return row ? this.#startJob(client, row, leaseMs, undefined) : undefined;
    });
  }

  async claimNextJob(leaseMs: number, workerId?: string): Promise<ClaimedJob | undefined> {
    return this.#tx(async (client) => {
      // Round robin over workspaces (the one served longest ago first), oldest job first within one:
      // a workspace that queues many jobs delays another's by one job at most. SKIP LOCKED: a job
      // another server is claiming right now is passed over, not waited for.
      const row = await one(
        client,
        `SELECT j.id, j.workspace_id, j.kind, j.attempts FROM jobs j JOIN workspaces w ON w.id = j.workspace_id
         WHERE j.status = 'queued' ORDER BY w.job_turn, j.created_at, j.seq LIMIT 1 FOR UPDATE OF j SKIP LOCKED`,
      );
      return row ? this.#startJob(client, row, leaseMs, workerId) : undefined;
    });
  }

  /** A claimed (locked) queued row starts: a fresh lease, the workspace's turn taken. */
  async #startJob(client: pg.PoolClient, row: Row, leaseMs: number, workerId: string | undefined): Promise<ClaimedJob> {
    await run(client, "UPDATE workspaces SET job_turn = nextval('job_turns') WHERE id = $1", [row.workspace_id]);
    const token = randomBytes(16).toString("hex");
    const now = Date.now();
    const attempts = Number(row.attempts) + 1;
    await run(
      client,
      `UPDATE jobs SET status = 'running', lease_token = $1, lease_expires_at = $2, heartbeat_at = $3, attempts = $4,
         started_at = COALESCE(started_at, $3), worker_id = $5 WHERE id = $6`,
      [token, now + leaseMs, now, attempts, workerId ?? null, row.id],
    );
    await this.#event(client, String(row.id), "started", startedEvent(attempts, workerId), now);
    return {
      id: String(row.id),
      workspaceId: String(row.workspace_id),
      kind: String(row.kind) as JobKind,
      token,
      attempts,
    };
  }

  async renewLease(jobId: string, token: string, leaseMs: number): Promise<LeaseRenewal> {
    const now = Date.now();
    const db = await this.#db();
    // SKIP LOCKED: renewals never queue behind the worker's own step transaction. A worker frozen
    // inside one would otherwise hold every renewal (the runner's every heartbeat) and, with them,
    // every connection of the pool: the API would stop answering until the worker moved again.
    const renewed = await one(
      db,
      `UPDATE jobs SET lease_expires_at = $1, heartbeat_at = $2
       WHERE id = (SELECT id FROM jobs WHERE id = $3 AND lease_token = $4 AND status = 'running' FOR UPDATE SKIP LOCKED)
       RETURNING cancel_requested`,
      [now + leaseMs, now, jobId, token],
    );
    if (renewed) return { owned: true, cancelRequested: renewed.cancel_requested === 1 };
    // Not renewed: taken over or ended, or locked by a step of its own lease (recovery skips a
    // locked row too, so the job stays this worker's; the next beat renews it). The committed row says which.
    const row = await one(
      db,
      "SELECT cancel_requested FROM jobs WHERE id = $1 AND lease_token = $2 AND status = 'running'",
      [jobId, token],
    );
    return row
      ? { owned: true, cancelRequested: row.cancel_requested === 1, deferred: true }
      : { owned: false, cancelRequested: false };
  }

  /** The job row, locked, when `token` still holds its lease (inside a transaction: the fence). */
  async #owned(client: pg.PoolClient, jobId: string, token: string): Promise<Row | undefined> {
    return one(
      client,
      "SELECT workspace_id, cancel_requested FROM jobs WHERE id = $1 AND lease_token = $2 AND status = 'running' FOR UPDATE",
      [jobId, token],
    );
  }

  async jobStep(jobId: string, token: string, step: JobStep): Promise<JobStepOutcome> {
    const rows = step.designs ? await this.#prepare(step.designs.items) : [];
    return this.#tx(async (client): Promise<JobStepOutcome> => {
      const job = await this.#owned(client, jobId, token);
      if (!job) return { owned: false };
      const workspaceId = String(job.workspace_id);
      const designs = step.designs
        ? await this.#insertPrepared(
            client,
            workspaceId,
            rows,
            await this.#datasetPk(client, workspaceId, step.designs.datasetId),
          )
        : [];
      if (step.candidates) await this.#insertCandidates(client, workspaceId, step.candidates);
      if (step.checkpoint !== undefined) {
        await run(client, "UPDATE jobs SET checkpoint = $1 WHERE id = $2", [JSON.stringify(step.checkpoint), jobId]);
      }
      if (step.progress) {
        await run(client, "UPDATE jobs SET progress_done = $1, progress_total = $2 WHERE id = $3", [
          step.progress.done,
          step.progress.total,
          jobId,
        ]);
      }
      if (step.model) {
        await run(
          client,
          `INSERT INTO models (workspace_id, id, status, card, weights, job_id, created_at) VALUES ($1, $2, 'training', $3, $4, $5, $6)
           ON CONFLICT (workspace_id, id) DO UPDATE SET card = excluded.card, weights = excluded.weights
           WHERE models.job_id = excluded.job_id`,
          [
            workspaceId,
            step.model.id,
            step.model.card ? JSON.stringify(step.model.card) : null,
            step.model.weights,
            jobId,
            Date.now(),
          ],
        );
      }
      for (const e of step.events ?? []) await this.#event(client, jobId, e.type, e.data);
      return { owned: true, designs, cancelRequested: job.cancel_requested === 1 };
    });
  }

  async finishJob(jobId: string, token: string, end: JobEnd): Promise<boolean> {
    return this.#tx(async (client) => {
      if (!(await this.#owned(client, jobId, token))) return false;
      const now = Date.now();
      const result = end.status === "failed" ? null : JSON.stringify(end.result);
      const error = end.status === "failed" ? end.error : end.status === "cancelled" ? "cancelled on request" : null;
      await run(
        client,
        `UPDATE jobs SET status = $1, result = $2, error = $3, finished_at = $4, lease_token = NULL, lease_expires_at = NULL
         WHERE id = $5`,
        [end.status, result, error, now, jobId],
      );
      await this.#endModelsOf(client, jobId, end.status);
      const type: JobEventType = end.status === "succeeded" ? "finished" : end.status;
      await this.#event(
        client,
        jobId,
        type,
        end.status === "failed" ? { reason: end.error } : { result: end.result },
        now,
      );
      return true;
    });
  }

  async recoverJobs(input: {
    now: number;
    tokens?: readonly string[];
    reason: string;
    resumable: (kind: JobKind) => boolean;
  }): Promise<{ jobId: string; outcome: "requeued" | "failed" | "cancelled" }[]> {
    return this.#tx(async (client) => {
      // SKIP LOCKED: a row locked by its worker's step is alive, and one locked by another
      // server's recovery is being recovered there: each expired job is recovered once.
      const rows = await all(
        client,
        `SELECT id, kind, attempts, max_attempts, cancel_requested FROM jobs WHERE status = 'running'
         AND (lease_expires_at < $1 OR lease_token = ANY($2::text[])) ORDER BY seq FOR UPDATE SKIP LOCKED`,
        [input.now, [...(input.tokens ?? [])]],
      );
      const now = Date.now();
      const out: { jobId: string; outcome: "requeued" | "failed" | "cancelled" }[] = [];
      for (const row of rows) out.push(await this.#recoverOne(client, row, input, now));
      return out;
    });
  }

  async #recoverOne(
    client: pg.PoolClient,
    row: Row,
    input: { reason: string; resumable: (kind: JobKind) => boolean },
    now: number,
  ): Promise<{ jobId: string; outcome: "requeued" | "failed" | "cancelled" }> {
    const jobId = String(row.id);
    const attempts = Number(row.attempts);
    const maxAttempts = Number(row.max_attempts);
    if (row.cancel_requested === 1) {
      await run(
        client,
        "UPDATE jobs SET status = 'cancelled', error = $1, finished_at = $2, lease_token = NULL, lease_expires_at = NULL WHERE id = $3",
        [`cancelled; the worker stopped: ${input.reason}`, now, jobId],
      );
      await this.#endModelsOf(client, jobId, "cancelled");
      await this.#event(client, jobId, "cancelled", { reason: input.reason }, now);
      return { jobId, outcome: "cancelled" };
    }
    if (input.resumable(String(row.kind) as JobKind) && attempts < maxAttempts) {
      // Back to the queue with its checkpoint: the next attempt continues after the last committed step.
      await run(
        client,
        "UPDATE jobs SET status = 'queued', lease_token = NULL, lease_expires_at = NULL WHERE id = $1",
        [jobId],
      );
      await this.#event(client, jobId, "requeued", { reason: input.reason, attempt: attempts, maxAttempts }, now);
      return { jobId, outcome: "requeued" };
    }
    const error =
      attempts >= maxAttempts
        ? `${input.reason} (attempt ${attempts} of ${maxAttempts}; no attempts left)`
        : `${input.reason} (job kind cannot resume)`;
    await run(
      client,
      "UPDATE jobs SET status = 'failed', error = $1, finished_at = $2, lease_token = NULL, lease_expires_at = NULL WHERE id = $3",
      [error, now, jobId],
    );
    await this.#endModelsOf(client, jobId, "failed");
    await this.#event(client, jobId, "failed", { reason: error }, now);
    return { jobId, outcome: "failed" };
  }

  async releaseJob(jobId: string, token: string, reason: string): Promise<boolean> {
    return this.#tx(async (client) => {
      if (!(await this.#owned(client, jobId, token))) return false;
      // A shutdown is not the job's fault: the attempt is given back.
      await run(
        client,
        "UPDATE jobs SET status = 'queued', lease_token = NULL, lease_expires_at = NULL, attempts = GREATEST(attempts - 1, 0) WHERE id = $1",
        [jobId],
      );
      await this.#event(client, jobId, "requeued", { reason });
      return true;
    });
  }

  /** Settles the models a training job was writing, in the transaction that ends the job. */
  async #endModelsOf(client: pg.PoolClient, jobId: string, end: "succeeded" | "failed" | "cancelled"): Promise<void> {
    const status = end === "failed" ? "'failed'" : "CASE WHEN weights IS NULL THEN 'failed' ELSE 'ready' END";
    await run(client, `UPDATE models SET status = ${status} WHERE job_id = $1 AND status = 'training'`, [jobId]);
  }

  async jobForWorker(jobId: string, token: string): Promise<WorkerJob | undefined> {
    const row = await one(
      await this.#db(),
      `SELECT id, workspace_id, kind, attempts, payload, checkpoint, progress_done, progress_total FROM jobs
       WHERE id = $1 AND lease_token = $2 AND status = 'running'`,
      [jobId, token],
    );
    if (!row) return undefined;
    return {
      id: String(row.id),
      workspaceId: String(row.workspace_id),
      kind: String(row.kind) as JobKind,
      token,
      attempts: Number(row.attempts),
      payload: JSON.parse(String(row.payload)) as unknown,
      checkpoint: row.checkpoint === null ? undefined : (JSON.parse(String(row.checkpoint)) as unknown),
      progress: { done: Number(row.progress_done), total: Number(row.progress_total) },
    };
  }

  // ---- models --------------------------------------------------------------------------

  async getModel(workspaceId: string, id: string): Promise<ModelRecord | undefined> {
    const row = await one(await this.#db(), `SELECT ${MODEL_COLUMNS} FROM models WHERE workspace_id = $1 AND id = $2`, [
      workspaceId,
      id,
    ]);
    return row ? modelRecord(row) : undefined;
  }

  async listModels(workspaceId: string, page: PageRequest): Promise<Page<ModelRecord>> {
    const rows = await all(
      await this.#db(),
      `SELECT pk, ${MODEL_COLUMNS} FROM models WHERE workspace_id = $1 AND pk > $2 ORDER BY pk LIMIT $3`,
      [workspaceId, cursorValue(page.cursor), page.limit + 1],
    );
    return toPage(rows, page.limit, modelRecord);
  }

  async putModel(workspaceId: string, model: ModelInsert): Promise<ModelRecord | "conflict"> {
    const inserted = await run(
      await this.#db(),
      `INSERT INTO models (workspace_id, id, status, card, weights, job_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (workspace_id, id) DO NOTHING`,
      [
        workspaceId,
        model.id,
        model.status,
        model.card ? JSON.stringify(model.card) : null,
        model.weights ?? null,
        model.jobId ?? null,
        Date.now(),
      ],
    );
    if (inserted === 0) return "conflict";
    return (await this.getModel(workspaceId, model.id))!;
  }

  // ---- candidates ----------------------------------------------------------------------

  async #insertCandidates(
    client: pg.PoolClient,
    workspaceId: string,
    items: readonly CandidateInsert[],
  ): Promise<void> {
    const now = Date.now();
    for (const c of items) {
      await run(
        client,
        `INSERT INTO candidates (workspace_id, id, job_id, model_id, rank, design_id, process_class, design, report, errors, inherited_errors, cost, polish, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'pending', $14)`,
        candidateInsertValues(workspaceId, c, now),
      );
    }
  }

  async insertCandidates(workspaceId: string, items: readonly CandidateInsert[]): Promise<CandidateRecord[]> {
    await this.#tx((client) => this.#insertCandidates(client, workspaceId, items));
    const out: CandidateRecord[] = [];
    for (const c of items) out.push((await this.getCandidate(workspaceId, c.id))!);
    return out;
  }

  async getCandidate(workspaceId: string, id: string): Promise<CandidateRecord | undefined> {
    const row = await one(
      await this.#db(),
      `SELECT ${CANDIDATE_COLUMNS}, design, report, cost, polish FROM candidates WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id],
    );
    return row ? candidateRecord(row) : undefined;
  }

  async listCandidates(
    workspaceId: string,
    filter: { jobId?: string; status?: CandidateStatus },
    page: PageRequest,
  ): Promise<Page<CandidateMeta>> {
    const params: unknown[] = [workspaceId, cursorValue(page.cursor)];
    const where = ["workspace_id = $1", "pk > $2"];
    const param = (value: unknown): string => `$${params.push(value)}`;
    if (filter.jobId !== undefined) where.push(`job_id = ${param(filter.jobId)}`);
    if (filter.status !== undefined) where.push(`status = ${param(filter.status)}`);
    const rows = await all(
      await this.#db(),
      `SELECT pk, ${CANDIDATE_COLUMNS} FROM candidates WHERE ${where.join(" AND ")} ORDER BY pk LIMIT ${param(page.limit + 1)}`,
      params,
    );
    return toPage(rows, page.limit, candidateMeta);
  }

  async reviewCandidate(workspaceId: string, id: string, review: Review): Promise<ReviewOutcome> {
    const before = await this.getCandidate(workspaceId, id);
    if (!before) return { ok: false, reason: "not_found" };
    if (before.status !== "pending") return { ok: false, reason: "already_reviewed" };
    // One verdict: a candidate with errors is accepted only with a stated reason.
    if (review.decision === "accept" && (before.errors ?? 0) > 0 && !review.override) {
      return { ok: false, reason: "invalid", errors: before.errors ?? 0 };
    }
    const designId = review.designId ?? before.design.id;
    const accepted: Design = { ...before.design, id: designId };
    const rows =
      review.decision === "accept"
        ? await this.#prepare([
            {
              design: accepted,
              status: "accepted",
              source: "candidate",
              summary: summariseDesign(accepted),
              candidateId: id,
            },
          ])
        : [];
    const outcome = await this.#tx(async (client): Promise<"ok" | "already_reviewed" | "conflict"> => {
      // FOR UPDATE: two reviews of one candidate take turns; the second sees it reviewed.
      const row = await one(client, "SELECT status FROM candidates WHERE workspace_id = $1 AND id = $2 FOR UPDATE", [
        workspaceId,
        id,
      ]);
      if (row?.status !== "pending") return "already_reviewed";
      if (review.decision === "accept") {
        const [inserted] = await this.#insertPrepared(client, workspaceId, rows, undefined);
        if (!inserted?.ok) return "conflict";
      }
      await run(
        client,
        "UPDATE candidates SET status = $1, comment = $2, reviewed_at = $3, reviewed_by = $4, accepted_as = $5, override_reason = $6 WHERE workspace_id = $7 AND id = $8",
        [
          review.decision === "accept" ? "accepted" : "rejected",
          review.comment ?? null,
          Date.now(),
          review.keyId,
          review.decision === "accept" ? designId : null,
          review.decision === "accept" ? (review.override?.reason ?? null) : null,
          workspaceId,
          id,
        ],
      );
      return "ok";
    });
    if (outcome === "conflict") {
      return { ok: false, reason: "conflict", designId, suggestedId: await this.#freeDesignId(workspaceId, designId) };
    }
    if (outcome !== "ok") return { ok: false, reason: outcome };
    const candidate = (await this.getCandidate(workspaceId, id))!;
    if (review.decision === "reject") return { ok: true, candidate };
    const design = await this.getDesign(workspaceId, designId);
    const { design: _body, ...meta } = design!;
    return { ok: true, candidate, design: meta };
  }

  /** `<id>-2`, `<id>-3`, …: the first that no design of the workspace has (ids stay within 128 characters). */
  async #freeDesignId(workspaceId: string, taken: string): Promise<string> {
    const base = taken.slice(0, 120);
    const db = await this.#db();
    for (let n = 2; ; n++) {
      const id = `${base}-${n}`;
      if (!(await one(db, "SELECT 1 AS one FROM designs WHERE workspace_id = $1 AND id = $2", [workspaceId, id]))) {
        return id;
      }
    }
  }

  // ---- misc ----------------------------------------------------------------------------

  async registerBlob(sha256: string, size: number): Promise<void> {
    await run(
      await this.#db(),
      "INSERT INTO blobs (sha256, size, created_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO UPDATE SET created_at = excluded.created_at",
      [sha256, size, Date.now()],
    );
  }

  async deleteModel(workspaceId: string, id: string): Promise<"deleted" | "not_found" | "in_use"> {
    return this.#tx((client) => deleteModel(client, workspaceId, id, Date.now() - this.#blobGraceMs));
  }

  async deleteCandidate(workspaceId: string, id: string): Promise<boolean> {
    // Candidates keep their design inline: no blob to free.
    const sql = "DELETE FROM candidates WHERE workspace_id = $1 AND id = $2";
    return (await run(await this.#db(), sql, [workspaceId, id])) > 0;
  }

  async collectBlobs(now = Date.now()): Promise<{ removed: number; bytes: number }> {
    // One statement on the database server: nothing of it runs on this process's event loop.
    return freeUnheldBlobs(await this.#db(), null, now - this.#blobGraceMs);
  }

  async blobUsage(): Promise<{ count: number; bytes: number }> {
    const row = (await one(
      await this.#db(),
      "SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM blob_contents",
    ))!;
    return { count: Number(row.n), bytes: Number(row.bytes) };
  }

  async workspaceUsage(workspaceId: string, trainingSince: number): Promise<WorkspaceUsage> {
    return workspaceUsage(await this.#db(), workspaceId, trainingSince, Date.now());
  }

  async counts(): Promise<Record<string, number>> {
    const db = await this.#db();
    const out: Record<string, number> = {};
    for (const t of RECORD_TABLES) out[t] = Number((await one(db, `SELECT count(*) AS n FROM ${t}`))!.n);
    return out;
  }

  async close(): Promise<void> {
    if (!this.#pool.ended) await this.#pool.end();
  }
}
