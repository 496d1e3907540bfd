import type { Metres } from "../design/units.js";
import type { Layout } from "./layout.js";
import type { MoveReason, Unresolved } from "./types.js";

/** Why an item ended where it is: the rule it broke and what it had to clear. */
export interface Cause {
  readonly reason: Exclude<MoveReason, "snap">;
  readonly against?: string;
}

export interface ResolveOutcome {
  /** Per item index that moved: the rule that made it move. */
  readonly causes: Map<number, Cause>;
  readonly unresolved: Unresolved[];
  readonly conflictsBefore: number;
  /** Items whose own search found no legal position (they may have been cleared by a partner's move). */
  readonly stuck: ReadonlySet<number>;
  /** Per item that broke a rule before any move: that rule. */
  readonly initial: ReadonlyMap<number, Cause>;
}

/**
 * Resolves every broken rule with single-item moves to the nearest legal position.
 *
 * Every move takes an item to a position where it breaks no rule with anything (site, keep-outs,
 * racks, every other item), so a move never creates a conflict: one pass over the items in design
 * order, resolving each until it is clean, ends with at most one move per conflict. Where two
 * movable items clash, the one whose nearest legal position is closer to where it started moves
 * (ties: the smaller footprint, then the later item), which keeps the total displacement small.
 */
export function resolveConflicts(
  layout: Layout,
  movable: (i: number) => boolean,
  start: { readonly x: Float64Array; readonly y: Float64Array },
  grid: Metres,
  maxDistance: Metres,
  /** Report every stuck item, cleared or not (LegaliseOptions.v1). */
  reportAllStuck = false,
): ResolveOutcome {
  const n = layout.equipment.length;
  const causes = new Map<number, Cause>();
  const unresolved: Unresolved[] = [];
  const stuck = new Set<number>();
  const reported = new Set<string>();
  const tag = (i: number) => layout.equipment[i]!.tag;
  const area = (i: number) => layout.equipment[i]!.footprint.width * layout.equipment[i]!.footprint.depth;

  let conflictsBefore = 0;
  const pending: number[] = [];
  const initial = new Map<number, Cause>();
  for (let i = 0; i < n; i++) {
    const c = layout.conflict(i);
    if (c) {
      conflictsBefore++;
      pending.push(i);
      const against = c.other !== undefined ? tag(c.other) : c.feature;
      initial.set(i, { reason: c.reason, ...(against !== undefined ? { against } : {}) });
    }
  }

  for (const i of pending) {
    // An item may need several rounds: clearing one partner can leave it clashing with another.
    for (let guard = 0; guard <= n; guard++) {
      const c = layout.conflict(i);
      if (!c) break;
      const against = c.other !== undefined ? tag(c.other) : c.feature;
      const movers = [i, ...(c.other !== undefined ? [c.other] : [])].filter((m) => movable(m) && !stuck.has(m));
      if (movers.length === 0) {
        // Movable items that are stuck were reported when their search failed; fixed ones here, once a pair.
        const bothFixed = !movable(i) && (c.other === undefined || !movable(c.other));
        const tags = c.other !== undefined ? [tag(i), tag(c.other)].sort() : [tag(i)];
        const key = `${tags.join("/")}:${c.reason}:${c.feature ?? ""}`;
        if (bothFixed && !reported.has(key)) {
          reported.add(key);
          unresolved.push({
            code: "fixed_conflict",
            tags,
            message: `fixed ${tag(i)} breaks ${c.reason} against ${against ?? "?"}`,
          });
        }
        break;
      }
      let best: { m: number; x: number; y: number; cost: number } | undefined;
      for (const m of movers) {
        const spot = layout.nearestLegal(m, grid, maxDistance);
        if (!spot) {
          stuck.add(m);
          continue;
        }
        const cost = Math.hypot(spot[0] - start.x[m]!, spot[1] - start.y[m]!);
        const better =
          !best ||
          cost < best.cost - 1e-9 ||
          (Math.abs(cost - best.cost) <= 1e-9 && (area(m) < area(best.m) || (area(m) === area(best.m) && m > best.m)));
        if (better) best = { m, x: spot[0], y: spot[1], cost };
      }
      if (!best) continue;
      layout.move(best.m, best.x, best.y);
      const cause: Cause =
        best.m === i
          ? { reason: c.reason, ...(against !== undefined ? { against } : {}) }
          : { reason: c.reason, against: tag(i) };
      causes.set(best.m, cause);
    }
  }
  // Reported only if still breaking a rule: a partner's later move may have cleared a stuck item.
  for (const m of [...stuck].sort((a, b) => a - b)) {
    if (!reportAllStuck && !layout.conflict(m)) continue;
    unresolved.push({
      code: "no_position",
      tags: [tag(m)],
      message: `no legal position for ${tag(m)} within ${maxDistance} m`,
    });
  }
  return { causes, unresolved, conflictsBefore, stuck, initial };
}
