/**
 * A training epoch's preview through the generation pipeline: the EMA generator places a few
 * designs' topologies (topology mode, on their own sites), and the share of valid candidates
 * before and after legalising, with the legaliser's moves, become the epoch's preview metrics.
 */
import type { Design, GenerationRequest, ProcessClass } from "../design/types.js";
import { modelLayout } from "../gan/models.js";
import { type EpochPreview, nextTurn } from "../gan/training-run.js";
import { generateCandidates } from "./pipeline.js";
import type { Candidate } from "./types.js";

/** Preview requests: one design per process class first, then others (topology mode, on their own sites). */
export function previewRequests(designs: readonly Design[], count: number): GenerationRequest[] {
  const seen = new Set<ProcessClass>();
  const firstOfClass = designs.filter((d) => !seen.has(d.processClass) && seen.add(d.processClass));
  const rest = designs.filter((d) => !firstOfClass.includes(d));
  return [...firstOfClass, ...rest].slice(0, count).map(
    (d) =>
      ({
        schemaVersion: "1.0",
        mode: "topology",
        processClass: d.processClass,
        site: d.site,
        topology: d,
        count: 1,
        seed: 7,
      }) as GenerationRequest,
  );
}

/** The preview of `runTrainingLoop`: the EMA generator places `previews` through the whole pipeline. */
export function pipelinePreview(previews: readonly GenerationRequest[]): EpochPreview {
  return async (trainer) => {
    const model = {
      generator: trainer.generatorEma,
      critic: trainer.critic,
      config: trainer.config.model,
      layout: modelLayout(trainer.config.model),
    };
    const candidates: Candidate[] = [];
    for (const request of previews) {
      candidates.push(...generateCandidates(request, { model, count: 1 }));
      await nextTurn(); // each runs the whole pipeline synchronously
    }
    const n = Math.max(1, candidates.length);
    return {
      metrics: {
        preview_raw_validity: candidates.filter((c) => c.rawErrors === 0).length / n,
        preview_validity: candidates.filter((c) => c.valid).length / n,
        preview_moves: candidates.reduce((s, c) => s + c.stats.moves, 0) / n,
      },
      samples: candidates.map((c) => c.design),
    };
  };
}
