import {
  EQUIPMENT_TYPES,
  type EquipmentType,
  GENERATION_COUNT_LIMITS,
  GENERATION_REQUEST_DEFAULTS,
  type GenerationRequest,
  PROCESS_CLASSES,
  type ProcessClass,
} from "@plantgan/core/design";
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import type { Candidate, CandidateMeta, CandidateStatus, Job, JobEvent } from "../api/client.js";
import { ApiError, TERMINAL_STATUSES } from "../api/client.js";
import { useApi } from "../app/api-context.js";
import { href } from "../app/router.js";
import { useAsync } from "../app/use-async.js";
import { CostPanel } from "../components/CostPanel.js";
import { InvalidReasons } from "../components/InvalidReasons.js";
import { LayoutBadge } from "../components/LayoutBadge.js";
import { ErrorBox, Progress } from "../components/Misc.js";
import { SceneView } from "../components/SceneView.js";
import { Thumbnail } from "../components/Thumbnail.js";
import { ViolationsPanel } from "../components/ViolationsPanel.js";
import { regenerateRequest } from "../view/regenerate.js";
import { topologySourceLabel } from "../view/topology-source.js";
import { violationFocus } from "./DesignPage.js";
import { BlendForm, VariantForm } from "./VariantPanel.js";

/** Candidates per page of the grid. */
const PAGE_SIZE = 24;

interface EquipmentRow {
  /** Stable React key. */
  readonly key: number;
  readonly type: EquipmentType;
  readonly count: number;
}

let rowKeys = 0;

/** The generate form: process class, site, equipment as types and counts, count, seed, truncation, model. */
function GenerateForm({ onJob }: { onJob: (job: Job) => void }) {
  const { api } = useApi();
  const models = useAsync(() => api.listModels().catch(() => ({ items: [] })), []);
  const [processClass, setProcessClass] = useState<ProcessClass>("tank_farm");
  const [width, setWidth] = useState(120);
  const [depth, setDepth] = useState(80);
  const [equipment, setEquipment] = useState<EquipmentRow[]>(() => [
    { key: ++rowKeys, type: "tank", count: 2 },
    { key: ++rowKeys, type: "pump", count: 2 },
  ]);
  const [count, setCount] = useState<number>(GENERATION_REQUEST_DEFAULTS.count);
  const [seed, setSeed] = useState(1);
  const [truncation, setTruncation] = useState<number>(GENERATION_REQUEST_DEFAULTS.truncation);
  const [model, setModel] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const readyModels = useMemo(() => (models.data?.items ?? []).filter((m) => m.status === "ready"), [models.data]);
  useEffect(() => {
    if (!model && readyModels[0]) setModel(readyModels[0].id);
  }, [model, readyModels]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    const request: GenerationRequest = {
      schemaVersion: "1.0",
      processClass,
      site: { width, depth },
      equipment: equipment.filter((r) => r.count > 0).map(({ type, count }) => ({ type, count })),
      count,
      seed,
      truncation,
    };
    try {
      onJob(await api.generate(request, model));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const setRow = (i: number, row: EquipmentRow) => setEquipment(equipment.map((r, k) => (k === i ? row : r)));
  return (
    <form className="pg-panel pg-form" onSubmit={submit} aria-label="Generate">
      <h2>Generate candidates</h2>
      <div className="pg-grid2">
        <label>
          Process class
          <select
            name="processClass"
            value={processClass}
            onChange={(e) => setProcessClass(e.target.value as ProcessClass)}
          >
            {PROCESS_CLASSES.map((c) => (
              <option key={c} value={c}>
                {c.replace(/_/g, " ")}
              </option>
            ))}
          </select>
        </label>
        {readyModels.length > 0 ? (
          <label>
            Model
            <select name="model" value={model} onChange={(e) => setModel(e.target.value)} required>
              <option value="" disabled>
                choose…
              </option>
              {readyModels.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.id}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <label>
            Model
            <input
              name="model"
              value={model}
              placeholder="no ready model: train one, or type an id"
              onChange={(e) => setModel(e.target.value)}
              required
            />
          </label>
        )}
        <label>
          Site width (m, x)
          <input
            name="width"
            type="number"
            min={10}
            max={5000}
            value={width}
            onChange={(e) => setWidth(Number(e.target.value))}
          />
        </label>
        <label>
          Site depth (m, y)
          <input
            name="depth"
            type="number"
            min={10}
            max={5000}
            value={depth}
            onChange={(e) => setDepth(Number(e.target.value))}
          />
        </label>
      </div>
      <fieldset>
        <legend>Equipment</legend>
        {equipment.map((row, i) => (
          <div className="pg-row" key={row.key}>
            <select
              aria-label="Equipment type"
              value={row.type}
              onChange={(e) => setRow(i, { ...row, type: e.target.value as EquipmentType })}
            >
              {EQUIPMENT_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t.replace(/_/g, " ")}
                </option>
              ))}
            </select>
            <input
              aria-label="Count"
              type="number"
              min={1}
              max={500}
              value={row.count}
              onChange={(e) => setRow(i, { ...row, count: Number(e.target.value) })}
            />
            <button type="button" onClick={() => setEquipment(equipment.filter((_, k) => k !== i))} aria-label="Remove">
              ×
            </button>
          </div>
        ))}
        <button
          type="button"
          onClick={() => setEquipment([...equipment, { key: ++rowKeys, type: "vessel", count: 1 }])}
        >
          Add equipment
        </button>
      </fieldset>
      <div className="pg-grid3">
        <label>
          Candidates
          <input
            name="count"
            type="number"
            min={GENERATION_COUNT_LIMITS.minimum}
            max={GENERATION_COUNT_LIMITS.maximum}
            value={count}
            onChange={(e) => setCount(Number(e.target.value))}
          />
        </label>
        <label>
          Seed
          <input
            name="seed"
            type="number"
            min={0}
            max={4294967295}
            value={seed}
            onChange={(e) => setSeed(Number(e.target.value))}
          />
        </label>
        <label>
          Truncation {truncation.toFixed(2)}
          <input
            name="truncation"
            type="range"
            min={0.05}
            max={3}
            step={0.05}
            value={truncation}
            onChange={(e) => setTruncation(Number(e.target.value))}
          />
        </label>
      </div>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Submitting…" : "Generate"}
      </button>
      <ErrorBox error={error} />
    </form>
  );
}

