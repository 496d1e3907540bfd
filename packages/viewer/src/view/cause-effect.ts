/**
 * The Cause & Effect matrix the viewer shows beside the drawings: one row per interlock (its
 * initiating instrument and trip), one column per distinct effect (target and action), in the
 * order they first appear. The same layout as core's C&E CSV export.
 */
import type { Design, Interlock } from "@plantgan/core/design";

export interface EffectColumn {
  readonly target: string;
  readonly action: Interlock["effects"][number]["action"];
}

export interface CauseRow {
  readonly interlock: string;
  readonly instrument: string;
  readonly trip: Interlock["cause"]["trip"];
  /** One flag per column: true where this cause drives that effect. */
  readonly marks: readonly boolean[];
}

export interface CauseEffectMatrix {
  readonly columns: readonly EffectColumn[];
  readonly rows: readonly CauseRow[];
}

export function causeEffectMatrix(design: Design): CauseEffectMatrix {
  const columns: EffectColumn[] = [];
  const index = new Map<string, number>();
  for (const il of design.control.interlocks)
    for (const e of il.effects) {
      const key = `${e.target} ${e.action}`;
      if (!index.has(key)) {
        index.set(key, columns.length);
        columns.push({ target: e.target, action: e.action });
      }
    }
  const rows = design.control.interlocks.map((il) => {
    const marks = columns.map(() => false);
    for (const e of il.effects) marks[index.get(`${e.target} ${e.action}`)!] = true;
    return { interlock: il.tag, instrument: il.cause.instrument, trip: il.cause.trip, marks };
  });
  return { columns, rows };
}
