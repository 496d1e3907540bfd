/**
 * How many lines a generated slot graph gets, counted from data, and which: the likeliest by the
 * model's line logits (README "Line budget"). Drawing each pair on its own let a trained model
 * inflate its logits over all ~n² pairs (38 line cells on 14 slots against 22 in the data); the
 * budget fixes the count from the slots' types and leaves the choice of lines learned. Opt-in
 * (row-motifs.ts observeRowMotifs lineBudget): models retrained with it did not route (README).
 */
import type { TypeMotifs } from "./row-motifs.js";

/**
 * Per graph of a batch, the number of lines its slots' types hold in the data: half the sum of
 * their mean line ends (RowMotifs.types lineEnds), rounded. `slotTypes` is [B·N] (−1: no item).
 * Undefined when the table has no line ends (a model counted before them).
 */
export function lineBudget(types: readonly TypeMotifs[], slotTypes: Int32Array, n: number): Int32Array | undefined {
  if (types.some((t) => t.lineEnds === undefined)) return undefined;
  const b = slotTypes.length / n;
  const out = new Int32Array(b);
  for (let g = 0; g < b; g++) {
    let ends = 0;
    for (let i = 0; i < n; i++) {
      const t = slotTypes[g * n + i]!;
      if (t >= 0) ends += types[t]?.lineEnds ?? 0;
    }
    out[g] = Math.round(ends / 2);
  }
  return out;
}

/** Per slot [B·N], the most line ends its type had on one slot in the data (no cap without a count). */
export function lineEndCaps(types: readonly TypeMotifs[], slotTypes: Int32Array): Int32Array {
  return Int32Array.from(slotTypes, (t) => types[t]?.maxLineEnds ?? 0x7fffffff);
}

/**
 * 1 on the cells of `taken` and then, up to `budget[g]` in all, on the allowed cells of graph g
 * with the highest scores whose two slots are both under their `caps` of line ends; 0 elsewhere
 * ([B,N,N]). Scores are the line logits, with Gumbel noise for a sample without replacement
 * (Gumbel top-k). The caps keep the lines from gathering at one hub slot.
 */
export function topLines(
  scores: Float32Array,
  allowed: Float32Array,
  budget: Int32Array,
  n: number,
  taken: Float32Array,
  caps?: Int32Array,
): Float32Array {
  const cells = n * n;
  const out = Float32Array.from(taken, (v) => (v > 0 ? 1 : 0));
  for (let g = 0; g < budget.length; g++) {
    const open: number[] = [];
    const ends = new Int32Array(n);
    let left = budget[g]!;
    for (let k = g * cells; k < (g + 1) * cells; k++) {
      if (out[k]! > 0) {
        left--;
        ends[Math.floor((k % cells) / n)]!++;
        ends[k % n]!++;
      } else if (allowed[k]! > 0.5) open.push(k);
    }
    open.sort((p, q) => scores[q]! - scores[p]!);
    for (const k of open) {
      if (left <= 0) break;
      const [i, j] = [Math.floor((k % cells) / n), k % n];
      if (caps && (ends[i]! >= caps[g * n + i]! || ends[j]! >= caps[g * n + j]!)) continue;
      out[k] = 1;
      ends[i]!++;
      ends[j]!++;
      left--;
    }
  }
  return out;
}
