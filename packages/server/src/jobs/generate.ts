import { parseGenerationRequest } from "@plantgan/core/design";
import { generateCandidates, selectBackend } from "@plantgan/core/gan";
import { loadBundledModel } from "../gan/bundle.js";
import type { GeneratePayload } from "../gan/generation-service.js";
import { newId } from "../store/sqlite.js";
import type { JobContext } from "./context.js";

/**
 * The "generate" job: loads the model from its blob, runs the whole pipeline (GAN → decode →
 * legalise → route → control completion → validate → rank) and stores the ranked candidates,
 * each with its validation report, in one step.
 */
export async function runGenerate(ctx: JobContext): Promise<unknown> {
  const payload = ctx.job.payload as GeneratePayload;
  const request = parseGenerationRequest(payload.request);
  if (!request.success) throw new Error(`stored request is not valid: ${request.issues[0]?.message}`);
  const backend = await selectBackend();
  await ctx.emit("log", { message: `TensorFlow.js backend: ${backend.name}` });
  const model = await loadBundledModel(new Uint8Array(await ctx.blobs.get(payload.weights)));
  const total = request.data.count;
  await ctx.step({ progress: { done: 0, total }, events: [{ type: "progress", data: { done: 0, total } }] });
  const candidates = generateCandidates(request.data, { model });
  const stored = candidates.map((c) => ({
    id: newId("cand"),
    design: c.design,
    report: c.report,
    rank: c.rank,
    jobId: ctx.job.id,
    modelId: payload.modelId,
  }));
  await ctx.step({
    candidates: stored,
    progress: { done: stored.length, total },
    events: [{ type: "progress", data: { done: stored.length, total } }],
  });
  return {
    candidates: stored.map((c, i) => ({ id: c.id, rank: c.rank, valid: candidates[i]?.valid ?? false })),
    valid: candidates.filter((c) => c.valid).length,
    backend: backend.name,
  };
}
