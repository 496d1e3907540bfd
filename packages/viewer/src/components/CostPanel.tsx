import type { CandidateCost, CandidatePolish } from "../api/client.js";

export interface CostPanelProps {
  readonly cost: CandidateCost | undefined;
  readonly polish: CandidatePolish | undefined;
}

/** Whole currency units with thousands separators: costs run to hundreds of thousands. */
function money(value: number, currency: string): string {
  return `${Math.round(value).toLocaleString("en-GB")} ${currency}`;
}

/**
 * A candidate's cost under the rule pack's cost model (total, pipe with its rack share, elbows,
 * land) and what the polish step saved, or why it kept the layout as generated.
 */
export function CostPanel({ cost, polish }: CostPanelProps) {
  if (!cost && !polish) return null;
  const saved =
    polish?.applied && polish.costBefore !== undefined && polish.costAfter !== undefined
      ? polish.costBefore - polish.costAfter
      : undefined;
  return (
    <section className="pg-panel pg-cost" aria-label="Cost">
      <header>
        <h2>Cost</h2>
      </header>
      {cost && (
        <table data-testid="cost-breakdown">
          <tbody>
            <tr>
              <th scope="row">Total</th>
              <td data-testid="cost-total">{money(cost.total, cost.currency)}</td>
            </tr>
            <tr>
              <th scope="row">Pipe</th>
              <td>
                {money(cost.pipe, cost.currency)} ({cost.routedLength.toFixed(0)} m routed)
              </td>
            </tr>
            <tr>
              <th scope="row">of which on racks</th>
              <td>{money(cost.rack, cost.currency)}</td>
            </tr>
            <tr>
              <th scope="row">Elbows</th>
              <td>{money(cost.bends, cost.currency)}</td>
            </tr>
            <tr>
              <th scope="row">Land</th>
              <td>
                {money(cost.land, cost.currency)} ({cost.area.toFixed(0)} m²)
              </td>
            </tr>
          </tbody>
        </table>
      )}
      {polish && (
        <p data-testid="cost-polish" className={polish.applied ? undefined : "pg-muted"}>
          {saved !== undefined && cost
            ? `Polish saved ${money(saved, cost.currency)} (${((100 * saved) / polish.costBefore!).toFixed(1)}%)`
            : `Not polished: ${polish.reason}`}
        </p>
      )}
    </section>
  );
}