/** Follows a generation job over SSE and reports when it ends. */
function JobFollower({ jobId, onDone }: { jobId: string; onDone: () => void }) {
  const { api } = useApi();
  const [job, setJob] = useState<Job | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [state, setState] = useState("connecting");
  const [last, setLast] = useState<JobEvent | null>(null);
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => {
    const controller = new AbortController();
    let finished = false;
    const onDone = (): void => done.current();
    void api.getJob(jobId).then(
      (j) => {
        setJob(j);
        setProgress(j.progress);
        if (TERMINAL_STATUSES.has(j.status)) {
          finished = true;
          controller.abort();
          onDone();
        }
      },
      () => {},
    );
    void api
      .followJob(
        jobId,
        (e) => {
          setLast(e);
          const p =
            (e.data as { progress?: { done: number; total: number }; done?: number; total?: number } | null) ?? null;
          if (p?.progress) setProgress(p.progress);
          else if (typeof p?.done === "number" && typeof p.total === "number")
            setProgress({ done: p.done, total: p.total });
          if (e.type === "finished" || e.type === "failed" || e.type === "cancelled") {
            void api.getJob(jobId).then(
              (j) => {
                setJob(j);
                setProgress(j.progress);
              },
              () => {},
            );
            if (!finished) onDone();
            finished = true;
          }
        },
        { signal: controller.signal, onState: setState },
      )
      .catch(() => {});
    return () => controller.abort();
  }, [api, jobId]);
  return (
    <div className="pg-panel pg-job" data-testid="job">
      <b>Job {jobId}</b>{" "}
      <span className={`badge status-${job?.status ?? "queued"}`}>{job?.status ?? last?.type ?? "queued"}</span>{" "}
      <span className="pg-muted">stream: {state}</span>
      <div data-testid="job-progress" data-done={progress?.done ?? 0} data-total={progress?.total ?? 0}>
        {progress ? (
          <Progress done={progress.done} total={progress.total} label="candidates" />
        ) : (
          <Progress done={0} total={0} label="waiting for a worker" />
        )}
      </div>
      {job?.error && <p className="pg-error">{job.error}</p>}
    </div>
  );
}

function Scores({ meta, full }: { meta: CandidateMeta; full: Candidate | undefined }) {
  const r = full?.report?.summary;
  return (
    <dl className="pg-scores">
      {meta.rank !== undefined && (
        <>
          <dt>rank</dt>
          <dd>{meta.rank}</dd>
        </>
      )}
      <dt>errors</dt>
      <dd className={(r?.errors ?? meta.errors ?? 0) > 0 ? "sev-error" : "ok"}>{r?.errors ?? meta.errors ?? "—"}</dd>
      {r && (
        <>
          <dt>warnings</dt>
          <dd>{r.warnings}</dd>
        </>
      )}
    </dl>
  );
}

