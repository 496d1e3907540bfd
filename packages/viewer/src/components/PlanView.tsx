import type { Design } from "@plantgan/core/design";
import type { PickTarget } from "@plantgan/scene";
import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  distance,
  findTag,
  metres,
  niceStep,
  type PlanEquipment,
  planOf,
  searchableTags,
  ticks,
} from "../view/plan-model.js";
import { PRINT_SCALES, type PrintScale, planSvg } from "../view/plan-print.js";
import { download } from "./Misc.js";

/** Screen camera of the plan: the design point at the centre and pixels per metre. */
interface PlanCamera {
  readonly cx: number;
  readonly cy: number;
  readonly k: number;
}

/** A measuring click lands on an equipment centre within this many pixels of it. */
const SNAP_PX = 10;
const FLY_MS = 300;

type Point = readonly [number, number];

export interface PlanViewProps {
  readonly design: Design;
  readonly selected: PickTarget | null;
  readonly onPick: (target: PickTarget | null) => void;
}

/**
 * The orthographic plan: site, keep-outs, racks, pipe routes and equipment footprints drawn to
 * scale in SVG, north up. Grid labelled in metres, scale bar and north arrow; click to select,
 * shift-click a second item for the dimension between the two; a measuring tool; a tag search
 * that flies to the item; print as SVG at 1:100, 1:200 or 1:500 with a title block.
 */
