/**
 * Cause & Effect matrix of the design's interlocks, as CSV: one row per cause (an interlock's
 * initiating instrument and trip condition), one column per effect (a final element and what
 * happens to it), "X" where the cause drives the effect. The usual layout of a safety C&E chart.
 */
import type { Design } from "../../design/index.js";
import { csvText } from "./csv.js";

const TRIP_WORDS = { LL: "low-low", L: "low", H: "high", HH: "high-high" } as const;

/** The columns before the effect columns. */
export const CAUSE_COLUMNS = ["Interlock", "Initiating instrument", "Trip", "Cause"] as const;

/** Effect column heading: the target's tag and the action, e.g. "P-101A stop". */
export function effectHeading(target: string, action: string): string {
  return `${target} ${action}`;
}

export function writeCauseEffect(design: Design): string {
  const effects: string[] = [];
  for (const il of design.control.interlocks) {
    for (const e of il.effects) {
      const h = effectHeading(e.target, e.action);
      if (!effects.includes(h)) effects.push(h);
    }
  }
  const names = new Map(design.instruments.map((i) => [i.tag, i.name]));
  const rows: string[][] = [[...CAUSE_COLUMNS, ...effects]];
  for (const il of design.control.interlocks) {
    const { instrument, trip } = il.cause;
    const what = names.get(instrument);
    const marked = new Set(il.effects.map((e) => effectHeading(e.target, e.action)));
    rows.push([
      il.tag,
      instrument,
      trip,
      `${instrument} ${TRIP_WORDS[trip]}${what ? ` (${what})` : ""}`,
      ...effects.map((h) => (marked.has(h) ? "X" : "")),
    ]);
  }
  return csvText(rows);
}
