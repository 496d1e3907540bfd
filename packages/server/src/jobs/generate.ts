import { parseGenerationRequest } from "@plantgan/core/design";
import { selectBackend } from "@plantgan/core/gan";
import { generateCandidatesAsync, topologySourceByName } from "@plantgan/core/generate";
import { loadSolver } from "@plantgan/core/polish";
import { loadBundledModel } from "../gan/bundle.js";
import type { GeneratePayload } from "../gan/generation-service.js";
import { generationSummary, storedCandidates } from "../gan/stored-candidates.js";
import type { JobContext } from "./context.js";

/**
 * The "generate" job: loads the model from its blob, runs the whole pipeline (GAN → decode →
 * legalise → route → control completion → validate → rank), reporting progress as each candidate
 * is finished, and stores the ranked candidates, each with its validation report, in one step.
 */
export async function runGenerate(ctx: JobContext): Promise<unknown> {
  const payload = ctx.job.payload as GeneratePayload;
  const request = parseGenerationRequest(payload.request);
  if (!request.success) throw new Error(`stored request is not valid: ${request.issues[0]?.message}`);
  const backend = await selectBackend();
  await ctx.emit("log", { message: `TensorFlow.js backend: ${backend.name}` });
  const model = await loadBundledModel(new Uint8Array(await ctx.blobs.get(payload.weights)));
  // The source asked for, or the job fails saying why: never the designer in its place.
  const topology = payload.topology === undefined ? undefined : topologySourceByName(payload.topology, model);
  // The pipeline's polish step solves with HiGHS, which loads asynchronously (once per process).
  await loadSolver();
  const total = payload.latents?.length ?? request.data.count;
  const progress = (done: number) =>
    ctx.step({ progress: { done, total }, events: [{ type: "progress", data: { done, total } }] });
  await progress(0);
  // Progress is written as each candidate is finished; the last one is written with the candidates.
  const candidates = await generateCandidatesAsync(
    request.data,
    {
      model,
      ...(topology ? { topology } : {}),
      // A variant or blend: its latents and parents (recorded in each candidate's design metadata).
      ...(payload.latents ? { latents: payload.latents } : {}),
      ...(payload.parents ? { parents: payload.parents } : {}),
    },
    async (done) => {
      if (done < total) await progress(done);
    },
  );
  const stored = storedCandidates(candidates, { id: ctx.job.id, modelId: payload.modelId });
  await ctx.step({
    candidates: stored,
    progress: { done: stored.length, total },
    events: [{ type: "progress", data: { done: stored.length, total } }],
  });
  return generationSummary(stored, candidates, backend.name);
}