function CandidateCard({
  meta,
  full,
  compared,
  onCompare,
  onOpen,
}: {
  meta: CandidateMeta;
  full: Candidate | undefined;
  compared: boolean;
  onCompare: (on: boolean) => void;
  onOpen: () => void;
}) {
  return (
    <article
      className={`pg-card ${compared ? "compared" : ""}`}
      data-testid="candidate"
      data-id={meta.id}
      data-status={meta.status}
      data-valid={meta.valid === undefined ? undefined : String(meta.valid)}
    >
      <button type="button" className="pg-card-open" onClick={onOpen} aria-label={`Open ${meta.id}`}>
        <Thumbnail design={full?.design} cacheKey={`candidate:${meta.id}`} alt={meta.id} />
      </button>
      <div className="pg-card-body">
        <div>
          <b>{meta.id}</b> <span className={`badge status-${meta.status}`}>{meta.status}</span>{" "}
          {meta.valid !== undefined && (
            <span className={`badge ${meta.valid ? "valid" : "invalid"}`} data-testid="valid-flag">
              {meta.valid ? "valid" : "invalid"}
            </span>
          )}{" "}
          <LayoutBadge meta={meta} /> <SourceBadge metadata={full?.design.metadata} />
        </div>
        <Scores meta={meta} full={full} />
        <label className="pg-muted">
          <input type="checkbox" checked={compared} onChange={(e) => onCompare(e.target.checked)} /> compare
        </label>
      </div>
    </article>
  );
}

/** Which topology source drew the candidate's P&ID (learned, designer, request). */
function SourceBadge({ metadata }: { metadata: Readonly<Record<string, unknown>> | undefined }) {
  const label = topologySourceLabel(metadata);
  if (!label) return null;
  return (
    <span className="badge" data-testid="topology-source" title={label.title}>
      {label.text}
    </span>
  );
}

