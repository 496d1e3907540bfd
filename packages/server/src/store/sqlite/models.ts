import { cursorValue, MODEL_COLUMNS, modelRecord, toPage } from "../rows.js";
import type { JobStep, ModelInsert, ModelRecord, Page, PageRequest } from "../store.js";
import type { SqliteBlobStore } from "./blobs.js";
import { deleteModel } from "./cleanup.js";
import type { SqliteDb } from "./db.js";

/** Models: cards and weights blobs; a training job writes its model as it goes and settles it when it ends. */
export class ModelRepository {
  readonly #sql: SqliteDb;
  readonly #blobs: SqliteBlobStore;
  readonly #blobGraceMs: number;

  constructor(sql: SqliteDb, blobs: SqliteBlobStore, options: { blobGraceMs: number }) {
    this.#sql = sql;
    this.#blobs = blobs;
    this.#blobGraceMs = options.blobGraceMs;
  }

  async getModel(workspaceId: string, id: string): Promise<ModelRecord | undefined> {
    const row = this.#sql.get(`SELECT ${MODEL_COLUMNS} FROM models WHERE workspace_id = ? AND id = ?`, workspaceId, id);
    return row ? modelRecord(row) : undefined;
  }

  async listModels(workspaceId: string, page: PageRequest): Promise<Page<ModelRecord>> {
    const rows = this.#sql.all(
      `SELECT pk, ${MODEL_COLUMNS} FROM models WHERE workspace_id = ? AND pk > ? ORDER BY pk LIMIT ?`,
      workspaceId,
      cursorValue(page.cursor),
      page.limit + 1,
    );
    return toPage(rows, page.limit, modelRecord);
  }

  async putModel(workspaceId: string, model: ModelInsert): Promise<ModelRecord | "conflict"> {
    const now = Date.now();
    const result = this.#sql.run(
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

  /** Settles the models a training job was writing, in the transaction that ends the job. */
  settleForJob(jobId: string, end: "succeeded" | "failed" | "cancelled"): void {
    const status = end === "failed" ? "'failed'" : "CASE WHEN weights IS NULL THEN 'failed' ELSE 'ready' END";
    this.#sql.run(`UPDATE models SET status = ${status} WHERE job_id = ? AND status = 'training'`, jobId);
  }

  /** A training step's model so far: created if missing, else updated only when this job owns it (the step's transaction). */
  writeFromJob(workspaceId: string, jobId: string, model: NonNullable<JobStep["model"]>): void {
    this.#sql.run(
      `INSERT INTO models (workspace_id, id, status, card, weights, job_id, created_at) VALUES (?, ?, 'training', ?, ?, ?, ?)
       ON CONFLICT (workspace_id, id) DO UPDATE SET card = excluded.card, weights = excluded.weights
       WHERE models.job_id = excluded.job_id`,
      workspaceId,
      model.id,
      model.card ? JSON.stringify(model.card) : null,
      model.weights,
      jobId,
      Date.now(),
    );
  }

  async deleteModel(workspaceId: string, id: string): Promise<"deleted" | "not_found" | "in_use"> {
    return deleteModel(this.#sql.db, this.#blobs, workspaceId, id, Date.now() - this.#blobGraceMs);
  }
}
