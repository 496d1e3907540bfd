import { GENERATION_REQUEST_DEFAULTS, type GenerationRequest } from "@plantgan/core/design";
import {
  blendPlan,
  type CandidateOrigin,
  type CandidateParents,
  ConditionChangeError,
  type GivenLatent,
  OriginError,
  type RegenerationPlan,
  readOrigin,
  TOPOLOGY_SOURCE_NAMES,
  variantPlan,
} from "@plantgan/core/generate";
import { ApiError, type ApiIssue } from "../errors.js";
import type { GenerationService } from "../services.js";
import type { CandidateRecord, ModelRecord } from "../store/store.js";

/** Most candidates one request may ask for through the API (each is legalised, routed and validated). */
export const MAX_CANDIDATES_PER_REQUEST = 64;

/** Payload of a "generate" job: what the worker needs, nothing it must look up. */
export interface GeneratePayload {
  readonly request: unknown;
  readonly modelId: string;
  readonly weights: string;
  /** The topology source asked for (`?topology=`); absent: the pipeline's default (the model's learned generator where it has one, else the designer). */
  readonly topology?: string;
  /** A variant's or blend's latents (one candidate each) and parents (generation-service `regenerationPlan`). */
  readonly latents?: readonly GivenLatent[];
  readonly parents?: CandidateParents;
}

/**
 * Why `?topology=` cannot be served: an unknown source, a source for a topology-mode request
 * (which places its own topology), or "learned" while the model has no topology generator (its
 * card's `generators.topology`, written by a training that trained one). The job resolves the
 * source again with the loaded model (topologySourceByName), so it never falls back to the
 * designer either.
 */
export function topologyIssue(
  topology: string,
  request: GenerationRequest,
  model: Pick<ModelRecord, "id" | "card">,
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
  if (topology === "learned" && model.card?.generators?.topology === undefined) {
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
  async submit({ request, model, topology, latents, parents, enqueue }) {
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
      ...(latents === undefined ? {} : { latents }),
      ...(parents === undefined ? {} : { parents }),
    };
    return { job: await enqueue(payload) };
  },
};

/** A stored candidate as a variant's or blend's parent: its recorded origin and its model. */
export interface ParentCandidate {
  readonly id: string;
  readonly origin: CandidateOrigin;
  readonly design: CandidateRecord["design"];
  readonly modelId: string;
}

/**
 * The parent a stored candidate makes: 404 when there is none, 400 invalid_request (at `pointer`)
 * when it records no origin or latent (random placement, or made before origins were recorded).
 */
export function parentCandidate(id: string, found: CandidateRecord | undefined, pointer: string): ParentCandidate {
  if (!found) throw new ApiError("not_found", `candidate ${id} not found`);
  const refuse = (message: string): never => {
    throw new ApiError("invalid_request", message, {
      issues: [{ code: "candidate_origin", pointer, message, in: "body" }],
    });
  };
  let origin: CandidateOrigin;
  try {
    origin = readOrigin(found.design.metadata);
  } catch (error) {
    if (error instanceof OriginError) return refuse(`candidate ${id}: ${error.message}`);
    throw error;
  }
  if (!found.modelId) return refuse(`candidate ${id} names no model to place with`);
  return { id: found.id, origin, design: found.design, modelId: found.modelId };
}

/**
 * A variant's plan (generate/variant.ts): the parent's request with `set` applied, its latent and
 * topology seed. A change that cannot be applied is 400 invalid_request at /set/<i>.
 */
export function variantRequestPlan(parent: ParentCandidate, set: readonly string[]): RegenerationPlan {
  try {
    return variantPlan(parent, set);
  } catch (error) {
    if (error instanceof ConditionChangeError) {
      const at = set.indexOf(error.change);
      throw new ApiError("invalid_request", `set: ${error.message}`, {
        issues: [
          { code: "condition_change", pointer: at >= 0 ? `/set/${at}` : "/set", message: error.message, in: "body" },
        ],
      });
    }
    if (error instanceof OriginError) throw new ApiError("invalid_request", error.message);
    throw error;
  }
}

/** A blend's plan: the first parent's request, both latents interpolated at t; one model, one class. */
export function blendRequestPlan(a: ParentCandidate, b: ParentCandidate, t: number): RegenerationPlan {
  const refuse = (message: string): never => {
    throw new ApiError("invalid_request", message, {
      issues: [{ code: "blend", pointer: "/candidates", message, in: "body" }],
    });
  };
  if (a.modelId !== b.modelId)
    refuse(`candidates ${a.id} and ${b.id} come from different models (${a.modelId}, ${b.modelId})`);
  try {
    return blendPlan(a, b, t);
  } catch (error) {
    if (error instanceof OriginError) return refuse(error.message);
    throw error;
  }
}

/**
 * The topology source a variant or blend asks for: its parent's, named (the default depends on the
 * model, so a designer-made parent must not fall to a learned default); a topology-mode parent's
 * request places its own.
 */
export function parentTopology(parent: ParentCandidate): string | undefined {
  const source = parent.origin.topologySource;
  return source === "request" ? undefined : source;
}
