import type { Design } from "@plantgan/core/design";
import type { DesignScene, HighlightRequest, PickTarget } from "@plantgan/scene";
import { useEffect, useRef } from "react";
import type { OverlayKinds } from "../view/overlay-kinds.js";
import { Viewer } from "../view/viewer.js";

export interface Focus {
  readonly request: HighlightRequest;
  /** Fly the camera there. */
  readonly fly: boolean;
  /** The picked item whose label stays visible. */
  readonly selected?: PickTarget | null;
}

export interface SceneViewProps {
  readonly design: Design | null;
  readonly focus?: Focus | null;
  /** The control overlay: all of it, none, or loops and interlocks each on its own. */
  readonly overlay?: boolean | OverlayKinds;
  readonly labels?: boolean;
  readonly onPick?: (target: PickTarget | null) => void;
  /** Receives the viewer once mounted (toolbar actions: views, export, snapshot). */
  readonly onViewer?: (viewer: Viewer | null) => void;
  /** Receives each built scene (stats for the toolbar), null when cleared. */
  readonly onBuilt?: (scene: DesignScene | null) => void;
  readonly className?: string;
  readonly testId?: string;
}

function kindsOf(overlay: boolean | OverlayKinds): OverlayKinds {
  return typeof overlay === "boolean" ? { loop: overlay, interlock: overlay } : overlay;
}

/**
 * React shell around the imperative Viewer: mounts it once, feeds it the design and the focus,
 * and disposes renderer, scene geometry and materials on unmount.
 */
export function SceneView({
  design,
  focus,
  overlay = true,
  labels = true,
  onPick,
  onViewer,
  onBuilt,
  className,
  testId,
}: SceneViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const viewer = useRef<Viewer | null>(null);
  // Latest callbacks in refs: the viewer is made once and must not be rebuilt when they change.
  const pick = useRef(onPick);
  pick.current = onPick;
  const viewerCallback = useRef(onViewer);
  viewerCallback.current = onViewer;
  const builtCallback = useRef(onBuilt);
  builtCallback.current = onBuilt;
  const overlayRef = useRef(overlay);
  overlayRef.current = overlay;

  useEffect(() => {
    if (!host.current) return;
    const v = new Viewer(host.current, { onPick: (t) => pick.current?.(t), preserveDrawingBuffer: true });
    viewer.current = v;
    // Reachable from browser tests (project a tag to the screen, then click it).
    (host.current as HTMLDivElement & { pgViewer?: Viewer }).pgViewer = v;
    viewerCallback.current?.(v);
    return () => {
      viewerCallback.current?.(null);
      v.dispose();
      viewer.current = null;
    };
  }, []);

  useEffect(() => {
    const v = viewer.current;
    if (!v) return;
    const built = v.setDesign(design);
    v.setOverlayKinds(kindsOf(overlayRef.current));
    builtCallback.current?.(built);
    host.current?.setAttribute("data-ready", design ? "1" : "0");
  }, [design]);

  const loops = kindsOf(overlay).loop;
  const interlocks = kindsOf(overlay).interlock;
  useEffect(() => viewer.current?.setOverlayKinds({ loop: loops, interlock: interlocks }), [loops, interlocks]);
  useEffect(() => viewer.current?.setLabels(labels), [labels]);

  useEffect(() => {
    const v = viewer.current;
    if (!v || !design) return;
    if (!focus) {
      v.select(null);
      return;
    }
    v.select(focus.selected ?? null);
    v.highlight(focus.request, focus.fly);
  }, [focus, design]);

  return <div ref={host} className={`pg-scene ${className ?? ""}`} data-testid={testId ?? "scene"} />;
}
