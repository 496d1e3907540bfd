import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RouteOptions } from "../config.js";
import { ApiError } from "../errors.js";
import { apiRef, inlined, pageOf, problems } from "../schemas.js";
import type { CandidateStatus } from "../store/store.js";

interface ReviewBody {
  decision: "accept" | "reject";
  comment?: string;
  designId?: string;
  override?: { reason: string };
}

/** /v1/candidates: generated designs waiting for review; accepting one stores it as a design. */
export async function candidateRoutes(app: FastifyInstance, _options: RouteOptions): Promise<void> {
  app.get(
    "",
    {
      schema: {
        summary: "List candidates",
        tags: ["candidates"],
        querystring: inlined("candidate-list-query"),
        response: { 200: apiRef("candidate-page"), ...problems(400, 401) },
      },
    },
    async (
      request: FastifyRequest<{
        Querystring: { job?: string; status?: CandidateStatus; limit?: string; cursor?: string };
      }>,
    ) => {
      const { job, status } = request.query;
      return app.store.listCandidates(
        request.auth.workspaceId,
        { ...(job !== undefined ? { jobId: job } : {}), ...(status !== undefined ? { status } : {}) },
        pageOf(request.query),
      );
    },
  );

  app.get(
    "/:id",
    {
      schema: {
        summary: "Get a candidate with its design and validation report",
        tags: ["candidates"],
        params: inlined("id-params"),
        response: { 200: apiRef("candidate"), ...problems(400, 401, 404) },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const found = await app.store.getCandidate(request.auth.workspaceId, request.params.id);
      if (!found) throw new ApiError("not_found", `candidate ${request.params.id} not found`);
      return found;
    },
  );

  app.delete(
    "/:id",
    {
      schema: {
        summary: "Delete a candidate",
        description: "A design it was accepted as stays (it is a design of its own).",
        tags: ["candidates"],
        params: inlined("id-params"),
        response: { 204: { type: "null", description: "Deleted" }, ...problems(400, 401, 404) },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      if (!(await app.store.deleteCandidate(request.auth.workspaceId, request.params.id))) {
        throw new ApiError("not_found", `candidate ${request.params.id} not found`);
      }
      return reply.code(204).send();
    },
  );

  app.post(
    "/:id/review",
    {
      schema: {
        summary: "Accept or reject a candidate",
        description:
          'Accepting stores the candidate\'s design as a design with status "accepted" (id: `designId`, default the candidate ' +
          "design's id) in the same transaction. A candidate is reviewed once (409 already_reviewed). A candidate whose report " +
          "has errors is accepted only with `override: { reason }`, recorded on the candidate (409 invalid_candidate " +
          "otherwise). An id in use gives 409 conflict with a free `suggestedId` in the problem: send it back as `designId`.",
        tags: ["candidates"],
        params: inlined("id-params"),
        body: apiRef("candidate-review"),
        response: {
          200: apiRef("candidate-review-result"),
          ...problems(400, 401, 404, 409),
        },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: ReviewBody }>) => {
      const { decision, comment, designId, override } = request.body;
      if (decision === "reject" && designId !== undefined)
        throw new ApiError("invalid_request", "designId applies to accept only");
      if (decision === "reject" && override !== undefined)
        throw new ApiError("invalid_request", "override applies to accept only");
      const outcome = await app.store.reviewCandidate(request.auth.workspaceId, request.params.id, {
        decision,
        keyId: request.auth.keyId,
        ...(comment !== undefined ? { comment } : {}),
        ...(designId !== undefined ? { designId } : {}),
        ...(override !== undefined ? { override } : {}),
      });
      if (!outcome.ok) {
        if (outcome.reason === "not_found") throw new ApiError("not_found", `candidate ${request.params.id} not found`);
        if (outcome.reason === "already_reviewed")
          throw new ApiError("already_reviewed", `candidate ${request.params.id} has been reviewed`);
        if (outcome.reason === "invalid")
          throw new ApiError(
            "invalid_candidate",
            `candidate ${request.params.id} has ${outcome.errors} error(s) in its report; accept it with override: { reason } to store it anyway`,
            { errors: outcome.errors },
          );
        if (outcome.reason !== "conflict")
          throw new ApiError("internal", `unexpected review outcome ${outcome.reason}`);
        throw new ApiError(
          "conflict",
          `a design with id ${outcome.designId} exists already; accept again with designId ${outcome.suggestedId} (free) or another`,
          { designId: outcome.designId, suggestedId: outcome.suggestedId },
        );
      }
      const { design: _design, report: _report, ...candidate } = outcome.candidate;
      return { candidate, ...(outcome.design ? { design: outcome.design } : {}) };
    },
  );
}
