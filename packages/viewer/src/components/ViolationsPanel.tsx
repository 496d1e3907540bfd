import type { ValidationReport, Violation } from "@plantgan/core/design";
import { useMemo, useState } from "react";

type Severity = Violation["severity"];
type Category = Violation["category"];
const SEVERITIES: readonly Severity[] = ["error", "warning", "info"];
const CATEGORIES: readonly Category[] = ["geometry", "piping", "control", "consistency"];

export interface ViolationsPanelProps {
  readonly report: ValidationReport | undefined;
  readonly loading?: boolean;
  readonly error?: Error | undefined;
  readonly selected: number | null;
  readonly onSelect: (index: number | null, violation: Violation | null) => void;
}

/** The validation report beside the scene: summary, severity and category filters, the violations. */
export function ViolationsPanel({ report, loading, error, selected, onSelect }: ViolationsPanelProps) {
  const [severities, setSeverities] = useState<ReadonlySet<Severity>>(new Set(SEVERITIES));
  const [categories, setCategories] = useState<ReadonlySet<Category>>(new Set(CATEGORIES));
  const toggle = <T,>(set: ReadonlySet<T>, value: T): Set<T> => {
    const next = new Set(set);
    if (next.has(value)) next.delete(value);
    else next.add(value);
    return next;
  };
  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const v of report?.violations ?? []) {
      c[v.severity] = (c[v.severity] ?? 0) + 1;
      c[v.category] = (c[v.category] ?? 0) + 1;
    }
    return c;
  }, [report]);
  const shown = useMemo(
    () =>
      (report?.violations ?? [])
        .map((v, index) => ({ v, index }))
        .filter(({ v }) => severities.has(v.severity) && categories.has(v.category)),
    [report, severities, categories],
  );

  return (
    <section className="pg-panel pg-violations" aria-label="Violations">
      <header>
        <h2>Validation</h2>
        {report && (
          <span className="pg-summary" data-testid="report-summary">
            <b className="sev-error">{report.summary.errors}</b> errors ·{" "}
            <b className="sev-warning">{report.summary.warnings}</b> warnings · {report.summary.infos} infos ·{" "}
            {report.summary.rulesRun} rules ({report.rulePack.id} {report.rulePack.version})
          </span>
        )}
      </header>
      {loading && <p className="pg-muted">Validating…</p>}
      {error && <p className="pg-error">Validation failed: {error.message}</p>}
      {report && !report.geometryChecked && <p className="pg-note">Topology only: geometric rules did not run.</p>}
      {report && (
        <fieldset className="pg-filters" aria-label="Filters">
          {SEVERITIES.map((s) => (
            <label key={s} className={`chip sev-${s}`}>
              <input
                type="checkbox"
                checked={severities.has(s)}
                onChange={() => setSeverities(toggle(severities, s))}
              />
              {s} ({counts[s] ?? 0})
            </label>
          ))}
          {CATEGORIES.map((c) => (
            <label key={c} className="chip">
              <input
                type="checkbox"
                checked={categories.has(c)}
                onChange={() => setCategories(toggle(categories, c))}
              />
              {c} ({counts[c] ?? 0})
            </label>
          ))}
        </fieldset>
      )}
      <ul className="pg-violation-list">
        {shown.map(({ v, index }) => (
          <li key={index}>
            <button
              type="button"
              className={`pg-violation ${selected === index ? "selected" : ""}`}
              aria-pressed={selected === index}
              data-testid="violation"
              data-rule={v.rule}
              onClick={() => (selected === index ? onSelect(null, null) : onSelect(index, v))}
            >
              <span className={`badge sev-${v.severity}`}>{v.severity}</span>
              <span className="rule">{v.rule}</span>
              <span className="message">{v.message}</span>
              {v.suggestion && (
                <span className="suggestion" data-testid="violation-suggestion">
                  Fix: {v.suggestion}
                </span>
              )}
              {(v.tags.length > 0 || v.lines.length > 0) && (
                <span className="tags">{[...v.tags, ...v.lines].join(", ")}</span>
              )}
            </button>
          </li>
        ))}
        {report && shown.length === 0 && (
          <li className="pg-muted">No violations{report.violations.length > 0 ? " match the filters" : ""}.</li>
        )}
      </ul>
      {report && report.skipped.length > 0 && (
        <details className="pg-skipped">
          <summary>{report.skipped.length} rules skipped</summary>
          <ul>
            {report.skipped.map((s) => (
              <li key={s.rule}>
                <code>{s.rule}</code>: {s.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
