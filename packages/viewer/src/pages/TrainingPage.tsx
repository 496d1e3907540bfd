import { type FormEvent, useCallback, useEffect, useMemo, useState } from "react";
import { type Job, type JobEvent, TRAINING_SETTINGS, type TrainingSettings } from "../api/client.js";
import { useApi } from "../app/api-context.js";
import { href } from "../app/router.js";
import { useAsync } from "../app/use-async.js";
import { LineChart } from "../components/LineChart.js";
import { ErrorBox, Progress } from "../components/Misc.js";
import { Thumbnail } from "../components/Thumbnail.js";
import { type EpochSeries, foldTrainingEvents } from "../view/training.js";

function TrainForm({ onJob }: { onJob: (job: Job) => void }) {
  const { api } = useApi();
  const datasets = useAsync(() => api.listDatasets(), []);
  const [dataset, setDataset] = useState("");
  const [id, setId] = useState("");
  // Defaults and bounds: training-settings.schema.json's, the server's and the CLI's.
  const [size, setSize] = useState<NonNullable<TrainingSettings["size"]>>(TRAINING_SETTINGS.size.default);
  const [generator, setGenerator] = useState<NonNullable<TrainingSettings["generator"]>>(
    TRAINING_SETTINGS.generator.default,
  );
  const [epochs, setEpochs] = useState<number>(TRAINING_SETTINGS.epochs.default);
  const [batchSize, setBatchSize] = useState<number>(TRAINING_SETTINGS.batchSize.default);
  // Empty: the model size's own learning rate.
  const [learningRate, setLearningRate] = useState("");
  const [extra, setExtra] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const first = datasets.data?.items[0];
    if (!dataset && first) setDataset(first.id);
  }, [datasets.data, dataset]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    let more: TrainingSettings = {};
    if (extra.trim()) {
      try {
        more = JSON.parse(extra) as TrainingSettings;
      } catch {
        setError(new Error('Other settings must be a JSON object, e.g. {"seed": 3, "limit": 500}'));
        return;
      }
    }
    setBusy(true);
    try {
      const modelId = id || `model-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "")}`;
      const lr = learningRate.trim() === "" ? {} : { learningRate: Number(learningRate) };
      onJob(
        await api.train({
          id: modelId,
          datasetId: dataset,
          settings: { size, generator, epochs, batchSize, ...lr, ...more },
        }),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="pg-panel pg-form" onSubmit={submit} aria-label="Train">
      <h2>Train a model</h2>
      <div className="pg-grid2">
        <label>
          Dataset
          <select name="dataset" value={dataset} onChange={(e) => setDataset(e.target.value)} required>
            <option value="" disabled>
              choose…
            </option>
            {(datasets.data?.items ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} ({d.designCount})
              </option>
            ))}
          </select>
        </label>
        <label>
          Model id (default: model-&lt;date&gt;)
          <input
            name="modelId"
            value={id}
            pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,127}"
            onChange={(e) => setId(e.target.value)}
          />
        </label>
        <label>
          Model size
          <select
            name="size"
            value={size}
            onChange={(e) => setSize(e.target.value as NonNullable<TrainingSettings["size"]>)}
          >
            <option value="small">small (the shipped model's)</option>
            <option value="tiny">tiny (quick tries)</option>
          </select>
        </label>
        <label>
          Generator
          <select
            name="generator"
            value={generator}
            onChange={(e) => setGenerator(e.target.value as NonNullable<TrainingSettings["generator"]>)}
          >
            <option value="layout">layout: places the topology around the site's racks (the shipped model's)</option>
            <option value="graph">graph: from the request's condition alone</option>
          </select>
        </label>
        <label>
          Epochs
          <input
            name="epochs"
            type="number"
            min={TRAINING_SETTINGS.epochs.minimum}
            max={TRAINING_SETTINGS.epochs.maximum}
            value={epochs}
            onChange={(e) => setEpochs(Number(e.target.value))}
          />
        </label>
        <label>
          Batch size
          <input
            name="batchSize"
            type="number"
            min={TRAINING_SETTINGS.batchSize.minimum}
            max={TRAINING_SETTINGS.batchSize.maximum}
            value={batchSize}
            onChange={(e) => setBatchSize(Number(e.target.value))}
          />
        </label>
        <label>
          Learning rate (default: the size's)
          <input
            name="learningRate"
            type="number"
            step="any"
            min={TRAINING_SETTINGS.learningRate.exclusiveMinimum}
            max={TRAINING_SETTINGS.learningRate.maximum}
            value={learningRate}
            onChange={(e) => setLearningRate(e.target.value)}
          />
        </label>
        <label>
          Other settings (JSON)
          <input
            name="extra"
            value={extra}
            placeholder='{"seed": 3, "limit": 500}'
            onChange={(e) => setExtra(e.target.value)}
          />
        </label>
      </div>
      <button type="submit" className="primary" disabled={busy || !dataset}>
        {busy ? "Starting…" : "Start training"}
      </button>
      <ErrorBox error={error} />
      <ErrorBox error={datasets.error} />
    </form>
  );
}

