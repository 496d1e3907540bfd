/**
 * Constrained decoding of the skeleton: generated graphs hold exactly the equipment a request
 * lists (each listed type at its requested count; unlisted types as the model draws them).
 *
 * This is a constraint at decoding time, used in generation only (never while training): the
 * unconstrained model is taught to respect the counts by the count term of its loss
 * (training.ts), and the evaluation counts "condition match" of the unconstrained model
 * separately from the constrained one, so the constraint never hides what the model learned.
 *
 * Given the skeleton logits of one graph (type logits per slot, existence logit per slot), the
 * required items (counts per type, in the order of the spec's "type" group = EQUIPMENT_TYPES) are
 * assigned to distinct slots so that the summed log-probability is the highest possible: an
 * assignment problem (Kuhn–Munkres, below) with the cost of forcing slot i to exist with type t
 * measured against what slot i would do on its own. The slots left over are sampled from the
 * model's own distribution conditioned on holding none of the listed types: their type is drawn
 * among the unlisted types only, and they exist with the probability p(on)·(1 − p(listed)) against
 * p(off), i.e. the slot's existence logit shifted by log(1 − p(listed)). So a listed type comes out
 * at exactly its requested count, as the user wrote it (issue #14, "condition match as written").
 */
import * as tf from "@tensorflow/tfjs-core";
import type { StageColumns } from "./generator.js";

/**
 * Minimum-cost assignment of `rows` to distinct columns (rows ≤ cols) by the Hungarian method
 * with potentials (Kuhn 1955, Munkres 1957; O(rows²·cols)). `cost` is row-major [rows × cols].
 * Returns the column of each row.
 */
export function assignMinCost(cost: Float64Array, rows: number, cols: number): Int32Array {
  if (rows > cols) throw new RangeError(`assignMinCost: ${rows} rows for ${cols} columns`);
  const u = new Float64Array(rows + 1);
  const v = new Float64Array(cols + 1);
  const p = new Int32Array(cols + 1); // p[j]: row (1-based) holding column j; 0 free
  const way = new Int32Array(cols + 1);
  for (let i = 1; i <= rows; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(cols + 1).fill(Number.POSITIVE_INFINITY);
    const used = new Uint8Array(cols + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Number.POSITIVE_INFINITY;
      let j1 = 0;
      for (let j = 1; j <= cols; j++) {
        if (used[j]) continue;
        const cur = cost[(i0 - 1) * cols + (j - 1)]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= cols; j++) {
        if (used[j]) {
          const i1 = p[j]!;
          u[i1] = u[i1]! + delta;
          v[j] = v[j]! - delta;
        } else minv[j] = minv[j]! - delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const out = new Int32Array(rows);
  for (let j = 1; j <= cols; j++) if (p[j]! > 0) out[p[j]! - 1] = j - 1;
  return out;
}

const logSigmoid = (x: number) => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));

function logSoftmax(row: Float32Array, start: number, size: number, out: Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < size; k++) max = Math.max(max, row[start + k]!);
  let sum = 0;
  for (let k = 0; k < size; k++) sum += Math.exp(row[start + k]! - max);
  const lse = max + Math.log(sum);
  for (let k = 0; k < size; k++) out[k] = row[start + k]! - lse;
}

/** Where the skeleton columns of one slot's logits are: each group's start and size, and which is "type". */
export interface SkeletonLayout {
  /** Per skeleton group: start column in the skeleton block, size, kind. */
  readonly groups: readonly { readonly start: number; readonly size: number; readonly kind: string }[];
  /** Index in `groups` of the type group (its columns are EQUIPMENT_TYPES), or −1. */
  readonly typeGroup: number;
  /**
   * Index in `groups` of the `spare` group when a slot stands for its spare set's members
   * (spec `spareSets`, spare-sets.ts), or −1: required counts then count members.
   */
  readonly spareGroup: number;
  /** Skeleton columns; the existence logit is column `width`. */
  readonly width: number;
}

export function skeletonLayout(cols: StageColumns, spareSets = false): SkeletonLayout {
  let start = 0;
  const groups = cols.skeleton.map((g) => {
    const out = { start, size: g.size, kind: g.kind };
    start += g.size;
    return out;
  });
  return {
    groups,
    typeGroup: cols.skeleton.findIndex((g) => g.name === "type"),
    spareGroup: spareSets ? cols.skeleton.findIndex((g) => g.name === "spare") : -1,
    width: cols.skeletonWidth,
  };
}

