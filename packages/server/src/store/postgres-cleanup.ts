import type pg from "pg";
import { blobsNamedIn, type FreedBlobs } from "./blob-holders.js";
import type { WorkspaceUsage } from "./store.js";

/**
 * Deleting records on PostgreSQL and freeing the blobs they held, the same rules as
 * sqlite/cleanup.ts. Each function runs inside the caller's transaction (`client`).
 */

type Row = Record<string, unknown>;

/**
 * Frees blobs (rows of blob_contents and their `blobs` registration) that no record holds
 * (blob-holders.ts) and that were last stored before `cutoff`: the named ones, or all with
 * `shas` null. One statement: a put stamping a blob at the same time waits for its row lock and
 * then is seen (created_at is checked again on the locked row), so it is never freed under it.
 */
export async function freeUnheldBlobs(
  db: pg.PoolClient | pg.Pool,
  shas: readonly string[] | null,
  cutoff: number,
): Promise<FreedBlobs> {
  const result = await db.query(
    `WITH active AS (
       SELECT payload || ' ' || coalesce(checkpoint, '') AS t FROM jobs WHERE status IN ('queued', 'running')
     ), freed AS (
       DELETE FROM blob_contents b
       WHERE b.created_at < $1 AND ($2::text[] IS NULL OR b.sha256 = ANY($2::text[]))
         AND NOT EXISTS (SELECT 1 FROM designs d WHERE d.blob = b.sha256)
         AND NOT EXISTS (SELECT 1 FROM models m WHERE m.weights = b.sha256)
         AND NOT EXISTS (SELECT 1 FROM active a WHERE strpos(a.t, b.sha256) > 0)
       RETURNING b.sha256, b.size
     ), unregistered AS (
       DELETE FROM blobs r
       WHERE r.sha256 IN (SELECT sha256 FROM freed)
          OR (r.created_at < $1 AND ($2::text[] IS NULL OR r.sha256 = ANY($2::text[]))
              AND NOT EXISTS (SELECT 1 FROM blob_contents c WHERE c.sha256 = r.sha256))
     )
     SELECT count(*) AS removed, coalesce(sum(size), 0) AS bytes FROM freed`,
    [cutoff, shas],
  );
  const row = result.rows[0] as Row;
  return { removed: Number(row.removed), bytes: Number(row.bytes) };
}

export async function deleteDesign(
  client: pg.PoolClient,
  workspaceId: string,
  id: string,
  cutoff: number,
): Promise<boolean> {
  const rows = (
    await client.query("DELETE FROM designs WHERE workspace_id = $1 AND id = $2 RETURNING blob", [workspaceId, id])
  ).rows as Row[];
  if (rows.length === 0) return false;
  const blob = rows[0]!.blob;
  if (typeof blob === "string") await freeUnheldBlobs(client, [blob], cutoff);
  return true;
}

export async function deleteModel(
  client: pg.PoolClient,
  workspaceId: string,
  id: string,
  cutoff: number,
): Promise<"deleted" | "not_found" | "in_use"> {
  // FOR UPDATE: a training step writing this model waits, or this waits for it.
  const model = (
    await client.query("SELECT weights, job_id FROM models WHERE workspace_id = $1 AND id = $2 FOR UPDATE", [
      workspaceId,
      id,
    ])
  ).rows[0] as Row | undefined;
  if (!model) return "not_found";
  const using = await client.query(
    `SELECT 1 FROM jobs WHERE workspace_id = $1 AND status IN ('queued', 'running')
     AND (id = $2 OR (payload::jsonb ->> 'modelId') = $3) LIMIT 1`,
    [workspaceId, model.job_id ?? null, id],
  );
  if ((using.rowCount ?? 0) > 0) return "in_use";
  await client.query("DELETE FROM models WHERE workspace_id = $1 AND id = $2", [workspaceId, id]);
  if (typeof model.weights === "string") await freeUnheldBlobs(client, [model.weights], cutoff);
  return "deleted";
}

export async function deleteJob(
  client: pg.PoolClient,
  workspaceId: string,
  id: string,
  cutoff: number,
): Promise<"deleted" | "not_ended" | undefined> {
  const job = (
    await client.query("SELECT status FROM jobs WHERE workspace_id = $1 AND id = $2 FOR UPDATE", [workspaceId, id])
  ).rows[0] as Row | undefined;
  if (!job) return undefined;
  if (job.status === "queued" || job.status === "running") return "not_ended";
  const row = (
    await client.query("DELETE FROM jobs WHERE workspace_id = $1 AND id = $2 RETURNING payload, checkpoint", [
      workspaceId,
      id,
    ])
  ).rows[0] as Row;
  await freeUnheldBlobs(client, [...blobsNamedIn([row.payload, row.checkpoint])], cutoff);
  return "deleted";
}

export async function workspaceUsage(
  db: pg.Pool,
  workspaceId: string,
  trainingSince: number,
  now: number,
): Promise<WorkspaceUsage> {
  const row = (
    await db.query(
      `SELECT
         (SELECT count(*) FROM jobs WHERE workspace_id = $1 AND status = 'queued') AS queued,
         (SELECT coalesce(sum(size), 0) FROM designs WHERE workspace_id = $1)
         + (SELECT coalesce(sum(octet_length(design) + coalesce(octet_length(report), 0)), 0)
              FROM candidates WHERE workspace_id = $1)
         + (SELECT coalesce(sum(c.size), 0) FROM models m JOIN blob_contents c ON c.sha256 = m.weights
              WHERE m.workspace_id = $1) AS stored,
         (SELECT coalesce(sum(coalesce(finished_at, $2) - started_at), 0) FROM jobs
            WHERE workspace_id = $1 AND kind = 'train' AND started_at IS NOT NULL
            AND coalesce(finished_at, $2) >= $3) AS training,
         (SELECT min(coalesce(finished_at, $2)) FROM jobs
            WHERE workspace_id = $1 AND kind = 'train' AND started_at IS NOT NULL
            AND coalesce(finished_at, $2) >= $3) AS first_end`,
      [workspaceId, now, trainingSince],
    )
  ).rows[0] as Row;
  return {
    queuedJobs: Number(row.queued),
    storedBytes: Number(row.stored),
    trainingMs: Number(row.training),
    ...(row.first_end === null ? {} : { firstTrainingEnd: Number(row.first_end) }),
  };
}
