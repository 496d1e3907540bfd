import type { CostBreakdown } from "@plantgan/core/cost";
import type { Design, DesignSummary, ModelCard, RulePack, ValidationReport } from "@plantgan/core/design";
import type { PolishReport } from "@plantgan/core/polish";

/**
 * What the server keeps, behind one interface so a PostgreSQL implementation can follow the
 * SQLite one (DESIGN.md "Server"). Every method that reads or writes user data takes the
 * workspace id and never returns another workspace's rows: isolation lives here, not in routes.
 * Each method is one transaction; methods that read then write take the write lock first.
 * Methods are async so that a networked database fits the same shape.
 */
/** What renewing a lease found. */
export interface LeaseRenewal {
  /** The token still holds the job (renewed, or deferred). */
  readonly owned: boolean;
  readonly cancelRequested: boolean;
  /**
   * Owned but not renewed this time: a step of the lease's own worker holds the row (PostgreSQL
   * skips locked rows rather than queue behind it). The lease keeps its old expiry until a later renewal.
   */
  readonly deferred?: boolean;
}

export interface Store {
  // Workspaces and API keys
  createWorkspace(name: string): Promise<Workspace>;
  findWorkspaceByName(name: string): Promise<Workspace | undefined>;
  countWorkspaces(): Promise<number>;
  /** Stores the sha256 of a new key; the plain key is never stored. */
  addApiKey(workspaceId: string, input: { id: string; hash: string; label?: string }): Promise<ApiKeyInfo>;
  /** Keys (never their hashes), oldest first; of one workspace when given. */
  listApiKeys(workspaceId?: string): Promise<ApiKeyInfo[]>;
  /** Revokes a key: requests with it are 401 from now on. False when no such unrevoked key. */
  revokeApiKey(keyId: string): Promise<boolean>;
  /** The workspace a key hash belongs to, unless revoked. */
  findApiKey(hash: string): Promise<{ keyId: string; workspaceId: string } | undefined>;

  // Designs
  /** Inserts designs; a record whose id exists in the workspace (or earlier in the batch) is refused. */
  insertDesigns(workspaceId: string, items: readonly DesignInsert[], datasetId?: string): Promise<InsertOutcome[]>;
  getDesign(workspaceId: string, id: string): Promise<StoredDesign | undefined>;
  listDesigns(workspaceId: string, filter: DesignFilter, page: PageRequest): Promise<Page<DesignMeta>>;
  deleteDesign(workspaceId: string, id: string): Promise<boolean>;

  // Datasets
  createDataset(workspaceId: string, input: { id: string; name: string; description?: string }): Promise<DatasetRecord>;
  getDataset(workspaceId: string, id: string): Promise<DatasetRecord | undefined>;
  listDatasets(workspaceId: string, page: PageRequest): Promise<Page<DatasetRecord>>;
  deleteDataset(workspaceId: string, id: string): Promise<boolean>;
  /** Adds and removes designs by id; ids that do not exist are returned as missing and nothing changes. */
  changeDatasetDesigns(
    workspaceId: string,
    datasetId: string,
    change: { add: readonly string[]; remove: readonly string[] },
  ): Promise<{ added: number; removed: number; missing: string[] } | undefined>;
  /** Stored summaries of a dataset's designs, in insertion order, for statistics. */
  datasetSummaries(workspaceId: string, datasetId: string): Promise<DesignSummary[] | undefined>;

  // Rule packs
  putRulePack(workspaceId: string, pack: RulePack): Promise<RulePackRecord | "conflict">;
  getRulePack(
    workspaceId: string,
    id: string,
    version?: string,
  ): Promise<(RulePackRecord & { pack: RulePack }) | undefined>;
  listRulePacks(workspaceId: string, page: PageRequest): Promise<Page<RulePackRecord>>;

