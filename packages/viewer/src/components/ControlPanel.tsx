import type { Design } from "@plantgan/core/design";
import type { PickTarget } from "@plantgan/scene";
import { useMemo } from "react";
import { causeEffectMatrix } from "../view/cause-effect.js";

const TRIP_WORDS = { LL: "low-low", L: "low", H: "high", HH: "high-high" } as const;

/**
 * Control made readable: the loops (measurement → controller → final element) and interlocks
 * as lists, and the interlocks' Cause & Effect matrix. Clicking a row selects the loop or
 * interlock in the drawings.
 */
export function ControlPanel({
  design,
  selected,
  onPick,
}: {
  design: Design;
  selected: PickTarget | null;
  onPick: (t: PickTarget) => void;
}) {
  const matrix = useMemo(() => causeEffectMatrix(design), [design]);
  const { loops, interlocks } = design.control;
  const cls = (kind: string, id: string): string => (selected?.kind === kind && selected.id === id ? "selected" : "");
  return (
    <section className="pg-panel pg-control" aria-label="Control" data-testid="control-panel">
      <h2>
        Control <span className="pg-muted">{`${loops.length} loops · ${interlocks.length} interlocks`}</span>
      </h2>
      {loops.length > 0 && (
        <table className="pg-table" data-testid="loop-list">
          <thead>
            <tr>
              <th>Loop</th>
              <th>Measures</th>
              <th>Drives</th>
              <th>Action</th>
            </tr>
          </thead>
          <tbody>
            {loops.map((l) => (
              <tr key={l.tag} className={cls("loop", l.tag)} onClick={() => onPick({ kind: "loop", id: l.tag })}>
                <th scope="row">{l.tag}</th>
                <td>{l.measurement}</td>
                <td>{l.finalElement}</td>
                <td>
                  {l.action}
                  {l.setpoint !== undefined ? ` @ ${l.setpoint}` : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {interlocks.length > 0 && (
        <>
          <h3>Cause &amp; Effect</h3>
          <div className="pg-ce-wrap">
            <table className="pg-table pg-ce" data-testid="cause-effect">
              <thead>
                <tr>
                  <th>Interlock</th>
                  <th>Cause</th>
                  {matrix.columns.map((c) => (
                    <th key={`${c.target} ${c.action}`} className="effect">
                      <span>
                        {c.target} {c.action}
                      </span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {matrix.rows.map((r) => (
                  <tr
                    key={r.interlock}
                    className={cls("interlock", r.interlock)}
                    onClick={() => onPick({ kind: "interlock", id: r.interlock })}
                  >
                    <th scope="row">{r.interlock}</th>
                    <td>
                      {r.instrument} {TRIP_WORDS[r.trip]}
                    </td>
                    {r.marks.map((m, i) => (
                      <td key={`${matrix.columns[i]!.target} ${matrix.columns[i]!.action}`} className="mark">
                        {m ? "X" : ""}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {loops.length === 0 && interlocks.length === 0 && <p className="pg-muted">No control loops or interlocks.</p>}
    </section>
  );
}
