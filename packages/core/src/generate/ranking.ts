/**
 * Ranking: critic scores of the final layouts, then order by validity, cost, warnings, critic
 * score, pipe length and footprint (the candidate's index last, so ties keep generation order).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Design } from "../design/types.js";
import { CONDITION_SIZE } from "../gan/condition.js";
import { concatArrays, type GanModel } from "../gan/models.js";
import { layoutItem } from "../gan/topology.js";
import type { Candidate } from "./types.js";

/** The candidates in rank order, `rank` set (1 = best). */
export function rankCandidates(candidates: readonly Omit<Candidate, "rank">[]): Candidate[] {
  const errorsOf = (c: Omit<Candidate, "rank">) => c.report.summary.errors;
  const order = candidates
    .map((c, k) => ({ c, k }))
    .sort(
      (p, q) =>
        errorsOf(p.c) - errorsOf(q.c) ||
        // Cost right after validity: of two equally valid layouts the cheaper to build comes first.
        (p.c.cost?.total ?? 0) - (q.c.cost?.total ?? 0) ||
        p.c.report.summary.warnings - q.c.report.summary.warnings ||
        orNaN(q.c.stats.criticScore) - orNaN(p.c.stats.criticScore) ||
        p.c.stats.pipeLength - q.c.stats.pipeLength ||
        p.c.stats.footprint - q.c.stats.footprint ||
        p.k - q.k,
    );
  return order.map(({ c }, i) => ({ ...c, rank: i + 1 }));
}

const orNaN = (v: number): number => (Number.isFinite(v) ? v : 0);

/** The critic's score of each design (higher: more like the training designs); NaN without a critic or when it does not fit. */
export function criticScores(model: GanModel | undefined, designs: readonly Design[]): number[] {
  const critic = model?.critic;
  const out = designs.map(() => Number.NaN);
  if (!model || !critic) return out;
  const items = designs.map((d) => layoutItem(d, model.layout.spec));
  const ok = items.flatMap((it, k) => (it ? [{ it, k }] : []));
  if (ok.length === 0) return out;
  const n = model.layout.spec.nMax;
  const b = ok.length;
  const scores = tf.tidy(() => {
    const X = tf.tensor3d(concatArrays(ok.map((o) => o.it.X)), [b, n, model.layout.F]);
    const A = tf.tensor4d(concatArrays(ok.map((o) => o.it.A)), [b, model.layout.R, n, n]);
    const mask = tf.tensor2d(concatArrays(ok.map((o) => o.it.mask)), [b, n]);
    const c = tf.tensor2d(concatArrays(ok.map((o) => o.it.condition)), [b, CONDITION_SIZE]);
    return critic.apply([X, A, mask, c], { training: false }) as tf.Tensor;
  });
  const values = scores.dataSync();
  scores.dispose();
  ok.forEach((o, i) => {
    out[o.k] = values[i] ?? Number.NaN;
  });
  return out;
}
