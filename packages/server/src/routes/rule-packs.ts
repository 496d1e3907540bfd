import type { DocumentIssue, RulePack } from "@plantgan/core/design";
import { DEFAULT_RULE_PACK, loadRulePack } from "@plantgan/core/validate";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type RouteOptions, rateConfig } from "../config.js";
import { ApiError } from "../errors.js";
import { apiRef, CONTRACT, inlined, pageOf, problems } from "../schemas.js";

/** /v1/rule-packs: a workspace's own rule packs (the numbers the validator uses), by id and version. */
export async function rulePackRoutes(app: FastifyInstance, options: RouteOptions): Promise<void> {
  app.post(
    "",
    {
      config: rateConfig(options.rate.upload),
      schema: {
        summary: "Upload a rule pack",
        description:
          "A rule pack document (rule-pack.schema.json). An id + version is stored once (409 conflict after).",
        tags: ["rule packs"],
        body: { $ref: CONTRACT.rulePack },
        response: { 201: apiRef("rule-pack-meta"), ...problems(400, 401, 409, 422, 429) },
      },
    },
    async (request: FastifyRequest<{ Body: RulePack }>, reply: FastifyReply) => {
      const loaded = loadRulePack(request.body);
      if (!loaded.success) {
        throw new ApiError("invalid_rule_pack", loaded.issues[0]?.message, {
          issues: loaded.issues.map((i: DocumentIssue) => ({ ...i, in: "body" })),
        });
      }
      const stored = await app.store.putRulePack(request.auth.workspaceId, loaded.data);
      if (stored === "conflict")
        throw new ApiError("conflict", `rule pack ${loaded.data.id} version ${loaded.data.version} exists already`);
      reply.header(
        "location",
        `/v1/rule-packs/${encodeURIComponent(stored.id)}?version=${encodeURIComponent(stored.version)}`,
      );
      return reply.code(201).send(stored);
    },
  );

  app.get(
    "",
    {
      schema: {
        summary: "List the workspace's rule packs",
        tags: ["rule packs"],
        querystring: inlined("page-query"),
        response: { 200: apiRef("rule-pack-page"), ...problems(400, 401) },
      },
    },
    async (request: FastifyRequest<{ Querystring: { limit?: string; cursor?: string } }>) =>
      app.store.listRulePacks(request.auth.workspaceId, pageOf(request.query)),
  );

  app.get(
    "/default",
    {
      schema: {
        summary: "The rule pack shipped with PlantGAN",
        tags: ["rule packs"],
        response: {
          200: { type: "object", additionalProperties: true, description: "rule-pack.schema.json" },
          ...problems(401),
        },
      },
    },
    async () => DEFAULT_RULE_PACK,
  );

  app.get(
    "/:id",
    {
      schema: {
        summary: "Get a rule pack (latest version unless ?version=)",
        tags: ["rule packs"],
        params: inlined("rule-pack-params"),
        querystring: inlined("rule-pack-query"),
        response: {
          200: { type: "object", additionalProperties: true, description: "rule-pack.schema.json" },
          ...problems(400, 401, 404),
        },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Querystring: { version?: string } }>) => {
      const found = await app.store.getRulePack(request.auth.workspaceId, request.params.id, request.query.version);
      if (!found) throw new ApiError("not_found", `rule pack ${request.params.id} not found`);
      return found.pack;
    },
  );
}