  // Jobs
  createJob(
    workspaceId: string,
    input: { id: string; kind: JobKind; payload: unknown; maxAttempts: number },
  ): Promise<JobRecord>;
  getJob(workspaceId: string, id: string): Promise<JobRecord | undefined>;
  listJobs(
    workspaceId: string,
    filter: { kind?: JobKind; status?: JobStatus },
    page: PageRequest,
  ): Promise<Page<JobRecord>>;
  /** Events after `afterId` (exclusive), oldest first. */
  jobEvents(workspaceId: string, jobId: string, afterId: number, limit: number): Promise<JobEvent[]>;
  /** Cancels a queued job at once; flags a running one for its worker. Undefined when not found. */
  requestCancel(workspaceId: string, jobId: string): Promise<JobRecord | undefined>;
  /**
   * Deletes an ended job (succeeded, failed or cancelled) with its events; what it produced
   * (designs, models, candidates) stays. "not_ended" for a queued or running job, undefined when not found.
   */
  deleteJob(workspaceId: string, jobId: string): Promise<"deleted" | "not_ended" | undefined>;

  // Job machinery: called by the runner and the worker, never by routes (no workspace: jobs are global ids).
  /**
   * Takes the next queued job: workspaces in turn (the one whose last job was claimed longest ago
   * first), the oldest job first within one. The job gets status running, a fresh lease token,
   * attempts + 1. `workerId`
   * (the claiming process) is kept on the row and in the "started" event.
   */
  claimNextJob(leaseMs: number, workerId?: string): Promise<ClaimedJob | undefined>;
  /**
   * Takes one named job if it is still queued, as claimNextJob does (a server that runs the job
   * itself, e.g. a direct generation in its warm pool); undefined when a runner got it first.
   */
  claimJob(jobId: string, leaseMs: number): Promise<ClaimedJob | undefined>;
  /** Extends a lease; `owned` false means another runner took the job over (stop working). */
  renewLease(jobId: string, token: string, leaseMs: number): Promise<LeaseRenewal>;
  /** Writes one step of a job's work, its checkpoint and events in one transaction, fenced by the lease token. */
  jobStep(jobId: string, token: string, step: JobStep): Promise<JobStepOutcome>;
  /** Ends a job (succeeded, failed or cancelled) with its last event, fenced by the lease token. */
  finishJob(jobId: string, token: string, end: JobEnd): Promise<boolean>;
  /**
   * Running jobs whose lease expired (worker gone) or whose token is in `tokens` (the runner saw
   * the worker exit): each is queued again when `resumable(kind)` and attempts remain, else failed,
   * with an event saying why. Returns what was done.
   */
  recoverJobs(input: {
    now: number;
    tokens?: readonly string[];
    reason: string;
    resumable: (kind: JobKind) => boolean;
  }): Promise<{ jobId: string; outcome: "requeued" | "failed" | "cancelled" }[]>;
  /** Puts a running job back in the queue (graceful shutdown), keeping its checkpoint and attempts. */
  releaseJob(jobId: string, token: string, reason: string): Promise<boolean>;
  /** The job row as the worker needs it (payload and checkpoint). */
  jobForWorker(jobId: string, token: string): Promise<WorkerJob | undefined>;

  // Models
  getModel(workspaceId: string, id: string): Promise<ModelRecord | undefined>;
  listModels(workspaceId: string, page: PageRequest): Promise<Page<ModelRecord>>;
  putModel(workspaceId: string, model: ModelInsert): Promise<ModelRecord | "conflict">;

  // Candidates
  insertCandidates(workspaceId: string, items: readonly CandidateInsert[]): Promise<CandidateRecord[]>;
  getCandidate(workspaceId: string, id: string): Promise<CandidateRecord | undefined>;
  listCandidates(
    workspaceId: string,
    filter: { jobId?: string; status?: CandidateStatus },
    page: PageRequest,
  ): Promise<Page<CandidateMeta>>;
  /**
   * Records a review. Accepting stores the candidate's design (status "accepted") under `designId`
   * (default: the candidate design's own id) in the same transaction.
   */
  reviewCandidate(workspaceId: string, id: string, review: Review): Promise<ReviewOutcome>;

  /** Notes a blob the store's rows refer to (job payloads, weights) and stamps it as just stored. */
  registerBlob(sha256: string, size: number): Promise<void>;

