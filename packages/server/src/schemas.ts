import { schemas as contract, SCHEMA_IDS } from "@plantgan/core/design";
import { ERRORS } from "./errors.js";

/**
 * The API's own JSON Schemas (requests beside the contract's documents, and responses).
 * Contract documents are `$ref`ed by their ids (SCHEMA_IDS); responses use plain keywords so
 * fast-json-stringify can serialise them (a design document in a response is a free object: it was
 * validated on the way in). Every string, array and number carries a bound.
 */

const API = "https://plantgan.dev/api";
export const API_IDS = {
  problem: `${API}/problem.json`,
  designMeta: `${API}/design-meta.json`,
  dataset: `${API}/dataset.json`,
  rulePackMeta: `${API}/rule-pack-meta.json`,
  job: `${API}/job.json`,
  model: `${API}/model.json`,
  candidateMeta: `${API}/candidate-meta.json`,
  uploadReport: `${API}/upload-report.json`,
} as const;

export const IDENTIFIER = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$";
export const MAX_PAGE = 500;
export const PROCESS_CLASSES: readonly string[] = contract.plantDesignSchema.$defs.ProcessClass.enum;

export const id = { type: "string", pattern: IDENTIFIER, maxLength: 128 } as const;
const isoTime = { type: "string", maxLength: 40 } as const;
const count = { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const freeObject = { type: "object", additionalProperties: true } as const;
const text = (maxLength: number) => ({ type: "string", maxLength }) as const;

/** `/:id` */
export const idParams = {
  type: "object",
  additionalProperties: false,
  required: ["id"],
  properties: { id },
} as const;

/**
 * Query strings arrive as text and the one Ajv does not coerce types, so numbers are digit
 * patterns converted by the route (`pageOf`).
 */
export const pageQueryProperties = {
  limit: { type: "string", pattern: "^[1-9][0-9]{0,2}$", description: `Items per page, 1..${MAX_PAGE}; default 50.` },
  cursor: { type: "string", pattern: "^[0-9]{1,15}$", description: "The previous page's nextCursor." },
} as const;

export function pageOf(query: { limit?: string; cursor?: string }): { limit: number; cursor?: string } {
  const limit = Math.min(Number(query.limit ?? 50), MAX_PAGE);
  return { limit, ...(query.cursor !== undefined ? { cursor: query.cursor } : {}) };
}

export function pageResponse(itemRef: string) {
  return {
    type: "object",
    required: ["items"],
    properties: {
      items: { type: "array", maxItems: MAX_PAGE, items: { $ref: itemRef } },
      nextCursor: { type: "string", maxLength: 16 },
    },
  } as const;
}

const issue = {
  type: "object",
  required: ["pointer", "message"],
  properties: {
    code: text(64),
    pointer: text(2048),
    message: text(4000),
    keyword: text(64),
    in: text(16),
  },
} as const;

const shared = [
  {
    $id: API_IDS.problem,
    title: "Problem",
    description: "RFC 9457 problem details (application/problem+json) with a stable code.",
    type: "object",
    required: ["type", "title", "status", "code"],
    additionalProperties: true,
    properties: {
      type: text(200),
      title: text(200),
      status: { type: "integer", minimum: 400, maximum: 599 },
      code: { type: "string", enum: Object.keys(ERRORS) },
      detail: text(4000),
      instance: text(2048),
      issues: { type: "array", maxItems: 1000, items: issue },
    },
  },
  {
    $id: API_IDS.designMeta,
    title: "DesignMeta",
    type: "object",
    required: ["id", "processClass", "status", "source", "sha256", "size", "createdAt", "summary"],
    properties: {
      id,
      name: text(200),
      processClass: text(64),
      status: { type: "string", enum: ["uploaded", "accepted"] },
      source: { type: "string", enum: ["json", "ndjson", "dexpi", "import", "candidate"] },
      sha256: text(64),
      size: count,
      createdAt: isoTime,
      summary: { ...freeObject, description: "summariseDesign() of the design." },
      jobId: text(64),
      candidateId: text(128),
    },
  },
  {
    $id: API_IDS.dataset,
    title: "Dataset",
    type: "object",
    required: ["id", "name", "createdAt", "designCount"],
    properties: { id, name: text(200), description: text(2000), createdAt: isoTime, designCount: count },
  },
  {
    $id: API_IDS.rulePackMeta,
    title: "RulePackMeta",
    type: "object",
    required: ["id", "version", "sha256", "createdAt"],
    properties: { id: text(64), version: text(32), name: text(200), sha256: text(64), createdAt: isoTime },
  },
  {
    $id: API_IDS.job,
    title: "Job",
    type: "object",
    required: ["id", "kind", "status", "progress", "attempts", "maxAttempts", "cancelRequested", "createdAt"],
    properties: {
      id: text(64),
      kind: { type: "string", enum: ["import", "generate", "train"] },
      status: { type: "string", enum: ["queued", "running", "succeeded", "failed", "cancelled"] },
      progress: { type: "object", required: ["done", "total"], properties: { done: count, total: count } },
      attempts: count,
      maxAttempts: count,
      cancelRequested: { type: "boolean" },
      createdAt: isoTime,
      startedAt: isoTime,
      finishedAt: isoTime,
      error: text(4000),
      result: { description: "What the job produced; its shape depends on the kind." },
    },
  },
  {
    $id: API_IDS.model,
    title: "Model",
    type: "object",
    required: ["id", "status", "createdAt"],
    properties: {
      id: text(128),
      status: { type: "string", enum: ["training", "ready", "failed"] },
      card: { ...freeObject, description: "The model card (model-card.schema.json)." },
      weights: text(64),
      jobId: text(64),
      createdAt: isoTime,
    },
  },
  {
    $id: API_IDS.candidateMeta,
    title: "CandidateMeta",
    type: "object",
    required: ["id", "designId", "processClass", "status", "createdAt"],
    properties: {
      id: text(128),
      designId: text(128),
      processClass: text(64),
      status: { type: "string", enum: ["pending", "accepted", "rejected"] },
      rank: count,
      jobId: text(64),
      modelId: text(128),
      errors: count,
      createdAt: isoTime,
      review: {
        type: "object",
        required: ["reviewedAt"],
        properties: { reviewedAt: isoTime, comment: text(2000), acceptedAs: text(128) },
      },
    },
  },
  {
    $id: API_IDS.uploadReport,
    title: "UploadReport",
    description: "Per record of an upload: accepted (with its id) or refused (with every issue).",
    type: "object",
    required: ["accepted", "refused", "records"],
    properties: {
      accepted: count,
      refused: count,
      records: {
        type: "array",
        maxItems: 100000,
        items: {
          type: "object",
          required: ["where", "accepted"],
          properties: {
            where: text(200),
            accepted: { type: "boolean" },
            id: text(128),
            issues: { type: "array", maxItems: 1000, items: issue },
          },
        },
      },
      unmapped: {
        type: "array",
        maxItems: 100000,
        items: { type: "object", properties: { element: text(200), id: text(200), reason: text(2000) } },
      },
      renamedTags: {
        type: "array",
        maxItems: 100000,
        items: { type: "object", properties: { from: text(200), to: text(200) } },
      },
    },
  },
] as const;

/** The API's shared schemas, registered with fastify for `$ref`s in responses and for /docs. */
export const API_SCHEMAS: readonly object[] = shared;

/** Problem responses for the given statuses, for route docs. */
export function problems(...statuses: number[]): Record<number, unknown> {
  return Object.fromEntries(statuses.map((s) => [s, { description: "Problem details", $ref: API_IDS.problem }]));
}

export const CONTRACT = SCHEMA_IDS;
