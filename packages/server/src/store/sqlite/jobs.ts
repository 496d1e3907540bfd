import { randomBytes } from "node:crypto";
import { cursorValue, iso, JOB_COLUMNS, jobRecord, type Row, startedEvent, toPage } from "../rows.js";
import type {
  ClaimedJob,
  JobEnd,
  JobEvent,
  JobEventType,
  JobKind,
  JobRecord,
  JobStatus,
  JobStep,
  JobStepOutcome,
  Page,
  PageRequest,
  WorkerJob,
} from "../store.js";
import type { SqliteBlobStore } from "./blobs.js";
import type { CandidateRepository } from "./candidates.js";
import { deleteJob } from "./cleanup.js";
import type { SqliteDb } from "./db.js";
import type { DesignRepository } from "./designs.js";
import type { ModelRepository } from "./models.js";

/**
 * Jobs and their events: the queue (claims in turn per workspace), leases fenced by a token, steps
 * that commit a job's designs, candidates, model and checkpoint in one transaction, and recovery.
 */
export class JobRepository {
  readonly #sql: SqliteDb;
  readonly #blobs: SqliteBlobStore;
  readonly #blobGraceMs: number;
  readonly #designs: DesignRepository;
  readonly #candidates: CandidateRepository;
  readonly #models: ModelRepository;

  constructor(
    sql: SqliteDb,
    blobs: SqliteBlobStore,
    records: { designs: DesignRepository; candidates: CandidateRepository; models: ModelRepository },
    options: { blobGraceMs: number },
  ) {
    this.#sql = sql;
    this.#blobs = blobs;
    this.#designs = records.designs;
    this.#candidates = records.candidates;
    this.#models = records.models;
    this.#blobGraceMs = options.blobGraceMs;
  }

