import type { GenerationRequest } from "@plantgan/core/design";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type RouteOptions, rateConfig } from "../config.js";
import { ApiError } from "../errors.js";
import { API_IDS, CONTRACT, problems } from "../schemas.js";
import type { Services } from "../services.js";

/** POST /v1/generate: candidates for a generation request, made by a model in a job. */
export async function generateRoutes(
  app: FastifyInstance,
  options: RouteOptions & { services: Services },
): Promise<void> {
  app.post(
    "",
    {
      config: rateConfig(options.rate.heavy),
      schema: {
        summary: "Generate design candidates (a job)",
        description:
          "Body: a generation request (generation-request.schema.json); ?model= the trained model to use. 202 with the job; its " +
          "candidates are listed by GET /v1/candidates?job=. 501 not_available while this server has no generation service.",
        tags: ["generation"],
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["model"],
          properties: { model: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$", maxLength: 128 } },
        },
        body: { $ref: CONTRACT.generationRequest },
        response: { 202: { $ref: API_IDS.job }, ...problems(400, 401, 404, 409, 422, 429, 501) },
      },
    },
    async (
      request: FastifyRequest<{ Body: GenerationRequest; Querystring: { model: string } }>,
      reply: FastifyReply,
    ) => {
      const generation = options.services.generation;
      if (!generation)
        throw new ApiError("not_available", "generation is not available in this server yet (no generation service)");
      const workspaceId = request.auth.workspaceId;
      const model = await app.store.getModel(workspaceId, request.query.model);
      if (!model) throw new ApiError("not_found", `model ${request.query.model} not found`);
      if (model.status !== "ready") throw new ApiError("conflict", `model ${model.id} is ${model.status}, not ready`);
      const out = await generation.submit({
        workspaceId,
        request: request.body,
        model,
        enqueue: (payload) => app.jobs.enqueue(workspaceId, "generate", payload),
      });
      if ("issues" in out) throw new ApiError("invalid_request", out.issues[0]?.message, { issues: out.issues });
      reply.header("location", `/v1/jobs/${out.job.id}`);
      return reply.code(202).send(out.job);
    },
  );
}
