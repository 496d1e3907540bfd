import { createHash, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { RulePack } from "@plantgan/core/design";
import { type Design, type DesignSummary, summariseDesign } from "@plantgan/core/design";
import Database from "better-sqlite3";
import { DEFAULT_BLOB_GRACE_MS } from "./blob-holders.js";
import { FileBlobStore } from "./blobs.js";
import { migrate } from "./migrations.js";
import {
  CANDIDATE_COLUMNS,
  candidateMeta,
  candidateRecord,
  cursorValue,
  DATASET_COLUMNS,
  DESIGN_META_COLUMNS,
  datasetRecord,
  designMeta,
  iso,
  JOB_COLUMNS,
  jobRecord,
  MODEL_COLUMNS,
  modelRecord,
  newId,
  opt,
  type Row,
  RULE_PACK_COLUMNS,
  rulePackRecord,
  startedEvent,
  toPage,
} from "./rows.js";
import { SqliteBlobStore } from "./sqlite-blobs.js";
import { deleteCandidate, deleteDesign, deleteJob, deleteModel, workspaceUsage } from "./sqlite-cleanup.js";
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

export interface SqliteStoreOptions {
  /** Designs whose JSON text is larger than this go to a blob file instead of a row. Default 256 KiB. */
  readonly inlineLimit?: number;
  /** How long a writer waits for the lock before SQLITE_BUSY, ms. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** A blob stored within this long is never freed (blob-holders.ts), ms. Default 15 minutes. */
  readonly blobGraceMs?: number;
}

/** A design ready for its row: text serialised and large texts already written as blobs. */
interface PreparedDesign {
  readonly item: DesignInsert;
  readonly text: string | null;
  readonly blob: string | null;
  readonly sha256: string;
  readonly size: number;
}

/** The SQLite file store (better-sqlite3: synchronous, so each method is naturally one transaction). */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly blobs: SqliteBlobStore;
  readonly #inlineLimit: number;
  readonly #blobGraceMs: number;

  /** Opens (and creates or migrates) `<dataDir>/plantgan.db` with blobs under `<dataDir>/blobs`. */
  static open(dataDir: string, options: SqliteStoreOptions = {}): SqliteStore {
    mkdirSync(dataDir, { recursive: true });
    return new SqliteStore(join(dataDir, "plantgan.db"), new FileBlobStore(join(dataDir, "blobs")), options);
  }

  constructor(file: string, files: FileBlobStore, options: SqliteStoreOptions = {}) {
    this.db = new Database(file);
    this.blobs = new SqliteBlobStore(files, this.db);
    this.#inlineLimit = options.inlineLimit ?? 256 * 1024;
    this.#blobGraceMs = options.blobGraceMs ?? DEFAULT_BLOB_GRACE_MS;
    // WAL: readers never block the writer (API and job workers share the file). busy_timeout: a
    // second writer waits instead of failing. NORMAL sync is safe with WAL (no corruption; at
    // worst the last commits before a power cut are lost). foreign_keys is off by default in SQLite.
    this.db.pragma("journal_mode = WAL");
    this.db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    migrate(this.db);
  }

  /** Runs `fn` in a BEGIN IMMEDIATE transaction: the write lock is taken before the first read. */
  #write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  #all(sql: string, ...params: unknown[]): Row[] {
    return this.db.prepare(sql).all(...params) as Row[];
  }

  #get(sql: string, ...params: unknown[]): Row | undefined {
    return this.db.prepare(sql).get(...params) as Row | undefined;
  }

  #run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.db.prepare(sql).run(...params);
  }

  // ---- workspaces and keys -------------------------------------------------------------

  async createWorkspace(name: string): Promise<Workspace> {
    const id = newId("ws");
    const now = Date.now();
    this.#run("INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)", id, name, now);
    return { id, name, createdAt: iso(now) };
  }

  async findWorkspaceByName(name: string): Promise<Workspace | undefined> {
    const row = this.#get("SELECT id, name, created_at FROM workspaces WHERE name = ?", name);
    return row ? { id: String(row.id), name: String(row.name), createdAt: iso(row.created_at) } : undefined;
  }

  async countWorkspaces(): Promise<number> {
    return Number(this.#get("SELECT count(*) AS n FROM workspaces")!.n);
  }

  async addApiKey(workspaceId: string, input: { id: string; hash: string; label?: string }): Promise<ApiKeyInfo> {
    const now = Date.now();
    this.#run(
      "INSERT INTO api_keys (id, workspace_id, hash, label, created_at) VALUES (?, ?, ?, ?, ?)",
      input.id,
      workspaceId,
      input.hash,
      input.label ?? null,
      now,
    );
    return { id: input.id, workspaceId, ...opt("label", input.label), createdAt: iso(now) };
  }

  async listApiKeys(workspaceId?: string): Promise<ApiKeyInfo[]> {
    const rows = this.#all(
      `SELECT id, workspace_id, label, created_at, revoked_at FROM api_keys
       WHERE ? IS NULL OR workspace_id = ? ORDER BY created_at, id`,
      workspaceId ?? null,
      workspaceId ?? null,
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
    return (
      this.#run("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", Date.now(), keyId).changes > 0
    );
  }

  async findApiKey(hash: string): Promise<{ keyId: string; workspaceId: string } | undefined> {
    const row = this.#get("SELECT id, workspace_id FROM api_keys WHERE hash = ? AND revoked_at IS NULL", hash);
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
        prepared.push({ item, text: null, blob, sha256, size });
      }
    }
    return prepared;
  }

  /** Inserts prepared rows inside the caller's transaction. */
  #insertPrepared(
    workspaceId: string,
    rows: readonly PreparedDesign[],
    datasetPk: number | undefined,
  ): InsertOutcome[] {
    const insert = this.db.prepare(
      `INSERT INTO designs (workspace_id, id, name, process_class, status, source, sha256, size, body, blob, summary,
         job_id, candidate_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, id) DO NOTHING`,
    );
    const link = this.db.prepare("INSERT OR IGNORE INTO dataset_designs (dataset_pk, design_pk) VALUES (?, ?)");
    const now = Date.now();
    return rows.map(({ item, text, blob, sha256, size }) => {
      const d = item.design;
      const result = insert.run(
        workspaceId,
        d.id,
        d.name ?? null,
        d.processClass,
        item.status,
        item.source,
        sha256,
        size,
        text,
        blob,
        JSON.stringify(item.summary),
        item.jobId ?? null,
        item.candidateId ?? null,
        now,
      );
      if (result.changes === 0) return { ok: false, id: d.id, reason: "conflict" } as const;
      if (datasetPk !== undefined) link.run(datasetPk, result.lastInsertRowid);
      return { ok: true, id: d.id } as const;
    });
  }

  #datasetPk(workspaceId: string, datasetId: string | undefined): number | undefined {
    if (datasetId === undefined) return undefined;
    const row = this.#get("SELECT pk FROM datasets WHERE workspace_id = ? AND id = ?", workspaceId, datasetId);
    if (!row) throw new Error(`dataset ${datasetId} not found`);
    return Number(row.pk);
  }

  async insertDesigns(
    workspaceId: string,
    items: readonly DesignInsert[],
    datasetId?: string,
  ): Promise<InsertOutcome[]> {
    const rows = await this.#prepare(items);
    return this.#write(() => this.#insertPrepared(workspaceId, rows, this.#datasetPk(workspaceId, datasetId)));
  }

  async #designFromRow(row: Row): Promise<Design> {
    const text = row.body !== null ? String(row.body) : (await this.blobs.get(String(row.blob))).toString("utf8");
    return JSON.parse(text) as Design;
  }

  async getDesign(workspaceId: string, id: string): Promise<StoredDesign | undefined> {
    const row = this.#get(
      `SELECT ${DESIGN_META_COLUMNS}, body, blob FROM designs WHERE workspace_id = ? AND id = ?`,
      workspaceId,
      id,
    );
    if (!row) return undefined;
    return { ...designMeta(row), design: await this.#designFromRow(row) };
  }

  async listDesigns(workspaceId: string, filter: DesignFilter, page: PageRequest): Promise<Page<DesignMeta>> {
    const where = ["workspace_id = ?", "pk > ?"];
    const params: unknown[] = [workspaceId, cursorValue(page.cursor)];
    if (filter.processClass !== undefined) {
      where.push("process_class = ?");
      params.push(filter.processClass);
    }
    if (filter.status !== undefined) {
      where.push("status = ?");
      params.push(filter.status);
    }
    if (filter.datasetId !== undefined) {
      where.push(
        "pk IN (SELECT dd.design_pk FROM dataset_designs dd JOIN datasets ds ON ds.pk = dd.dataset_pk WHERE ds.workspace_id = ? AND ds.id = ?)",
      );
      params.push(workspaceId, filter.datasetId);
    }
    const rows = this.#all(
      `SELECT pk, ${DESIGN_META_COLUMNS} FROM designs WHERE ${where.join(" AND ")} ORDER BY pk LIMIT ?`,
      ...params,
      page.limit + 1,
    );
    return toPage(rows, page.limit, designMeta);
  }

  async deleteDesign(workspaceId: string, id: string): Promise<boolean> {
    return deleteDesign(this.db, this.blobs, workspaceId, id, Date.now() - this.#blobGraceMs);
  }

  // ---- datasets ------------------------------------------------------------------------

  async createDataset(
    workspaceId: string,
    input: { id: string; name: string; description?: string },
  ): Promise<DatasetRecord> {
    const now = Date.now();
    this.#run(
      "INSERT INTO datasets (workspace_id, id, name, description, created_at) VALUES (?, ?, ?, ?, ?)",
      workspaceId,
      input.id,
      input.name,
      input.description ?? null,
      now,
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
    const row = this.#get(
      `SELECT ${DATASET_COLUMNS} FROM datasets ds WHERE workspace_id = ? AND id = ?`,
      workspaceId,
      id,
    );
    return row ? datasetRecord(row) : undefined;
  }

  async listDatasets(workspaceId: string, page: PageRequest): Promise<Page<DatasetRecord>> {
    const rows = this.#all(
      `SELECT ${DATASET_COLUMNS} FROM datasets ds WHERE workspace_id = ? AND pk > ? ORDER BY pk LIMIT ?`,
      workspaceId,
      cursorValue(page.cursor),
      page.limit + 1,
    );
    return toPage(rows, page.limit, datasetRecord);
  }

  async deleteDataset(workspaceId: string, id: string): Promise<boolean> {
    return this.#run("DELETE FROM datasets WHERE workspace_id = ? AND id = ?", workspaceId, id).changes > 0;
  }

  async changeDatasetDesigns(
    workspaceId: string,
    datasetId: string,
    change: { add: readonly string[]; remove: readonly string[] },
  ): Promise<{ added: number; removed: number; missing: string[] } | undefined> {
    return this.#write(() => {
      const ds = this.#get("SELECT pk FROM datasets WHERE workspace_id = ? AND id = ?", workspaceId, datasetId);
      if (!ds) return undefined;
      const find = this.db.prepare("SELECT pk FROM designs WHERE workspace_id = ? AND id = ?");
      const pks = (ids: readonly string[]) =>
        ids.map((id) => [id, (find.get(workspaceId, id) as Row | undefined)?.pk] as const);
      const adds = pks(change.add);
      const removes = pks(change.remove);
      const missing = [...adds, ...removes].filter(([, pk]) => pk === undefined).map(([id]) => id);
      // All or nothing: a request naming a design that does not exist changes nothing.
      if (missing.length > 0) return { added: 0, removed: 0, missing: [...new Set(missing)] };
      const link = this.db.prepare("INSERT OR IGNORE INTO dataset_designs (dataset_pk, design_pk) VALUES (?, ?)");
      const unlink = this.db.prepare("DELETE FROM dataset_designs WHERE dataset_pk = ? AND design_pk = ?");
      let added = 0;
      let removed = 0;
      for (const [, pk] of adds) added += link.run(ds.pk, pk).changes;
      for (const [, pk] of removes) removed += unlink.run(ds.pk, pk).changes;
      return { added, removed, missing: [] };
    });
  }

  async datasetSummaries(workspaceId: string, datasetId: string): Promise<DesignSummary[] | undefined> {
    const ds = this.#get("SELECT pk FROM datasets WHERE workspace_id = ? AND id = ?", workspaceId, datasetId);
    if (!ds) return undefined;
    return this.#all(
      "SELECT d.summary FROM dataset_designs dd JOIN designs d ON d.pk = dd.design_pk WHERE dd.dataset_pk = ? ORDER BY d.pk",
      ds.pk,
    ).map((r) => JSON.parse(String(r.summary)) as DesignSummary);
  }

  // ---- rule packs ----------------------------------------------------------------------

  async putRulePack(workspaceId: string, pack: RulePack): Promise<RulePackRecord | "conflict"> {
    const text = JSON.stringify(pack);
    const sha256 = createHash("sha256").update(text).digest("hex");
    const now = Date.now();
    const result = this.#run(
      `INSERT INTO rule_packs (workspace_id, id, version, name, sha256, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, id, version) DO NOTHING`,
      workspaceId,
      pack.id,
      pack.version,
      pack.name ?? null,
      sha256,
      text,
      now,
    );
    if (result.changes === 0) return "conflict";
    return { id: pack.id, version: pack.version, ...opt("name", pack.name), sha256, createdAt: iso(now) };
  }

  async getRulePack(
    workspaceId: string,
    id: string,
    version?: string,
  ): Promise<(RulePackRecord & { pack: RulePack }) | undefined> {
    const row =
      version === undefined
        ? this.#get(
            `SELECT ${RULE_PACK_COLUMNS}, body FROM rule_packs WHERE workspace_id = ? AND id = ? ORDER BY pk DESC LIMIT 1`,
            workspaceId,
            id,
          )
        : this.#get(
            `SELECT ${RULE_PACK_COLUMNS}, body FROM rule_packs WHERE workspace_id = ? AND id = ? AND version = ?`,
            workspaceId,
            id,
            version,
          );
    return row ? { ...rulePackRecord(row), pack: JSON.parse(String(row.body)) as RulePack } : undefined;
  }

  async listRulePacks(workspaceId: string, page: PageRequest): Promise<Page<RulePackRecord>> {
    const rows = this.#all(
      `SELECT pk, ${RULE_PACK_COLUMNS} FROM rule_packs WHERE workspace_id = ? AND pk > ? ORDER BY pk LIMIT ?`,
      workspaceId,
      cursorValue(page.cursor),
      page.limit + 1,
    );
    return toPage(rows, page.limit, rulePackRecord);
  }

  // ---- jobs ----------------------------------------------------------------------------

  #event(jobId: string, type: JobEventType, data: unknown, now = Date.now()): void {
    this.#run(
      "INSERT INTO job_events (job_id, type, data, created_at) VALUES (?, ?, ?, ?)",
      jobId,
      type,
      JSON.stringify(data ?? {}),
      now,
    );
  }

  async createJob(
    workspaceId: string,
    input: { id: string; kind: JobKind; payload: unknown; maxAttempts: number },
  ): Promise<JobRecord> {
    return this.#write(() => {
      const now = Date.now();
      this.#run(
        "INSERT INTO jobs (id, workspace_id, kind, status, payload, max_attempts, created_at) VALUES (?, ?, ?, 'queued', ?, ?, ?)",
        input.id,
        workspaceId,
        input.kind,
        JSON.stringify(input.payload),
        input.maxAttempts,
        now,
      );
      this.#event(input.id, "queued", { kind: input.kind }, now);
      return jobRecord(this.#get(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`, input.id)!);
    });
  }

  async getJob(workspaceId: string, id: string): Promise<JobRecord | undefined> {
    const row = this.#get(`SELECT ${JOB_COLUMNS} FROM jobs WHERE workspace_id = ? AND id = ?`, workspaceId, id);
    return row ? jobRecord(row) : undefined;
  }

  async listJobs(
    workspaceId: string,
    filter: { kind?: JobKind; status?: JobStatus },
    page: PageRequest,
  ): Promise<Page<JobRecord>> {
    const where = ["workspace_id = ?", "rowid > ?"];
    const params: unknown[] = [workspaceId, cursorValue(page.cursor)];
    if (filter.kind !== undefined) {
      where.push("kind = ?");
      params.push(filter.kind);
    }
    if (filter.status !== undefined) {
      where.push("status = ?");
      params.push(filter.status);
    }
    const rows = this.#all(
      `SELECT rowid AS pk, ${JOB_COLUMNS} FROM jobs WHERE ${where.join(" AND ")} ORDER BY rowid LIMIT ?`,
      ...params,
      page.limit + 1,
    );
    return toPage(rows, page.limit, jobRecord);
  }

  async jobEvents(workspaceId: string, jobId: string, afterId: number, limit: number): Promise<JobEvent[]> {
    return this.#all(
      `SELECT e.id, e.type, e.data, e.created_at FROM job_events e JOIN jobs j ON j.id = e.job_id
       WHERE j.workspace_id = ? AND e.job_id = ? AND e.id > ? ORDER BY e.id LIMIT ?`,
      workspaceId,
      jobId,
      afterId,
      limit,
    ).map((r) => ({
      id: Number(r.id),
      type: String(r.type) as JobEventType,
      data: JSON.parse(String(r.data)) as unknown,
      createdAt: iso(r.created_at),
    }));
  }

  async requestCancel(workspaceId: string, jobId: string): Promise<JobRecord | undefined> {
    return this.#write(() => {
      const row = this.#get("SELECT status FROM jobs WHERE workspace_id = ? AND id = ?", workspaceId, jobId);
      if (!row) return undefined;
      const now = Date.now();
      if (row.status === "queued") {
        this.#run(
          "UPDATE jobs SET status = 'cancelled', cancel_requested = 1, finished_at = ?, error = 'cancelled before it started' WHERE id = ?",
          now,
          jobId,
        );
        this.#endModelsOf(jobId, "cancelled");
        this.#event(jobId, "cancelled", { reason: "cancelled before it started" }, now);
      } else if (row.status === "running") {
        // The worker sees the flag at its next heartbeat or step and stops at a step boundary.
        this.#run("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", jobId);
      }
      return jobRecord(this.#get(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`, jobId)!);
    });
  }

  async deleteJob(workspaceId: string, jobId: string): Promise<"deleted" | "not_ended" | undefined> {
    // Its events go with it, and the blobs its payload and checkpoint named are freed.
    return deleteJob(this.db, this.blobs, workspaceId, jobId, Date.now() - this.#blobGraceMs);
  }

  async claimJob(jobId: string, leaseMs: number): Promise<ClaimedJob | undefined> {
    return this.#write(() => {
      const row = this.#get(
        "SELECT id, workspace_id, kind, attempts FROM jobs WHERE id = ? AND status = 'queued'",
        jobId,
      );
      return row ? this.#startJob(row, leaseMs, undefined) : undefined;
    });
  }

  async claimNextJob(leaseMs: number, workerId?: string): Promise<ClaimedJob | undefined> {
    return this.#write(() => {
      // Round robin over workspaces (the one served longest ago first), oldest job first within one:
      // a workspace that queues many jobs delays another's by one job at most.
      const row = this.#get(
        `SELECT j.id, j.workspace_id, j.kind, j.attempts FROM jobs j JOIN workspaces w ON w.id = j.workspace_id
         WHERE j.status = 'queued' ORDER BY w.job_turn, j.created_at, j.rowid LIMIT 1`,
      );
      return row ? this.#startJob(row, leaseMs, workerId) : undefined;
    });
  }

  /** A claimed queued row starts (inside the claim's write): a fresh lease, the workspace's turn taken. */
  #startJob(row: Row, leaseMs: number, workerId: string | undefined): ClaimedJob {
    this.#run(
      "UPDATE workspaces SET job_turn = (SELECT max(job_turn) FROM workspaces) + 1 WHERE id = ?",
      row.workspace_id,
    );
    const token = randomBytes(16).toString("hex");
    const now = Date.now();
    const attempts = Number(row.attempts) + 1;
    this.#run(
      `UPDATE jobs SET status = 'running', lease_token = ?, lease_expires_at = ?, heartbeat_at = ?, attempts = ?,
         started_at = COALESCE(started_at, ?), worker_id = ? WHERE id = ?`,
      token,
      now + leaseMs,
      now,
      attempts,
      now,
      workerId ?? null,
      row.id,
    );
    this.#event(String(row.id), "started", startedEvent(attempts, workerId), now);
    return {
      id: String(row.id),
      workspaceId: String(row.workspace_id),
      kind: String(row.kind) as JobKind,
      token,
      attempts,
    };
  }

  async renewLease(
    jobId: string,
    token: string,
    leaseMs: number,
  ): Promise<{ owned: boolean; cancelRequested: boolean }> {
    const now = Date.now();
    const row = this.#get(
      `UPDATE jobs SET lease_expires_at = ?, heartbeat_at = ? WHERE id = ? AND lease_token = ? AND status = 'running'
       RETURNING cancel_requested`,
      now + leaseMs,
      now,
      jobId,
      token,
    );
    return row
      ? { owned: true, cancelRequested: row.cancel_requested === 1 }
      : { owned: false, cancelRequested: false };
  }

  /** The job row when `token` still holds its lease (inside a transaction: the fence). */
  #owned(jobId: string, token: string): Row | undefined {
    return this.#get(
      "SELECT workspace_id, cancel_requested FROM jobs WHERE id = ? AND lease_token = ? AND status = 'running'",
      jobId,
      token,
    );
  }

  async jobStep(jobId: string, token: string, step: JobStep): Promise<JobStepOutcome> {
    const rows = step.designs ? await this.#prepare(step.designs.items) : [];
    return this.#write((): JobStepOutcome => {
      const job = this.#owned(jobId, token);
      if (!job) return { owned: false };
      const workspaceId = String(job.workspace_id);
      const designs = step.designs
        ? this.#insertPrepared(workspaceId, rows, this.#datasetPk(workspaceId, step.designs.datasetId))
        : [];
      if (step.candidates) this.#insertCandidates(workspaceId, step.candidates);
      if (step.checkpoint !== undefined)
        this.#run("UPDATE jobs SET checkpoint = ? WHERE id = ?", JSON.stringify(step.checkpoint), jobId);
      if (step.progress) {
        this.#run(
          "UPDATE jobs SET progress_done = ?, progress_total = ? WHERE id = ?",
          step.progress.done,
          step.progress.total,
          jobId,
        );
      }
      if (step.model) {
        this.#run(
          `INSERT INTO models (workspace_id, id, status, card, weights, job_id, created_at) VALUES (?, ?, 'training', ?, ?, ?, ?)
           ON CONFLICT (workspace_id, id) DO UPDATE SET card = excluded.card, weights = excluded.weights
           WHERE models.job_id = excluded.job_id`,
          workspaceId,
          step.model.id,
          step.model.card ? JSON.stringify(step.model.card) : null,
          step.model.weights,
          jobId,
          Date.now(),
        );
      }
      for (const e of step.events ?? []) this.#event(jobId, e.type, e.data);
      return { owned: true, designs, cancelRequested: job.cancel_requested === 1 };
    });
  }

  async finishJob(jobId: string, token: string, end: JobEnd): Promise<boolean> {
    return this.#write(() => {
      if (!this.#owned(jobId, token)) return false;
      const now = Date.now();
      const result = end.status === "failed" ? null : JSON.stringify(end.result);
      const error = end.status === "failed" ? end.error : end.status === "cancelled" ? "cancelled on request" : null;
      this.#run(
        `UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ?, lease_token = NULL, lease_expires_at = NULL
         WHERE id = ?`,
        end.status,
        result,
        error,
        now,
        jobId,
      );
      this.#endModelsOf(jobId, end.status);
      const type: JobEventType = end.status === "succeeded" ? "finished" : end.status;
      this.#event(jobId, type, end.status === "failed" ? { reason: end.error } : { result: end.result }, now);
      return true;
    });
  }

  async recoverJobs(input: {
    now: number;
    tokens?: readonly string[];
    reason: string;
    resumable: (kind: JobKind) => boolean;
  }): Promise<{ jobId: string; outcome: "requeued" | "failed" | "cancelled" }[]> {
    return this.#write(() => {
      const tokens = input.tokens ?? [];
      const rows = this.#all(
        `SELECT id, kind, attempts, max_attempts, cancel_requested FROM jobs WHERE status = 'running'
         AND (lease_expires_at < ? OR lease_token IN (SELECT value FROM json_each(?)))`,
        input.now,
        JSON.stringify(tokens),
      );
      const now = Date.now();
      return rows.map((row) => {
        const jobId = String(row.id);
        const attempts = Number(row.attempts);
        const maxAttempts = Number(row.max_attempts);
        if (row.cancel_requested === 1) {
          this.#run(
            "UPDATE jobs SET status = 'cancelled', error = ?, finished_at = ?, lease_token = NULL, lease_expires_at = NULL WHERE id = ?",
            `cancelled; the worker stopped: ${input.reason}`,
            now,
            jobId,
          );
          this.#endModelsOf(jobId, "cancelled");
          this.#event(jobId, "cancelled", { reason: input.reason }, now);
          return { jobId, outcome: "cancelled" as const };
        }
        if (input.resumable(String(row.kind) as JobKind) && attempts < maxAttempts) {
          // Back to the queue with its checkpoint: the next attempt continues after the last committed step.
          this.#run(
            "UPDATE jobs SET status = 'queued', lease_token = NULL, lease_expires_at = NULL WHERE id = ?",
            jobId,
          );
          this.#event(jobId, "requeued", { reason: input.reason, attempt: attempts, maxAttempts }, now);
          return { jobId, outcome: "requeued" as const };
        }
        const error =
          attempts >= maxAttempts
            ? `${input.reason} (attempt ${attempts} of ${maxAttempts}; no attempts left)`
            : `${input.reason} (job kind cannot resume)`;
        this.#run(
          "UPDATE jobs SET status = 'failed', error = ?, finished_at = ?, lease_token = NULL, lease_expires_at = NULL WHERE id = ?",
          error,
          now,
          jobId,
        );
        this.#endModelsOf(jobId, "failed");
        this.#event(jobId, "failed", { reason: error }, now);
        return { jobId, outcome: "failed" as const };
      });
    });
  }

  async releaseJob(jobId: string, token: string, reason: string): Promise<boolean> {
    return this.#write(() => {
      if (!this.#owned(jobId, token)) return false;
      // A shutdown is not the job's fault: the attempt is given back.
      this.#run(
        "UPDATE jobs SET status = 'queued', lease_token = NULL, lease_expires_at = NULL, attempts = max(attempts - 1, 0) WHERE id = ?",
        jobId,
      );
      this.#event(jobId, "requeued", { reason });
      return true;
    });
  }

  /** Settles the models a training job was writing, in the transaction that ends the job. */
  #endModelsOf(jobId: string, end: "succeeded" | "failed" | "cancelled"): void {
    const status = end === "failed" ? "'failed'" : "CASE WHEN weights IS NULL THEN 'failed' ELSE 'ready' END";
    this.#run(`UPDATE models SET status = ${status} WHERE job_id = ? AND status = 'training'`, jobId);
  }

  async jobForWorker(jobId: string, token: string): Promise<WorkerJob | undefined> {
    const row = this.#get(
      `SELECT id, workspace_id, kind, attempts, payload, checkpoint, progress_done, progress_total FROM jobs
       WHERE id = ? AND lease_token = ? AND status = 'running'`,
      jobId,
      token,
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
    const row = this.#get(`SELECT ${MODEL_COLUMNS} FROM models WHERE workspace_id = ? AND id = ?`, workspaceId, id);
    return row ? modelRecord(row) : undefined;
  }

  async listModels(workspaceId: string, page: PageRequest): Promise<Page<ModelRecord>> {
    const rows = this.#all(
      `SELECT pk, ${MODEL_COLUMNS} FROM models WHERE workspace_id = ? AND pk > ? ORDER BY pk LIMIT ?`,
      workspaceId,
      cursorValue(page.cursor),
      page.limit + 1,
    );
    return toPage(rows, page.limit, modelRecord);
  }

  async putModel(workspaceId: string, model: ModelInsert): Promise<ModelRecord | "conflict"> {
    const now = Date.now();
    const result = this.#run(
      `INSERT INTO models (workspace_id, id, status, card, weights, job_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, id) DO NOTHING`,
      workspaceId,
      model.id,
      model.status,
      model.card ? JSON.stringify(model.card) : null,
      model.weights ?? null,
      model.jobId ?? null,
      now,
    );
    if (result.changes === 0) return "conflict";
    return (await this.getModel(workspaceId, model.id))!;
  }

  // ---- candidates ----------------------------------------------------------------------

  #insertCandidates(workspaceId: string, items: readonly CandidateInsert[]): void {
    const insert = this.db.prepare(
      `INSERT INTO candidates (workspace_id, id, job_id, model_id, rank, design_id, process_class, design, report, errors, cost, polish, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
    );
    const now = Date.now();
    for (const c of items) {
      insert.run(
        workspaceId,
        c.id,
        c.jobId ?? null,
        c.modelId ?? null,
        c.rank ?? null,
        c.design.id,
        c.design.processClass,
        JSON.stringify(c.design),
        c.report ? JSON.stringify(c.report) : null,
        c.report ? c.report.summary.errors : null,
        c.cost ? JSON.stringify(c.cost) : null,
        c.polish ? JSON.stringify(c.polish) : null,
        now,
      );
    }
  }

  async insertCandidates(workspaceId: string, items: readonly CandidateInsert[]): Promise<CandidateRecord[]> {
    this.#write(() => this.#insertCandidates(workspaceId, items));
    const out: CandidateRecord[] = [];
    for (const c of items) out.push((await this.getCandidate(workspaceId, c.id))!);
    return out;
  }

  async getCandidate(workspaceId: string, id: string): Promise<CandidateRecord | undefined> {
    const row = this.#get(
      `SELECT ${CANDIDATE_COLUMNS}, design, report, cost, polish FROM candidates WHERE workspace_id = ? AND id = ?`,
      workspaceId,
      id,
    );
    return row ? candidateRecord(row) : undefined;
  }

  async listCandidates(
    workspaceId: string,
    filter: { jobId?: string; status?: CandidateStatus },
    page: PageRequest,
  ): Promise<Page<CandidateMeta>> {
    const where = ["workspace_id = ?", "pk > ?"];
    const params: unknown[] = [workspaceId, cursorValue(page.cursor)];
    if (filter.jobId !== undefined) {
      where.push("job_id = ?");
      params.push(filter.jobId);
    }
    if (filter.status !== undefined) {
      where.push("status = ?");
      params.push(filter.status);
    }
    const rows = this.#all(
      `SELECT pk, ${CANDIDATE_COLUMNS} FROM candidates WHERE ${where.join(" AND ")} ORDER BY pk LIMIT ?`,
      ...params,
      page.limit + 1,
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
    // Serialised (and a large design written as a blob) before the transaction, which stays synchronous.
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
    const outcome = this.#write((): "ok" | "already_reviewed" | "conflict" => {
      const row = this.#get("SELECT status FROM candidates WHERE workspace_id = ? AND id = ?", workspaceId, id);
      if (row?.status !== "pending") return "already_reviewed";
      if (review.decision === "accept") {
        const [inserted] = this.#insertPrepared(workspaceId, rows, undefined);
        if (!inserted?.ok) return "conflict";
      }
      this.#run(
        "UPDATE candidates SET status = ?, comment = ?, reviewed_at = ?, reviewed_by = ?, accepted_as = ?, override_reason = ? WHERE workspace_id = ? AND id = ?",
        review.decision === "accept" ? "accepted" : "rejected",
        review.comment ?? null,
        Date.now(),
        review.keyId,
        review.decision === "accept" ? designId : null,
        review.decision === "accept" ? (review.override?.reason ?? null) : null,
        workspaceId,
        id,
      );
      return "ok";
    });
    if (outcome === "conflict") {
      return { ok: false, reason: "conflict", designId, suggestedId: this.#freeDesignId(workspaceId, designId) };
    }
    if (outcome !== "ok") return { ok: false, reason: outcome };
    const candidate = (await this.getCandidate(workspaceId, id))!;
    if (review.decision === "reject") return { ok: true, candidate };
    const design = await this.getDesign(workspaceId, designId);
    const { design: _body, ...meta } = design!;
    return { ok: true, candidate, design: meta };
  }

  /** `<id>-2`, `<id>-3`, …: the first that no design of the workspace has (ids stay within 128 characters). */
  #freeDesignId(workspaceId: string, taken: string): string {
    const base = taken.slice(0, 120);
    for (let n = 2; ; n++) {
      const id = `${base}-${n}`;
      if (!this.#get("SELECT 1 AS one FROM designs WHERE workspace_id = ? AND id = ?", workspaceId, id)) return id;
    }
  }

  // ---- misc ----------------------------------------------------------------------------

  async registerBlob(sha256: string, size: number): Promise<void> {
    this.#run(
      "INSERT INTO blobs (sha256, size, created_at) VALUES (?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET created_at = excluded.created_at",
      sha256,
      size,
      Date.now(),
    );
  }

  async deleteModel(workspaceId: string, id: string): Promise<"deleted" | "not_found" | "in_use"> {
    return deleteModel(this.db, this.blobs, workspaceId, id, Date.now() - this.#blobGraceMs);
  }

  async deleteCandidate(workspaceId: string, id: string): Promise<boolean> {
    return deleteCandidate(this.db, workspaceId, id);
  }

  async collectBlobs(now = Date.now()): Promise<{ removed: number; bytes: number }> {
    const freed = await this.blobs.collect(now - this.#blobGraceMs);
    // Pages the deleted rows held go back to the file system (databases made with auto_vacuum on,
    // migrations.ts), and the write-ahead log is folded in and truncated.
    this.db.pragma("incremental_vacuum");
    this.db.pragma("wal_checkpoint(TRUNCATE)");
    return freed;
  }

  async blobUsage(): Promise<{ count: number; bytes: number }> {
    return this.blobs.files.usage();
  }

  async workspaceUsage(workspaceId: string, trainingSince: number): Promise<WorkspaceUsage> {
    return workspaceUsage(this.db, workspaceId, trainingSince, Date.now());
  }

  async counts(): Promise<Record<string, number>> {
    const tables = [
      "workspaces",
      "api_keys",
      "designs",
      "datasets",
      "dataset_designs",
      "rule_packs",
      "jobs",
      "job_events",
      "models",
      "candidates",
      "blobs",
    ];
    return Object.fromEntries(tables.map((t) => [t, Number(this.#get(`SELECT count(*) AS n FROM ${t}`)!.n)]));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** Ids are made in rows.ts; routes and jobs import them from here. */
export { newId } from "./rows.js";
