import type Database from "better-sqlite3";
import { blobsNamedIn } from "../blob-holders.js";
import type { WorkspaceUsage } from "../store.js";
import type { SqliteBlobStore } from "./blobs.js";

/**
 * Deleting designs, models and jobs on SQLite, each in one write transaction that also frees the
 * blobs the record held (when no other record holds them and they are older than `cutoff`), and a
 * workspace's usage. The repositories delegate here; postgres-cleanup.ts does the same on PostgreSQL.
 */

type Row = Record<string, unknown>;

export function deleteDesign(
  db: Database.Database,
  blobs: SqliteBlobStore,
  workspaceId: string,
  id: string,
  cutoff: number,
): boolean {
  return db
    .transaction(() => {
      const row = db
        .prepare("DELETE FROM designs WHERE workspace_id = ? AND id = ? RETURNING blob")
        .get(workspaceId, id) as Row | undefined;
      if (!row) return false;
      if (typeof row.blob === "string") blobs.freeUnheld([row.blob], cutoff);
      return true;
    })
    .immediate();
}

/** A model in use: its own training job is queued or running, or such a job generates with it. */
function modelInUse(db: Database.Database, workspaceId: string, id: string, jobId: unknown): boolean {
  const row = db
    .prepare(
      `SELECT 1 AS one FROM jobs WHERE workspace_id = ? AND status IN ('queued', 'running')
       AND (id = ? OR json_extract(payload, '$.modelId') = ?) LIMIT 1`,
    )
    .get(workspaceId, jobId ?? null, id);
  return row !== undefined;
}

export function deleteModel(
  db: Database.Database,
  blobs: SqliteBlobStore,
  workspaceId: string,
  id: string,
  cutoff: number,
): "deleted" | "not_found" | "in_use" {
  return db
    .transaction(() => {
      const model = db
        .prepare("SELECT weights, job_id FROM models WHERE workspace_id = ? AND id = ?")
        .get(workspaceId, id) as Row | undefined;
      if (!model) return "not_found" as const;
      if (modelInUse(db, workspaceId, id, model.job_id)) return "in_use" as const;
      db.prepare("DELETE FROM models WHERE workspace_id = ? AND id = ?").run(workspaceId, id);
      if (typeof model.weights === "string") blobs.freeUnheld([model.weights], cutoff);
      return "deleted" as const;
    })
    .immediate();
}

export function deleteJob(
  db: Database.Database,
  blobs: SqliteBlobStore,
  workspaceId: string,
  id: string,
  cutoff: number,
): "deleted" | "not_ended" | undefined {
  return db
    .transaction(() => {
      const job = db.prepare("SELECT status FROM jobs WHERE workspace_id = ? AND id = ?").get(workspaceId, id) as
        | Row
        | undefined;
      if (!job) return undefined;
      if (job.status === "queued" || job.status === "running") return "not_ended" as const;
      // Its events go with it (ON DELETE CASCADE); designs, models and candidates it made stay.
      const row = db
        .prepare("DELETE FROM jobs WHERE workspace_id = ? AND id = ? RETURNING payload, checkpoint")
        .get(workspaceId, id) as Row;
      blobs.freeUnheld(blobsNamedIn([row.payload, row.checkpoint]), cutoff);
      return "deleted" as const;
    })
    .immediate();
}

export function workspaceUsage(
  db: Database.Database,
  workspaceId: string,
  trainingSince: number,
  now: number,
): WorkspaceUsage {
  const row = db
    .prepare(
      `SELECT
         (SELECT count(*) FROM jobs WHERE workspace_id = $ws AND status = 'queued') AS queued,
         (SELECT coalesce(sum(size), 0) FROM designs WHERE workspace_id = $ws)
         + (SELECT coalesce(sum(length(CAST(design AS BLOB)) + coalesce(length(CAST(report AS BLOB)), 0)), 0)
              FROM candidates WHERE workspace_id = $ws)
         + (SELECT coalesce(sum(b.size), 0) FROM models m JOIN blobs b ON b.sha256 = m.weights
              WHERE m.workspace_id = $ws) AS stored,
         (SELECT coalesce(sum(coalesce(finished_at, $now) - started_at), 0) FROM jobs
            WHERE workspace_id = $ws AND kind = 'train' AND started_at IS NOT NULL
            AND coalesce(finished_at, $now) >= $since) AS training,
         (SELECT min(coalesce(finished_at, $now)) FROM jobs
            WHERE workspace_id = $ws AND kind = 'train' AND started_at IS NOT NULL
            AND coalesce(finished_at, $now) >= $since) AS first_end`,
    )
    .get({ ws: workspaceId, now, since: trainingSince }) as Row;
  return {
    queuedJobs: Number(row.queued),
    storedBytes: Number(row.stored),
    trainingMs: Number(row.training),
    ...(row.first_end === null ? {} : { firstTrainingEnd: Number(row.first_end) }),
  };
}
