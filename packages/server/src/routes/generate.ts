import { GENERATION_REQUEST_DEFAULTS, type GenerationRequest } from "@plantgan/core/design";
import { fixedItemIssues, type RegenerationPlan } from "@plantgan/core/generate";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type RouteOptions, rateConfig } from "../config.js";
import { ApiError } from "../errors.js";
import { runDirectGeneration } from "../gan/direct-generation.js";
import { GenerationPool, generationPoolSize, generationShareFinishing } from "../gan/generation-pool.js";
import {
  blendRequestPlan,
  type GeneratePayload,
  type ParentCandidate,
  parentCandidate,
  parentTopology,
  variantRequestPlan,
} from "../gan/generation-service.js";
import { JOB_KIND_INFO } from "../jobs/kinds.js";
import { apiRef, CONTRACT, inlined, problems } from "../schemas.js";
import type { Services } from "../services.js";
import { newId } from "../store/sqlite.js";
import type { JobStatus } from "../store/store.js";

/** Requests for at most this many candidates are answered directly (when done in time). */
export const DIRECT_MAX_COUNT = 4;
/** How long a direct answer waits for its job before answering 202 with it. */
const DIRECT_WAIT_MS = 30_000;
const TERMINAL: ReadonlySet<JobStatus> = new Set(["succeeded", "failed", "cancelled"]);

/** Direct requests waiting per pool worker beyond which new ones go to the job runner instead (backpressure). */
const POOL_QUEUE_PER_WORKER = 4;

/**
 * POST /v1/generate: candidates for a generation request, made by a model in a job (a worker
 * process, never the request thread). A small request answers the candidates directly: its job
 * runs in the warm generation pool (gan/generation-pool.ts: worker processes with the backend up
 * and the model loaded, started at the first such request, PLANTGAN_GENERATE_WORKERS of them) or,
 * when the pool is off or full, in the job runner while the request waits. A large one, or one sent
 * with `Prefer: respond-async`, answers 202.
 */
