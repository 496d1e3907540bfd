import { GENERATION_REQUEST_DEFAULTS, type GenerationRequest } from "@plantgan/core/design";
import { TOPOLOGY_SOURCE_NAMES } from "@plantgan/core/generate";
import type { ApiIssue } from "../errors.js";
import type { GenerationService } from "../services.js";
import type { ModelRecord } from "../store/store.js";

/** Most candidates one request may ask for through the API (each is legalised, routed and validated). */
export const MAX_CANDIDATES_PER_REQUEST = 64;

/** Payload of a "generate" job: what the worker needs, nothing it must look up. */
export interface GeneratePayload {
  readonly request: unknown;
  readonly modelId: string;
  readonly weights: string;
  /** The topology source asked for (`?topology=`); absent: the pipeline's default (the designer). */
  readonly topology?: string;
}

/**
 * Why `?topology=` cannot be served: an unknown source, a source for a topology-mode request
 * (which places its own topology), or "learned" while the model has no topology generator. No
 * stored model has one yet: when the learned generator (core gan/topology) lands, the model says
 * so and this check reads it. The job resolves the source again with the loaded model
 * (topologySourceByName), so it never falls back to the designer either.
 */
export function topologyIssue(
  topology: string,
  request: GenerationRequest,
  model: Pick<ModelRecord, "id">,
): ApiIssue | undefined {
  const at = { code: "topology_source", pointer: "/topology", in: "querystring" } as const;
  if (!(TOPOLOGY_SOURCE_NAMES as readonly string[]).includes(topology)) {
    return { ...at, message: `topology: unknown source "${topology}"; one of ${TOPOLOGY_SOURCE_NAMES.join(", ")}` };
  }
  if (request.mode === "topology") {
    return {
      ...at,
      message: `topology: a topology-mode request places its own topology; topology=${topology} applies to spec mode`,
    };
  }
  if (topology === "learned") {
    return {
      ...at,
      message: `topology: model ${model.id} has no topology generator; topology=designer is the other source`,
    };
  }
  return undefined;
}

/**
 * Generation through the job runner: the request is checked here (count, the model has weights),
 * the work (GAN → decode → legalise → route → control completion → validate → rank) runs in a
 * worker process (jobs/generate.ts) so the API keeps answering.
 */
export const generationService: GenerationService = {
  async submit({ request, model, topology, enqueue }) {
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
    const issue = topology === undefined ? undefined : topologyIssue(topology, request, model);
    if (issue) return { issues: [issue] };
    const payload: GeneratePayload = {
      request,
      modelId: model.id,
      weights: model.weights,
      ...(topology === undefined ? {} : { topology }),
    };
    return { job: await enqueue(payload) };
  },
};
