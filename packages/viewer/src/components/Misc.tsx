import type { ReactNode } from "react";
import { ApiError } from "../api/client.js";

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error as Error;
  const issues = error instanceof ApiError ? (error.problem.issues ?? []) : [];
  return (
    <div className="pg-error" role="alert">
      {error instanceof ApiError ? `${error.code}: ` : ""}
      {e.message}
      {issues.length > 0 && (
        <ul>
          {issues.slice(0, 20).map((i) => (
            <li key={`${i.pointer}:${i.code ?? ""}:${i.message}`}>
              <code>{i.pointer || "/"}</code> {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Progress({ done, total, label }: { done: number; total: number; label?: ReactNode }) {
  const pct = total > 0 ? Math.min(100, (100 * done) / total) : 0;
  return (
    <div className="pg-progress" role="progressbar" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done}>
      <div className="bar" style={{ width: `${pct}%` }} />
      <span>
        {label} {Math.round(done * 10) / 10}/{total}
      </span>
    </div>
  );
}

/** Saves a Blob or ArrayBuffer as a file through a temporary object URL. */
export function download(data: Blob | ArrayBuffer, name: string, type = "application/octet-stream"): void {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