export async function generateRoutes(
  app: FastifyInstance,
  options: RouteOptions & { services: Services },
): Promise<void> {
  // Both read from the environment here, at start: a bad value stops the server, never a request.
  const poolSize = options.services.generation ? generationPoolSize() : 0;
  const shareFinishing = generationShareFinishing();
  let pool: GenerationPool | undefined;
  const warmPool = (): GenerationPool =>
    (pool ??= new GenerationPool({ size: poolSize, shareFinishing, log: (message) => app.log.info(message) }));
  app.addHook("onClose", async () => {
    await pool?.close();
  });

  app.post(
    "",
    {
      config: rateConfig(options.rate.heavy),
      schema: {
        summary: "Generate design candidates",
        description:
          "Body: a generation request (generation-request.schema.json); ?model= the trained (ready) model to use. The " +
          `work runs as a job in a worker. Up to ${DIRECT_MAX_COUNT} candidates: the job runs in a warm generation ` +
          "worker (model loaded; or, when the pool is off or full, in the job runner, waited for up to " +
          `${DIRECT_WAIT_MS / 1000} s) and the request answers 200 { job, candidates } with each candidate's design and ` +
          "validation report, ranked; more candidates, a job still running after the wait, or `Prefer: respond-async`: " +
          "202 with the job (Location), whose candidates GET /v1/candidates?job= lists once it has finished. 503 worker_lost " +
          "naming the job (`job`) when the generation worker died mid-generation (it is replaced: ask again). " +
          "501 not_available when " +
          "this server has no generation service. Fixed items without a position, reaching outside the site or standing " +
          "in a keep-out: 422 invalid_fixed_items, one issue per item naming its tag. ?topology= picks who makes a spec-mode " +
          "topology (learned, the default for a model with a topology generator, or designer, the default for one without); one that cannot be had is 400 invalid_request naming topology, " +
          "never the designer in its place.",
        tags: ["generation"],
        querystring: inlined("generate-query"),
        body: { $ref: CONTRACT.generationRequest },
        headers: {
          type: "object",
          properties: { prefer: { type: "string", maxLength: 200, description: "respond-async: always answer 202" } },
        },
        response: {
          200: apiRef("generate-result"),
          202: apiRef("job"),
          ...problems(400, 401, 404, 409, 422, 429, 501, 503, 507),
        },
      },
    },
    async (
      request: FastifyRequest<{ Body: GenerationRequest; Querystring: { model: string; topology?: string } }>,
      reply: FastifyReply,
    ) => {
      const generation = options.services.generation;
      if (!generation)
        throw new ApiError("not_available", "generation is not available in this server yet (no generation service)");
      const workspaceId = request.auth.workspaceId;
      const model = await app.store.getModel(workspaceId, request.query.model);
      if (!model) throw new ApiError("not_found", `model ${request.query.model} not found`);
      const fixed = fixedItemIssues(request.body);
      if (fixed.length > 0) {
        throw new ApiError("invalid_fixed_items", fixed.map((i) => i.message).join("; "), {
          issues: fixed.map((i) => ({ code: "fixed_item", pointer: i.pointer, message: i.message, in: "body" })),
        });
      }
      if (model.status !== "ready") throw new ApiError("conflict", `model ${model.id} is ${model.status}, not ready`);
      const prefer = request.headers.prefer;
      const async = /\brespond-async\b/i.test(Array.isArray(prefer) ? prefer.join(",") : (prefer ?? ""));
      const direct = !async && (request.body.count ?? GENERATION_REQUEST_DEFAULTS.count) <= DIRECT_MAX_COUNT;
      const usePool = direct && poolSize > 0 && warmPool().pending() < POOL_QUEUE_PER_WORKER * poolSize;
      // A pooled job is created without waking the runner and claimed by name at once (runDirectGeneration).
      let payload: GeneratePayload | undefined;
      const out = await generation.submit({
        workspaceId,
        request: request.body,
        model,
        ...(request.query.topology === undefined ? {} : { topology: request.query.topology }),
        enqueue: usePool
          ? (p) => {
              payload = p as GeneratePayload;
              const id = newId("job");
              const { maxAttempts } = JOB_KIND_INFO.generate;
              return app.store.createJob(workspaceId, { id, kind: "generate", payload: p, maxAttempts });
            }
          : (p) => app.jobs.enqueue(workspaceId, "generate", p),
      });
      if ("issues" in out) throw new ApiError("invalid_request", out.issues[0]?.message, { issues: out.issues });
      reply.header("location", `/v1/jobs/${out.job.id}`);
      if (!direct) return reply.code(202).send(out.job);

      let job = out.job;
      if (usePool && payload) {
        const store = app.store;
        const ran = await runDirectGeneration({ pool: warmPool(), store, blobs: app.blobs, job, payload, workspaceId });
        // Undefined: the runner's poll claimed the job first; it is waited for below like any job.
        if (ran) job = ran;
      }

      // Wait for the job, and stop waiting when the client goes away (the response side closes then).
      const gone = new AbortController();
      reply.raw.on("close", () => gone.abort());
      const deadline = Date.now() + DIRECT_WAIT_MS;
      while (!TERMINAL.has(job.status) && Date.now() < deadline && !gone.signal.aborted) {
        await app.jobs.waitForNews(job.id, Math.min(1000, deadline - Date.now()), gone.signal);
        job = (await app.store.getJob(workspaceId, job.id)) ?? job;
      }
      // Still running: the job as for a large request. Failed: the job says why.
      if (!TERMINAL.has(job.status)) return reply.code(202).send(job);
      if (job.status !== "succeeded") return reply.code(200).send({ job, candidates: [] });
      const metas = await app.store.listCandidates(workspaceId, { jobId: job.id }, { limit: DIRECT_MAX_COUNT });
      const candidates = [];
      for (const meta of metas.items) {
        const full = await app.store.getCandidate(workspaceId, meta.id);
        if (full) candidates.push(full);
      }
      candidates.sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
      return reply.code(200).send({ job, candidates });
    },
  );

  // Variants and blends live under the same prefix: /v1/generate/variants, /v1/generate/blends.
  await regenerateRoutes(app, options);
}

