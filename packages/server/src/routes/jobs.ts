import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RouteOptions } from "../config.js";
import { ApiError } from "../errors.js";
import { DEFAULT_STREAMS_PER_KEY, type StreamEnd } from "../plugins/event-streams.js";
import { apiRef, inlined, pageOf, problems } from "../schemas.js";
import type { JobEvent, JobKind, JobStatus } from "../store/store.js";

const TERMINAL: ReadonlySet<JobStatus> = new Set(["succeeded", "failed", "cancelled"]);

/** How long an idle stream waits between looks at the store, and between keep-alive comments. */
const POLL_MS = 1000;
const KEEPALIVE_MS = 15_000;

/** /v1/jobs: state, cancel, and the event stream. */
export async function jobRoutes(app: FastifyInstance, _options: RouteOptions): Promise<void> {
  app.get(
    "",
    {
      schema: {
        summary: "List jobs",
        tags: ["jobs"],
        querystring: inlined("job-list-query"),
        response: { 200: apiRef("job-page"), ...problems(400, 401) },
      },
    },
    async (
      request: FastifyRequest<{ Querystring: { kind?: JobKind; status?: JobStatus; limit?: string; cursor?: string } }>,
    ) => {
      const { kind, status } = request.query;
      return app.store.listJobs(
        request.auth.workspaceId,
        { ...(kind !== undefined ? { kind } : {}), ...(status !== undefined ? { status } : {}) },
        pageOf(request.query),
      );
    },
  );

  app.get(
    "/:id",
    {
      schema: {
        summary: "Get a job",
        tags: ["jobs"],
        params: inlined("job-params"),
        response: { 200: apiRef("job"), ...problems(400, 401, 404) },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const job = await app.store.getJob(request.auth.workspaceId, request.params.id);
      if (!job) throw new ApiError("not_found", `job ${request.params.id} not found`);
      return job;
    },
  );

  app.post(
    "/:id/cancel",
    {
      schema: {
        summary: "Cancel a job",
        description:
          "A queued job is cancelled at once (200). A running one is asked to stop at its next step (202); what it committed stays. 409 job_finished when it has ended.",
        tags: ["jobs"],
        params: inlined("job-params"),
        response: { 200: apiRef("job"), 202: apiRef("job"), ...problems(400, 401, 404, 409) },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const before = await app.store.getJob(request.auth.workspaceId, request.params.id);
      if (!before) throw new ApiError("not_found", `job ${request.params.id} not found`);
      if (TERMINAL.has(before.status)) throw new ApiError("job_finished", `job ${before.id} has ${before.status}`);
      const job = (await app.jobs.cancel(request.auth.workspaceId, request.params.id))!;
      return reply.code(job.status === "running" ? 202 : 200).send(job);
    },
  );

  app.delete(
    "/:id",
    {
      schema: {
        summary: "Delete an ended job",
        description:
          "Deletes a succeeded, failed or cancelled job and its events; the designs, models and candidates it made stay. " +
          "409 job_not_ended for a queued or running job: cancel it first.",
        tags: ["jobs"],
        params: inlined("job-params"),
        response: { 204: { type: "null", description: "Deleted" }, ...problems(400, 401, 404, 409) },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const outcome = await app.store.deleteJob(request.auth.workspaceId, request.params.id);
      if (!outcome) throw new ApiError("not_found", `job ${request.params.id} not found`);
      if (outcome === "not_ended") {
        throw new ApiError("job_not_ended", `job ${request.params.id} has not ended; cancel it first`);
      }
      return reply.code(204).send();
    },
  );

  app.get(
    "/:id/events",
    {
      schema: {
        summary: "Job events as server-sent events",
        description:
          "text/event-stream: each stored event with `id` (resume with the Last-Event-ID header or ?after=), `event` " +
          "(queued, started, progress, metrics, log, requeued, finished, failed, cancelled) and JSON `data`. The stream ends " +
          "after the job's last event, or within a second of its API key's revocation. " +
          `One key holds at most ${DEFAULT_STREAMS_PER_KEY} streams at ` +
          "once (the default): one more is 429 rate_limited. Browsers: EventSource cannot send Authorization; use a " +
          "fetch-based SSE reader.",
        tags: ["jobs"],
        params: inlined("job-params"),
        querystring: inlined("job-events-query"),
        headers: {
          type: "object",
          properties: { "last-event-id": { type: "string", maxLength: 32 } },
        },
        response: {
          200: {
            description: "The job's events (JobEvent), one server-sent event each",
            content: {
              "text/event-stream": { schema: { type: "string", description: "id:, event: and data: lines" } },
            },
          },
          ...problems(400, 401, 404, 429),
        },
      },
    },
    async (
      request: FastifyRequest<{ Params: { id: string }; Querystring: { after?: string } }>,
      reply: FastifyReply,
    ) => {
      const workspaceId = request.auth.workspaceId;
      const id = request.params.id;
      if (!(await app.store.getJob(workspaceId, id))) throw new ApiError("not_found", `job ${id} not found`);
      const lastEventId = request.headers["last-event-id"];
      const fromHeader =
        typeof lastEventId === "string" && /^[0-9]{1,15}$/.test(lastEventId) ? Number(lastEventId) : undefined;
      let after = fromHeader ?? Number(request.query.after ?? 0);

      // Counted against the key's open streams (429 over its limit) and ended if the key is revoked.
      const stop = app.eventStreams.open(request.auth);
      // From here the response is ours (fastify's serialisers and hooks do not apply).
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      res.write("retry: 2000\n\n");
      // The response closes when the client goes away (the request side may close earlier).
      res.on("close", () => stop.abort());
      let lastWrite = Date.now();
      // Set once the job is seen to have ended: one more read then sends what it wrote since the last read.
      let ended = false;
      try {
        while (!stop.signal.aborted) {
          const events = await app.store.jobEvents(workspaceId, id, after, 500);
          for (const e of events) {
            writeEvent(res, e);
            after = e.id;
          }
          if (events.length > 0) lastWrite = Date.now();
          if (events.length === 500) continue;
          if (ended) break;
          const job = await app.store.getJob(workspaceId, id);
          // The terminal event is written in the same transaction as the status, so none can follow it; but it
          // may have landed between the read above and this look, so read once more before ending.
          if (!job || TERMINAL.has(job.status)) {
            ended = true;
            continue;
          }
          if (Date.now() - lastWrite >= KEEPALIVE_MS) {
            res.write(": keep-alive\n\n");
            lastWrite = Date.now();
          }
          await app.jobs.waitForNews(id, POLL_MS, stop.signal);
        }
      } catch (error) {
        request.log.warn({ err: error }, "event stream ended by an error");
      } finally {
        app.eventStreams.release(request.auth.keyId, stop);
        // Said as a comment (no id, no event): a client that reconnects learns the rest from its 401.
        if (stop.signal.reason === ("revoked" satisfies StreamEnd)) res.write(": the API key was revoked\n\n");
        res.end();
      }
    },
  );
}

function writeEvent(res: ServerResponse, e: JobEvent): void {
  // Object payloads get the timestamp beside their fields; anything else (a log line) is wrapped.
  const isRecord = typeof e.data === "object" && e.data !== null && !Array.isArray(e.data);
  const data = isRecord ? { ...(e.data as object), at: e.createdAt } : { value: e.data, at: e.createdAt };
  res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(data)}\n\n`);
}
