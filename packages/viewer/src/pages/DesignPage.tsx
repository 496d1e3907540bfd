import type { Design, Violation } from "@plantgan/core/design";
import type { PickTarget, SceneStats } from "@plantgan/scene";
import { useCallback, useMemo, useState } from "react";
import { useApi } from "../app/api-context.js";
import { href } from "../app/router.js";
import { useAsync } from "../app/use-async.js";
import { ExportMenu } from "../components/ExportMenu.js";
import { download, ErrorBox } from "../components/Misc.js";
import { PropertiesPanel } from "../components/PropertiesPanel.js";
import { type Focus, SceneView } from "../components/SceneView.js";
import { ViolationsPanel } from "../components/ViolationsPanel.js";
import type { Viewer } from "../view/viewer.js";

/** Toolbar over a scene: standard views, overlay and label toggles, glTF and PNG export. */
export function SceneToolbar({
  viewer,
  stats,
  name,
  overlay,
  setOverlay,
  labels,
  setLabels,
}: {
  viewer: Viewer | null;
  stats: SceneStats | null;
  name: string;
  overlay: boolean;
  setOverlay: (v: boolean) => void;
  labels: boolean;
  setLabels: (v: boolean) => void;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const run = (what: string, f: () => Promise<void>) => {
    setBusy(what);
    f()
      .catch((e) => alert(`${what} failed: ${(e as Error).message}`))
      .finally(() => setBusy(null));
  };
  return (
    <div className="pg-toolbar" role="toolbar" aria-label="View">
      <button type="button" onClick={() => viewer?.setView("top")}>
        Top
      </button>
      <button type="button" onClick={() => viewer?.setView("iso")}>
        Iso
      </button>
      <button type="button" onClick={() => viewer?.setView("side")}>
        Side
      </button>
      <label>
        <input type="checkbox" checked={overlay} onChange={(e) => setOverlay(e.target.checked)} /> Control overlay
      </label>
      <label>
        <input type="checkbox" checked={labels} onChange={(e) => setLabels(e.target.checked)} /> Tags
      </label>
      <span className="spacer" />
      <button
        type="button"
        disabled={!viewer || busy !== null}
        onClick={() =>
          run("glTF export", async () => download(await viewer!.exportGlb(), `${name}.glb`, "model/gltf-binary"))
        }
      >
        {busy === "glTF export" ? "Exporting…" : "Export glTF"}
      </button>
      <button
        type="button"
        disabled={!viewer || busy !== null}
        onClick={() => run("Snapshot", async () => download(await viewer!.snapshot(), `${name}.png`))}
      >
        PNG
      </button>
      {stats && (
        <span className="pg-muted pg-stats" data-testid="scene-stats">
          {stats.equipment} equipment · {stats.lines} lines ({stats.pipeSegments} segments) · {stats.drawObjects} draw
          objects
        </span>
      )}
    </div>
  );
}

/** Focus for a violation: its tags and lines highlighted, its location marked, the camera flown there. */
export function violationFocus(v: Violation): Focus {
  return { request: { tags: v.tags, lines: v.lines, location: v.location }, fly: true };
}

/** Design view: the 3D scene, the picked item's properties and the validation report beside it. */
export function DesignPage({ id }: { id: string }) {
  const { api } = useApi();
  const design = useAsync(() => api.getDesign(id), [id]);
  const d: Design | null = design.data?.design ?? null;
  const report = useAsync(async () => (d ? api.validate(d) : undefined), [d]);
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [stats, setStats] = useState<SceneStats | null>(null);
  const [overlay, setOverlay] = useState(true);
  const [labels, setLabels] = useState(true);
  const [picked, setPicked] = useState<PickTarget | null>(null);
  const [violation, setViolation] = useState<number | null>(null);

  const focus = useMemo<Focus | null>(() => {
    if (violation !== null) {
      const v = report.data?.violations[violation];
      if (v) return violationFocus(v);
    }
    if (picked)
      return {
        request: picked.kind === "line" ? { lines: [picked.id] } : { tags: [picked.id] },
        fly: false,
        selected: picked,
      };
    return null;
  }, [violation, picked, report.data]);

  const onPick = useCallback((t: PickTarget | null) => {
    setPicked(t);
    setViolation(null);
  }, []);

  return (
    <div className="pg-design-page">
      <div className="pg-main">
        <div className="pg-title">
          <a href={href("designs")}>Designs</a> / <b data-testid="design-id">{id}</b>
          {d?.name && <span className="pg-muted"> — {d.name}</span>}
          {design.data?.meta && (
            <span className={`badge status-${design.data.meta.status}`}>{design.data.meta.status}</span>
          )}
          <ExportMenu designId={id} />
        </div>
        <SceneToolbar
          viewer={viewer}
          stats={stats}
          name={id}
          overlay={overlay}
          setOverlay={setOverlay}
          labels={labels}
          setLabels={setLabels}
        />
        <ErrorBox error={design.error} />
        {design.loading && !d && <p className="pg-muted">Loading design…</p>}
        <SceneView
          design={d}
          focus={focus}
          overlay={overlay}
          labels={labels}
          onPick={onPick}
          onViewer={setViewer}
          onBuilt={(b) => setStats(b?.stats ?? null)}
        />
      </div>
      <aside className="pg-side">
        <PropertiesPanel design={d} target={picked} />
        <ViolationsPanel
          report={report.data}
          loading={report.loading && d !== null}
          error={report.error}
          selected={violation}
          onSelect={(index) => {
            setViolation(index);
            setPicked(null);
          }}
        />
      </aside>
    </div>
  );
}
