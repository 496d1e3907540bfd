import { syntheticPlant } from "@plantgan/scene";
import { useEffect, useRef, useState } from "react";
import { Viewer } from "../view/viewer.js";

export interface BenchResult {
  readonly equipment: number;
  readonly segments: number;
  /** Building the synthetic design document, ms. */
  readonly generateMs: number;
  /** design → three.js scene, ms. */
  readonly buildMs: number;
  /** Navigation start → first frame drawn and read back, ms. */
  readonly firstFrameMs: number;
  /** Per-frame render time while orbiting (GPU included), ms. */
  readonly frameMs: {
    readonly mean: number;
    readonly p50: number;
    readonly p95: number;
    readonly max: number;
    readonly frames: number;
  };
  readonly drawCalls: number;
  readonly triangles: number;
  readonly renderer: string;
}

declare global {
  interface Window {
    __plantganBench?: BenchResult | { error: string };
  }
}

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/**
 * `?bench=1[&equipment=2000&segments=5000&frames=60&aa=0]`: a synthetic plant built and drawn without
 * the API, timed; the figures go to `window.__plantganBench` and the page.
 */
export function BenchPage({ query }: { query: URLSearchParams }) {
  const host = useRef<HTMLDivElement>(null);
  const [result, setResult] = useState<BenchResult | { error: string } | null>(null);
  useEffect(() => {
    if (!host.current) return;
    const equipment = Number(query.get("equipment") ?? 2000);
    const segments = Number(query.get("segments") ?? 5000);
    const frames = Number(query.get("frames") ?? 60);
    let viewer: Viewer | null = null;
    try {
      const t0 = performance.now();
      const design = syntheticPlant({ equipment, segments });
      const t1 = performance.now();
      viewer = new Viewer(host.current, { preserveDrawingBuffer: true, antialias: query.get("aa") !== "0" });
      const built = viewer.setDesign(design)!;
      const t2 = performance.now();
      viewer.renderNow();
      const gl = viewer.renderer.getContext();
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
      const firstFrameMs = performance.now();
      const info = viewer.renderer.info.render;
      const drawCalls = info.calls;
      const triangles = info.triangles;
      const times = viewer.measureFrames(frames).sort((a, b) => a - b);
      viewer.renderNow();
      const debug = gl.getExtension("WEBGL_debug_renderer_info");
      const r: BenchResult = {
        equipment: built.stats.equipment,
        segments: built.stats.pipeSegments,
        generateMs: t1 - t0,
        buildMs: t2 - t1,
        firstFrameMs,
        frameMs: {
          mean: times.reduce((a, b) => a + b, 0) / times.length,
          p50: quantile(times, 0.5),
          p95: quantile(times, 0.95),
          max: times[times.length - 1] ?? 0,
          frames: times.length,
        },
        drawCalls,
        triangles,
        renderer: String(debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)),
      };
      window.__plantganBench = r;
      setResult(r);
    } catch (err) {
      window.__plantganBench = { error: String(err) };
      setResult({ error: String(err) });
    }
    return () => viewer?.dispose();
  }, [query]);
  return (
    <div className="pg-bench">
      <div ref={host} className="pg-scene" data-testid="scene" />
      <pre className="pg-bench-result" data-testid="bench-result">
        {result ? JSON.stringify(result, null, 2) : "running…"}
      </pre>
    </div>
  );
}
