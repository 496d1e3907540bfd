import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { DesignSummary, RulePack } from "@plantgan/core/design";
import Database from "better-sqlite3";
import { DEFAULT_BLOB_GRACE_MS } from "./blob-holders.js";
import { FileBlobStore } from "./blobs.js";
import { migrate } from "./migrations.js";
import { RECORD_TABLES } from "./rows.js";
import { SqliteBlobStore } from "./sqlite/blobs.js";
import { CandidateRepository } from "./sqlite/candidates.js";
import { workspaceUsage } from "./sqlite/cleanup.js";
import { DatasetRepository } from "./sqlite/datasets.js";
import { SqliteDb } from "./sqlite/db.js";
import { DesignRepository } from "./sqlite/designs.js";
import { JobRepository } from "./sqlite/jobs.js";
import { ModelRepository } from "./sqlite/models.js";
import { RulePackRepository } from "./sqlite/rule-packs.js";
import { WorkspaceRepository } from "./sqlite/workspaces.js";
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

/**
 * The SQLite file store (better-sqlite3: synchronous, so each method is naturally one
 * transaction): one repository per record type under store/sqlite/, this class only opens the
 * file and answers the Store interface through them.
 */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly blobs: SqliteBlobStore;
  readonly #blobGraceMs: number;
  readonly #workspaces: WorkspaceRepository;
  readonly #designs: DesignRepository;
  readonly #datasets: DatasetRepository;
  readonly #rulePacks: RulePackRepository;
  readonly #jobs: JobRepository;
  readonly #models: ModelRepository;
  readonly #candidates: CandidateRepository;

  /** Opens (and creates or migrates) `<dataDir>/plantgan.db` with blobs under `<dataDir>/blobs`. */
  static open(dataDir: string, options: SqliteStoreOptions = {}): SqliteStore {
    mkdirSync(dataDir, { recursive: true });
    return new SqliteStore(join(dataDir, "plantgan.db"), new FileBlobStore(join(dataDir, "blobs")), options);
  }

  constructor(file: string, files: FileBlobStore, options: SqliteStoreOptions = {}) {
    this.db = new Database(file);
    this.blobs = new SqliteBlobStore(files, this.db);
    this.#blobGraceMs = options.blobGraceMs ?? DEFAULT_BLOB_GRACE_MS;
    // WAL: readers never block the writer (API and job workers share the file). busy_timeout: a
    // second writer waits instead of failing. NORMAL sync is safe with WAL (no corruption; at
    // worst the last commits before a power cut are lost). foreign_keys is off by default in SQLite.
    this.db.pragma("journal_mode = WAL");
    this.db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    migrate(this.db);
    const sql = new SqliteDb(this.db);
    const blobGraceMs = this.#blobGraceMs;
    this.#workspaces = new WorkspaceRepository(sql);
    this.#designs = new DesignRepository(sql, this.blobs, {
      inlineLimit: options.inlineLimit ?? 256 * 1024,
      blobGraceMs,
    });
    this.#datasets = new DatasetRepository(sql);
    this.#rulePacks = new RulePackRepository(sql);
    this.#models = new ModelRepository(sql, this.blobs, { blobGraceMs });
    this.#candidates = new CandidateRepository(sql, this.#designs);
    const records = { designs: this.#designs, candidates: this.#candidates, models: this.#models };
    this.#jobs = new JobRepository(sql, this.blobs, records, { blobGraceMs });
  }

  // ---- workspaces and keys -------------------------------------------------------------

  createWorkspace(name: string): Promise<Workspace> {
    return this.#workspaces.createWorkspace(name);
  }

  findWorkspaceByName(name: string): Promise<Workspace | undefined> {
    return this.#workspaces.findWorkspaceByName(name);
  }

  countWorkspaces(): Promise<number> {
    return this.#workspaces.countWorkspaces();
  }

  addApiKey(workspaceId: string, input: { id: string; hash: string; label?: string }): Promise<ApiKeyInfo> {
    return this.#workspaces.addApiKey(workspaceId, input);
  }

  listApiKeys(workspaceId?: string): Promise<ApiKeyInfo[]> {
    return this.#workspaces.listApiKeys(workspaceId);
  }

  revokeApiKey(keyId: string): Promise<boolean> {
    return this.#workspaces.revokeApiKey(keyId);
  }

  findApiKey(hash: string): Promise<{ keyId: string; workspaceId: string } | undefined> {
    return this.#workspaces.findApiKey(hash);
  }

  // ---- designs and datasets ------------------------------------------------------------

  insertDesigns(workspaceId: string, items: readonly DesignInsert[], datasetId?: string): Promise<InsertOutcome[]> {
    return this.#designs.insertDesigns(workspaceId, items, datasetId);
  }

  getDesign(workspaceId: string, id: string): Promise<StoredDesign | undefined> {
    return this.#designs.getDesign(workspaceId, id);
  }

  listDesigns(workspaceId: string, filter: DesignFilter, page: PageRequest): Promise<Page<DesignMeta>> {
    return this.#designs.listDesigns(workspaceId, filter, page);
  }

  deleteDesign(workspaceId: string, id: string): Promise<boolean> {
    return this.#designs.deleteDesign(workspaceId, id);
  }

  createDataset(
    workspaceId: string,
    input: { id: string; name: string; description?: string },
  ): Promise<DatasetRecord> {
    return this.#datasets.createDataset(workspaceId, input);
  }

  getDataset(workspaceId: string, id: string): Promise<DatasetRecord | undefined> {
    return this.#datasets.getDataset(workspaceId, id);
  }

  listDatasets(workspaceId: string, page: PageRequest): Promise<Page<DatasetRecord>> {
    return this.#datasets.listDatasets(workspaceId, page);
  }

  deleteDataset(workspaceId: string, id: string): Promise<boolean> {
    return this.#datasets.deleteDataset(workspaceId, id);
  }

  changeDatasetDesigns(
    workspaceId: string,
    datasetId: string,
    change: { add: readonly string[]; remove: readonly string[] },
  ): Promise<{ added: number; removed: number; missing: string[] } | undefined> {
    return this.#datasets.changeDatasetDesigns(workspaceId, datasetId, change);
  }

  datasetSummaries(workspaceId: string, datasetId: string): Promise<DesignSummary[] | undefined> {
    return this.#datasets.datasetSummaries(workspaceId, datasetId);
  }

  // ---- rule packs ----------------------------------------------------------------------

  putRulePack(workspaceId: string, pack: RulePack): Promise<RulePackRecord | "conflict"> {
    return this.#rulePacks.putRulePack(workspaceId, pack);
  }

  getRulePack(
    workspaceId: string,
    id: string,
    version?: string,
  ): Promise<(RulePackRecord & { pack: RulePack }) | undefined> {
    return this.#rulePacks.getRulePack(workspaceId, id, version);
  }

  listRulePacks(workspaceId: string, page: PageRequest): Promise<Page<RulePackRecord>> {
    return this.#rulePacks.listRulePacks(workspaceId, page);
  }

  // ---- jobs ----------------------------------------------------------------------------

  createJob(
    workspaceId: string,
    input: { id: string; kind: JobKind; payload: unknown; maxAttempts: number },
  ): Promise<JobRecord> {
    return this.#jobs.createJob(workspaceId, input);
  }

  getJob(workspaceId: string, id: string): Promise<JobRecord | undefined> {
    return this.#jobs.getJob(workspaceId, id);
  }

  listJobs(
    workspaceId: string,
    filter: { kind?: JobKind; status?: JobStatus },
    page: PageRequest,
  ): Promise<Page<JobRecord>> {
    return this.#jobs.listJobs(workspaceId, filter, page);
  }

  jobEvents(workspaceId: string, jobId: string, afterId: number, limit: number): Promise<JobEvent[]> {
    return this.#jobs.jobEvents(workspaceId, jobId, afterId, limit);
  }

  requestCancel(workspaceId: string, jobId: string): Promise<JobRecord | undefined> {
    return this.#jobs.requestCancel(workspaceId, jobId);
  }

  deleteJob(workspaceId: string, jobId: string): Promise<"deleted" | "not_ended" | undefined> {
    return this.#jobs.deleteJob(workspaceId, jobId);
  }

  claimNextJob(leaseMs: number, workerId?: string): Promise<ClaimedJob | undefined> {
    return this.#jobs.claimNextJob(leaseMs, workerId);
  }

  claimJob(jobId: string, leaseMs: number): Promise<ClaimedJob | undefined> {
    return this.#jobs.claimJob(jobId, leaseMs);
  }

  renewLease(jobId: string, token: string, leaseMs: number): Promise<{ owned: boolean; cancelRequested: boolean }> {
    return this.#jobs.renewLease(jobId, token, leaseMs);
  }

  jobStep(jobId: string, token: string, step: JobStep): Promise<JobStepOutcome> {
    return this.#jobs.jobStep(jobId, token, step);
  }

  finishJob(jobId: string, token: string, end: JobEnd): Promise<boolean> {
    return this.#jobs.finishJob(jobId, token, end);
  }

  recoverJobs(input: {
    now: number;
    tokens?: readonly string[];
    reason: string;
    resumable: (kind: JobKind) => boolean;
  }): Promise<{ jobId: string; outcome: "requeued" | "failed" | "cancelled" }[]> {
    return this.#jobs.recoverJobs(input);
  }

  releaseJob(jobId: string, token: string, reason: string): Promise<boolean> {
    return this.#jobs.releaseJob(jobId, token, reason);
  }

  jobForWorker(jobId: string, token: string): Promise<WorkerJob | undefined> {
    return this.#jobs.jobForWorker(jobId, token);
  }

  // ---- models and candidates -----------------------------------------------------------

  getModel(workspaceId: string, id: string): Promise<ModelRecord | undefined> {
    return this.#models.getModel(workspaceId, id);
  }

  listModels(workspaceId: string, page: PageRequest): Promise<Page<ModelRecord>> {
    return this.#models.listModels(workspaceId, page);
  }

  putModel(workspaceId: string, model: ModelInsert): Promise<ModelRecord | "conflict"> {
    return this.#models.putModel(workspaceId, model);
  }

  deleteModel(workspaceId: string, id: string): Promise<"deleted" | "not_found" | "in_use"> {
    return this.#models.deleteModel(workspaceId, id);
  }

  insertCandidates(workspaceId: string, items: readonly CandidateInsert[]): Promise<CandidateRecord[]> {
    return this.#candidates.insertCandidates(workspaceId, items);
  }

  getCandidate(workspaceId: string, id: string): Promise<CandidateRecord | undefined> {
    return this.#candidates.getCandidate(workspaceId, id);
  }

  listCandidates(
    workspaceId: string,
    filter: { jobId?: string; status?: CandidateStatus },
    page: PageRequest,
  ): Promise<Page<CandidateMeta>> {
    return this.#candidates.listCandidates(workspaceId, filter, page);
  }

  reviewCandidate(workspaceId: string, id: string, review: Review): Promise<ReviewOutcome> {
    return this.#candidates.reviewCandidate(workspaceId, id, review);
  }

  deleteCandidate(workspaceId: string, id: string): Promise<boolean> {
    return this.#candidates.deleteCandidate(workspaceId, id);
  }

  // ---- blobs, usage, misc --------------------------------------------------------------

  async registerBlob(sha256: string, size: number): Promise<void> {
    this.db
      .prepare(
        "INSERT INTO blobs (sha256, size, created_at) VALUES (?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET created_at = excluded.created_at",
      )
      .run(sha256, size, Date.now());
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
    return Object.fromEntries(
      RECORD_TABLES.map((t) => [
        t,
        Number((this.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n),
      ]),
    );
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** Ids are made in rows.ts; routes and jobs import them from here. */
export { newId } from "./rows.js";
