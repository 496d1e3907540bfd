import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

/**
 * A seeded random source (xoroshiro128+, pure-rand). Everything the designer draws goes through
 * one of these, never Math.random, so a seed names one design on every machine. `fork` gives an
 * independent stream for a sub-task (a template, the site, a retry) so that adding a draw in one
 * part does not shift every draw after it in another.
 */
export class Rng {
  private readonly gen: RandomGenerator;

  constructor(seed: number) {
    this.gen = xoroshiro128plus(seed | 0);
  }

  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return hi <= lo ? lo : uniformInt(this.gen, lo, hi);
  }

  /** Float in [lo, hi). */
  float(lo = 0, hi = 1): number {
    return lo + (hi - lo) * uniformFloat64(this.gen);
  }

  /** A float in [lo, hi] rounded to a multiple of `step` (sizes people would write down). */
  step(lo: number, hi: number, step: number): number {
    return round(lo + step * this.int(0, Math.floor((hi - lo) / step + 1e-9)), step);
  }

  chance(p: number): boolean {
    return uniformFloat64(this.gen) < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("Rng.pick: no items");
    return items[this.int(0, items.length - 1)]!;
  }

  /** Picks by weight; weights need not sum to 1. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = this.float(0, total);
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1]![0];
  }

  /** Fisher-Yates on a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** An independent generator, seeded from this one and a label. */
  fork(label: string): Rng {
    return new Rng(mixSeed(this.gen.next(), label));
  }
}

/** Rounds to a multiple of `step`, without binary noise in the printed value (0.1 + 0.2). */
export function round(value: number, step: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  return Number((Math.round(value / step) * step).toFixed(decimals));
}

/** A 32-bit seed from a number and a label (FNV-1a over the label, then a murmur3 finaliser). */
export function mixSeed(seed: number, label: string): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h | 0;
}
