/**
 * The one place that knows the server's HTTP API (packages/server/src/routes): paths, query
 * parameters, bodies and response shapes. Pages call these methods and never build URLs.
 * Every request carries `Authorization: Bearer <key>`; errors arrive as
 * application/problem+json and are thrown as `ApiError` with the problem's stable `code`.
 */
import type { Design, GenerationRequest, ValidationReport } from "@plantgan/core/design";
import { type SseMessage, streamSse } from "./sse.js";

// ---------------------------------------------------------------- shapes: generated from schemas/api (pnpm gen:api)

import type {
  BlendRequest,
  Candidate,
  CandidateListQuery,
  CandidateMeta,
  CandidatePage,
  CandidateReview,
  CandidateReviewResult,
  Dataset,
  DatasetChangeResult,
  DatasetCreate,
  DatasetPage,
  DesignExportQuery,
  DesignListQuery,
  DesignMeta,
  DesignPage,
  Job,
  JobEvent,
  JobListQuery,
  JobPage,
  ModelPage,
  Problem,
  StoredDesign,
  TrainRequest,
  UploadReport,
  ValidateRequest,
  VariantRequest,
} from "./generated/api-types.js";

export type * from "./generated/api-types.js";
export { TRAINING_SETTINGS } from "./generated/training-settings.js";

export type CandidateStatus = CandidateMeta["status"];
export type JobStatus = Job["status"];

export const TERMINAL_EVENTS: ReadonlySet<string> = new Set(["finished", "failed", "cancelled"]);
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>(["succeeded", "failed", "cancelled"]);

/** A problem as the client sees it: the server's, or one made here for a network failure (status 0). */
export type ClientProblem = Partial<Problem> & { readonly status: number };

/** An error answer from the API (or the network), with the problem's stable code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: ClientProblem;

  constructor(problem: ClientProblem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = "ApiError";
    this.status = problem.status;
    this.code = problem.code ?? (problem.status === 0 ? "network" : `http_${problem.status}`);
    this.problem = problem;
  }
}

export type UploadFormat = "json" | "ndjson" | "dexpi";

export const UPLOAD_MEDIA_TYPES: Readonly<Record<UploadFormat, string>> = {
  json: "application/json",
  ndjson: "application/x-ndjson",
  dexpi: "application/xml",
};

/** Upload format from a file name (.json, .ndjson/.jsonl, .xml). */
export function formatOfFileName(name: string): UploadFormat | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl")) return "ndjson";
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".xml")) return "dexpi";
  return undefined;
}

// ---------------------------------------------------------------- the API key

const KEY_STORAGE = "plantgan.apiKey";

interface KeyStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const storage = (): KeyStorage | undefined => (globalThis as { localStorage?: KeyStorage }).localStorage;

/** The API key, entered once and kept in localStorage. */
export const apiKey = {
  get(): string | null {
    try {
      return storage()?.getItem(KEY_STORAGE) ?? null;
    } catch {
      return null;
    }
  },
  set(key: string | null): void {
    if (key) storage()?.setItem(KEY_STORAGE, key.trim());
    else storage()?.removeItem(KEY_STORAGE);
  },
};

// ---------------------------------------------------------------- the client

type Query = Record<string, string | number | undefined>;

function queryString(q: Query): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** Unwraps `{ job }`-style envelopes so callers see the record whichever shape the route returns. */
function unwrap<T>(value: unknown, key: string): T {
  if (value && typeof value === "object" && key in value) return (value as Record<string, unknown>)[key] as T;
  return value as T;
}

export interface ApiClientOptions {
  /** Origin + prefix, default "/v1" on the page's own origin. */
  readonly base?: string;
  readonly getKey?: () => string | null;
  readonly fetch?: typeof fetch;
  /** Called on 401, e.g. to ask for the key again. */
  readonly onUnauthorized?: () => void;
}

export class ApiClient {
  private readonly base: string;
  private readonly getKey: () => string | null;
  private readonly doFetch: typeof fetch;
  private readonly onUnauthorized: (() => void) | undefined;

  constructor(options: ApiClientOptions = {}) {
    this.base = options.base ?? "/v1";
    this.getKey = options.getKey ?? apiKey.get;
    this.doFetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.onUnauthorized = options.onUnauthorized;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const key = this.getKey();
    return { Accept: "application/json", ...(key ? { Authorization: `Bearer ${key}` } : {}), ...extra };
  }

