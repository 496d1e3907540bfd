import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/**
 * Every error the API answers, by stable code: the one place a code gets its HTTP status and
 * title (fastify `lib/errors.js`, vitest `node/errors.ts`). Clients and tests key on `code`;
 * `detail` is for people and may change.
 */
export const ERRORS = {
  invalid_request: { status: 400, title: "The request does not match the API schema" },
  invalid_json: { status: 400, title: "The body is not valid JSON" },
  unauthorized: { status: 401, title: "A valid API key is required" },
  not_found: { status: 404, title: "Not found" },
  conflict: { status: 409, title: "It exists already" },
  already_reviewed: { status: 409, title: "The candidate has been reviewed already" },
  invalid_candidate: { status: 409, title: "The candidate's report has errors: accept it with an override" },
  job_finished: { status: 409, title: "The job has finished already" },
  job_not_ended: { status: 409, title: "The job is queued or running: cancel it, and delete it once it ended" },
  model_in_use: { status: 409, title: "A queued or running job uses the model" },
  payload_too_large: { status: 413, title: "The body or an upload is too large" },
  too_many_records: { status: 413, title: "Too many records for one request" },
  unsupported_media_type: { status: 415, title: "Unsupported content type" },
  invalid_design: { status: 422, title: "No design in the body was accepted" },
  invalid_rule_pack: { status: 422, title: "The rule pack was refused" },
  unknown_designs: { status: 422, title: "Some of the named designs do not exist" },
  invalid_training: { status: 422, title: "The training request cannot be served" },
  not_placed: { status: 422, title: "The design has no plan positions to draw" },
  invalid_fixed_items: { status: 422, title: "Fixed items cannot be kept where the request puts them" },
  rate_limited: { status: 429, title: "Too many requests" },
  quota_exceeded: { status: 429, title: "A quota of the workspace is used up" },
  internal: { status: 500, title: "Internal error" },
  not_available: { status: 501, title: "Not available in this server" },
  unavailable: { status: 503, title: "The server is shutting down" },
  worker_lost: { status: 503, title: "The worker computing the request died; ask again" },
  insufficient_storage: { status: 507, title: "The workspace's storage quota is used up" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;

export const PROBLEM_TYPE = "application/problem+json";

/** An issue inside a problem: where in the input (JSON pointer) and what is wrong. */
export interface ApiIssue {
  readonly code: string;
  readonly pointer: string;
  readonly message: string;
  readonly keyword?: string;
  /** Which part of the request: body, querystring, params, headers. */
  readonly in?: string;
}

/** RFC 9457 problem details, with our stable `code` and optional issues. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly instance?: string;
  readonly issues?: readonly ApiIssue[];
  readonly [extra: string]: unknown;
}

/** Thrown by routes and plugins; the error handler turns it into a problem. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    readonly extra: { readonly issues?: readonly ApiIssue[]; readonly [key: string]: unknown } = {},
  ) {
    super(detail ?? ERRORS[code].title);
    this.name = "ApiError";
  }

  get statusCode(): number {
    return ERRORS[this.code].status;
  }
}

export function problem(
  code: ErrorCode,
  detail: string | undefined,
  extra: Record<string, unknown> = {},
  instance?: string,
): Problem {
  const { status, title } = ERRORS[code];
  return {
    type: `https://plantgan.dev/problems/${code}`,
    title,
    status,
    code,
    ...(detail !== undefined ? { detail } : {}),
    ...(instance !== undefined ? { instance } : {}),
    ...extra,
  };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  // Serialised here, not by a route's response schema, so every problem has the same shape.
  return reply.code(p.status).type(PROBLEM_TYPE).send(JSON.stringify(p));
}

interface AjvLikeError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Ajv errors from route validation as issues with JSON pointers. */
export function issuesFromValidation(errors: readonly AjvLikeError[], part: string): ApiIssue[] {
  return errors.slice(0, 50).map((e) => {
    let pointer = e.instancePath ?? "";
    let message = e.message ?? "is invalid";
    if (e.keyword === "required" && e.params?.missingProperty !== undefined) {
      pointer = `${pointer}/${String(e.params.missingProperty)}`;
      message = `required field "${String(e.params.missingProperty)}" is missing`;
    } else if (e.keyword === "additionalProperties" && e.params?.additionalProperty !== undefined) {
      pointer = `${pointer}/${String(e.params.additionalProperty)}`;
      message = `unknown field "${String(e.params.additionalProperty)}"`;
    } else if (e.keyword === "enum" && Array.isArray(e.params?.allowedValues)) {
      // Name the choices, so a client (or a person with curl) can correct the value at once.
      message = `must be one of: ${e.params.allowedValues.map(String).join(", ")}`;
    }
    return { code: "schema", pointer, message, ...(e.keyword ? { keyword: e.keyword } : {}), in: part };
  });
}

/** fastify's own error codes that are the client's doing, by our code. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "payload_too_large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "invalid_request",
  FST_ERR_CTP_EMPTY_JSON_BODY: "invalid_json",
  FST_ERR_CTP_INVALID_JSON_BODY: "invalid_json",
  FST_REQ_FILE_TOO_LARGE: "payload_too_large",
  FST_FILES_LIMIT: "payload_too_large",
  FST_FIELDS_LIMIT: "payload_too_large",
  FST_PARTS_LIMIT: "payload_too_large",
  FST_INVALID_MULTIPART_CONTENT_TYPE: "unsupported_media_type",
  FST_PROTO_VIOLATION: "invalid_request",
  FST_ERR_BAD_URL: "invalid_request",
};

const BY_STATUS: Record<number, ErrorCode> = {
  400: "invalid_request",
  401: "unauthorized",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
};

/** Maps anything thrown to a problem. Unknown errors become `internal` without their message. */
export function toProblem(error: unknown, instance: string | undefined): Problem {
  if (error instanceof ApiError) return problem(error.code, error.message, { ...error.extra }, instance);
  const e = error as Partial<FastifyError> & { validation?: AjvLikeError[]; validationContext?: string };
  if (Array.isArray(e.validation)) {
    const part = e.validationContext ?? "body";
    const issues = issuesFromValidation(e.validation, part);
    const first = issues[0];
    return problem(
      "invalid_request",
      first ? `${part}${first.pointer}: ${first.message}` : e.message,
      { issues },
      instance,
    );
  }
  const byCode = e.code ? FASTIFY_CODES[e.code] : undefined;
  if (byCode) return problem(byCode, e.message, {}, instance);
  // Malformed JSON from fastify's parser (SyntaxError with statusCode 400) and prototype poisoning.
  if (e.statusCode === 400 && (error instanceof SyntaxError || /JSON|prototype|constructor/i.test(e.message ?? ""))) {
    return problem("invalid_json", e.message, {}, instance);
  }
  const byStatus = e.statusCode !== undefined ? BY_STATUS[e.statusCode] : undefined;
  if (byStatus) return problem(byStatus, e.message, {}, instance);
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
    return problem("invalid_request", e.message, {}, instance);
  }
  return problem("internal", "an unexpected error occurred; it has been logged", {}, instance);
}

/**
 * Installs the one error handler and the not-found handler. With `spaFallback`, a browser's GET
 * of an unknown path outside /v1 and /docs gets the viewer's index.html (client-side routes).
 */
export function installErrorHandling(
  app: FastifyInstance,
  options: { spaFallback?: (reply: FastifyReply) => FastifyReply } = {},
): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const p = toProblem(error, request.url);
    // 507 is the workspace's quota, not a server fault.
    if (p.status >= 500 && p.status !== 507) request.log.error({ err: error }, "request failed");
    if (p.code === "unauthorized") reply.header("www-authenticate", 'Bearer realm="plantgan"');
    // A quota says when to ask again (seconds), in the problem and as the standard header.
    if (typeof p.retryAfter === "number") reply.header("retry-after", String(p.retryAfter));
    return sendProblem(reply, p);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split("?")[0]!;
    const browser =
      (request.method === "GET" || request.method === "HEAD") && (request.headers.accept ?? "").includes("text/html");
    if (options.spaFallback && browser && !path.startsWith("/v1/") && !path.startsWith("/docs"))
      return options.spaFallback(reply);
    return sendProblem(reply, problem("not_found", `no route ${request.method} ${path}`, {}, request.url));
  });
}
