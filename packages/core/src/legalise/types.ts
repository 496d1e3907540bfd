import type { Design } from "../design/types.js";
import type { Metres } from "../design/units.js";

/**
 * Why an item moved. `snap`: only rounded to the grid. The others name the constraint that the
 * item broke before it moved: overlap with another item, the spacing table, tank spacing, the
 * access clearance, the site boundary, a keep-out area, a rack's keep-free clearance; `spread`:
 * moved to make room for others when single moves could not clear a dense cluster.
 */
export type MoveReason =
  | "snap"
  | "overlap"
  | "spacing"
  | "tank_spacing"
  | "access"
  | "boundary"
  | "keep_out"
  | "rack_clearance"
  /** Moved by the spreading pass that makes room in a cluster too dense for single moves. */
  | "spread";

/** One moved item: where it was, where it is now (footprint centres, m) and why. */
export interface Move {
  readonly tag: string;
  readonly from: readonly [number, number];
  readonly to: readonly [number, number];
  /** Plan distance between `from` and `to`, m. */
  readonly distance: number;
  readonly reason: MoveReason;
  /** The item or site feature (keep-out, rack id, "site") it had to clear, when there was one. */
  readonly against?: string;
}

/**
 * What the legaliser could not fix. Codes are stable:
 * - `fixed_conflict`: two fixed items break a rule between them, or a fixed item breaks a site rule.
 * - `no_position`: no legal position within `maxDistance` of the item.
 * - `unplaced`: the item has no position (topology only); it is left alone.
 * - `unknown_fixed`: a tag named in `fixed` is not in the design.
 */
export type UnresolvedCode = "fixed_conflict" | "no_position" | "unplaced" | "unknown_fixed";

export interface Unresolved {
  readonly code: UnresolvedCode;
  readonly tags: readonly string[];
  readonly message: string;
}

export interface LegaliseOptions {
  /** Tags that must not move (not even to snap). */
  readonly fixed?: readonly string[];
  /** Round positions to the site grid first. Default true. */
  readonly snap?: boolean;
  /** Farthest an item may be moved from where it stands, m. Default: the site's larger side. */
  readonly maxDistance?: Metres;
  /**
   * Added to every required distance, m. Default 0.5: the pack's distances are minimums, and the
   * router, which comes next, needs a free grid line between neighbours for the pipes that leave
   * facing nozzles (the legaliser benchmark: 93% of perturbed designs fully re-routed at 0.001 m,
   * 97% at 0.5 m). A margin also keeps float rounding from turning "equal" into "short".
   */
  readonly margin?: Metres;
  /**
   * Default false. true: behave as the legaliser synthetic-v1 was built with: single moves only,
   * and every item whose own search failed is reported, even when a later move cleared it. The
   * designer keeps it so that its seeds still reproduce that dataset byte for byte (without it,
   * train design tank_farm-0355 comes out of another attempt).
   */
  readonly v1?: boolean;
}

export interface LegaliseStats {
  /** Items that broke some rule after snapping, before any move. */
  readonly conflictsBefore: number;
  /** Candidate positions tested. */
  readonly candidates: number;
  /** Sum of all move distances, m. */
  readonly totalDisplacement: number;
}

export interface LegaliseResult {
  /** The design with moved items; lines whose routes the moves invalidated lose their `route`. */
  readonly design: Design;
  /** One entry per item that moved, in design order. */
  readonly moves: readonly Move[];
  readonly unresolved: readonly Unresolved[];
  /** Ids of lines whose route was dropped (an end moved, or a moved item now stands on it). */
  readonly staleRoutes: readonly string[];
  readonly stats: LegaliseStats;
}