/**
 * POST /v1/generate/variants and /v1/generate/blends (registered by `generateRoutes`): one candidate from stored candidates'
 * recorded latents (core generate/variant.ts), made by the parent's model in a "generate" job;
 * always 202 with the job, whose candidate GET /v1/candidates?job= lists once it has finished.
 */
export async function regenerateRoutes(
  app: FastifyInstance,
  options: RouteOptions & { services: Services },
): Promise<void> {
  const submit = async (
    request: FastifyRequest,
    reply: FastifyReply,
    parent: ParentCandidate,
    plan: RegenerationPlan,
  ): Promise<FastifyReply> => {
    const generation = options.services.generation;
    if (!generation)
      throw new ApiError("not_available", "generation is not available in this server yet (no generation service)");
    const workspaceId = request.auth.workspaceId;
    const model = await app.store.getModel(workspaceId, parent.modelId);
    if (!model) throw new ApiError("not_found", `model ${parent.modelId} of candidate ${parent.id} not found`);
    if (model.status !== "ready") throw new ApiError("conflict", `model ${model.id} is ${model.status}, not ready`);
    const topology = parentTopology(parent);
    const out = await generation.submit({
      workspaceId,
      request: plan.request,
      model,
      ...(topology === undefined ? {} : { topology }),
      latents: plan.latents,
      parents: plan.parents,
      enqueue: (payload) => app.jobs.enqueue(workspaceId, "generate", payload),
    });
    if ("issues" in out) throw new ApiError("invalid_request", out.issues[0]?.message, { issues: out.issues });
    reply.header("location", `/v1/jobs/${out.job.id}`);
    return reply.code(202).send(out.job);
  };
  const responses = { 202: apiRef("job"), ...problems(400, 401, 404, 409, 429, 501, 507) };

  app.post(
    "/variants",
    {
      config: rateConfig(options.rate.heavy),
      schema: {
        summary: "Regenerate a candidate with the same latent and a changed condition",
        description:
          "Body: variant-request.schema.json. The candidate's recorded request with `set` applied, placed by its model " +
          "with its latent and topology seed: 202 with the job (Location); its candidate records variantOf and " +
          "variantSet in design.metadata. 404 for an unknown candidate; 400 invalid_request for a change that cannot " +
          "be applied (pointer /set/<i>) or a candidate without a recorded latent.",
        tags: ["generation"],
        body: apiRef("variant-request"),
        response: responses,
      },
    },
    async (request: FastifyRequest<{ Body: { candidate: string; set?: string[] } }>, reply: FastifyReply) => {
      const { candidate, set = [] } = request.body;
      const found = await app.store.getCandidate(request.auth.workspaceId, candidate);
      const parent = parentCandidate(candidate, found, "/candidate");
      return submit(request, reply, parent, variantRequestPlan(parent, set));
    },
  );

  app.post(
    "/blends",
    {
      config: rateConfig(options.rate.heavy),
      schema: {
        summary: "Blend two candidates' latents",
        description:
          "Body: blend-request.schema.json. The first candidate's request and topology seed, the two latents " +
          "interpolated spherically at t (default 0.5), placed by their model: 202 with the job (Location); its " +
          "candidate records blendOf and blendT in design.metadata. 404 for an unknown candidate; 400 invalid_request " +
          "for candidates of different process classes or models, or one without a recorded latent.",
        tags: ["generation"],
        body: apiRef("blend-request"),
        response: responses,
      },
    },
    async (request: FastifyRequest<{ Body: { candidates: [string, string]; t?: number } }>, reply: FastifyReply) => {
      const [a, b] = request.body.candidates;
      const workspaceId = request.auth.workspaceId;
      const first = parentCandidate(a, await app.store.getCandidate(workspaceId, a), "/candidates/0");
      const second = parentCandidate(b, await app.store.getCandidate(workspaceId, b), "/candidates/1");
      return submit(request, reply, first, blendRequestPlan(first, second, request.body.t ?? 0.5));
    },
  );
}
