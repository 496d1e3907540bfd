import type { Candidate } from "@plantgan/core/generate";
import { newId } from "../store/sqlite.js";
import type { CandidateInsert } from "../store/store.js";
import { candidateDesignIds } from "./candidate-ids.js";

/**
 * One generation's candidates as rows to store under its job, and the job's result: the job
 * worker (jobs/generate.ts) and the warm pool (direct-generation.ts) write the same.
 */
export function storedCandidates(
  candidates: readonly Candidate[],
  job: { readonly id: string; readonly modelId: string },
): CandidateInsert[] {
  // Unique across jobs: two requests with the same seed give the same layouts, not the same ids.
  const ids = candidateDesignIds(candidates, job.id.replace(/^job-/, ""));
  return candidates.map((c, i) => ({
    id: newId("cand"),
    design: { ...c.design, id: ids[i]! },
    report: { ...c.report, designId: ids[i]! },
    rank: c.rank,
    jobId: job.id,
    modelId: job.modelId,
    ...(c.cost ? { cost: c.cost } : {}),
    ...(c.polish ? { polish: c.polish } : {}),
  }));
}

/** A finished generate job's result: each stored candidate's verdicts, and how many are valid. */
export function generationSummary(
  stored: readonly CandidateInsert[],
  candidates: readonly Candidate[],
  backend: string,
) {
  return {
    candidates: stored.map((c, i) => ({
      id: c.id,
      rank: c.rank,
      valid: candidates[i]?.valid ?? false,
      layoutValid: candidates[i]?.layoutValid ?? false,
    })),
    valid: candidates.filter((c) => c.valid).length,
    layoutValid: candidates.filter((c) => c.layoutValid).length,
    backend,
  };
}