  // Clean-up and usage (store/blob-holders.ts says which records hold a blob).
  /** Deletes a model unless a queued or running job uses it (trains it, or generates with it). */
  deleteModel(workspaceId: string, id: string): Promise<"deleted" | "not_found" | "in_use">;
  deleteCandidate(workspaceId: string, id: string): Promise<boolean>;
  /**
   * Frees every blob no record holds that was last stored before the grace period (the store's
   * `blobGraceMs`) ended, as of `now`. Delete methods free their record's blobs the same way at once.
   */
  collectBlobs(now?: number): Promise<{ removed: number; bytes: number }>;
  /** Every stored blob, counted and summed (all workspaces): what the data folder or blob table holds. */
  blobUsage(): Promise<{ count: number; bytes: number }>;
  /** What a workspace uses, for its quotas. */
  workspaceUsage(workspaceId: string, trainingSince: number): Promise<WorkspaceUsage>;

  /** Row counts per table, for tests and the health report. */
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** What a workspace uses now, measured against its quotas (storage/quotas.ts). */
export interface WorkspaceUsage {
  /** Jobs waiting in the queue. */
  readonly queuedJobs: number;
  /** Bytes of its designs, candidates (design and report) and model weights. */
  readonly storedBytes: number;
  /** Training jobs' run time (start to end, or to now) among those that ran after `trainingSince`, ms. */
  readonly trainingMs: number;
  /** The earliest end (or now, when still running) among those jobs: when the first leaves the window. */
  readonly firstTrainingEnd?: number;
}

export interface Workspace {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface ApiKeyInfo {
  readonly id: string;
  readonly workspaceId: string;
  readonly label?: string;
  readonly createdAt: string;
  readonly revokedAt?: string;
}

/** Designs uploaded as training data are "uploaded"; reviewed-and-accepted candidates are "accepted". */
export type DesignStatus = "uploaded" | "accepted";

/** Where a design came from. */
export type DesignSource = "json" | "ndjson" | "dexpi" | "import" | "candidate";

export interface DesignInsert {
  readonly design: Design;
  readonly status: DesignStatus;
  readonly source: DesignSource;
  readonly summary: DesignSummary;
  readonly jobId?: string;
  readonly candidateId?: string;
}

export type InsertOutcome =
  | { readonly ok: true; readonly id: string }
  | { readonly ok: false; readonly id: string; readonly reason: "conflict" };

export interface DesignMeta {
  readonly id: string;
  readonly name?: string;
  readonly processClass: string;
  readonly status: DesignStatus;
  readonly source: DesignSource;
  /** sha256 of the stored JSON text. */
  readonly sha256: string;
  /** Size of the stored JSON text, bytes. */
  readonly size: number;
  readonly createdAt: string;
  readonly summary: DesignSummary;
  readonly jobId?: string;
  readonly candidateId?: string;
}

export interface StoredDesign extends DesignMeta {
  readonly design: Design;
}

export interface DesignFilter {
  readonly datasetId?: string;
  readonly processClass?: string;
  readonly status?: DesignStatus;
}

export interface PageRequest {
  readonly limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: T[];
  /** Present when more items follow. */
  readonly nextCursor?: string;
}

export interface DatasetRecord {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly createdAt: string;
  readonly designCount: number;
}

export interface RulePackRecord {
  readonly id: string;
  readonly version: string;
  readonly name?: string;
  readonly sha256: string;
  readonly createdAt: string;
}

/** Job kinds the runner knows. `generate` and `train` run once the GAN supplies their handlers. */
export type JobKind = "import" | "generate" | "train";
export const JOB_KINDS: readonly JobKind[] = ["import", "generate", "train"];
export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";
export const JOB_STATUSES: readonly JobStatus[] = ["queued", "running", "succeeded", "failed", "cancelled"];

export interface JobRecord {
  readonly id: string;
  readonly kind: JobKind;
  readonly status: JobStatus;
  readonly progress: { readonly done: number; readonly total: number };
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly cancelRequested: boolean;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** Why the job failed or was cancelled. */
  readonly error?: string;
  readonly result?: unknown;
}

export interface JobEvent {
  /** Increasing over the whole store: the SSE event id. */
  readonly id: number;
  readonly type: JobEventType;
  readonly data: unknown;
  readonly createdAt: string;
}

export type JobEventType =
  | "queued"
  | "started"
  | "progress"
  | "metrics"
  | "log"
  | "requeued"
  | "finished"
  | "failed"
  | "cancelled";

export interface ClaimedJob {
  readonly id: string;
  readonly workspaceId: string;
  readonly kind: JobKind;
  readonly token: string;
  readonly attempts: number;
}

export interface WorkerJob extends ClaimedJob {
  readonly payload: unknown;
  /** What the last committed step left; undefined on a first run. */
  readonly checkpoint: unknown;
  readonly progress: { readonly done: number; readonly total: number };
}

/** One unit of a job's work; all of it commits or none. */
export interface JobStep {
  readonly designs?: { readonly items: readonly DesignInsert[]; readonly datasetId?: string };
  readonly candidates?: readonly CandidateInsert[];
  readonly checkpoint?: unknown;
  readonly progress?: { readonly done: number; readonly total: number };
  readonly events?: readonly { readonly type: JobEventType; readonly data: unknown }[];
  /**
   * A training job's model so far (card and weights blob). The row is created if missing and
   * otherwise updated only when it belongs to this job; it stays "training" until the job ends:
   * succeeded → "ready", cancelled → "ready" when it has weights, failed → "failed".
   */
  readonly model?: { readonly id: string; readonly card?: ModelCard; readonly weights: string };
}

export type JobStepOutcome =
  | { readonly owned: false }
  | { readonly owned: true; readonly designs: InsertOutcome[]; readonly cancelRequested: boolean };

export type JobEnd =
  | { readonly status: "succeeded"; readonly result: unknown }
  | { readonly status: "failed"; readonly error: string }
  | { readonly status: "cancelled"; readonly result: unknown };

export type ModelStatus = "training" | "ready" | "failed";

export interface ModelRecord {
  readonly id: string;
  readonly status: ModelStatus;
  readonly card?: ModelCard;
  /** sha256 of the weights blob, when trained. */
  readonly weights?: string;
  readonly jobId?: string;
  readonly createdAt: string;
}

export interface ModelInsert {
  readonly id: string;
  readonly status: ModelStatus;
  readonly card?: ModelCard;
  readonly weights?: string;
  readonly jobId?: string;
}

export type CandidateStatus = "pending" | "accepted" | "rejected";
export const CANDIDATE_STATUSES: readonly CandidateStatus[] = ["pending", "accepted", "rejected"];

export interface CandidateInsert {
  readonly id: string;
  readonly design: Design;
  readonly report?: ValidationReport;
  readonly rank?: number;
  readonly jobId?: string;
  readonly modelId?: string;
  /** The layout's cost under the pack's cost model, and what the polish step did. */
  readonly cost?: CostBreakdown;
  readonly polish?: PolishReport;
}

export interface CandidateMeta {
  readonly id: string;
  readonly designId: string;
  readonly processClass: string;
  readonly status: CandidateStatus;
  readonly rank?: number;
  readonly jobId?: string;
  readonly modelId?: string;
  readonly errors?: number;
  /** No error in the report (absent without one). */
  readonly valid?: boolean;
  /**
   * No error in the report besides those marked inherited (topology mode: the request's own drawing
   * has them too): the layout added none. Equals `valid` in spec mode; absent without a report.
   */
  readonly layoutValid?: boolean;
  /** Errors of the report marked inherited; absent when none. */
  readonly inheritedErrors?: number;
  readonly createdAt: string;
  readonly review?: {
    readonly comment?: string;
    readonly reviewedAt: string;
    readonly acceptedAs?: string;
    /** Accepted in spite of errors in its report, and why. */
    readonly override?: { readonly reason: string };
  };
}

export interface CandidateRecord extends CandidateMeta {
  readonly design: Design;
  readonly report?: ValidationReport;
  readonly cost?: CostBreakdown;
  readonly polish?: PolishReport;
}

export interface Review {
  readonly decision: "accept" | "reject";
  readonly comment?: string;
  /** Id of the design an accepted candidate becomes. */
  readonly designId?: string;
  /** Accept a candidate whose report has errors: the reviewer's reason, recorded with the review. */
  readonly override?: { readonly reason: string };
  readonly keyId: string;
}

export type ReviewOutcome =
  | { readonly ok: true; readonly candidate: CandidateRecord; readonly design?: DesignMeta }
  | { readonly ok: false; readonly reason: "not_found" | "already_reviewed" }
  /** The report has errors and the review gave no override. */
  | { readonly ok: false; readonly reason: "invalid"; readonly errors: number }
  /** A design has that id already; `suggestedId` is free. */
  | { readonly ok: false; readonly reason: "conflict"; readonly designId: string; readonly suggestedId: string };
