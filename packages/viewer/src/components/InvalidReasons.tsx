import type { Candidate } from "../api/client.js";

/** Why a candidate is not valid: its report's errors, each with its suggested fix. */
export function InvalidReasons({ candidate }: { candidate: Candidate }) {
  const errors = (candidate.report?.violations ?? []).filter((v) => v.severity === "error");
  const invalid = candidate.valid === false || errors.length > 0;
  if (!invalid) return null;
  const inherited = errors.filter((v) => v.inherited).length;
  return (
    <div className="pg-invalid" role="alert" data-testid="invalid-reasons">
      <b>
        Not valid: {errors.length} {errors.length === 1 ? "error" : "errors"} in its report.
      </b>
      {inherited > 0 && (
        <p className="pg-muted" data-testid="inherited-note">
          {inherited === errors.length ? "All" : inherited} of them the request's own topology already has (inherited):
          {inherited === errors.length ? " the layout added none." : " the others the layout added."}
        </p>
      )}
      <ul>
        {errors.slice(0, 12).map((v, i) => (
          <li key={`${v.rule}:${i}`}>
            <code>{v.rule}</code>
            {v.inherited && (
              <>
                {" "}
                <span className="badge">inherited</span>
              </>
            )}{" "}
            {v.message}
            {v.suggestion && <div className="pg-muted">Fix: {v.suggestion}</div>}
          </li>
        ))}
      </ul>
      {errors.length > 12 && <p className="pg-muted">…and {errors.length - 12} more in the report below.</p>}
    </div>
  );
}
