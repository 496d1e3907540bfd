import { PROCESS_CLASSES } from "@plantgan/core/design";
import { designIdFromName } from "@plantgan/core/formats";
import { type FormEvent, useState } from "react";
import { type DesignMeta, formatOfFileName, type UploadFormat, type UploadReport } from "../api/client.js";
import { useApi } from "../app/api-context.js";
import { href } from "../app/router.js";
import { useAsync } from "../app/use-async.js";
import { ErrorBox } from "../components/Misc.js";

interface FileResult {
  readonly name: string;
  readonly format: UploadFormat | undefined;
  readonly report?: UploadReport;
  readonly error?: unknown;
}

/** Upload of JSON, NDJSON and DEXPI XML files, one request per file, with each record's result. */
function Upload({ datasets, onDone }: { datasets: readonly { id: string; name: string }[]; onDone: () => void }) {
  const { api } = useApi();
  const [results, setResults] = useState<FileResult[]>([]);
  const [dataset, setDataset] = useState("");
  const [busy, setBusy] = useState(false);

  const onFiles = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setBusy(true);
    const out: FileResult[] = [];
    setResults([]);
    for (const file of Array.from(files)) {
      const format = formatOfFileName(file.name);
      if (!format) {
        out.push({
          name: file.name,
          format,
          error: new Error("Unknown file type: use .json, .ndjson or .xml (DEXPI)"),
        });
        setResults([...out]);
        continue;
      }
      try {
        // A DEXPI drawing is named by its file, as the CLI and the API's multipart import name it.
        const id = format === "dexpi" ? designIdFromName(file.name) : undefined;
        const report = await api.uploadDesigns(await file.text(), format, {
          ...(dataset ? { dataset } : {}),
          ...(id ? { id } : {}),
        });
        out.push({ name: file.name, format, report });
      } catch (error) {
        out.push({ name: file.name, format, error });
      }
      setResults([...out]);
    }
    setBusy(false);
    onDone();
  };

  return (
    <section className="pg-panel pg-upload" aria-label="Upload">
      <h2>Upload designs</h2>
      <div className="pg-row">
        <label>
          Into dataset{" "}
          <select name="uploadDataset" value={dataset} onChange={(e) => setDataset(e.target.value)}>
            <option value="">none</option>
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label className="pg-file">
          <input
            type="file"
            name="files"
            multiple
            accept=".json,.ndjson,.jsonl,.xml,application/json,application/x-ndjson,application/xml"
            onChange={(e) => void onFiles(e.target.files).then(() => (e.target.value = ""))}
            data-testid="upload-input"
          />
        </label>
        {busy && <span className="pg-muted">Uploading…</span>}
      </div>
      <p className="pg-muted">
        JSON (one design or an array), NDJSON (one design per line) or DEXPI 1.x XML (imported as a topology).
      </p>
      {results.map((r) => (
        <div key={r.name} className="pg-upload-result" data-testid="upload-result" data-file={r.name}>
          <b>{r.name}</b> <span className="pg-muted">{r.format ?? "?"}</span>{" "}
          {r.report && (
            <span data-testid="upload-counts">
              <b className="ok">{r.report.accepted} accepted</b>,{" "}
              <b className={r.report.refused > 0 ? "sev-error" : ""}>{r.report.refused} refused</b>
            </span>
          )}
          <ErrorBox error={r.error} />
          {r.report && (
            <ul>
              {r.report.records.slice(0, 200).map((rec) => (
                <li key={rec.where} className={rec.accepted ? "ok" : "sev-error"}>
                  <code>{rec.where}</code>{" "}
                  {rec.accepted ? (
                    <>
                      accepted as <a href={href("designs", rec.id)}>{rec.id}</a>
                    </>
                  ) : (
                    <>
                      refused
                      <ul>
                        {(rec.issues ?? []).slice(0, 10).map((iss) => (
                          <li key={`${iss.pointer}:${iss.code ?? ""}:${iss.message}`}>
                            <code>{iss.pointer || "/"}</code> {iss.message}
                          </li>
                        ))}
                      </ul>
                    </>
                  )}
                </li>
              ))}
              {r.report.records.length > 200 && <li className="pg-muted">… {r.report.records.length - 200} more</li>}
            </ul>
          )}
          {r.report?.renamedTags && r.report.renamedTags.length > 0 && (
            <p className="pg-muted">
              Renamed tags: {r.report.renamedTags.map((t) => `${t.from} → ${t.to}`).join(", ")}
            </p>
          )}
          {r.report?.unmapped && r.report.unmapped.length > 0 && (
            <p className="pg-muted">{r.report.unmapped.length} DEXPI elements not mapped.</p>
          )}
        </div>
      ))}
    </section>
  );
}