/** Deterministic uniform numbers in (0, 1) (mulberry32), for the decoding's Gumbel noise. */
export function uniformStream(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967297;
  };
}

export interface DecodeOptions {
  /**
   * With spare sets: per type, the spare classes the data holds on it (row-motifs.ts
   * RowMotifs.types); a slot's set size is drawn among its type's. Absent: any.
   */
  readonly spareClasses?: readonly (readonly number[])[];
  /** Items required per type (index = column of the type group); absent: none required. */
  readonly required?: readonly number[];
  /** Gumbel-max sampling with this stream (temperature 1); without one, argmax. */
  readonly noise?: () => number;
  /**
   * Types held at exactly their required count (default: those with required > 0, the types a
   * request lists; a request cannot list a count of 0). Pass an all-false list for "at least".
   */
  readonly exact?: readonly boolean[];
}

/** log(1 − Σ_{k listed} p_k) from log-probabilities; −∞ when every type is listed. */
function logUnlistedMass(lp: Float64Array, listed: readonly boolean[]): number {
  let mass = 0;
  for (let k = 0; k < lp.length; k++) if (!listed[k]) mass += Math.exp(lp[k]!);
  return mass > 0 ? Math.log(mass) : Number.NEGATIVE_INFINITY;
}

/**
 * With spare sets: which of the slots assigned to a listed type keep it, and each one's set size
 * (spare class; members max(1, class), spare-sets.ts), so that their members add up to exactly
 * `count` with the highest summed score: a knapsack over the slots (each keeps the type with a
 * class, scored `kept(i)[class]`, or is let go, scored `free(i)`). −1: let go. Undefined when no
 * choice of the classes scored above −∞ reaches the count.
 */
export function setSizes(
  slots: readonly number[],
  count: number,
  free: (slot: number) => number,
  kept: (slot: number) => ArrayLike<number>,
): number[] | undefined {
  const none = Number.NEGATIVE_INFINITY;
  let best = new Float64Array(count + 1).fill(none);
  best[0] = 0;
  const choice: Int32Array[] = [];
  for (const i of slots) {
    const next = new Float64Array(count + 1).fill(none);
    const pick = new Int32Array(count + 1).fill(-1);
    const scores = kept(i);
    for (let r = 0; r <= count; r++) {
      if (best[r]! > none && best[r]! + free(i) > next[r]!) {
        next[r] = best[r]! + free(i);
        pick[r] = -1;
      }
      for (let c = 0; c < scores.length; c++) {
        const to = r + Math.max(1, c);
        if (to > count || best[r]! === none) continue;
        if (best[r]! + scores[c]! > next[to]!) {
          next[to] = best[r]! + scores[c]!;
          pick[to] = c;
        }
      }
    }
    choice.push(pick);
    best = next;
  }
  if (best[count] === none) return undefined;
  const out = new Array<number>(slots.length).fill(-1);
  for (let k = slots.length - 1, r = count; k >= 0; k--) {
    const c = choice[k]![r]!;
    out[k] = c;
    if (c >= 0) r -= Math.max(1, c);
  }
  return out;
}

/**
 * Decodes one graph's skeleton logits [N × (S+1)] into hard rows [N × (S+1)] (skeleton one-hots
 * or 0/1 ‖ existence; absent slots all zero), holding `required` of each type: exactly for the
 * types in `exact` (by default the listed ones), at least for the others.
 */
