/**
 * Variants and blends of a candidate (POST /v1/generate/variants, /v1/generate/blends): "Variant…"
 * regenerates it with the same latent and changed conditions, "Blend with…" mixes its latent with a
 * second candidate's. Each starts a job; the page then follows it and lists the new candidate.
 */
import { useState } from "react";
import type { Candidate, CandidateMeta, Job } from "../api/client.js";
import { useApi } from "../app/api-context.js";
import { href } from "../app/router.js";
import { ErrorBox } from "../components/Misc.js";

/** The changes as the API takes them: one per line or comma. */
export function splitChanges(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function useJobStarter(): { busy: boolean; error: unknown; start: (make: () => Promise<Job>) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const start = async (make: () => Promise<Job>) => {
    setError(null);
    setBusy(true);
    try {
      const job = await make();
      // Follow the job: the page lists its candidates when it ends.
      location.hash = href("candidates", undefined, { job: job.id });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, start };
}

/** "Variant…": condition changes, e.g. equipment.pump=+1 or site.width=200. */
export function VariantForm({ candidate }: { candidate: Candidate }) {
  const { api } = useApi();
  const [changes, setChanges] = useState("equipment.pump=+1");
  const { busy, error, start } = useJobStarter();
  return (
    <details className="pg-regenerate" data-testid="variant-panel">
      <summary>Variant…</summary>
      <p className="pg-muted">
        Same latent, changed conditions, one per line or comma: <code>equipment.&lt;type&gt;=n</code>, <code>+n</code>{" "}
        or <code>-n</code> (from what this candidate holds); <code>site.width</code>, <code>site.depth</code>,{" "}
        <code>site.windFrom</code>.
      </p>
      <form
        className="pg-row"
        aria-label="Variant"
        onSubmit={(e) => {
          e.preventDefault();
          void start(() => api.variant(candidate.id, splitChanges(changes)));
        }}
      >
        <input
          name="changes"
          aria-label="Changes"
          value={changes}
          onChange={(e) => setChanges(e.target.value)}
          placeholder="equipment.pump=+1, site.width=200"
        />
        <button type="submit" className="primary" data-testid="make-variant" disabled={busy}>
          Make variant
        </button>
      </form>
      <ErrorBox error={error} />
    </details>
  );
}

/** "Blend with…": a second candidate and where between the two (0: this one). */
export function BlendForm({ candidate, others }: { candidate: Candidate; others: readonly CandidateMeta[] }) {
  const { api } = useApi();
  const choices = others.filter((o) => o.id !== candidate.id && o.processClass === candidate.design.processClass);
  const [other, setOther] = useState("");
  const [t, setT] = useState(0.5);
  const { busy, error, start } = useJobStarter();
  const chosen = other || choices[0]?.id || "";
  return (
    <details className="pg-regenerate" data-testid="blend-panel">
      <summary>Blend with…</summary>
      <p className="pg-muted">Mixes the two latents (spherically); the blend answers this candidate's request.</p>
      <form
        className="pg-row"
        aria-label="Blend"
        onSubmit={(e) => {
          e.preventDefault();
          if (chosen) void start(() => api.blend(candidate.id, chosen, t));
        }}
      >
        {choices.length > 0 ? (
          <select name="other" aria-label="Second candidate" value={chosen} onChange={(e) => setOther(e.target.value)}>
            {choices.map((o) => (
              <option key={o.id} value={o.id}>
                {o.id}
              </option>
            ))}
          </select>
        ) : (
          <input
            name="other"
            aria-label="Second candidate"
            value={other}
            placeholder="candidate id"
            onChange={(e) => setOther(e.target.value)}
          />
        )}
        <label>
          t{" "}
          <input
            name="t"
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={t}
            onChange={(e) => setT(Number(e.target.value))}
          />
        </label>
        <button type="submit" className="primary" data-testid="make-blend" disabled={busy || !chosen}>
          Blend
        </button>
      </form>
      <ErrorBox error={error} />
    </details>
  );
}
