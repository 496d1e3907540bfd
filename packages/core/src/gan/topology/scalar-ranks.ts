/**
 * Ranked scalars: an item's continuous columns (footprint sides, design pressure, design
 * temperature) held as their rank among the training data's items of the same type, not as the
 * value itself.
 *
 * Why: a GAN's sigmoid output for a wide, type-dependent scalar collapses to the data's overall
 * middle. The shipped generator of stop 27 gave every type 4-6 barg, tanks included (the data's
 * tanks are atmospheric), so the contract masks put relief valves on four process lines per
 * design. In rank space the same output reads as "the type's median" and a spread around it reads
 * as the type's own spread, so a generator that learns nothing per type still draws each type's
 * typical value, and one that learns the spread draws the data's.
 *
 * The table is counted from the training designs (33 quantiles per type and column) and saved in
 * the spec. A spec without it keeps the values as they are (models saved before it). A value
 * outside its type's training range encodes as rank 0 or 1 and so decodes to that range's end:
 * an upload encoded with another dataset's table loses what lies beyond it (not counted yet).
 */
import { EQUIPMENT_TYPES } from "../../design/vocabulary.js";
import { requireGroup, type SlotGraphSpec } from "./spec.js";

/** Quantile points per column: the 0th, 1/32nd, ... 32nd 32nds. */
const POINTS = 33;
/** Fewer known values than this for a type: its column is kept as is (identity). */
const MIN_VALUES = 8;

/** The continuous node columns, in the order a table's rows list them; `known` names the flag that says the value exists. */
export const RANKED_COLUMNS = [
  { group: "footprint", index: 0 },
  { group: "footprint", index: 1 },
  { group: "footprint", index: 2 },
  { group: "designPressure", index: 0, known: "pressureKnown" },
  { group: "designTemperature", index: 0, known: "temperatureKnown" },
] as const;

/**
 * Per EQUIPMENT_TYPES index, per RANKED_COLUMNS entry: the column's quantile points in the
 * encoding's unit scale, or null where the type had too few values (kept as is).
 */
export interface ScalarRanks {
  readonly byType: readonly (readonly (readonly number[] | null)[])[];
}

/** Where each ranked column and its flag sit in a node row. */
function columnOffsets(spec: Pick<SlotGraphSpec, "nodeGroups">): { value: number; known: number }[] {
  return RANKED_COLUMNS.map((c) => ({
    value: requireGroup(spec.nodeGroups, c.group).offset + c.index,
    known: "known" in c ? requireGroup(spec.nodeGroups, c.known).offset : -1,
  }));
}

/**
 * The quantile table of node rows already encoded in unit scale: `rows` gives, per present item,
 * its node row (spec.nodeWidth columns).
 */
export function observeScalarRanks(
  spec: Pick<SlotGraphSpec, "nodeGroups" | "nodeWidth">,
  rows: Iterable<Float32Array>,
): ScalarRanks {
  const offsets = columnOffsets(spec);
  const type = requireGroup(spec.nodeGroups, "type");
  const values = EQUIPMENT_TYPES.map(() => RANKED_COLUMNS.map((): number[] => []));
  for (const row of rows) {
    const t = argmaxAt(row, type.offset, type.size);
    for (const [c, { value, known }] of offsets.entries()) {
      if (known >= 0 && row[known]! <= 0.5) continue;
      values[t]![c]!.push(row[value]!);
    }
  }
  return {
    byType: values.map((columns) =>
      columns.map((v) => {
        if (v.length < MIN_VALUES) return null;
        v.sort((a, b) => a - b);
        return Array.from({ length: POINTS }, (_, k) => v[Math.round((k * (v.length - 1)) / (POINTS - 1))]!);
      }),
    ),
  };
}

/** A value's rank among quantile points: interpolated between points, the middle of a run of equal points. */
export function rankOf(points: readonly number[], v: number): number {
  const last = points.length - 1;
  let lo = 0;
  while (lo <= last && points[lo]! < v) lo++;
  let hi = lo;
  while (hi <= last && points[hi]! === v) hi++;
  if (hi > lo) return (lo + hi - 1) / 2 / last; // equal to points lo..hi-1
  if (lo === 0) return 0;
  if (lo > last) return 1;
  const a = points[lo - 1]!;
  const b = points[lo]!;
  return (lo - 1 + (v - a) / (b - a)) / last;
}

/** The inverse of `rankOf`: the value at rank u ∈ [0, 1], interpolated between points. */
export function valueAt(points: readonly number[], u: number): number {
  const x = Math.min(1, Math.max(0, u)) * (points.length - 1);
  const k = Math.min(points.length - 2, Math.floor(x));
  return points[k]! + (x - k) * (points[k + 1]! - points[k]!);
}

/**
 * Rewrites the ranked columns of the present rows of `nodes` in place: `toRank` true takes unit
 * values to ranks (encoding), false takes ranks back to unit values (before decoding). A spec
 * without a table leaves them.
 */
export function convertScalarRanks(
  spec: SlotGraphSpec,
  nodes: Float32Array,
  mask: ArrayLike<number>,
  toRank: boolean,
): void {
  const table = spec.scalarRanks;
  if (!table) return;
  const offsets = columnOffsets(spec);
  const type = requireGroup(spec.nodeGroups, "type");
  const w = spec.nodeWidth;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i]! <= 0.5) continue;
    const row = nodes.subarray(i * w, (i + 1) * w);
    const columns = table.byType[argmaxAt(row, type.offset, type.size)];
    for (const [c, { value, known }] of offsets.entries()) {
      const points = columns?.[c];
      if (!points || (known >= 0 && row[known]! <= 0.5)) continue;
      row[value] = toRank ? rankOf(points, row[value]!) : valueAt(points, row[value]!);
    }
  }
}

function argmaxAt(row: Float32Array, offset: number, size: number): number {
  let best = 0;
  for (let k = 1; k < size; k++) if (row[offset + k]! > row[offset + best]!) best = k;
  return best;
}
