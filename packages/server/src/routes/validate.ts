import type { Design, DocumentIssue, RulePack } from "@plantgan/core/design";
import { loadRulePack, validateDesign } from "@plantgan/core/validate";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { type RouteOptions, rateConfig } from "../config.js";
import { ApiError } from "../errors.js";
import { apiRef, problems } from "../schemas.js";

interface ValidateBody {
  design?: Design;
  designId?: string;
  rulePack?: RulePack;
  rulePackId?: string;
  rulePackVersion?: string;
}

/** POST /v1/validate: a design (inline or stored) against a rule pack (inline, stored, or the default). */
export async function validateRoutes(app: FastifyInstance, options: RouteOptions): Promise<void> {
  app.post(
    "",
    {
      config: rateConfig(options.rate.upload),
      bodyLimit: options.limits.uploadBytes,
      schema: {
        summary: "Validate a design",
        description:
          "Give `design` (a plant design document) or `designId` (a stored design); optionally `rulePack` (a rule pack document) " +
          "or `rulePackId` (+ `rulePackVersion`, default latest) of an uploaded pack. Without either, the default pack applies. " +
          "Answers the validation report (validation-report.schema.json).",
        tags: ["validation"],
        body: apiRef("validate-request"),
        response: {
          200: { type: "object", additionalProperties: true, description: "validation-report.schema.json" },
          ...problems(400, 401, 404, 413, 422, 429),
        },
      },
    },
    async (request: FastifyRequest<{ Body: ValidateBody }>) => {
      const workspaceId = request.auth.workspaceId;
      const body = request.body;
      // Exactly-one checks here: Ajv's strict mode refuses `oneOf` of bare `required`s.
      if ((body.design === undefined) === (body.designId === undefined)) {
        throw new ApiError("invalid_request", "give design or designId (exactly one)");
      }
      if (body.rulePack !== undefined && body.rulePackId !== undefined) {
        throw new ApiError("invalid_request", "give rulePack or rulePackId, not both");
      }
      if (body.rulePackVersion !== undefined && body.rulePackId === undefined) {
        throw new ApiError("invalid_request", "rulePackVersion needs rulePackId");
      }
      let design = body.design;
      if (design === undefined) {
        const stored = await app.store.getDesign(workspaceId, body.designId!);
        if (!stored) throw new ApiError("not_found", `design ${body.designId} not found`);
        design = stored.design;
      }
      let pack: RulePack | undefined;
      if (body.rulePack !== undefined) {
        // The schema passed already; this adds the check that every named rule id exists.
        const loaded = loadRulePack(body.rulePack);
        if (!loaded.success) {
          throw new ApiError("invalid_rule_pack", loaded.issues[0]?.message, {
            issues: loaded.issues.map((i: DocumentIssue) => ({ ...i, pointer: `/rulePack${i.pointer}`, in: "body" })),
          });
        }
        pack = loaded.data;
      } else if (body.rulePackId !== undefined) {
        const stored = await app.store.getRulePack(workspaceId, body.rulePackId, body.rulePackVersion);
        if (!stored)
          throw new ApiError(
            "not_found",
            `rule pack ${body.rulePackId}${body.rulePackVersion ? `@${body.rulePackVersion}` : ""} not found`,
          );
        pack = stored.pack;
      }
      return validateDesign(design, pack);
    },
  );
}