  async request<T>(
    method: string,
    path: string,
    body?: { json?: unknown; raw?: string | Blob; type?: string; headers?: Record<string, string> },
    signal?: AbortSignal,
  ): Promise<T> {
    const headers = this.headers(body?.headers);
    const init: RequestInit = { method, headers };
    if (body?.json !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body.json);
    } else if (body?.raw !== undefined) {
      headers["Content-Type"] = body.type ?? "application/octet-stream";
      init.body = body.raw;
    }
    if (signal) init.signal = signal;
    let response: Response;
    try {
      response = await this.doFetch(`${this.base}${path}`, init);
    } catch (err) {
      if ((err as Error).name === "AbortError") throw err;
      throw new ApiError({ status: 0, title: "Network error", detail: String(err) });
    }
    const text = await response.text();
    let value: unknown;
    try {
      value = text ? JSON.parse(text) : undefined;
    } catch {
      value = text;
    }
    if (!response.ok) {
      if (response.status === 401) this.onUnauthorized?.();
      const problem: ClientProblem =
        value && typeof value === "object"
          ? { ...(value as Problem), status: response.status }
          : { status: response.status, detail: String(value ?? "") };
      throw new ApiError(problem);
    }
    return value as T;
  }

  // Designs ------------------------------------------------------------------

  listDesigns(
    filter: Partial<Record<Exclude<keyof DesignListQuery, "limit">, string>> & { limit?: number } = {},
  ): Promise<DesignPage> {
    return this.request("GET", `/designs${queryString(filter)}`);
  }

  /** The design document (and its metadata when the route sends them together). */
  async getDesign(id: string): Promise<{ design: Design; meta?: DesignMeta }> {
    const value = await this.request<StoredDesign | Design>("GET", `/designs/${encodeURIComponent(id)}`);
    if ("design" in value && value.design && typeof value.design === "object") {
      const { design, ...meta } = value as StoredDesign;
      return { design, meta };
    }
    return { design: value as Design };
  }

  /**
   * A design as a file of one export format (GET /designs/:id/export): the bytes, their media type
   * and the file name the server gives in Content-Disposition.
   */
  async exportDesign(
    id: string,
    format: NonNullable<DesignExportQuery["format"]>,
  ): Promise<{ blob: Blob; fileName: string }> {
    const response = await this.doFetch(
      `${this.base}/designs/${encodeURIComponent(id)}/export${queryString({ format })}`,
      { headers: this.headers({ Accept: "*/*" }) },
    ).catch((err: unknown) => {
      throw new ApiError({ status: 0, title: "Network error", detail: String(err) });
    });
    if (!response.ok) {
      if (response.status === 401) this.onUnauthorized?.();
      const text = await response.text();
      let problem: ClientProblem;
      try {
        problem = { ...(JSON.parse(text) as Problem), status: response.status };
      } catch {
        problem = { status: response.status, detail: text };
      }
      throw new ApiError(problem);
    }
    const named = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1];
    return { blob: await response.blob(), fileName: named ?? `${id}.${format}` };
  }

  /**
   * Uploads one file's content (JSON design or array, NDJSON, DEXPI XML). Answers the per-record
   * report; when no record was accepted the server answers 422 and the report rides in the problem.
   */
  async uploadDesigns(
    content: string | Blob,
    format: UploadFormat,
    options: { dataset?: string; id?: string } = {},
  ): Promise<UploadReport> {
    try {
      const query = queryString({ dataset: options.dataset, id: options.id });
      const report = await this.request<UploadReport>("POST", `/designs${query}`, {
        raw: content,
        type: UPLOAD_MEDIA_TYPES[format],
      });
      return report;
    } catch (err) {
      if (err instanceof ApiError && Array.isArray((err.problem as { records?: unknown }).records)) {
        const p = err.problem as unknown as UploadReport;
        return { accepted: p.accepted ?? 0, refused: p.refused ?? p.records.length, records: p.records };
      }
      throw err;
    }
  }

  /** Validates a design against an uploaded rule pack (by id), or the default pack. */
  validate(design: Design, rulePackId?: string): Promise<ValidationReport> {
    const body: ValidateRequest = rulePackId ? { design, rulePackId } : { design };
    return this.request<ValidationReport | { report: ValidationReport }>("POST", "/validate", { json: body }).then(
      (v) => unwrap<ValidationReport>(v, "report"),
    );
  }

  // Datasets -----------------------------------------------------------------

  listDatasets(): Promise<DatasetPage> {
    return this.request("GET", `/datasets${queryString({ limit: 500 })}`);
  }

  createDataset(input: DatasetCreate): Promise<Dataset> {
    return this.request<Dataset>("POST", "/datasets", { json: input }).then((v) => unwrap<Dataset>(v, "dataset"));
  }

  changeDataset(
    id: string,
    change: { add?: readonly string[]; remove?: readonly string[] },
  ): Promise<DatasetChangeResult> {
    return this.request("POST", `/datasets/${encodeURIComponent(id)}/designs`, {
      json: { add: change.add ?? [], remove: change.remove ?? [] },
    });
  }

  // Generation and candidates ------------------------------------------------

  /**
   * Queues generation with a trained model and answers with the job at once (Prefer:
   * respond-async: 202, never the server's wait for a small job); its candidates are listed by job.
   */
  async generate(request: GenerationRequest, model: string): Promise<Job> {
    const value = await this.request<unknown>("POST", `/generate${queryString({ model })}`, {
      json: request,
      headers: { Prefer: "respond-async" },
    });
    return unwrap<Job>(value, "job");
  }

  /** POST /v1/generate/variants: the candidate regenerated with its latent and the changes in `set` (a job). */
  variant(candidate: string, set: readonly string[]): Promise<Job> {
    return this.request<Job>("POST", "/generate/variants", {
      json: { candidate, set: [...set] } satisfies VariantRequest,
    });
  }

  /** POST /v1/generate/blends: a candidate from two candidates' latents, t of the way from a to b (a job). */
  blend(a: string, b: string, t: number): Promise<Job> {
    return this.request<Job>("POST", "/generate/blends", { json: { candidates: [a, b], t } satisfies BlendRequest });
  }

  listCandidates(filter: Omit<CandidateListQuery, "limit"> & { limit?: number } = {}): Promise<CandidatePage> {
    return this.request("GET", `/candidates${queryString(filter)}`);
  }

  getCandidate(id: string): Promise<Candidate> {
    return this.request<Candidate | { candidate: Candidate }>("GET", `/candidates/${encodeURIComponent(id)}`).then(
      (v) => unwrap<Candidate>(v, "candidate"),
    );
  }

  /**
   * Accepts or rejects a candidate. Accept only: `designId` names the stored design (a clash is a
   * 409 conflict whose problem carries a free `suggestedId`); `override` accepts a candidate whose
   * report has errors, for a recorded reason (409 invalid_candidate without it).
   */
  review(
    id: string,
    decision: "accept" | "reject",
    comment: string,
    accept: { designId?: string; overrideReason?: string } = {},
  ): Promise<CandidateReviewResult> {
    const body: CandidateReview = {
      decision,
      ...(comment ? { comment } : {}),
      ...(decision === "accept" && accept.designId ? { designId: accept.designId } : {}),
      ...(decision === "accept" && accept.overrideReason ? { override: { reason: accept.overrideReason } } : {}),
    };
    return this.request<Partial<CandidateReviewResult> & Partial<CandidateMeta>>(
      "POST",
      `/candidates/${encodeURIComponent(id)}/review`,
      { json: body },
    ).then((v) => (v.candidate ? (v as CandidateReviewResult) : { candidate: v as CandidateMeta }));
  }

  // Models and jobs ----------------------------------------------------------

  listModels(): Promise<ModelPage> {
    return this.request("GET", `/models${queryString({ limit: 500 })}`);
  }

  /** Queues training of model `id` on a dataset (202 with the job). */
  async train(input: TrainRequest): Promise<Job> {
    const value = await this.request<unknown>("POST", "/models", { json: input });
    return unwrap<Job>(value, "job");
  }

  getJob(id: string): Promise<Job> {
    return this.request<Job | { job: Job }>("GET", `/jobs/${encodeURIComponent(id)}`).then((v) =>
      unwrap<Job>(v, "job"),
    );
  }

  listJobs(filter: Omit<JobListQuery, "limit" | "cursor"> = {}): Promise<JobPage> {
    return this.request("GET", `/jobs${queryString({ ...filter, limit: 100 })}`);
  }

  cancelJob(id: string): Promise<Job> {
    return this.request<Job | { job: Job }>("POST", `/jobs/${encodeURIComponent(id)}/cancel`).then((v) =>
      unwrap<Job>(v, "job"),
    );
  }

  /**
   * Follows a job's events over SSE (fetch-based: EventSource cannot send the key) until a
   * terminal event (finished, failed, cancelled) or `signal` aborts. Resumes after drops.
   */
  async followJob(
    id: string,
    onEvent: (event: JobEvent) => void,
    options: { signal?: AbortSignal; onState?: (state: string, detail?: string) => void; lastEventId?: string } = {},
  ): Promise<void> {
    const local = new AbortController();
    const abort = (): void => local.abort();
    options.signal?.addEventListener("abort", abort, { once: true });
    const key = this.getKey();
    try {
      await streamSse(`${this.base}/jobs/${encodeURIComponent(id)}/events`, {
        headers: key ? { Authorization: `Bearer ${key}` } : {},
        signal: local.signal,
        fetch: this.doFetch,
        ...(options.lastEventId !== undefined ? { lastEventId: options.lastEventId } : {}),
        ...(options.onState ? { onState: options.onState } : {}),
        onMessage: (m: SseMessage) => {
          const event = parseJobEvent(m);
          onEvent(event);
          if (TERMINAL_EVENTS.has(event.type)) local.abort();
        },
      });
    } finally {
      options.signal?.removeEventListener("abort", abort);
    }
  }
}

/** An SSE message as a job event: `event:` is the type, `data:` JSON (the event's data, or the whole event). */
export function parseJobEvent(m: SseMessage): JobEvent {
  let data: unknown = m.data;
  try {
    data = JSON.parse(m.data);
  } catch {
    // plain text data stays a string
  }
  // Some servers send the whole stored event ({ id, type, data }) as the data.
  if (m.event === "message" && data && typeof data === "object" && "type" in data && "data" in data) {
    const e = data as { id?: number; type: string; data: unknown };
    return { id: e.id ?? Number(m.id ?? 0), type: e.type as JobEvent["type"], data: e.data };
  }
  return { id: Number(m.id ?? 0), type: m.event as JobEvent["type"], data };
}
