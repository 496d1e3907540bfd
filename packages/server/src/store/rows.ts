import { randomBytes } from "node:crypto";
import type { CostBreakdown } from "@plantgan/core/cost";
import type { Design, DesignSummary, ModelCard, ValidationReport } from "@plantgan/core/design";
import type { PolishReport } from "@plantgan/core/polish";
import type {
  CandidateInsert,
  CandidateMeta,
  CandidateRecord,
  CandidateStatus,
  DatasetRecord,
  DesignInsert,
  DesignMeta,
  DesignSource,
  DesignStatus,
  JobKind,
  JobRecord,
  JobStatus,
  ModelRecord,
  ModelStatus,
  Page,
  RulePackRecord,
} from "./store.js";

/**
 * Rows to records, shared by the SQLite and PostgreSQL stores: both keep the same columns
 * (times as milliseconds, JSON as text), so one mapping serves both and they answer alike.
 */

export type Row = Record<string, unknown>;

/** The tables holding records, in the order their foreign keys need (counts() and store copy). */
export const RECORD_TABLES = [
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
] as const;

/** Milliseconds (a number from SQLite, a bigint string from PostgreSQL) as an ISO time. */
export const iso = (ms: unknown): string => new Date(Number(ms)).toISOString();
export const opt = <K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } =>
  (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

export const DESIGN_META_COLUMNS =
  "id, name, process_class, status, source, sha256, size, summary, job_id, candidate_id, created_at";
export const DATASET_COLUMNS =
  "pk, id, name, description, created_at, (SELECT count(*) FROM dataset_designs dd WHERE dd.dataset_pk = ds.pk) AS design_count";
export const RULE_PACK_COLUMNS = "id, version, name, sha256, created_at";
export const JOB_COLUMNS =
  "id, kind, status, progress_done, progress_total, attempts, max_attempts, cancel_requested, created_at, started_at, finished_at, error, result";
export const MODEL_COLUMNS = "id, status, card, weights, job_id, created_at";
export const CANDIDATE_COLUMNS =
  "id, design_id, process_class, status, rank, job_id, model_id, errors, inherited_errors, comment, reviewed_at, accepted_as, override_reason, created_at";

export function designMeta(row: Row): DesignMeta {
  return {
    id: String(row.id),
    ...opt("name", row.name as string | null),
    processClass: String(row.process_class),
    status: String(row.status) as DesignStatus,
    source: String(row.source) as DesignSource,
    sha256: String(row.sha256),
    size: Number(row.size),
    createdAt: iso(row.created_at),
    summary: JSON.parse(String(row.summary)) as DesignSummary,
    ...opt("jobId", row.job_id as string | null),
    ...opt("candidateId", row.candidate_id as string | null),
  };
}

export function datasetRecord(row: Row): DatasetRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    ...opt("description", row.description as string | null),
    createdAt: iso(row.created_at),
    designCount: Number(row.design_count),
  };
}

export function rulePackRecord(row: Row): RulePackRecord {
  return {
    id: String(row.id),
    version: String(row.version),
    ...opt("name", row.name as string | null),
    sha256: String(row.sha256),
    createdAt: iso(row.created_at),
  };
}

export function jobRecord(row: Row): JobRecord {
  return {
    id: String(row.id),
    kind: String(row.kind) as JobKind,
    status: String(row.status) as JobStatus,
    progress: { done: Number(row.progress_done), total: Number(row.progress_total) },
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    cancelRequested: row.cancel_requested === 1,
    createdAt: iso(row.created_at),
    ...opt("startedAt", row.started_at === null ? null : iso(row.started_at)),
    ...opt("finishedAt", row.finished_at === null ? null : iso(row.finished_at)),
    ...opt("error", row.error as string | null),
    ...opt("result", row.result === null ? null : (JSON.parse(String(row.result)) as unknown)),
  };
}

export function modelRecord(row: Row): ModelRecord {
  return {
    id: String(row.id),
    status: String(row.status) as ModelStatus,
    ...opt("card", row.card === null ? null : (JSON.parse(String(row.card)) as ModelCard)),
    ...opt("weights", row.weights as string | null),
    ...opt("jobId", row.job_id as string | null),
    createdAt: iso(row.created_at),
  };
}

