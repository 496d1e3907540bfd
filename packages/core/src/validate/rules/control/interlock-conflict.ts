import type { Interlock } from "../../../design/types.js";
import { listOf } from "../../describe.js";
import type { Rule } from "../../types.js";

type Action = Interlock["effects"][number]["action"];
type Trip = Interlock["cause"]["trip"];

/** Actions that cannot both hold for one target at once. */
const OPPOSITE: ReadonlyArray<readonly [Action, Action]> = [
  ["open", "close"],
  ["start", "stop"],
  ["start", "trip"],
];

const LOW = new Set<Trip>(["L", "LL"]);

interface Command {
  readonly interlock: Interlock;
  readonly action: Action;
}

function describe(c: Command): string {
  return `${c.interlock.tag} (${c.interlock.cause.instrument} ${c.interlock.cause.trip}) ${c.action}s it`;
}

/**
 * Two causes can be active together unless they are one instrument tripped on opposite sides
 * (LL vs HH). So commands p and q conflict when some pair of their causes is not that: the causes
 * span two instruments, or share a side. Decided per target in one pass over its commands.
 */
function conflicting(ps: readonly Command[], qs: readonly Command[]): boolean {
  const instruments = new Set<string>();
  let pLow = false;
  let pHigh = false;
  let qLow = false;
  let qHigh = false;
  for (const c of ps) {
    instruments.add(c.interlock.cause.instrument);
    if (LOW.has(c.interlock.cause.trip)) pLow = true;
    else pHigh = true;
  }
  for (const c of qs) {
    instruments.add(c.interlock.cause.instrument);
    if (LOW.has(c.interlock.cause.trip)) qLow = true;
    else qHigh = true;
  }
  return instruments.size > 1 || (pLow && qLow) || (pHigh && qHigh);
}

/**
 * Interlock effects on one target must not contradict each other when their causes can be active
 * together (open and close the same valve, start and stop the same pump). Causes on the same
 * instrument at opposite sides (LL vs HH) never coincide.
 */
export const rule: Rule = {
  id: "control.interlock-conflict",
  category: "control",
  severity: "error",
  appliesTo: "all",
  description:
    "No target receives opposing interlock actions (open/close, start/stop) from causes that can be active together.",
  source:
    "IEC 61511-1 / ISA-84.00.01 (safety instrumented functions are specified so that they do not defeat one another).",
  fix: "Give the element one action for each trip condition, or split the trips into interlocks that cannot act together.",
  check({ design, index }, emit) {
    const interlocks = design.control.interlocks;
    const { effectStart, effectTarget } = index.control;
    // Effects by their target's tag number; each target once, in the order of its first effect.
    const { start, items } = index.groupByTag(effectTarget);
    const owner = new Int32Array(effectTarget.length);
    for (let i = 0; i < interlocks.length; i++) owner.fill(i, effectStart[i]!, effectStart[i + 1]!);
    const effectAt = (e: number) => interlocks[owner[e]!]!.effects[e - effectStart[owner[e]!]!]!;
    for (let e = 0; e < effectTarget.length; e++) {
      const id = effectTarget[e]!;
      if (start[id + 1]! - start[id]! < 2 || items[start[id]!] !== e) continue;
      const target = effectAt(e).target;
      const commands: Command[] = Array.from(items.subarray(start[id]!, start[id + 1]!), (p) => ({
        interlock: interlocks[owner[p]!]!,
        action: effectAt(p).action,
      }));
      const involved: Command[] = [];
      for (const [p, q] of OPPOSITE) {
        const ps = commands.filter((c) => c.action === p);
        const qs = commands.filter((c) => c.action === q);
        if (ps.length === 0 || qs.length === 0 || !conflicting(ps, qs)) continue;
        for (const c of [...ps, ...qs]) if (!involved.includes(c)) involved.push(c);
      }
      if (involved.length === 0) continue;
      emit({
        message: `Interlocks give ${target} opposing commands that can be active together: ${listOf(involved.map(describe), 6)} (IEC 61511-1 10.3: safety functions must not defeat one another).`,
        tags: [target, ...involved.map((c) => c.interlock.tag)],
      });
    }
  },
};
