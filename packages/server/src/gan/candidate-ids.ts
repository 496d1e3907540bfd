import type { Candidate } from "@plantgan/core/generate";

/** Longest design id the contract accepts (Identifier). */
const MAX_ID = 128;

/**
 * Design ids for one run's candidates, unique within the run and, given a `run` tag (a job id),
 * across runs: the pipeline names a design by process class and seed (the same for the same
 * request) or by the topology's id (the same for every candidate of a P&ID).
 */
export function candidateDesignIds(candidates: readonly Pick<Candidate, "design" | "rank">[], run?: string): string[] {
  const counts = new Map<string, number>();
  for (const c of candidates) counts.set(c.design.id, (counts.get(c.design.id) ?? 0) + 1);
  return candidates.map((c) => {
    const parts = [...(run ? [run] : []), ...((counts.get(c.design.id) ?? 0) > 1 ? [`r${c.rank}`] : [])];
    if (parts.length === 0) return c.design.id;
    const suffix = `-${parts.join("-")}`;
    return `${c.design.id.slice(0, MAX_ID - suffix.length)}${suffix}`;
  });
}
