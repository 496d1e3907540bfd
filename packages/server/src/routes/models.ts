import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type RouteOptions, rateConfig } from "../config.js";
import { ApiError } from "../errors.js";
import { parseTrainingSettings } from "../gan/training-service.js";
import { apiRef, inlined, pageOf, problems } from "../schemas.js";
import type { Services } from "../services.js";

interface TrainBody {
  id: string;
  datasetId: string;
  settings?: Record<string, number | string | boolean>;
}

/** /v1/models: trained models (model cards, weights as blobs) and training requests. */
export async function modelRoutes(app: FastifyInstance, options: RouteOptions & { services: Services }): Promise<void> {
  app.get(
    "",
    {
      schema: {
        summary: "List models",
        tags: ["models"],
        querystring: inlined("page-query"),
        response: { 200: apiRef("model-page"), ...problems(400, 401) },
      },
    },
    async (request: FastifyRequest<{ Querystring: { limit?: string; cursor?: string } }>) =>
      app.store.listModels(request.auth.workspaceId, pageOf(request.query)),
  );

  app.get(
    "/:id",
    {
      schema: {
        summary: "Get a model and its card",
        tags: ["models"],
        params: inlined("model-params"),
        response: { 200: apiRef("model"), ...problems(400, 401, 404) },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const model = await app.store.getModel(request.auth.workspaceId, request.params.id);
      if (!model) throw new ApiError("not_found", `model ${request.params.id} not found`);
      return model;
    },
  );

  app.post(
    "",
    {
      config: rateConfig(options.rate.heavy),
      // A refused setting is a 422 naming every refused one (below), not the validator's first-error 400.
      attachValidation: true,
      schema: {
        summary: "Train a model on a dataset (a job)",
        description:
          "202 with the training job (Location: /v1/jobs/{id}); the model is listed at once with status `training`, " +
          "`ready` when the job succeeds (or is cancelled after an epoch), `failed` otherwise. Follow the job's events " +
          "for per-epoch `metrics` (losses, preview validity, sample layouts). Settings (TrainingSettings: bounds and " +
          "defaults, the same as `plantgan train`'s): 422 invalid_training names each refused one (`/settings/<name>`), " +
          "or says the dataset has no placed design to learn from. 501 when the server has no training service. " +
          "429 quota_exceeded: the workspace's queue or training minutes are used up (Retry-After); 507 " +
          "insufficient_storage: its storage quota is.",
        tags: ["models"],
        body: apiRef("train-request"),
        response: { 202: apiRef("job"), ...problems(400, 401, 404, 409, 422, 429, 501, 507) },
      },
    },
    async (request: FastifyRequest<{ Body: TrainBody }>, reply: FastifyReply) => {
      const invalid = request.validationError;
      if (invalid) {
        // Ajv checks id and datasetId before settings: an error under /settings means those passed.
        const inSettings = (invalid.validation ?? []).every((e: { instancePath: string }) =>
          /^\/settings(\/|$)/.test(e.instancePath),
        );
        const parsed = inSettings ? parseTrainingSettings(request.body.settings) : undefined;
        if (parsed && "issues" in parsed)
          throw new ApiError("invalid_training", parsed.issues[0]?.message, { issues: parsed.issues });
        throw invalid;
      }
      const training = options.services.training;
      if (!training)
        throw new ApiError("not_available", "training is not available in this server yet (no training service)");
      const workspaceId = request.auth.workspaceId;
      const dataset = await app.store.getDataset(workspaceId, request.body.datasetId);
      if (!dataset) throw new ApiError("not_found", `dataset ${request.body.datasetId} not found`);
      if (await app.store.getModel(workspaceId, request.body.id))
        throw new ApiError("conflict", `model ${request.body.id} exists already`);
      // Before the dataset is snapshotted into a blob: a refused training stores nothing.
      await app.quotas.beforeJob(workspaceId, "train");
      const out = await training.submit({
        workspaceId,
        modelId: request.body.id,
        dataset,
        settings: request.body.settings ?? {},
        store: app.store,
        blobs: app.blobs,
        enqueue: (payload) => app.jobs.enqueue(workspaceId, "train", payload),
      });
      if ("issues" in out) throw new ApiError("invalid_training", out.issues[0]?.message, { issues: out.issues });
      // The model exists from now on, "training" until its job ends (the store settles it then).
      const model = await app.store.putModel(workspaceId, {
        id: request.body.id,
        status: "training",
        jobId: out.job.id,
      });
      if (model === "conflict") {
        // Another request took the id meanwhile: this job must not write into that model, nor stay behind.
        await app.jobs.withdraw(workspaceId, out.job.id);
        throw new ApiError("conflict", `model ${request.body.id} exists already`);
      }
      reply.header("location", `/v1/jobs/${out.job.id}`);
      return reply.code(202).send(out.job);
    },
  );
  app.delete(
    "/:id",
    {
      schema: {
        summary: "Delete a model and free its weights",
        description:
          "The weights are freed unless another record holds the same content. A model that a queued or running job " +
          "trains or generates with is kept: 409 model_in_use (cancel the job or wait for it). Candidates it made stay.",
        tags: ["models"],
        params: inlined("model-params"),
        response: { 204: { type: "null", description: "Deleted" }, ...problems(400, 401, 404, 409) },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const outcome = await app.store.deleteModel(request.auth.workspaceId, request.params.id);
      if (outcome === "not_found") throw new ApiError("not_found", `model ${request.params.id} not found`);
      if (outcome === "in_use")
        throw new ApiError("model_in_use", `a queued or running job uses model ${request.params.id}; cancel it first`);
      return reply.code(204).send();
    },
  );
}
