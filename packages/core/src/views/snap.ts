/** Small numeric helpers shared by the decoders. */

/** Rounds to the nearest multiple of g (then to 1e-9 m, so 7·0.2 reads 1.4; never -0). */
export function snapToGrid(value: number, g: number): number {
  return Math.round(Math.round(value / g) * g * 1e9) / 1e9 + 0;
}

/** Index of the largest of `count` values from `start`; -1 when none is > 0. */
export function argmax(values: Float32Array, start: number, count: number): number {
  let best = -1;
  let bestValue = 0;
  for (let k = 0; k < count; k++) {
    const v = values[start + k]!;
    if (v > bestValue) {
      best = k;
      bestValue = v;
    }
  }
  return best;
}
