/**
 * What a candidate came from: the request it answered, the latent of its accepted proposal (one
 * entry per learned stage), the truncation, the seed its topology source was given, and its parents
 * when it is a variant or a blend. Recorded on the candidate (`Candidate.origin`) and, as text, in
 * its design's metadata (stored with it, so the API shows it and a variant can be made from it):
 *
 *   latent.layout, latent.topology   each stage's z, float32 little-endian, base64
 *   latentTruncation, topologySeed   numbers
 *   request, request.2, …            the request as JSON, in 1000-character parts (requestParts: how many;
 *                                    0 when it does not fit the metadata's 64 keys, e.g. a large P&ID)
 *   variantOf, variantSet            the parent's id and the changes (JSON list)
 *   blendOf, blendT                  "a,b" and t
 */
import { parseGenerationRequest } from "../design/parse.js";
import type { GenerationRequest } from "../design/types.js";
import { decodeLatent, encodeLatent, LATENT_STAGES, type LatentRecord, type LatentStage } from "./latent.js";

export interface CandidateParents {
  /** Id of the candidate this one is a variant of, and the condition changes made. */
  readonly variantOf?: string;
  readonly set?: readonly string[];
  /** Ids of the two candidates blended, and where between them (0: the first). */
  readonly blendOf?: readonly [string, string];
  readonly t?: number;
}

export interface CandidateOrigin {
  readonly request: GenerationRequest;
  /** Absent for random placement (no learned stage ran). */
  readonly latent?: LatentRecord;
  readonly truncation: number;
  /** The seed the topology source was given for the accepted proposal. */
  readonly topologySeed: number;
  readonly topologySource: string;
  readonly parents?: CandidateParents;
}

/** Why an origin cannot be read back or used (no latent, another class...): exit 2 / 4xx. */
export class OriginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OriginError";
  }
}

type Metadata = Record<string, string | number | boolean>;
const PART = 1000;
const MAX_KEYS = 64;

/** The origin as design metadata, merged over `existing` (within the contract's 64 keys of ≤ 1000 characters). */
export function withOriginMetadata(
  existing: Readonly<Record<string, string | number | boolean | undefined>> | undefined,
  origin: CandidateOrigin,
): Metadata {
  const out = existingOnly(existing);
  for (const stage of LATENT_STAGES) {
    const z = origin.latent?.[stage];
    if (z) out[`latent.${stage}`] = encodeLatent(z);
  }
  out.latentTruncation = origin.truncation;
  out.topologySeed = origin.topologySeed;
  const p = origin.parents;
  if (p?.variantOf !== undefined) out.variantOf = p.variantOf;
  if (p?.set !== undefined) out.variantSet = setText(p.set);
  if (p?.blendOf !== undefined) out.blendOf = p.blendOf.join(",");
  if (p?.t !== undefined) out.blendT = p.t;
  // Metadata already near the contract's 64 keys (an imported P&ID's): the origin is left out.
  if (Object.keys(out).length + 1 > MAX_KEYS) return { ...existingOnly(existing) };
  const text = JSON.stringify(origin.request);
  const parts = Math.ceil(text.length / PART);
  // A request too large for the keys left (a big P&ID in topology mode) is not recorded here.
  const fits = Object.keys(out).length + 1 + parts <= MAX_KEYS;
  out.requestParts = fits ? parts : 0;
  if (fits) {
    for (let i = 0; i < parts; i++)
      out[i === 0 ? "request" : `request.${i + 1}`] = text.slice(i * PART, (i + 1) * PART);
  }
  return out;
}

function existingOnly(existing: Readonly<Record<string, string | number | boolean | undefined>> | undefined): Metadata {
  const out: Metadata = {};
  for (const [key, value] of Object.entries(existing ?? {})) if (value !== undefined) out[key] = value;
  return out;
}

/** The changes as a JSON list within one metadata value: as many as fit, then "…". */
function setText(set: readonly string[]): string {
  for (let n = set.length; n > 0; n--) {
    const text = JSON.stringify(n < set.length ? [...set.slice(0, n), "…"] : set);
    if (text.length <= PART) return text;
  }
  return JSON.stringify(["…"]);
}

/** The origin a design's metadata records; an OriginError says what is missing. */
export function readOrigin(metadata: Readonly<Record<string, unknown>> | undefined): CandidateOrigin {
  const m = metadata ?? {};
  const parts = m.requestParts;
  if (typeof parts !== "number" || parts < 1) {
    throw new OriginError(
      parts === 0
        ? "the candidate's request was too large to record with it"
        : "the candidate records no request (made before variants existed?)",
    );
  }
  let text = "";
  for (let i = 0; i < parts; i++) {
    const piece = m[i === 0 ? "request" : `request.${i + 1}`];
    if (typeof piece !== "string") throw new OriginError(`the candidate's recorded request lacks part ${i + 1}`);
    text += piece;
  }
  let parsed: ReturnType<typeof parseGenerationRequest>;
  try {
    parsed = parseGenerationRequest(JSON.parse(text));
  } catch {
    throw new OriginError("the candidate's recorded request is not JSON");
  }
  if (!parsed.success)
    throw new OriginError(`the candidate's recorded request is not valid: ${parsed.issues[0]?.message}`);
  const latent: Partial<Record<LatentStage, number[]>> = {};
  for (const stage of LATENT_STAGES) {
    const v = m[`latent.${stage}`];
    if (v === undefined) continue;
    const z = typeof v === "string" ? decodeLatent(v) : undefined;
    if (!z) throw new OriginError(`the candidate's latent.${stage} is not a latent`);
    latent[stage] = z;
  }
  const num = (key: string): number => {
    const v = m[key];
    if (typeof v !== "number") throw new OriginError(`the candidate records no ${key}`);
    return v;
  };
  return {
    request: parsed.data as GenerationRequest,
    ...(latent.layout ? { latent: latent as LatentRecord } : {}),
    truncation: num("latentTruncation"),
    topologySeed: num("topologySeed"),
    topologySource: typeof m.topologySource === "string" ? m.topologySource : "designer",
  };
}