export function PlanView({ design, selected, onPick }: PlanViewProps) {
  const plan = useMemo(() => planOf(design), [design]);
  const host = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ w: 800, h: 600 });
  const [cam, setCam] = useState<PlanCamera>({ cx: plan.site.x1 / 2, cy: plan.site.y1 / 2, k: 5 });
  const camRef = useRef(cam);
  camRef.current = cam;
  const [measuring, setMeasuring] = useState(false);
  const [measure, setMeasure] = useState<Point[]>([]);
  const [second, setSecond] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const [notFound, setNotFound] = useState(false);
  const [scale, setScale] = useState<PrintScale>(200);

  const fit = useCallback(() => {
    const { w, h } = size;
    const k = Math.min(w / Math.max(plan.site.x1, 1), h / Math.max(plan.site.y1, 1)) * 0.85;
    setCam({ cx: plan.site.x1 / 2, cy: plan.site.y1 / 2, k });
  }, [plan, size]);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setSize({ w: el.clientWidth || 1, h: el.clientHeight || 1 }));
    ro.observe(el);
    setSize({ w: el.clientWidth || 1, h: el.clientHeight || 1 });
    return () => ro.disconnect();
  }, []);
  // Frame the site whenever the design or the panel size changes.
  useEffect(fit, [fit]);

  const sx = (x: number): number => size.w / 2 + (x - cam.cx) * cam.k;
  const sy = (y: number): number => size.h / 2 - (y - cam.cy) * cam.k;
  const toWorld = useCallback(
    (clientX: number, clientY: number): Point => {
      const r = host.current!.getBoundingClientRect();
      const c = camRef.current;
      return [c.cx + (clientX - r.left - size.w / 2) / c.k, c.cy - (clientY - r.top - size.h / 2) / c.k];
    },
    [size],
  );

  // Browser tests read screen positions of design points through the element.
  useEffect(() => {
    const el = host.current as (HTMLDivElement & { pgPlan?: unknown }) | null;
    if (!el) return;
    el.pgPlan = {
      toClient: (x: number, y: number) => {
        const r = el.getBoundingClientRect();
        const c = camRef.current;
        return { x: r.left + size.w / 2 + (x - c.cx) * c.k, y: r.top + size.h / 2 - (y - c.cy) * c.k };
      },
    };
  }, [size]);

  // Wheel zoom about the cursor (a non-passive listener, so the page does not scroll).
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const onWheel = (e: WheelEvent): void => {
      e.preventDefault();
      const [wx, wy] = toWorld(e.clientX, e.clientY);
      const f = Math.exp(-e.deltaY * 0.0015);
      setCam((c) => {
        const k = Math.min(400, Math.max(0.05, c.k * f));
        return { k, cx: wx - (wx - c.cx) * (c.k / k), cy: wy - (wy - c.cy) * (c.k / k) };
      });
    };
    el.addEventListener("wheel", onWheel, { passive: false });
    return () => el.removeEventListener("wheel", onWheel);
  }, [toWorld]);

  const flyTo = useCallback((at: Point) => {
    const from = camRef.current;
    const k = Math.max(from.k, 8);
    const start = performance.now();
    const step = (now: number): void => {
      const t = Math.min(1, (now - start) / FLY_MS);
      const e = t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2;
      setCam({
        cx: from.cx + (at[0] - from.cx) * e,
        cy: from.cy + (at[1] - from.cy) * e,
        k: from.k + (k - from.k) * e,
      });
      if (t < 1) requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  }, []);

  const equipmentAt = (p: Point): PlanEquipment | undefined => {
    for (let i = plan.equipment.length - 1; i >= 0; i--) {
      const e = plan.equipment[i]!;
      if (p[0] >= e.rect.x0 && p[0] <= e.rect.x1 && p[1] >= e.rect.y0 && p[1] <= e.rect.y1) return e;
    }
    return undefined;
  };
  const snap = (p: Point): Point => {
    let best: Point = p;
    let bestPx = SNAP_PX;
    for (const e of plan.equipment) {
      const d = distance(p, [e.x, e.y]) * camRef.current.k;
      if (d < bestPx) {
        bestPx = d;
        best = [e.x, e.y];
      }
    }
    return best;
  };

  // Drag to pan; a click (little movement) selects or measures.
  const drag = useRef<{ x: number; y: number; cam: PlanCamera; moved: boolean } | null>(null);
  const onPointerDown = (e: React.PointerEvent): void => {
    if (e.button !== 0) return;
    drag.current = { x: e.clientX, y: e.clientY, cam: camRef.current, moved: false };
  };
  const onPointerMove = (e: React.PointerEvent): void => {
    const d = drag.current;
    if (!d) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < 4) return;
    d.moved = true;
    setCam({ ...d.cam, cx: d.cam.cx - dx / d.cam.k, cy: d.cam.cy + dy / d.cam.k });
  };
  const onPointerUp = (e: React.PointerEvent): void => {
    const d = drag.current;
    drag.current = null;
    if (!d || d.moved) return;
    const p = toWorld(e.clientX, e.clientY);
    if (measuring) {
      const q = snap(p);
      setMeasure((m) => (m.length >= 2 ? [q] : [...m, q]));
      return;
    }
    const hit = equipmentAt(p);
    if (e.shiftKey && hit && selected?.kind === "equipment" && hit.tag !== selected.id) {
      setSecond(hit.tag);
      return;
    }
    setSecond(null);
    onPick(hit ? { kind: "equipment", id: hit.tag } : null);
  };

  const search = (e: FormEvent): void => {
    e.preventDefault();
    const found = findTag(design, query);
    setNotFound(!found);
    if (!found) return;
    onPick({ kind: found.kind, id: found.id });
    if (found.at) flyTo(found.at);
  };

  const print = (): void => {
    const date = new Date().toISOString().slice(0, 10);
    const { svg } = planSvg(design, scale, date);
    download(new Blob([svg], { type: "image/svg+xml" }), `${design.id}-plan-1-${scale}.svg`);
  };

  // Dimension between the selected item and the shift-clicked one.
  const first = selected?.kind === "equipment" ? plan.equipment.find((e) => e.tag === selected.id) : undefined;
  const other = second ? plan.equipment.find((e) => e.tag === second) : undefined;
  const pair = first && other && first !== other ? ([first, other] as const) : null;

  const gridStep = niceStep(70 / cam.k);
  const [wx0, wy1] = [cam.cx - size.w / 2 / cam.k, cam.cy + size.h / 2 / cam.k];
  const [wx1, wy0] = [cam.cx + size.w / 2 / cam.k, cam.cy - size.h / 2 / cam.k];
  const barM = niceStep(100 / cam.k);
  const selectedTag = selected?.id;

  // Tags drawn largest footprint first; a tag that would overlap one already drawn is left out.
  const labels = useMemo(() => {
    const placed: { x0: number; y0: number; x1: number; y1: number }[] = [];
    const order = [...plan.equipment].sort(
      (a, b) =>
        Number(b.tag === selectedTag) - Number(a.tag === selectedTag) ||
        (b.rect.x1 - b.rect.x0) * (b.rect.y1 - b.rect.y0) - (a.rect.x1 - a.rect.x0) * (a.rect.y1 - a.rect.y0),
    );
    const out: { tag: string; x: number; y: number }[] = [];
    for (const e of order) {
      const x = size.w / 2 + (e.x - cam.cx) * cam.k;
      const y = size.h / 2 - (e.y - cam.cy) * cam.k;
      const w = e.tag.length * 7 + 6;
      const box = { x0: x - w / 2, y0: y - 8, x1: x + w / 2, y1: y + 8 };
      if (placed.some((p) => p.x0 < box.x1 && box.x0 < p.x1 && p.y0 < box.y1 && box.y0 < p.y1)) continue;
      placed.push(box);
      out.push({ tag: e.tag, x, y });
    }
    return out;
  }, [plan, cam, size, selectedTag]);

  return (
    <div className="pg-plan-wrap">
      <div className="pg-toolbar pg-plan-tools" role="toolbar" aria-label="Plan">
        <form onSubmit={search} className="pg-row">
          <input
            data-testid="plan-search"
            list="pg-plan-tags"
            placeholder="Find tag…"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            aria-label="Find tag"
          />
          <datalist id="pg-plan-tags">
            {searchableTags(design).map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
          <button type="submit">Find</button>
          {notFound && <span className="pg-error-inline">no such tag</span>}
        </form>
        <label>
          <input
            type="checkbox"
            data-testid="plan-measure"
            checked={measuring}
            onChange={(e) => {
              setMeasuring(e.target.checked);
              setMeasure([]);
            }}
          />{" "}
          Measure
        </label>
        <button type="button" onClick={fit}>
          Fit
        </button>
        <span className="spacer" />
        <label>
          Print scale{" "}
          <select
            data-testid="plan-print-scale"
            value={scale}
            onChange={(e) => setScale(Number(e.target.value) as PrintScale)}
          >
            {PRINT_SCALES.map((s) => (
              <option key={s} value={s}>
                1:{s}
              </option>
            ))}
          </select>
        </label>
        <button type="button" data-testid="plan-print" onClick={print}>
          Print SVG
        </button>
      </div>
      <div
        ref={host}
        className={`pg-plan ${measuring ? "measuring" : ""}`}
        data-testid="plan"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
      >
        <svg width={size.w} height={size.h} role="img" aria-label={`Plan of ${design.id}`}>
          <rect
            className="site"
            x={sx(0)}
            y={sy(plan.site.y1)}
            width={plan.site.x1 * cam.k}
            height={plan.site.y1 * cam.k}
          />
          <g className="grid">
            {ticks(Math.max(0, wx0), Math.min(plan.site.x1, wx1), gridStep).map((x) => (
              <line key={`x${x}`} x1={sx(x)} x2={sx(x)} y1={sy(0)} y2={sy(plan.site.y1)} />
            ))}
            {ticks(Math.max(0, wy0), Math.min(plan.site.y1, wy1), gridStep).map((y) => (
              <line key={`y${y}`} x1={sx(0)} x2={sx(plan.site.x1)} y1={sy(y)} y2={sy(y)} />
            ))}
          </g>
          {plan.keepOuts.map((r) => (
            <rect
              key={r.id}
              className={`keepout ${r.kind}`}
              x={sx(r.x0)}
              y={sy(r.y1)}
              width={(r.x1 - r.x0) * cam.k}
              height={(r.y1 - r.y0) * cam.k}
            />
          ))}
          {plan.racks.map((r) => (
            <rect
              key={r.id}
              className="rack"
              x={sx(r.x0)}
              y={sy(r.y1)}
              width={(r.x1 - r.x0) * cam.k}
              height={(r.y1 - r.y0) * cam.k}
            />
          ))}
          {plan.lines.map((l) => (
            <polyline
              key={l.id}
              className={`pipe ${selected?.kind === "line" && selected.id === l.id ? "selected" : ""}`}
              points={l.points.map(([x, y]) => `${sx(x)},${sy(y)}`).join(" ")}
            />
          ))}
          {plan.equipment.map((e) => (
            <rect
              key={e.tag}
              data-tag={e.tag}
              data-selected={e.tag === selectedTag || e.tag === second ? "1" : undefined}
              className={`equipment type-${e.type} ${e.tag === selectedTag || e.tag === second ? "selected" : ""}`}
              x={sx(e.rect.x0)}
              y={sy(e.rect.y1)}
              width={(e.rect.x1 - e.rect.x0) * cam.k}
              height={(e.rect.y1 - e.rect.y0) * cam.k}
              rx={
                e.type === "tank" || e.type === "column" || e.type === "vessel"
                  ? (e.rect.x1 - e.rect.x0) * cam.k * 0.5
                  : 1
              }
            />
          ))}
          <g className="labels">
            {labels.map((l) => (
              <text key={l.tag} x={l.x} y={l.y + 4} textAnchor="middle">
                {l.tag}
              </text>
            ))}
          </g>
          {pair && (
            <g className="dimension" data-testid="plan-dimension">
              <line x1={sx(pair[0].x)} y1={sy(pair[0].y)} x2={sx(pair[1].x)} y2={sy(pair[1].y)} />
              <text x={(sx(pair[0].x) + sx(pair[1].x)) / 2} y={(sy(pair[0].y) + sy(pair[1].y)) / 2 - 6}>
                {metres(distance([pair[0].x, pair[0].y], [pair[1].x, pair[1].y]))}
              </text>
            </g>
          )}
          {measure.length > 0 && (
            <g className="measure">
              {measure.map(([x, y]) => (
                <circle key={`${x},${y}`} cx={sx(x)} cy={sy(y)} r={4} />
              ))}
              {measure.length === 2 && (
                <line x1={sx(measure[0]![0])} y1={sy(measure[0]![1])} x2={sx(measure[1]![0])} y2={sy(measure[1]![1])} />
              )}
            </g>
          )}
          {/* Grid labels in metres along the bottom and left edges of the panel. */}
          <g className="grid-labels">
            {ticks(Math.max(0, wx0), Math.min(plan.site.x1, wx1), gridStep).map((x) => (
              <text key={`lx${x}`} x={sx(x)} y={size.h - 4} textAnchor="middle">
                {x}
              </text>
            ))}
            {ticks(Math.max(0, wy0), Math.min(plan.site.y1, wy1), gridStep).map((y) => (
              <text key={`ly${y}`} x={4} y={sy(y) + 4}>
                {y}
              </text>
            ))}
          </g>
          <g className="scale-bar" data-testid="plan-scale-bar" transform={`translate(${40},${size.h - 30})`}>
            <rect width={barM * cam.k} height={5} />
            <text x={0} y={-4}>
              0
            </text>
            <text x={barM * cam.k} y={-4} textAnchor="middle">
              {barM} m
            </text>
          </g>
          <g className="north" data-testid="plan-north" transform={`translate(${size.w - 30},44)`}>
            <path d="M0,-22 L8,6 L0,0 L-8,6 Z" />
            <text y={-26} textAnchor="middle">
              N
            </text>
          </g>
        </svg>
        <div className="pg-plan-readout">
          {measure.length === 2 && (
            <span data-testid="plan-measurement">
              Distance {metres(distance(measure[0]!, measure[1]!))} (Δx{" "}
              {Math.abs(measure[1]![0] - measure[0]![0]).toFixed(2)}, Δy{" "}
              {Math.abs(measure[1]![1] - measure[0]![1]).toFixed(2)})
            </span>
          )}
          {measuring && measure.length < 2 && <span>Click two points (snaps to equipment centres).</span>}
          {pair && (
            <span data-testid="plan-dimension-text">
              {pair[0].tag} ↔ {pair[1].tag}: {metres(distance([pair[0].x, pair[0].y], [pair[1].x, pair[1].y]))}
            </span>
          )}
          {!measuring && !pair && selected?.kind === "equipment" && (
            <span className="pg-muted">Shift-click another item for the dimension between them.</span>
          )}
        </div>
      </div>
    </div>
  );
}