/**
 * A candidate's layout verdict: no error besides those its topology-mode request's own drawing
 * already has. Rows from before the count was kept (NULL) hold reports without inherited marks.
 */
function layoutVerdict(errors: number, inherited: unknown): Pick<CandidateMeta, "layoutValid" | "inheritedErrors"> {
  const n = inherited === null || inherited === undefined ? 0 : Number(inherited);
  return { layoutValid: errors - n === 0, ...(n > 0 ? { inheritedErrors: n } : {}) };
}

export function candidateMeta(row: Row): CandidateMeta {
  const reviewedAt = row.reviewed_at === null ? undefined : iso(row.reviewed_at);
  return {
    id: String(row.id),
    designId: String(row.design_id),
    processClass: String(row.process_class),
    status: String(row.status) as CandidateStatus,
    ...opt("rank", row.rank as number | null),
    ...opt("jobId", row.job_id as string | null),
    ...opt("modelId", row.model_id as string | null),
    ...opt("errors", row.errors as number | null),
    ...(row.errors === null
      ? {}
      : { valid: row.errors === 0, ...layoutVerdict(Number(row.errors), row.inherited_errors) }),
    createdAt: iso(row.created_at),
    ...(reviewedAt
      ? {
          review: {
            reviewedAt,
            ...opt("comment", row.comment as string | null),
            ...opt("acceptedAs", row.accepted_as as string | null),
            ...(row.override_reason === null ? {} : { override: { reason: String(row.override_reason) } }),
          },
        }
      : {}),
  };
}

export function candidateRecord(row: Row): CandidateRecord {
  return {
    ...candidateMeta(row),
    design: JSON.parse(String(row.design)) as Design,
    ...opt("report", row.report === null ? null : (JSON.parse(String(row.report)) as ValidationReport)),
    ...opt("cost", row.cost === null ? null : (JSON.parse(String(row.cost)) as CostBreakdown)),
    ...opt("polish", row.polish === null ? null : (JSON.parse(String(row.polish)) as PolishReport)),
  };
}

/** Keyset pagination: the cursor is the last row's internal key, so pages stay stable under inserts. */
export function cursorValue(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const n = Number(cursor);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

export function toPage<T>(rows: Row[], limit: number, map: (row: Row) => T): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), ...(more && last ? { nextCursor: String(last.pk) } : {}) };
}

/** A random id with a readable prefix: `ws-3f9c1a2b7d4e`. */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString("base64url").replace(/[_-]/g, "x").toLowerCase()}`;
}

/** The "started" event's data: the attempt, and which worker process took it when known. */
export function startedEvent(attempt: number, workerId: string | undefined): { attempt: number; worker?: string } {
  return workerId === undefined ? { attempt } : { attempt, worker: workerId };
}

/** A design ready for its row: text serialised and large texts already written as blobs. */
export interface PreparedDesign {
  readonly item: DesignInsert;
  readonly text: string | null;
  readonly blob: string | null;
  readonly sha256: string;
  readonly size: number;
}

/**
 * The values of a new design row, in the column order both stores' INSERT lists: workspace_id,
 * id, name, process_class, status, source, sha256, size, body, blob, summary, job_id,
 * candidate_id, created_at.
 */
export function designInsertValues(workspaceId: string, prepared: PreparedDesign, now: number): unknown[] {
  const { item, text, blob, sha256, size } = prepared;
  const d = item.design;
  return [
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
  ];
}

/**
 * The values of a new (pending) candidate row, in the column order both stores' INSERT lists:
 * workspace_id, id, job_id, model_id, rank, design_id, process_class, design, report, errors,
 * inherited_errors, cost, polish, created_at.
 */
export function candidateInsertValues(workspaceId: string, c: CandidateInsert, now: number): unknown[] {
  return [
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
    c.report ? c.report.violations.filter((v) => v.severity === "error" && v.inherited === true).length : null,
    c.cost ? JSON.stringify(c.cost) : null,
    c.polish ? JSON.stringify(c.polish) : null,
    now,
  ];
}
