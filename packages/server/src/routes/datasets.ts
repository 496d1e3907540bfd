import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RouteOptions } from "../config.js";
import { ApiError } from "../errors.js";
import { apiRef, inlined, pageOf, problems } from "../schemas.js";
import { datasetStats } from "../stats.js";
import { newId } from "../store/sqlite.js";

/** /v1/datasets: named sets of designs (training data), their membership and statistics. */
export async function datasetRoutes(app: FastifyInstance, _options: RouteOptions): Promise<void> {
  app.post(
    "",
    {
      schema: {
        summary: "Create a dataset",
        tags: ["datasets"],
        body: apiRef("dataset-create"),
        response: { 201: apiRef("dataset"), ...problems(400, 401, 409) },
      },
    },
    async (
      request: FastifyRequest<{ Body: { id?: string; name: string; description?: string } }>,
      reply: FastifyReply,
    ) => {
      const { name, description } = request.body;
      const datasetId = request.body.id ?? newId("ds");
      if (await app.store.getDataset(request.auth.workspaceId, datasetId)) {
        throw new ApiError("conflict", `dataset ${datasetId} exists already`);
      }
      const created = await app.store.createDataset(request.auth.workspaceId, {
        id: datasetId,
        name,
        ...(description !== undefined ? { description } : {}),
      });
      reply.header("location", `/v1/datasets/${encodeURIComponent(created.id)}`);
      return reply.code(201).send(created);
    },
  );

  app.get(
    "",
    {
      schema: {
        summary: "List datasets",
        tags: ["datasets"],
        querystring: inlined("page-query"),
        response: { 200: apiRef("dataset-page"), ...problems(400, 401) },
      },
    },
    async (request: FastifyRequest<{ Querystring: { limit?: string; cursor?: string } }>) =>
      app.store.listDatasets(request.auth.workspaceId, pageOf(request.query)),
  );

  app.get(
    "/:id",
    {
      schema: {
        summary: "Get a dataset",
        tags: ["datasets"],
        params: inlined("id-params"),
        response: { 200: apiRef("dataset"), ...problems(401, 404) },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const found = await app.store.getDataset(request.auth.workspaceId, request.params.id);
      if (!found) throw new ApiError("not_found", `dataset ${request.params.id} not found`);
      return found;
    },
  );

  app.delete(
    "/:id",
    {
      schema: {
        summary: "Delete a dataset (its designs stay)",
        tags: ["datasets"],
        params: inlined("id-params"),
        response: { 204: { type: "null", description: "Deleted" }, ...problems(401, 404) },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      if (!(await app.store.deleteDataset(request.auth.workspaceId, request.params.id))) {
        throw new ApiError("not_found", `dataset ${request.params.id} not found`);
      }
      return reply.code(204).send();
    },
  );

  app.post(
    "/:id/designs",
    {
      schema: {
        summary: "Add and remove designs",
        description:
          "All or nothing: when a named design does not exist, nothing changes (422 unknown_designs, with `missing`).",
        tags: ["datasets"],
        params: inlined("id-params"),
        body: apiRef("dataset-change"),
        response: {
          200: apiRef("dataset-change-result"),
          ...problems(400, 401, 404, 422),
        },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: { add?: string[]; remove?: string[] } }>) => {
      const workspaceId = request.auth.workspaceId;
      const change = await app.store.changeDatasetDesigns(workspaceId, request.params.id, {
        add: request.body.add ?? [],
        remove: request.body.remove ?? [],
      });
      if (!change) throw new ApiError("not_found", `dataset ${request.params.id} not found`);
      if (change.missing.length > 0) {
        throw new ApiError(
          "unknown_designs",
          `${change.missing.length} design(s) not found: ${change.missing.slice(0, 10).join(", ")}`,
          {
            missing: change.missing.slice(0, 1000),
          },
        );
      }
      const dataset = (await app.store.getDataset(workspaceId, request.params.id))!;
      return { added: change.added, removed: change.removed, dataset };
    },
  );

  app.delete(
    "/:id/designs/:designId",
    {
      schema: {
        summary: "Remove one design from a dataset",
        tags: ["datasets"],
        params: inlined("dataset-design-params"),
        response: { 204: { type: "null", description: "Removed" }, ...problems(401, 404) },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string; designId: string } }>, reply: FastifyReply) => {
      const { id: datasetId, designId } = request.params;
      const change = await app.store.changeDatasetDesigns(request.auth.workspaceId, datasetId, {
        add: [],
        remove: [designId],
      });
      if (!change) throw new ApiError("not_found", `dataset ${datasetId} not found`);
      if (change.removed === 0) throw new ApiError("not_found", `design ${designId} is not in dataset ${datasetId}`);
      return reply.code(204).send();
    },
  );

  app.get(
    "/:id/stats",
    {
      schema: {
        summary: "Statistics of a dataset",
        description: "Counts by process class, placement, equipment and line figures aggregated from summariseDesign.",
        tags: ["datasets"],
        params: inlined("id-params"),
        response: {
          200: apiRef("dataset-stats"),
          ...problems(401, 404),
        },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const workspaceId = request.auth.workspaceId;
      const dataset = await app.store.getDataset(workspaceId, request.params.id);
      const summaries = dataset ? await app.store.datasetSummaries(workspaceId, request.params.id) : undefined;
      if (!dataset || !summaries) throw new ApiError("not_found", `dataset ${request.params.id} not found`);
      return { dataset, ...datasetStats(summaries) };
    },
  );
}