/** Live view of one training job: progress, losses and eval metrics per epoch, sample previews. */
function TrainingRun({ jobId, onUpdate }: { jobId: string; onUpdate?: () => void }) {
  const { api } = useApi();
  const [events, setEvents] = useState<JobEvent[]>([]);
  const [job, setJob] = useState<Job | null>(null);
  const [stream, setStream] = useState("connecting");
  useEffect(() => {
    const controller = new AbortController();
    setEvents([]);
    void api.getJob(jobId).then(setJob, () => {});
    void api
      .followJob(
        jobId,
        (e) => {
          setEvents((list) => [...list, e]);
          if (
            e.type === "progress" ||
            e.type === "started" ||
            e.type === "finished" ||
            e.type === "failed" ||
            e.type === "cancelled"
          ) {
            void api.getJob(jobId).then(setJob, () => {});
          }
        },
        { signal: controller.signal, onState: setStream },
      )
      .catch(() => {});
    return () => controller.abort();
  }, [api, jobId]);

  const view = useMemo(() => foldTrainingEvents(events), [events]);
  // Shares (validity, uniqueness) on their own 0–1 chart; counts such as legaliser moves beside it.
  const [shares, others] = useMemo(() => {
    const isShare = (s: EpochSeries) => s.points.every(([, v]) => v >= 0 && v <= 1);
    return [view.metrics.filter(isShare), view.metrics.filter((s) => !isShare(s))];
  }, [view.metrics]);
  // The models table shows the model's card and status: refresh it as epochs land and the job ends.
  const status = job?.status;
  const lastEpoch = view.lastEpoch;
  useEffect(() => {
    if (status !== undefined) onUpdate?.();
  }, [status, lastEpoch, onUpdate]);
  const progress = useMemo(() => {
    for (let i = events.length - 1; i >= 0; i--) {
      const d = events[i]!.data as {
        done?: number;
        total?: number;
        batch?: number;
        batches?: number;
        progress?: { done: number; total: number };
      } | null;
      if (d?.progress) return d.progress;
      if (typeof d?.done === "number" && typeof d.total === "number") {
        // Mid-epoch events say how far into the running epoch the trainer is.
        const within = typeof d.batch === "number" && d.batches ? d.batch / d.batches : 0;
        return { done: d.done + within, total: d.total };
      }
    }
    return job?.progress ?? null;
  }, [events, job]);
  const logs = events.filter((e) => e.type === "log" || e.type === "failed" || e.type === "requeued").slice(-30);

  return (
    <section className="pg-panel pg-run" aria-label="Training run" data-testid="training-run">
      <h2>
        Job {jobId} <span className={`badge status-${job?.status ?? "queued"}`}>{job?.status ?? "…"}</span>{" "}
        <span className="pg-muted">stream: {stream}</span>
        {job && (job.status === "running" || job.status === "queued") && (
          <button type="button" onClick={() => void api.cancelJob(jobId).then(setJob, () => {})}>
            Cancel
          </button>
        )}
      </h2>
      {progress && <Progress done={progress.done} total={progress.total} label="epochs" />}
      {job?.error && <p className="pg-error">{job.error}</p>}
      <div className="pg-charts">
        {view.topology.length > 0 && <LineChart title="topology generator losses" series={view.topology} />}
        <LineChart title={view.topology.length > 0 ? "layout generator losses" : "losses"} series={view.losses} />
        <LineChart title="eval metrics" series={shares} />
        {others.length > 0 && <LineChart title="pipeline" series={others} />}
      </div>
      {view.samples.length > 0 && (
        <div className="pg-samples">
          <h3>Samples per epoch</h3>
          {view.samples.slice(-6).map((s) => (
            <div key={s.epoch} className="pg-sample-row">
              <span>epoch {s.epoch}</span>
              {s.designs.slice(0, 4).map((d) => (
                <Thumbnail
                  key={d.key}
                  design={d.design}
                  cacheKey={`train:${jobId}:${d.key}`}
                  alt={`epoch ${s.epoch} sample ${d.slot + 1}`}
                />
              ))}
            </div>
          ))}
        </div>
      )}
      {logs.length > 0 && (
        <pre className="pg-log">
          {logs.map((e) => `${e.type}: ${typeof e.data === "string" ? e.data : JSON.stringify(e.data)}`).join("\n")}
        </pre>
      )}
    </section>
  );
}

/** Training: start a job on a dataset, follow it live, see earlier jobs and models. */
export function TrainingPage({ jobId }: { jobId: string | undefined }) {
  const { api } = useApi();
  const jobs = useAsync(() => api.listJobs({ kind: "train" }).catch(() => ({ items: [] as Job[] })), [jobId]);
  const models = useAsync(() => api.listModels().catch(() => ({ items: [] })), [jobId]);
  const { reload: reloadJobs } = jobs;
  const { reload: reloadModels } = models;
  const refresh = useCallback(() => {
    reloadJobs();
    reloadModels();
  }, [reloadJobs, reloadModels]);
  return (
    <div className="pg-page pg-training">
      <div className="pg-columns">
        <TrainForm onJob={(job) => (location.hash = href("training", undefined, { job: job.id }))} />
        <section className="pg-panel">
          <h2>Models</h2>
          <table className="pg-table">
            <thead>
              <tr>
                <th>id</th>
                <th>status</th>
                <th>dataset</th>
                <th>metrics</th>
              </tr>
            </thead>
            <tbody>
              {(models.data?.items ?? []).map((m) => (
                <tr key={m.id}>
                  <td>{m.id}</td>
                  <td>{m.status}</td>
                  <td>{m.card?.dataset.id ?? "—"}</td>
                  <td className="pg-muted">
                    {Object.entries(m.card?.metrics ?? {})
                      .slice(0, 4)
                      .map(([k, v]) => `${k} ${Number((v ?? Number.NaN).toPrecision(3))}`)
                      .join(" · ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Training jobs</h2>
          <ul className="pg-list">
            {(jobs.data?.items ?? []).map((j) => (
              <li key={j.id}>
                <a href={href("training", undefined, { job: j.id })}>{j.id}</a>{" "}
                <span className={`badge status-${j.status}`}>{j.status}</span>{" "}
                <span className="pg-muted">{j.createdAt}</span>
              </li>
            ))}
          </ul>
        </section>
      </div>
      {jobId && <TrainingRun key={jobId} jobId={jobId} onUpdate={refresh} />}
    </div>
  );
}
