import type { Equipment, KeepOut, RulePack, SpacingSelector } from "../design/types.js";

/** Why two items must stand apart; the legaliser reports it as the move's reason. */
export type PairReason = "overlap" | "spacing" | "tank_spacing" | "access";

/**
 * The plan distances a rule pack asks for, compiled once per design so that a candidate position
 * is checked with table look-ups. Pair distances are edge to edge (rectangle distance), as the
 * pack's spacing table states them.
 */
export interface Requirements {
  /** Least edge-to-edge distance between two items (0: they may touch but not overlap). */
  pair(a: Equipment, b: Equipment): number;
  /** Which pack entry sets `pair(a, b)`. */
  pairReason(a: Equipment, b: Equipment): PairReason;
  /** The largest distance `e` may require of any other item in this design: the search radius. */
  reach(e: Equipment): number;
  /** Distance every item keeps from a rack's footprint. */
  readonly rack: number;
  /** Least distance from `e` to the site boundary, the property line (0: it may touch it). */
  boundary(e: Equipment): number;
  /** Least distance from `e` to a keep-out of `kind` (0: it may touch it, not overlap it). */
  keepOut(e: Equipment, kind: KeepOut["kind"]): number;
}

/**
 * Distance of a tank to the property line (NFPA 30 Table 22.4.1.1(a), pack tankSiting): a fraction
 * of its diameter, never under the minimum, capped at the maximum. Only tanks of flammable or
 * NFPA-classed liquid owe it (as the tank-property-line rule reads the pack); others owe 0.
 */
export function propertyLineDistance(pack: RulePack, e: Equipment): number {
  const siting = pack.tankSiting;
  if (!siting || e.type !== "tank" || (e.hazard !== "flammable" && e.liquidClass === undefined)) return 0;
  const need = Math.max(siting.fractionOfDiameter * tankDiameter(e), siting.minimum);
  return Math.min(need, siting.maximum ?? Number.POSITIVE_INFINITY);
}

/**
 * Distance of flammable equipment to a substation (non-classified electrical equipment, an
 * ignition source): the classified area's extent (API RP 505, pack hazardousArea). Others owe 0.
 */
export function hazardousAreaDistance(pack: RulePack, e: Equipment, kind: KeepOut["kind"]): number {
  return kind === "substation" && e.hazard === "flammable" ? (pack.hazardousArea?.extent ?? 0) : 0;
}

/** Hazard classes of equipment that is itself an ignition source (as geometry.hazardous-area reads them). */
const IGNITING: ReadonlySet<Equipment["hazard"]> = new Set(["fired", "ignition_source"]);

/**
 * Distance between an ignition source (fired or igniting equipment) and flammable equipment: the
 * classified area's extent (API RP 505, pack hazardousArea), as geometry.hazardous-area asks where
 * the spacing table says less. Other pairs owe 0.
 */
export function ignitionDistance(pack: RulePack, a: Equipment, b: Equipment): number {
  const facing =
    (IGNITING.has(a.hazard) && b.hazard === "flammable") || (IGNITING.has(b.hazard) && a.hazard === "flammable");
  return facing ? (pack.hazardousArea?.extent ?? 0) : 0;
}

function matches(sel: SpacingSelector, e: Equipment): boolean {
  return (sel.hazard === undefined || sel.hazard === e.hazard) && (sel.type === undefined || sel.type === e.type);
}

/** A tank's diameter: the larger side of its footprint (tanks are round; footprints square). */
export function tankDiameter(e: Equipment): number {
  return Math.max(e.footprint.width, e.footprint.depth);
}

/**
 * Shell-to-shell tank distance (NFPA 30 §22.4.2 style): a fraction of the sum of the diameters,
 * the large-tank fraction when either tank is above the large-tank diameter, never less than the
 * pack's minimum.
 */
export function tankDistance(pack: RulePack, da: number, db: number): number {
  const t = pack.tankSpacing;
  const large = t.largeTankDiameter !== undefined && Math.max(da, db) > t.largeTankDiameter;
  const fraction = large && t.largeTankFraction !== undefined ? t.largeTankFraction : t.fractionOfSumOfDiameters;
  return Math.max(t.minimum, fraction * (da + db));
}

/**
 * Compiles the pack for the items of one design. Items are keyed by (type, hazard): every spacing
 * entry depends on those two only, so the table is scanned once per pair of keys, not per pair of
 * items. The legaliser asks for a pair at every candidate position it tries, so each item's key is
 * looked up by the item itself (no key string built per call) and a pair of keys by two indices.
 */
export function compileRequirements(pack: RulePack, equipment: readonly Equipment[]): Requirements {
  const access = pack.access.clearance;
  /** Index of each (type, hazard) key met so far, and each item's key index (by identity). */
  const keys = new Map<string, number>();
  const itemKeys = new Map<Equipment, number>();
  const keyOf = (e: Equipment): number => {
    let k = itemKeys.get(e);
    if (k === undefined) {
      const name = `${e.type}|${e.hazard}`;
      k = keys.get(name);
      if (k === undefined) {
        k = keys.size;
        keys.set(name, k);
      }
      itemKeys.set(e, k);
    }
    return k;
  };
  /** Spacing-table distance per unordered pair of key indices, row the larger index. */
  const tableCache: (number | undefined)[][] = [];
  const table = (a: Equipment, b: Equipment): number => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    const hi = Math.max(ka, kb);
    const row = tableCache[hi] ?? [];
    tableCache[hi] = row;
    let d = row[Math.min(ka, kb)];
    if (d === undefined) {
      d = 0;
      for (const s of pack.spacing) {
        if ((matches(s.a, a) && matches(s.b, b)) || (matches(s.a, b) && matches(s.b, a))) d = Math.max(d, s.distance);
      }
      d = Math.max(d, ignitionDistance(pack, a, b));
      row[Math.min(ka, kb)] = d;
    }
    return d;
  };
  let largestTank = 0;
  for (const e of equipment) if (e.type === "tank") largestTank = Math.max(largestTank, tankDiameter(e));

  const reachCache: (number | undefined)[] = [];
  const reachOfKey = (e: Equipment): number => {
    const key = keyOf(e);
    let r = reachCache[key];
    if (r === undefined) {
      r = access;
      for (const s of pack.spacing) if (matches(s.a, e) || matches(s.b, e)) r = Math.max(r, s.distance);
      if (IGNITING.has(e.hazard) || e.hazard === "flammable") r = Math.max(r, pack.hazardousArea?.extent ?? 0);
      reachCache[key] = r;
    }
    return r;
  };

  const pairParts = (a: Equipment, b: Equipment): [number, number, number] => {
    const tank = a.type === "tank" && b.type === "tank" ? tankDistance(pack, tankDiameter(a), tankDiameter(b)) : 0;
    return [table(a, b), tank, access];
  };

  return {
    rack: pack.rackKeepFree.clearance,
    boundary: (e) => propertyLineDistance(pack, e),
    keepOut: (e, kind) => hazardousAreaDistance(pack, e, kind),
    pair(a, b) {
      const [s, t, c] = pairParts(a, b);
      return Math.max(s, t, c);
    },
    pairReason(a, b) {
      const [s, t, c] = pairParts(a, b);
      const d = Math.max(s, t, c);
      if (d === 0) return "overlap";
      if (d === t && t > 0) return "tank_spacing";
      if (d === s && s > c) return "spacing";
      return "access";
    },
    reach(e) {
      const r = reachOfKey(e);
      return e.type === "tank" ? Math.max(r, tankDistance(pack, tankDiameter(e), largestTank)) : r;
    },
  };
}
