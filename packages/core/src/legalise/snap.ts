import { type Cells, cellsToMetres, type Metres, metres, nearestCells } from "../design/units.js";

/**
 * Grid snapping. Footprint centres go to grid nodes: the router and the grid view both work on
 * nodes at multiples of the grid size, so a centre on a node puts the same body on the same
 * cells however the design was produced. Values are cleaned of binary noise (0.1 + 0.2).
 */
export function snapValue(value: Metres, grid: Metres): Metres {
  return metres(cleanNumber(cellsToMetres(nearestCells(value, grid), grid)));
}

/** Removes float noise below a micrometre so that printed coordinates stay short and stable. */
export function cleanNumber(value: number): number {
  const r = Math.round(value * 1e6) / 1e6;
  return Object.is(r, -0) ? 0 : r;
}

/**
 * Offsets (in grid steps) with squared length in [r0², r1²), ordered by length, then by a fixed
 * angle order, so the nearest legal position is found first and ties are broken the same way on
 * every run. Memoised: the legaliser asks for the same annuli for every item.
 */
const annulusCache = new Map<string, Int32Array>();

export function annulus(r0: Cells, r1: Cells): Int32Array {
  const key = `${r0}:${r1}`;
  const cached = annulusCache.get(key);
  if (cached) return cached;
  const lo = r0 * r0;
  const hi = r1 * r1;
  const found: [number, number, number][] = [];
  for (let dy = -r1; dy <= r1; dy++) {
    for (let dx = -r1; dx <= r1; dx++) {
      const d2 = dx * dx + dy * dy;
      if (d2 >= lo && d2 < hi) found.push([d2, dx, dy]);
    }
  }
  // Equal lengths: by angle from east, counter-clockwise (atan2 is deterministic for integers).
  found.sort((a, b) => a[0] - b[0] || angle(a[1], a[2]) - angle(b[1], b[2]));
  const out = new Int32Array(found.length * 2);
  found.forEach(([, dx, dy], k) => {
    out[2 * k] = dx;
    out[2 * k + 1] = dy;
  });
  if (annulusCache.size < 256) annulusCache.set(key, out);
  return out;
}

function angle(dx: number, dy: number): number {
  const a = Math.atan2(dy, dx);
  return a < 0 ? a + 2 * Math.PI : a;
}