  #event(jobId: string, type: JobEventType, data: unknown, now = Date.now()): void {
    this.#sql.run(
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
    return this.#sql.write(() => {
      const now = Date.now();
      this.#sql.run(
        "INSERT INTO jobs (id, workspace_id, kind, status, payload, max_attempts, created_at) VALUES (?, ?, ?, 'queued', ?, ?, ?)",
        input.id,
        workspaceId,
        input.kind,
        JSON.stringify(input.payload),
        input.maxAttempts,
        now,
      );
      this.#event(input.id, "queued", { kind: input.kind }, now);
      return jobRecord(this.#sql.get(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`, input.id)!);
    });
  }

  async getJob(workspaceId: string, id: string): Promise<JobRecord | undefined> {
    const row = this.#sql.get(`SELECT ${JOB_COLUMNS} FROM jobs WHERE workspace_id = ? AND id = ?`, workspaceId, id);
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
    const rows = this.#sql.all(
      `SELECT rowid AS pk, ${JOB_COLUMNS} FROM jobs WHERE ${where.join(" AND ")} ORDER BY rowid LIMIT ?`,
      ...params,
      page.limit + 1,
    );
    return toPage(rows, page.limit, jobRecord);
  }

  async jobEvents(workspaceId: string, jobId: string, afterId: number, limit: number): Promise<JobEvent[]> {
    return this.#sql
      .all(
        `SELECT e.id, e.type, e.data, e.created_at FROM job_events e JOIN jobs j ON j.id = e.job_id
       WHERE j.workspace_id = ? AND e.job_id = ? AND e.id > ? ORDER BY e.id LIMIT ?`,
        workspaceId,
        jobId,
        afterId,
        limit,
      )
      .map((r) => ({
        id: Number(r.id),
        type: String(r.type) as JobEventType,
        data: JSON.parse(String(r.data)) as unknown,
        createdAt: iso(r.created_at),
      }));
  }

  async requestCancel(workspaceId: string, jobId: string): Promise<JobRecord | undefined> {
    return this.#sql.write(() => {
      const row = this.#sql.get("SELECT status FROM jobs WHERE workspace_id = ? AND id = ?", workspaceId, jobId);
      if (!row) return undefined;
      const now = Date.now();
      if (row.status === "queued") {
        this.#sql.run(
          "UPDATE jobs SET status = 'cancelled', cancel_requested = 1, finished_at = ?, error = 'cancelled before it started' WHERE id = ?",
          now,
          jobId,
        );
        this.#models.settleForJob(jobId, "cancelled");
        this.#event(jobId, "cancelled", { reason: "cancelled before it started" }, now);
      } else if (row.status === "running") {
        // The worker sees the flag at its next heartbeat or step and stops at a step boundary.
        this.#sql.run("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", jobId);
      }
      return jobRecord(this.#sql.get(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`, jobId)!);
    });
  }

  async deleteJob(workspaceId: string, jobId: string): Promise<"deleted" | "not_ended" | undefined> {
    // Its events go with it, and the blobs its payload and checkpoint named are freed.
    return deleteJob(this.#sql.db, this.#blobs, workspaceId, jobId, Date.now() - this.#blobGraceMs);
  }

  async claimJob(jobId: string, leaseMs: number): Promise<ClaimedJob | undefined> {
    return this.#sql.write(() => {
      const row = this.#sql.get(
        "SELECT id, workspace_id, kind, attempts FROM jobs WHERE id = ? AND status = 'queued'",
        jobId,
      );
      return row ? this.#startJob(row, leaseMs, undefined) : undefined;
    });
  }

  async claimNextJob(leaseMs: number, workerId?: string): Promise<ClaimedJob | undefined> {
    return this.#sql.write(() => {
      // Round robin over workspaces (the one served longest ago first), oldest job first within one:
      // a workspace that queues many jobs delays another's by one job at most.
      const row = this.#sql.get(
        `SELECT j.id, j.workspace_id, j.kind, j.attempts FROM jobs j JOIN workspaces w ON w.id = j.workspace_id
         WHERE j.status = 'queued' ORDER BY w.job_turn, j.created_at, j.rowid LIMIT 1`,
      );
      return row ? this.#startJob(row, leaseMs, workerId) : undefined;
    });
  }

  /** A claimed queued row starts (inside the claim's write): a fresh lease, the workspace's turn taken. */
  #startJob(row: Row, leaseMs: number, workerId: string | undefined): ClaimedJob {
    this.#sql.run(
      "UPDATE workspaces SET job_turn = (SELECT max(job_turn) FROM workspaces) + 1 WHERE id = ?",
      row.workspace_id,
    );
    const token = randomBytes(16).toString("hex");
    const now = Date.now();
    const attempts = Number(row.attempts) + 1;
    this.#sql.run(
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
    const row = this.#sql.get(
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
    return this.#sql.get(
      "SELECT workspace_id, cancel_requested FROM jobs WHERE id = ? AND lease_token = ? AND status = 'running'",
      jobId,
      token,
    );
  }

  async jobStep(jobId: string, token: string, step: JobStep): Promise<JobStepOutcome> {
    const rows = step.designs ? await this.#designs.prepare(step.designs.items) : [];
    return this.#sql.write((): JobStepOutcome => {
      const job = this.#owned(jobId, token);
      if (!job) return { owned: false };
      const workspaceId = String(job.workspace_id);
      const designs = step.designs
        ? this.#designs.insertPrepared(workspaceId, rows, this.#designs.datasetPk(workspaceId, step.designs.datasetId))
        : [];
      if (step.candidates) this.#candidates.insertRows(workspaceId, step.candidates);
      if (step.checkpoint !== undefined)
        this.#sql.run("UPDATE jobs SET checkpoint = ? WHERE id = ?", JSON.stringify(step.checkpoint), jobId);
      if (step.progress) {
        this.#sql.run(
          "UPDATE jobs SET progress_done = ?, progress_total = ? WHERE id = ?",
          step.progress.done,
          step.progress.total,
          jobId,
        );
      }
      if (step.model) this.#models.writeFromJob(workspaceId, jobId, step.model);
      for (const e of step.events ?? []) this.#event(jobId, e.type, e.data);
      return { owned: true, designs, cancelRequested: job.cancel_requested === 1 };
    });
  }

  async finishJob(jobId: string, token: string, end: JobEnd): Promise<boolean> {
    return this.#sql.write(() => {
      if (!this.#owned(jobId, token)) return false;
      const now = Date.now();
      const result = end.status === "failed" ? null : JSON.stringify(end.result);
      const error = end.status === "failed" ? end.error : end.status === "cancelled" ? "cancelled on request" : null;
      this.#sql.run(
        `UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ?, lease_token = NULL, lease_expires_at = NULL
         WHERE id = ?`,
        end.status,
        result,
        error,
        now,
        jobId,
      );
      this.#models.settleForJob(jobId, end.status);
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
    return this.#sql.write(() => {
      const tokens = input.tokens ?? [];
      const rows = this.#sql.all(
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
          this.#sql.run(
            "UPDATE jobs SET status = 'cancelled', error = ?, finished_at = ?, lease_token = NULL, lease_expires_at = NULL WHERE id = ?",
            `cancelled; the worker stopped: ${input.reason}`,
            now,
            jobId,
          );
          this.#models.settleForJob(jobId, "cancelled");
          this.#event(jobId, "cancelled", { reason: input.reason }, now);
          return { jobId, outcome: "cancelled" as const };
        }
        if (input.resumable(String(row.kind) as JobKind) && attempts < maxAttempts) {
          // Back to the queue with its checkpoint: the next attempt continues after the last committed step.
          this.#sql.run(
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
        this.#sql.run(
          "UPDATE jobs SET status = 'failed', error = ?, finished_at = ?, lease_token = NULL, lease_expires_at = NULL WHERE id = ?",
          error,
          now,
          jobId,
        );
        this.#models.settleForJob(jobId, "failed");
        this.#event(jobId, "failed", { reason: error }, now);
        return { jobId, outcome: "failed" as const };
      });
    });
  }

  async releaseJob(jobId: string, token: string, reason: string): Promise<boolean> {
    return this.#sql.write(() => {
      if (!this.#owned(jobId, token)) return false;
      // A shutdown is not the job's fault: the attempt is given back.
      this.#sql.run(
        "UPDATE jobs SET status = 'queued', lease_token = NULL, lease_expires_at = NULL, attempts = max(attempts - 1, 0) WHERE id = ?",
        jobId,
      );
      this.#event(jobId, "requeued", { reason });
      return true;
    });
  }

  async jobForWorker(jobId: string, token: string): Promise<WorkerJob | undefined> {
    const row = this.#sql.get(
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
}