/** Pins equipment of a candidate and asks for new candidates that keep it where it is. */
function RegeneratePanel({ candidate }: { candidate: Candidate }) {
  const { api } = useApi();
  const [pinned, setPinned] = useState<ReadonlySet<string>>(new Set());
  const [count, setCount] = useState(2);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const toggle = (tag: string, on: boolean) =>
    setPinned((p) => {
      const next = new Set(p);
      if (on) next.add(tag);
      else next.delete(tag);
      return next;
    });
  const regenerate = async () => {
    setError(null);
    setBusy(true);
    try {
      const seed = Math.floor(Math.random() * 2 ** 31);
      const job = await api.generate(
        regenerateRequest(candidate.design, pinned, { count, seed }),
        candidate.modelId ?? "default",
      );
      location.hash = href("candidates", undefined, { job: job.id });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="pg-regenerate" data-testid="regenerate-panel">
      <summary>Pin equipment and regenerate the rest</summary>
      <p className="pg-muted">Pinned items stay where they are in the new candidates (the request's fixed items).</p>
      <div className="pg-pins">
        {candidate.design.equipment.map((e) => (
          <label key={e.tag}>
            <input
              type="checkbox"
              data-testid="pin"
              value={e.tag}
              checked={pinned.has(e.tag)}
              onChange={(ev) => toggle(e.tag, ev.target.checked)}
            />{" "}
            {e.tag}
          </label>
        ))}
      </div>
      <div className="pg-row">
        <label>
          Candidates{" "}
          <input
            type="number"
            min={1}
            max={GENERATION_COUNT_LIMITS.maximum}
            value={count}
            onChange={(e) => setCount(Number(e.target.value))}
          />
        </label>
        <button
          type="button"
          className="primary"
          data-testid="regenerate"
          disabled={pinned.size === 0 || busy}
          onClick={regenerate}
        >
          Regenerate the rest ({pinned.size} pinned)
        </button>
      </div>
      <ErrorBox error={error} />
    </details>
  );
}

/**
 * Review of one candidate: its scene, why it is invalid (if it is), its report; accept (under
 * another id when its own is taken, with a recorded reason when it has errors) or reject; pin
 * items and regenerate the rest; make a variant or a blend of it.
 */
function ReviewPanel({
  candidate,
  others,
  onReviewed,
}: {
  candidate: Candidate;
  /** The candidates listed beside it: what "Blend with…" offers. */
  others: readonly CandidateMeta[];
  onReviewed: () => void;
}) {
  const { api } = useApi();
  const [comment, setComment] = useState("");
  const [override, setOverride] = useState("");
  const [rename, setRename] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<{ status: CandidateStatus; acceptedAs?: string } | null>(null);
  const [violation, setViolation] = useState<number | null>(null);
  const hasErrors = candidate.valid === false || (candidate.report?.summary.errors ?? 0) > 0;
  const decide = async (decision: "accept" | "reject") => {
    setError(null);
    try {
      const r = await api.review(candidate.id, decision, comment, {
        ...(rename ? { designId: rename } : {}),
        ...(hasErrors && override.trim() ? { overrideReason: override.trim() } : {}),
      });
      const acceptedAs = r.design?.id ?? r.candidate.review?.acceptedAs;
      setResult({
        status: r.candidate.status ?? (decision === "accept" ? "accepted" : "rejected"),
        ...(acceptedAs ? { acceptedAs } : {}),
      });
      onReviewed();
    } catch (err) {
      // The id is taken: offer the free id the API suggests, editable.
      if (err instanceof ApiError && err.code === "conflict") {
        const suggested = (err.problem as { suggestedId?: string }).suggestedId;
        setRename(suggested ?? `${rename ?? candidate.designId}-2`);
      }
      setError(err);
    }
  };
  const v = violation !== null ? candidate.report?.violations[violation] : undefined;
  const status = result?.status ?? candidate.status;
  return (
    <section className="pg-panel pg-review" aria-label="Review" data-testid="review">
      <h2>
        {candidate.id}{" "}
        <span className={`badge status-${status}`} data-testid="review-status">
          {status}
        </span>
      </h2>
      <InvalidReasons candidate={candidate} />
      <div className="pg-review-body">
        <SceneView
          design={candidate.design}
          focus={v ? violationFocus(v) : null}
          className="pg-scene-medium"
          testId="review-scene"
        />
        <div className="pg-review-side">
          {status === "pending" ? (
            <div className="pg-form">
              <label>
                Comment
                <textarea
                  name="comment"
                  value={comment}
                  maxLength={2000}
                  onChange={(e) => setComment(e.target.value)}
                />
              </label>
              {hasErrors && (
                <label>
                  Accept in spite of its errors, because (recorded)
                  <textarea
                    name="override"
                    value={override}
                    maxLength={2000}
                    onChange={(e) => setOverride(e.target.value)}
                  />
                </label>
              )}
              {rename !== null && (
                <label>
                  Design id {candidate.designId} is taken; accept as
                  <input data-testid="accept-as" value={rename} onChange={(e) => setRename(e.target.value)} />
                </label>
              )}
              <div className="pg-row">
                <button
                  type="button"
                  className="primary"
                  disabled={hasErrors && !override.trim()}
                  onClick={() => decide("accept")}
                >
                  {rename !== null ? "Accept as new id" : "Accept"}
                </button>
                <button type="button" className="danger" onClick={() => decide("reject")}>
                  Reject
                </button>
              </div>
            </div>
          ) : (
            <p>
              Reviewed: {status}
              {(result?.acceptedAs ?? candidate.review?.acceptedAs) && (
                <>
                  {" "}
                  as design{" "}
                  <a
                    data-testid="accepted-as"
                    href={href("designs", result?.acceptedAs ?? candidate.review?.acceptedAs)}
                  >
                    {result?.acceptedAs ?? candidate.review?.acceptedAs}
                  </a>
                </>
              )}
              {candidate.review?.comment && <span className="pg-muted"> — “{candidate.review.comment}”</span>}
            </p>
          )}
          <ErrorBox error={error} />
          <RegeneratePanel candidate={candidate} />
          <VariantForm candidate={candidate} />
          <BlendForm candidate={candidate} others={others} />
          <CostPanel cost={candidate.cost} polish={candidate.polish} />
          <ViolationsPanel report={candidate.report} selected={violation} onSelect={(i) => setViolation(i)} />
        </div>
      </div>
    </section>
  );
}

function Compare({ a, b }: { a: Candidate; b: Candidate }) {
  const rows: [string, (c: Candidate) => string | number][] = [
    ["errors", (c) => c.report?.summary.errors ?? "—"],
    ["warnings", (c) => c.report?.summary.warnings ?? "—"],
    ["equipment", (c) => c.design.equipment.length],
    ["lines", (c) => c.design.lines.length],
    ["routed", (c) => c.design.lines.filter((l) => l.route).length],
    ["loops", (c) => c.design.control.loops.length],
    ["plot", (c) => `${c.design.site.width} × ${c.design.site.depth} m`],
  ];
  return (
    <section className="pg-panel pg-compare" aria-label="Compare" data-testid="compare">
      <h2>Compare</h2>
      <div className="pg-compare-grid">
        {[a, b].map((c) => (
          <div key={c.id}>
            <b>{c.id}</b>
            <SceneView design={c.design} className="pg-scene-medium" testId="compare-scene" />
          </div>
        ))}
      </div>
      <table className="pg-table">
        <thead>
          <tr>
            <th />
            <th>{a.id}</th>
            <th>{b.id}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([k, f]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{f(a)}</td>
              <td>{f(b)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Candidates: generate, a thumbnail grid with scores, compare two side by side, accept or reject. */
export function CandidatesPage({ jobId, openId }: { jobId: string | undefined; openId: string | undefined }) {
  const { api } = useApi();
  const [status, setStatus] = useState<CandidateStatus | "">("");
  const [tick, setTick] = useState(0);
  // Pages by cursor; the stack holds the cursors of the pages before this one.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  useEffect(() => setCursors([]), [jobId, status]);
  const list = useAsync(
    () =>
      api.listCandidates({
        ...(jobId ? { job: jobId } : {}),
        ...(status ? { status } : {}),
        ...(cursor ? { cursor } : {}),
        limit: PAGE_SIZE,
      }),
    [jobId, status, tick, cursor],
  );
  const [full, setFull] = useState<Record<string, Candidate>>({});
  const [compare, setCompare] = useState<string[]>([]);
  const [open, setOpen] = useState<string | undefined>(openId);

  useEffect(() => setOpen(openId), [openId]);
  // The full records (design + report) of what the list names, fetched once per status.
  const fetched = useRef(new Map<string, string>());
  useEffect(() => {
    for (const m of list.data?.items ?? []) {
      if (fetched.current.get(m.id) === m.status) continue;
      fetched.current.set(m.id, m.status);
      void api.getCandidate(m.id).then(
        (c) => setFull((f) => ({ ...f, [c.id]: c })),
        () => fetched.current.delete(m.id),
      );
    }
  }, [api, list.data]);

  const onJob = (job: Job) => {
    location.hash = href("candidates", undefined, { job: job.id });
  };
  const items = list.data?.items ?? [];
  const pair = compare.map((id) => full[id]).filter((c): c is Candidate => c !== undefined);
  const opened = open ? full[open] : undefined;
  return (
    <div className="pg-page pg-candidates">
      <div className="pg-columns">
        <GenerateForm onJob={onJob} />
        {jobId && <JobFollower key={jobId} jobId={jobId} onDone={() => setTick((t) => t + 1)} />}
      </div>
      <div className="pg-toolbar">
        <h2>Candidates{jobId ? ` of job ${jobId}` : ""}</h2>
        <label>
          Status{" "}
          <select value={status} onChange={(e) => setStatus(e.target.value as CandidateStatus | "")}>
            <option value="">all</option>
            <option value="pending">pending</option>
            <option value="accepted">accepted</option>
            <option value="rejected">rejected</option>
          </select>
        </label>
        {jobId && <a href={href("candidates")}>all jobs</a>}
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      </div>
      <ErrorBox error={list.error} />
      {list.loading && items.length === 0 && <p className="pg-muted">Loading…</p>}
      {!list.loading && items.length === 0 && <p className="pg-muted">No candidates yet: generate some.</p>}
      {pair.length === 2 && <Compare a={pair[0]!} b={pair[1]!} />}
      {opened && (
        <ReviewPanel
          key={opened.id}
          candidate={opened}
          others={items}
          onReviewed={() => {
            void api.getCandidate(opened.id).then(
              (c) => setFull((f) => ({ ...f, [c.id]: c })),
              () => {},
            );
            list.reload();
          }}
        />
      )}
      <div className="pg-card-grid" data-testid="candidate-grid">
        {items.map((m) => (
          <CandidateCard
            key={m.id}
            meta={m}
            full={full[m.id]}
            compared={compare.includes(m.id)}
            onCompare={(on) =>
              setCompare((c) => (on ? [...c.filter((x) => x !== m.id), m.id].slice(-2) : c.filter((x) => x !== m.id)))
            }
            onOpen={() => {
              setOpen(m.id);
              scrollTo({ top: 0, behavior: "smooth" });
            }}
          />
        ))}
      </div>
      <div className="pg-row pg-pager" data-testid="pager">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous
        </button>
        <span className="pg-muted">Page {cursors.length + 1}</span>
        <button
          type="button"
          disabled={!list.data?.nextCursor}
          onClick={() => {
            const next = list.data?.nextCursor;
            if (next) setCursors((c) => [...c, next]);
          }}
        >
          Next
        </button>
      </div>
    </div>
  );
}
