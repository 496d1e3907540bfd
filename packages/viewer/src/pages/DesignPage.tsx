import type { Design, Violation } from "@plantgan/core/design";
import type { PickTarget, SceneStats } from "@plantgan/scene";
import { useCallback, useMemo, useState } from "react";
import { useApi } from "../app/api-context.js";
import { href } from "../app/router.js";
import { useAsync } from "../app/use-async.js";
import { ControlPanel } from "../components/ControlPanel.js";
import { ExportMenu } from "../components/ExportMenu.js";
import { download, ErrorBox } from "../components/Misc.js";
import { PidView } from "../components/PidView.js";
import { PlanView } from "../components/PlanView.js";
import { PropertiesPanel } from "../components/PropertiesPanel.js";
import { type Focus, SceneView } from "../components/SceneView.js";
import { ViolationsPanel } from "../components/ViolationsPanel.js";
import type { OverlayKinds } from "../view/overlay-kinds.js";
import { isTopologyOnly } from "../view/plan-model.js";
import type { Viewer } from "../view/viewer.js";

export type DesignView = "3d" | "plan" | "pid";
const VIEW_NAMES: readonly [DesignView, string][] = [
  ["3d", "3D"],
  ["plan", "Plan"],
  ["pid", "P&ID"],
];

/** The view a design opens in: asked for in the URL, else the P&ID for a design with no layout. */
export function initialView(asked: string | null | undefined, design: Design | null): DesignView {
  if (asked === "3d" || asked === "plan" || asked === "pid") return asked;
  return design && isTopologyOnly(design) ? "pid" : "3d";
}

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
  overlay: OverlayKinds;
  setOverlay: (v: OverlayKinds) => void;
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
        <input
          type="checkbox"
          data-testid="overlay-loops"
          checked={overlay.loop}
          onChange={(e) => setOverlay({ ...overlay, loop: e.target.checked })}
        />{" "}
        Loops
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="overlay-interlocks"
          checked={overlay.interlock}
          onChange={(e) => setOverlay({ ...overlay, interlock: e.target.checked })}
        />{" "}
        Interlocks
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

/** Tabs choosing the drawing: 3D, plan or P&ID. */
function ViewTabs({ view, setView }: { view: DesignView; setView: (v: DesignView) => void }) {
  return (
    <div className="pg-tabs" role="tablist" aria-label="Drawing">
      {VIEW_NAMES.map(([v, label]) => (
        <button
          key={v}
          type="button"
          role="tab"
          aria-selected={view === v}
          data-testid={`view-${v}`}
          className={view === v ? "active" : ""}
          onClick={() => setView(v)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

/**
 * Design view: the drawing (3D, plan or P&ID, one selection shared by all three), the picked
 * item's properties, the loops, interlocks and C&E matrix, and the validation report beside it.
 */
export function DesignPage({ id, view: askedView }: { id: string; view?: string | null }) {
  const { api } = useApi();
  const design = useAsync(() => api.getDesign(id), [id]);
  const d: Design | null = design.data?.design ?? null;
  const report = useAsync(async () => (d ? api.validate(d) : undefined), [d]);
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [stats, setStats] = useState<SceneStats | null>(null);
  const [overlay, setOverlay] = useState<OverlayKinds>({ loop: true, interlock: true });
  const [labels, setLabels] = useState(true);
  const [picked, setPicked] = useState<PickTarget | null>(null);
  const [violation, setViolation] = useState<number | null>(null);
  const [chosenView, setView] = useState<DesignView | null>(null);
  const view = chosenView ?? initialView(askedView, d);

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
        <ViewTabs view={view} setView={setView} />
        {view === "3d" && (
          <SceneToolbar
            viewer={viewer}
            stats={stats}
            name={id}
            overlay={overlay}
            setOverlay={setOverlay}
            labels={labels}
            setLabels={setLabels}
          />
        )}
        <ErrorBox error={design.error} />
        {design.loading && !d && <p className="pg-muted">Loading design…</p>}
        {/* The 3D view stays mounted (hidden) so switching back does not rebuild the scene. */}
        <div className={`pg-view-3d ${view === "3d" ? "" : "hidden"}`}>
          {d && isTopologyOnly(d) && (
            <p className="pg-notice" data-testid="schematic-notice">
              This design has no layout (a P&amp;ID): its equipment is drawn in 3D at schematic positions, not real
              ones. The P&amp;ID view shows it as drawn.
            </p>
          )}
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
        {d && view === "plan" && <PlanView design={d} selected={picked} onPick={onPick} />}
        {d && view === "pid" && <PidView design={d} selected={picked} onPick={onPick} />}
      </div>
      <aside className="pg-side">
        <PropertiesPanel design={d} target={picked} />
        {d && <ControlPanel design={d} selected={picked} onPick={onPick} />}
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
