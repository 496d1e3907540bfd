import type { CandidateMeta } from "../api/client.js";

/**
 * Topology mode: a candidate invalid only for errors its request's own drawing already has (the
 * server counts those marked inherited) has a valid layout. The card says so beside "invalid",
 * so a user reviewing an imported P&ID sees the layout is not to blame.
 */
export function LayoutBadge({ meta }: { meta: Pick<CandidateMeta, "valid" | "layoutValid" | "inheritedErrors"> }) {
  if (meta.valid !== false || meta.layoutValid !== true) return null;
  const n = meta.inheritedErrors ?? 0;
  return (
    <span
      className="badge valid"
      data-testid="layout-valid-flag"
      title="Every error of this candidate is one the request's own topology already has; the layout and routing added none."
    >
      layout valid; {n} inherited {n === 1 ? "finding" : "findings"}
    </span>
  );
}