export function decodeSkeletonRows(
  logits: Float32Array,
  nMax: number,
  layout: SkeletonLayout,
  options: DecodeOptions = {},
): Float32Array {
  const w = layout.width + 1;
  const row = new Float32Array(w);
  const out = new Float32Array(nMax * w);
  const exist = new Float64Array(nMax); // perturbed existence logit
  const typeLp: Float64Array[] = [];
  const spareLp: Float64Array[] = []; // per slot, with spare sets: the perturbed log p of each set size
  const typeGroup = layout.groups[layout.typeGroup];
  const required = options.required ?? [];
  const exact: boolean[] = typeGroup
    ? Array.from({ length: typeGroup.size }, (_, k) => options.exact?.[k] ?? (required[k] ?? 0) > 0)
    : [];
  const anyExact = exact.some(Boolean);
  const typeBest = new Int32Array(nMax); // per slot: the best unlisted type after the noise (−1: none)
  const unlistedMass = new Float64Array(nMax); // per slot: log p(type not held exactly)
  const noise = options.noise;
  const gumbel = () => (noise ? -Math.log(-Math.log(noise())) : 0);
  const logistic = () => {
    if (!noise) return 0;
    const u = noise();
    return Math.log(u) - Math.log(1 - u);
  };
  for (let i = 0; i < nMax; i++) {
    row.set(logits.subarray(i * w, (i + 1) * w));
    exist[i] = row[layout.width]! + logistic();
    for (const [g, group] of layout.groups.entries()) {
      if (group.kind === "categorical") {
        if (g === layout.typeGroup && anyExact) {
          // The model's own (noise-free) probability of an unlisted type, for the existence odds.
          const lp = new Float64Array(group.size);
          logSoftmax(row, group.start, group.size, lp);
          unlistedMass[i] = logUnlistedMass(lp, exact);
        }
        for (let k = 0; k < group.size; k++) row[group.start + k]! += gumbel();
        if (g === layout.typeGroup || g === layout.spareGroup) {
          const lp = new Float64Array(group.size);
          logSoftmax(row, group.start, group.size, lp);
          (g === layout.typeGroup ? typeLp : spareLp)[i] = lp;
        }
        let best = 0;
        for (let k = 1; k < group.size; k++) if (row[group.start + k]! > row[group.start + best]!) best = k;
        for (let k = 0; k < group.size; k++) out[i * w + group.start + k] = k === best ? 1 : 0;
        if (g === layout.typeGroup && anyExact) {
          let free = -1;
          for (let k = 0; k < group.size; k++) {
            if (!exact[k] && (free < 0 || row[group.start + k]! > row[group.start + free]!)) free = k;
          }
          typeBest[i] = free;
        }
      } else if (group.kind === "binary") {
        for (let k = 0; k < group.size; k++)
          out[i * w + group.start + k] = row[group.start + k]! + logistic() > 0 ? 1 : 0;
      } else {
        for (let k = 0; k < group.size; k++) out[i * w + group.start + k] = 1 / (1 + Math.exp(-row[group.start + k]!));
      }
    }
  }

  const forced = new Int32Array(nMax).fill(-1);
  const spareClass = new Int32Array(nMax).fill(-1); // with spare sets: the set size chosen for a forced slot
  const freeScore = new Float64Array(nMax); // the slot's best score left alone
  const tokens: number[] = [];
  required.forEach((count, t) => {
    for (let k = 0; k < count; k++) tokens.push(t);
  });
  if (tokens.length > 0) {
    if (!typeGroup) throw new RangeError('required equipment needs a skeleton group named "type"');
    if (required.length > typeGroup.size) {
      throw new RangeError(`required lists ${required.length} types; the type group has ${typeGroup.size}`);
    }
    if (tokens.length > nMax) throw new RangeError(`${tokens.length} required items do not fit ${nMax} slots`);
    // Gain of forcing slot i to exist with type t, against the slot's own best choice (≤ 0).
    const cost = new Float64Array(tokens.length * nMax);
    for (let i = 0; i < nMax; i++) {
      const lp = typeLp[i]!;
      const on = logSigmoid(exist[i]!);
      // The slot left alone may only exist with a type not held exactly.
      let bestFree = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < lp.length; k++) if (!exact[k]) bestFree = Math.max(bestFree, lp[k]!);
      const free = Math.max(logSigmoid(-exist[i]!), on + bestFree);
      freeScore[i] = free;
      tokens.forEach((t, r) => {
        cost[r * nMax + i] = free - (on + lp[t]!);
      });
    }
    const slots = assignMinCost(cost, tokens.length, nMax);
    tokens.forEach((t, r) => {
      forced[slots[r]!] = t;
    });
    if (layout.spareGroup >= 0) {
      const gain = (i: number, t: number) => logSigmoid(exist[i]!) + typeLp[i]![t]!;
      const open = (t: number, c: number) => options.spareClasses?.[t]?.includes(c) ?? true;
      required.forEach((count, t) => {
        if (!exact[t] || count === 0) return;
        const held = [...forced.keys()].filter((i) => forced[i] === t);
        const sizes = (masked: boolean) =>
          setSizes(
            held,
            count,
            (i) => freeScore[i]!,
            (i) => spareLp[i]!.map((lp, c) => (!masked || open(t, c) ? gain(i, t) + lp : Number.NEGATIVE_INFINITY)),
          );
        // The sizes seen with the type where they reach the count (one pump cannot be a set of two);
        // else any: `held` holds `count` slots, so sets of one reach it.
        const chosen = (sizes(true) ?? sizes(false))!;
        held.forEach((i, k) => {
          if (chosen[k]! < 0) forced[i] = -1;
          else spareClass[i] = chosen[k]!;
        });
      });
    }
  }

  for (let i = 0; i < nMax; i++) {
    let on = forced[i]! >= 0 || exist[i]! > 0;
    let type = forced[i]!;
    if (type < 0 && anyExact && typeGroup) {
      // Conditioned on holding no exact type: existence odds shifted by log(1 − p(exact types)).
      on = typeBest[i]! >= 0 && exist[i]! + unlistedMass[i]! > 0;
      type = typeBest[i]!;
    }
    if (on && type >= 0 && typeGroup) {
      for (let k = 0; k < typeGroup.size; k++) out[i * w + typeGroup.start + k] = k === type ? 1 : 0;
    }
    const spare = layout.groups[layout.spareGroup];
    // The slot's type as written (drawn in the loop above when no type is held exactly).
    let drawn = type;
    if (drawn < 0 && typeGroup)
      for (let k = 0; k < typeGroup.size; k++) if (out[i * w + typeGroup.start + k] === 1) drawn = k;
    const seen = drawn >= 0 ? options.spareClasses?.[drawn] : undefined;
    if (on && spare && spareClass[i]! < 0 && seen && seen.length > 0) {
      // A free slot's set size among those its type is seen with.
      spareClass[i] = seen.reduce((best, c) => (spareLp[i]![c]! > spareLp[i]![best]! ? c : best), seen[0]!);
    }
    if (on && spare && spareClass[i]! >= 0) {
      for (let k = 0; k < spare.size; k++) out[i * w + spare.start + k] = k === spareClass[i] ? 1 : 0;
    }
    if (on) out[i * w + layout.width] = 1;
    else out.fill(0, i * w, (i + 1) * w);
  }
  return out;
}

