/**
 * A candidate's latent: the z each learned stage was given for its accepted proposal, one entry
 * per stage (the layout generator today; the learned topology generator joins as `topology`
 * without a format change). Variants reuse it; blends interpolate it, entry by entry.
 */

/** The latents of one candidate, one entry per learned stage that ran. */
export interface LatentRecord {
  readonly layout: readonly number[];
  readonly topology?: readonly number[];
}

/** The stages a latent record may hold, in a fixed order (metadata keys, blending). */
export const LATENT_STAGES = ["layout", "topology"] as const;
export type LatentStage = (typeof LATENT_STAGES)[number];

/**
 * Spherical interpolation from `a` (t = 0) to `b` (t = 1): the path stays at the norms a Gaussian
 * latent has, where a straight line would pass through the low-norm middle the generator never saw.
 * Nearly parallel vectors fall back to the straight line.
 */
export function slerp(a: readonly number[], b: readonly number[], t: number): number[] {
  if (a.length !== b.length) throw new RangeError(`latents of ${a.length} and ${b.length} numbers`);
  const norm = (v: readonly number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const na = norm(a);
  const nb = norm(b);
  const cos = na === 0 || nb === 0 ? 1 : a.reduce((s, x, i) => s + x * b[i]!, 0) / (na * nb);
  const omega = Math.acos(Math.min(1, Math.max(-1, cos)));
  const so = Math.sin(omega);
  if (so < 1e-6) return a.map((x, i) => (1 - t) * x + t * b[i]!);
  const wa = Math.sin((1 - t) * omega) / so;
  const wb = Math.sin(t * omega) / so;
  // Float32, as the generator reads it: a blend recorded and replayed gives the same proposal.
  return a.map((x, i) => Math.fround(wa * x + wb * b[i]!));
}

/**
 * Blends two candidates' latents entry by entry. Both must hold the same stages with the same
 * sizes (the same model); otherwise a RangeError naming the stage.
 */
export function blendLatents(a: LatentRecord, b: LatentRecord, t: number): LatentRecord {
  const out: Partial<Record<LatentStage, number[]>> = {};
  for (const stage of LATENT_STAGES) {
    const x = a[stage];
    const y = b[stage];
    if (x === undefined && y === undefined) continue;
    if (x === undefined || y === undefined)
      throw new RangeError(`only one of the two candidates has a ${stage} latent`);
    if (x.length !== y.length)
      throw new RangeError(`${stage} latents of ${x.length} and ${y.length} numbers (different models)`);
    out[stage] = slerp(x, y, t);
  }
  return out as LatentRecord;
}

/** A latent entry as metadata text: its float32 values, little-endian, base64 (exact and short). */
export function encodeLatent(values: readonly number[]): string {
  const bytes = new Uint8Array(new Float32Array(values).buffer);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The inverse of `encodeLatent`; undefined for text that is not one. */
export function decodeLatent(text: string): number[] | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  if (binary.length === 0 || binary.length % 4 !== 0) return undefined;
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const values = Array.from(new Float32Array(bytes.buffer));
  return values.every(Number.isFinite) ? values : undefined;
}