function DatasetList({
  onChange,
  selected,
  onSelect,
  version,
}: {
  onChange: () => void;
  selected: string;
  onSelect: (id: string) => void;
  /** Bumped when designs change elsewhere on the page (an upload), so the counts are read again. */
  version: number;
}) {
  const { api } = useApi();
  const list = useAsync(() => api.listDatasets(), [version]);
  const [name, setName] = useState("");
  const [error, setError] = useState<unknown>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api.createDataset({ name });
      setName("");
      list.reload();
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="pg-panel" aria-label="Datasets">
      <h2>Datasets</h2>
      <ErrorBox error={list.error} />
      <table className="pg-table" data-testid="datasets">
        <thead>
          <tr>
            <th>name</th>
            <th>designs</th>
            <th>created</th>
          </tr>
        </thead>
        <tbody>
          {(list.data?.items ?? []).map((d) => (
            <tr key={d.id} className={selected === d.id ? "selected" : ""}>
              <td>
                <button type="button" className="link" onClick={() => onSelect(selected === d.id ? "" : d.id)}>
                  {d.name}
                </button>
                {d.description && <div className="pg-muted">{d.description}</div>}
              </td>
              <td>{d.designCount}</td>
              <td className="pg-muted">{d.createdAt.slice(0, 16).replace("T", " ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="pg-row" onSubmit={create}>
        <input
          name="datasetName"
          placeholder="new dataset name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={200}
        />
        <button type="submit">Create</button>
      </form>
      <ErrorBox error={error} />
    </section>
  );
}

/** Datasets and designs: lists with filters, and uploads with per-file results. */
export function DatasetsPage({ query }: { query: URLSearchParams }) {
  const { api } = useApi();
  const [dataset, setDataset] = useState(query.get("dataset") ?? "");
  const [processClass, setProcessClass] = useState(query.get("processClass") ?? "");
  const [status, setStatus] = useState(query.get("status") ?? "");
  const [tick, setTick] = useState(0);
  const datasets = useAsync(() => api.listDatasets(), [tick]);
  const [pages, setPages] = useState<{ items: DesignMeta[]; next?: string }>({ items: [] });
  const designs = useAsync(async () => {
    const page = await api.listDesigns({ dataset, processClass, status, limit: 100 });
    setPages({ items: page.items, ...(page.nextCursor ? { next: page.nextCursor } : {}) });
    return page;
  }, [dataset, processClass, status, tick]);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [target, setTarget] = useState("");
  const [changeError, setChangeError] = useState<unknown>(null);
  const addPicked = async () => {
    setChangeError(null);
    try {
      await api.changeDataset(target, { add: [...picked] });
      setPicked(new Set());
      setTick((t) => t + 1);
    } catch (err) {
      setChangeError(err);
    }
  };
  const togglePicked = (id: string) =>
    setPicked((p) => {
      const next = new Set(p);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const more = async () => {
    if (!pages.next) return;
    const page = await api.listDesigns({ dataset, processClass, status, limit: 100, cursor: pages.next });
    setPages({ items: [...pages.items, ...page.items], ...(page.nextCursor ? { next: page.nextCursor } : {}) });
  };

  return (
    <div className="pg-page pg-datasets">
      <div className="pg-columns">
        <DatasetList onChange={() => setTick((t) => t + 1)} selected={dataset} onSelect={setDataset} version={tick} />
        <Upload datasets={datasets.data?.items ?? []} onDone={() => setTick((t) => t + 1)} />
      </div>
      <section className="pg-panel" aria-label="Designs">
        <div className="pg-toolbar">
          <h2>Designs</h2>
          <label>
            Dataset{" "}
            <select name="filterDataset" value={dataset} onChange={(e) => setDataset(e.target.value)}>
              <option value="">all</option>
              {(datasets.data?.items ?? []).map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Process class{" "}
            <select name="filterProcessClass" value={processClass} onChange={(e) => setProcessClass(e.target.value)}>
              <option value="">all</option>
              {PROCESS_CLASSES.map((c) => (
                <option key={c} value={c}>
                  {c.replace(/_/g, " ")}
                </option>
              ))}
            </select>
          </label>
          <label>
            Status{" "}
            <select name="filterStatus" value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">all</option>
              <option value="uploaded">uploaded</option>
              <option value="accepted">accepted</option>
            </select>
          </label>
          <span className="spacer" />
          <label>
            Add {picked.size} selected to{" "}
            <select name="addTo" value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="">dataset…</option>
              {(datasets.data?.items ?? []).map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" disabled={!target || picked.size === 0} onClick={() => void addPicked()}>
            Add
          </button>
        </div>
        <ErrorBox error={changeError} />
        <ErrorBox error={designs.error} />
        <table className="pg-table" data-testid="designs">
          <thead>
            <tr>
              <th aria-label="select" />
              <th>id</th>
              <th>name</th>
              <th>class</th>
              <th>status</th>
              <th>source</th>
              <th>equipment</th>
              <th>lines</th>
              <th>placed</th>
              <th>created</th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((d) => (
              <tr key={d.id} data-testid="design-row" data-id={d.id}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`select ${d.id}`}
                    checked={picked.has(d.id)}
                    onChange={() => togglePicked(d.id)}
                  />
                </td>
                <td>
                  <a href={href("designs", d.id)}>{d.id}</a>
                </td>
                <td>{d.name ?? ""}</td>
                <td>{d.processClass.replace(/_/g, " ")}</td>
                <td>
                  <span className={`badge status-${d.status}`}>{d.status}</span>
                </td>
                <td>{d.source}</td>
                <td>{d.summary?.equipment?.total ?? "—"}</td>
                <td>{d.summary?.lines?.total ?? "—"}</td>
                <td>{d.summary?.placement ?? "—"}</td>
                <td className="pg-muted">{d.createdAt.slice(0, 16).replace("T", " ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {designs.loading && <p className="pg-muted">Loading…</p>}
        {!designs.loading && pages.items.length === 0 && <p className="pg-muted">No designs match.</p>}
        {pages.next && (
          <button type="button" onClick={() => void more()}>
            More
          </button>
        )}
      </section>
    </div>
  );
}