export interface SkeletonDecoderOptions {
  /** Per graph of the batch, the items required per type (or one list for all). */
  readonly required?: readonly number[] | readonly (readonly number[] | undefined)[];
  /** With a seed, Gumbel-max sampling; else argmax. */
  readonly noiseSeed?: number;
  /** A slot stands for its spare set's members (spec `spareSets`): required counts count them. */
  readonly spareSets?: boolean;
  /** Per type, the spare classes the data holds on it (DecodeOptions.spareClasses). */
  readonly spareClasses?: readonly (readonly number[])[];
}

/** Required counts of graph b. */
export function requiredOf(required: SkeletonDecoderOptions["required"], b: number): readonly number[] | undefined {
  if (required === undefined || required.length === 0) return undefined;
  return typeof required[0] === "number"
    ? (required as readonly number[])
    : (required as (readonly number[] | undefined)[])[b];
}

/**
 * The `decodeSkeleton` hook of generator.ts `runGenerator` for generation: downloads the skeleton
 * logits, decodes each graph with `decodeSkeletonRows` (required items honoured), uploads the
 * hard rows. Not differentiable: generation only.
 */
export function skeletonDecoder(
  cols: StageColumns,
  options: SkeletonDecoderOptions = {},
): (logits: tf.Tensor3D) => tf.Tensor3D {
  const layout = skeletonLayout(cols, options.spareSets === true);
  return (logits) => {
    const [b, n, w] = logits.shape;
    const data = logits.dataSync() as Float32Array;
    const out = new Float32Array(b * n * w);
    const noise = options.noiseSeed === undefined ? undefined : uniformStream(options.noiseSeed);
    for (let g = 0; g < b; g++) {
      const required = requiredOf(options.required, g);
      const rows = decodeSkeletonRows(data.subarray(g * n * w, (g + 1) * n * w), n, layout, {
        ...(required ? { required } : {}),
        ...(noise ? { noise } : {}),
        ...(options.spareClasses ? { spareClasses: options.spareClasses } : {}),
      });
      out.set(rows, g * n * w);
    }
    return tf.tensor3d(out, [b, n, w]);
  };
}
