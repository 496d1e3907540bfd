import { mixSeed, Rng } from "@plantgan/core/designer";

export const SPLITS = ["train", "val", "test"] as const;
export type Split = (typeof SPLITS)[number];

/**
 * Splits each class's designs by a seeded shuffle: the first 80% train, the next 10% val, the rest
 * test (stratified, so every split holds every class in the same proportion).
 */
export function assignSplits(perClass: number, seed: number, processClass: string): Split[] {
  const order = new Rng(mixSeed(seed, `split:${processClass}`)).shuffle(Array.from({ length: perClass }, (_, k) => k));
  const train = Math.round(perClass * 0.8);
  const val = Math.round(perClass * 0.1);
  const split: Split[] = new Array(perClass);
  order.forEach((k, position) => {
    split[k] = position < train ? "train" : position < train + val ? "val" : "test";
  });
  return split;
}
