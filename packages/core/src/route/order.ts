import type { ResolvedEnd } from "./ends.js";

/** What the ordering needs to know about a selected line. */
export interface OrderItem {
  readonly index: number;
  readonly from: ResolvedEnd;
  readonly to: ResolvedEnd;
}

export interface Ordering {
  /** Line indices in routing order: parents before their branches, then shortest first. */
  readonly order: number[];
  /** Lines caught in a loop of branch ends, which no order can satisfy. */
  readonly cycles: number[];
}

/**
 * Routing order. Short lines go first (the usual net ordering in maze routing: a short line has few
 * alternatives, a long one can detour or change level around what is already there); ties keep the
 * design's order, so the result is deterministic. A branch needs its parent's route to tee into,
 * so parents that are being routed come before their branches whatever their length.
 */
export function routingOrder(items: readonly OrderItem[]): Ordering {
  const byIndex = new Map(items.map((it) => [it.index, it]));
  const sorted = [...items].sort((a, b) => estimate(a) - estimate(b) || a.index - b.index);
  const order: number[] = [];
  const cycles: number[] = [];
  const state = new Map<number, "visiting" | "done" | "cycle">();

  const visit = (it: OrderItem): boolean => {
    const s = state.get(it.index);
    if (s === "done") return true;
    if (s === "visiting" || s === "cycle") return false;
    state.set(it.index, "visiting");
    let ok = true;
    for (const end of [it.from, it.to]) {
      if (end.kind !== "branch") continue;
      const parent = byIndex.get(end.parent);
      if (parent && !visit(parent)) ok = false;
    }
    if (!ok) {
      state.set(it.index, "cycle");
      cycles.push(it.index);
      return false;
    }
    state.set(it.index, "done");
    order.push(it.index);
    return true;
  };
  for (const it of sorted) visit(it);
  return { order, cycles };
}

/** Plan distance between nozzle ends; a branch sorts after nozzle-to-nozzle lines of its length. */
function estimate(it: OrderItem): number {
  if (it.from.kind === "nozzle" && it.to.kind === "nozzle") {
    const [ax, ay] = it.from.point;
    const [bx, by] = it.to.point;
    return Math.abs(ax - bx) + Math.abs(ay - by);
  }
  return Number.MAX_SAFE_INTEGER;
}
