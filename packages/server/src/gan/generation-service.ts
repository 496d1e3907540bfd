import { GENERATION_REQUEST_DEFAULTS } from "@plantgan/core/design";
import type { GenerationService } from "../services.js";

/** Most candidates one request may ask for through the API (each is legalised, routed and validated). */
export const MAX_CANDIDATES_PER_REQUEST = 64;

/** Payload of a "generate" job: what the worker needs, nothing it must look up. */
export interface GeneratePayload {
  readonly request: unknown;
  readonly modelId: string;
  readonly weights: string;
}

/**
 * Generation through the job runner: the request is checked here (count, the model has weights),
 * the work (GAN → decode → legalise → route → control completion → validate → rank) runs in a
 * worker process (jobs/generate.ts) so the API keeps answering.
 */
export const generationService: GenerationService = {
  async submit({ request, model, enqueue }) {
    const count = request.count ?? GENERATION_REQUEST_DEFAULTS.count;
    if (count > MAX_CANDIDATES_PER_REQUEST) {
      return {
        issues: [
          {
            code: "schema",
            pointer: "/count",
            message: `at most ${MAX_CANDIDATES_PER_REQUEST} candidates per request through the API; got ${count}`,
          },
        ],
      };
    }
    if (!model.weights) {
      return { issues: [{ code: "schema", pointer: "", message: `model ${model.id} has no weights` }] };
    }
    const payload: GeneratePayload = { request, modelId: model.id, weights: model.weights };
    return { job: await enqueue(payload) };
  },
};
