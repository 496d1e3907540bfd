import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RouteOptions } from "../config.js";
import { ApiError } from "../errors.js";
import { apiRef, inlined, pageOf, problems } from "../schemas.js";
import type { CandidateStatus } from "../store/store.js";

interface ReviewBody {
  decision: "accept" | "reject";
  comment?: string;
  designId?: string;
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

  app.post(
    "/:id/review",
    {
      schema: {
        summary: "Accept or reject a candidate",
        description:
          'Accepting stores the candidate\'s design as a design with status "accepted" (id: `designId`, default the candidate ' +
          "design's id) in the same transaction. A candidate is reviewed once (409 already_reviewed); an id in use gives 409 conflict.",
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
      const { decision, comment, designId } = request.body;
      if (decision === "reject" && designId !== undefined)
        throw new ApiError("invalid_request", "designId applies to accept only");
      const outcome = await app.store.reviewCandidate(request.auth.workspaceId, request.params.id, {
        decision,
        keyId: request.auth.keyId,
        ...(comment !== undefined ? { comment } : {}),
        ...(designId !== undefined ? { designId } : {}),
      });
      if (!outcome.ok) {
        if (outcome.reason === "not_found") throw new ApiError("not_found", `candidate ${request.params.id} not found`);
        if (outcome.reason === "already_reviewed")
          throw new ApiError("already_reviewed", `candidate ${request.params.id} has been reviewed`);
        throw new ApiError("conflict", "a design with that id exists already; give another designId");
      }
      const { design: _design, report: _report, ...candidate } = outcome.candidate;
      return { candidate, ...(outcome.design ? { design: outcome.design } : {}) };
    },
  );
}
