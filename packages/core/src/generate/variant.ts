/**
 * Variants and blends (seed rows Age-cGAN and StyleGAN): a new candidate from a recorded one's
 * latent. A variant keeps the latent and the topology seed and answers a changed request; a blend
 * answers the first parent's request with the two latents interpolated (t = 0: the first).
 * The plan is what `generateCandidates` takes: the request and `options.latents`, `options.parents`.
 */
import type { Design, GenerationRequest } from "../design/types.js";
import { applyConditionChanges } from "./condition-changes.js";
import { blendLatents, type LatentRecord } from "./latent.js";
import { type CandidateOrigin, type CandidateParents, OriginError } from "./origin.js";
import type { GivenLatent } from "./types.js";

export interface RegenerationPlan {
  readonly request: GenerationRequest;
  readonly latents: readonly GivenLatent[];
  readonly parents: CandidateParents;
}

function latentOf(origin: CandidateOrigin, id: string) {
  if (!origin.latent) throw new OriginError(`candidate ${id} has no latent (random placement): nothing to vary`);
  return origin.latent;
}

/**
 * Same latent and topology seed, the parent's request with `changes` (condition-changes.ts)
 * applied; `+n` counts from the equipment the parent's design holds.
 */
export function variantPlan(
  parent: { readonly id: string; readonly origin: CandidateOrigin; readonly design: Pick<Design, "equipment"> },
  changes: readonly string[],
): RegenerationPlan {
  const parentId = parent.id;
  const latent = latentOf(parent.origin, parentId);
  const held = new Map<string, number>();
  for (const e of parent.design.equipment) held.set(e.type, (held.get(e.type) ?? 0) + 1);
  const changed = applyConditionChanges(parent.origin.request, changes, held);
  return {
    request: { ...changed, count: 1 },
    latents: [{ latent, topologySeed: parent.origin.topologySeed }],
    parents: { variantOf: parentId, set: [...changes] },
  };
}

/** The first parent's request and topology seed; the latents spherically interpolated at t. */
export function blendPlan(
  a: { readonly id: string; readonly origin: CandidateOrigin },
  b: { readonly id: string; readonly origin: CandidateOrigin },
  t = 0.5,
): RegenerationPlan {
  if (!(t >= 0 && t <= 1)) throw new OriginError(`blend t must be in [0, 1]; got ${t}`);
  const ca = a.origin.request.processClass;
  const cb = b.origin.request.processClass;
  if (ca !== cb) {
    throw new OriginError(
      `candidates ${a.id} (${ca}) and ${b.id} (${cb}) answer different process classes; a blend needs one`,
    );
  }
  let latent: LatentRecord;
  try {
    latent = blendLatents(latentOf(a.origin, a.id), latentOf(b.origin, b.id), t);
  } catch (e) {
    if (e instanceof RangeError) throw new OriginError(`cannot blend ${a.id} and ${b.id}: ${e.message}`);
    throw e;
  }
  return {
    request: { ...a.origin.request, count: 1 },
    latents: [{ latent, topologySeed: a.origin.topologySeed }],
    parents: { blendOf: [a.id, b.id], t },
  };
}
