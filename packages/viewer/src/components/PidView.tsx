import type { ComponentType, Design, EquipmentType } from "@plantgan/core/design";
import type { ItemKind, PickTarget } from "@plantgan/scene";
import { type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { layoutPid, type PidNode } from "../view/pid-layout.js";

/** ISO 10628-style outline of an equipment type, centred on 0,0 within w × h. */
function EquipmentSymbol({ type, w, h }: { type: EquipmentType | undefined; w: number; h: number }) {
  const hw = w / 2;
  const hh = h / 2;
  switch (type) {
    case "pump": {
      const r = Math.min(hw, hh);
      // Circle with a triangle pointing to the discharge.
      return (
        <>
          <circle r={r} />
          <path d={`M${-r * 0.55},${-r * 0.75} L${r},0 L${-r * 0.55},${r * 0.75} Z`} className="inner" />
        </>
      );
    }
    case "compressor": {
      const r = Math.min(hw, hh);
      return (
        <>
          <circle r={r} />
          <path
            d={`M${-r * 0.8},${-r * 0.6} L${r * 0.8},${-r * 0.25} M${-r * 0.8},${r * 0.6} L${r * 0.8},${r * 0.25}`}
          />
        </>
      );
    }
    case "tank":
      // Flat-bottomed tank with a cone roof.
      return <path d={`M${-hw},${hh} L${-hw},${-hh + 12} L0,${-hh} L${hw},${-hh + 12} L${hw},${hh} Z`} />;
    case "vessel":
    case "reactor":
      return (
        <>
          <rect x={-hw} y={-hh} width={w} height={h} rx={hw} />
          {type === "reactor" && <path d={`M0,${-hh} L0,${hh * 0.4} M-10,${hh * 0.4} L10,${hh * 0.4}`} />}
        </>
      );
    case "column":
      return (
        <>
          <rect x={-hw} y={-hh} width={w} height={h} rx={hw} />
          {[-0.45, -0.15, 0.15, 0.45].map((f) => (
            <line key={f} x1={-hw} x2={hw} y1={f * h} y2={f * h} className="inner" />
          ))}
        </>
      );
    case "heat_exchanger": {
      const r = Math.min(hw, hh);
      // Circle crossed by the tube-side zig-zag.
      return (
        <>
          <circle r={r} />
          <path d={`M${-r},0 L${-r * 0.4},${-r * 0.45} L${r * 0.1},${r * 0.45} L${r * 0.6},${-r * 0.2} L${r},0`} />
        </>
      );
    }
    case "air_cooler":
      return (
        <>
          <rect x={-hw} y={-hh} width={w} height={h} />
          <circle r={Math.min(hw, hh) * 0.5} className="inner" />
        </>
      );
    case "furnace":
      return <path d={`M${-hw},${hh} L${-hw},${-hh * 0.3} L0,${-hh} L${hw},${-hh * 0.3} L${hw},${hh} Z`} />;
    case "filter":
      return (
        <>
          <rect x={-hw} y={-hh} width={w} height={h} />
          <line x1={-hw} y1={hh} x2={hw} y2={-hh} className="inner dashed" />
        </>
      );
    case "cooling_tower":
      return <path d={`M${-hw},${hh} L${-hw * 0.6},${-hh} L${hw * 0.6},${-hh} L${hw},${hh} Z`} />;
    case "flare":
      return <path d={`M0,${hh} L0,${-hh * 0.5} M-8,${-hh * 0.5} L0,${-hh} L8,${-hh * 0.5} Z`} />;
    default:
      return <rect x={-hw} y={-hh} width={w} height={h} />;
  }
}

const VALVES: ReadonlySet<ComponentType> = new Set([
  "gate_valve",
  "globe_valve",
  "ball_valve",
  "butterfly_valve",
  "check_valve",
  "control_valve",
  "relief_valve",
  "plug_valve",
  "needle_valve",
]);

/** Inline component: valves as bow-ties (control valves with an actuator, check valves half filled). */
function ComponentSymbol({ type }: { type: ComponentType }) {
  if (VALVES.has(type)) {
    return (
      <>
        <path d="M-9,-6 L9,6 L9,-6 L-9,6 Z" className={type === "check_valve" ? "half" : ""} />
        {type === "ball_valve" && <circle r={3} />}
        {type === "control_valve" && <path d="M0,0 L0,-12 M-7,-12 A7,7 0 0 1 7,-12 Z" />}
        {type === "relief_valve" && <path d="M0,0 L0,-12 M-4,-9 L4,-15" />}
      </>
    );
  }
  if (type === "reducer") return <path d="M-7,-7 L7,-4 L7,4 L-7,7 Z" />;
  if (type === "orifice") return <path d="M0,-8 L0,8" />;
  return <rect x={-7} y={-6} width={14} height={12} />;
}

/** ISA-5.1 bubble: function letters over loop number; a controller gets the control-room bar. */
function Bubble({ tag, controller }: { tag: string; controller: boolean }) {
  const [letters = tag, number = ""] = tag.split("-", 2);
  const rest = tag.slice(letters.length + 1);
  return (
    <>
      <circle r={18} />
      {controller && <line x1={-18} x2={18} y1={0} y2={0} />}
      <text y={controller ? -4 : -2} textAnchor="middle" className="bubble-text">
        {letters}
      </text>
      <text y={controller ? 12 : 11} textAnchor="middle" className="bubble-text">
        {rest || number}
      </text>
    </>
  );
}

/**
 * Off-page connector (battery limit): an arrow-shaped flag pointing the way the line flows, with
 * what lies beyond written in it, as P&IDs draw a line continuing on another sheet.
 */
function OffPageFlag({ w, h, label }: { w: number; h: number; label: string }) {
  const hw = w / 2;
  const hh = h / 2;
  return (
    <>
      <path d={`M${-hw},${-hh} L${hw - hh},${-hh} L${hw},0 L${hw - hh},${hh} L${-hw},${hh} Z`} />
      <text x={-hh / 2} y={4} textAnchor="middle" className="tag">
        {label}
      </text>
    </>
  );
}

const PICK_KIND: Readonly<Record<PidNode["kind"], ItemKind>> = {
  equipment: "equipment",
  tee: "line",
  offpage: "line",
  instrument: "instrument",
  loop: "loop",
  interlock: "interlock",
};

export interface PidViewProps {
  readonly design: Design;
  readonly selected: PickTarget | null;
  readonly onPick: (target: PickTarget | null) => void;
}

/**
 * The P&ID: the design's topology drawn schematically (graph layout, flow left to right) with
 * ISO 10628-style symbols, flow arrows, ISA-5.1 instrument bubbles, dashed signal lines for loops
 * and interlocks. Clicking selects the same items the 3D view and the panels select.
 */
export function PidView({ design, selected, onPick }: PidViewProps) {
  const drawing = useMemo(() => layoutPid(design), [design]);
  const host = useRef<HTMLDivElement>(null);
  const [box, setBox] = useState({ x: 0, y: 0, w: drawing.width, h: drawing.height });
  useEffect(() => setBox({ x: 0, y: 0, w: drawing.width, h: drawing.height }), [drawing]);

  // Wheel zooms about the cursor, drag pans (the viewBox moves; symbols keep their shape).
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const onWheel = (e: WheelEvent): void => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      const fx = (e.clientX - r.left) / r.width;
      const fy = (e.clientY - r.top) / r.height;
      const f = Math.exp(e.deltaY * 0.0015);
      setBox((b) => ({ x: b.x + b.w * fx * (1 - f), y: b.y + b.h * fy * (1 - f), w: b.w * f, h: b.h * f }));
    };
    el.addEventListener("wheel", onWheel, { passive: false });
    return () => el.removeEventListener("wheel", onWheel);
  }, []);
  const drag = useRef<{ x: number; y: number; box: typeof box; moved: boolean } | null>(null);

  const isSelected = (kind: ItemKind, id: string): boolean => selected?.kind === kind && selected.id === id;
  // What a click picks, read from the clicked element by one handler on the panel.
  const pick = (t: PickTarget) => ({ "data-pick-kind": t.kind, "data-pick-id": t.id });

  const parts: ReactNode[] = [];
  for (const [i, l] of drawing.lines.entries()) {
    parts.push(
      <polyline
        key={`l${i}`}
        className={`process ${isSelected("line", l.id) ? "selected" : ""}`}
        data-line={l.id}
        points={l.points.map((p) => `${p.x},${p.y}`).join(" ")}
        markerEnd="url(#pg-flow)"
        {...pick({ kind: "line", id: l.id })}
      />,
    );
  }
  for (const [i, s] of drawing.signals.entries()) {
    // Bowed, not straight: a signal running along a process line (or another signal) stays apart from it.
    const dx = s.to.x - s.from.x;
    const dy = s.to.y - s.from.y;
    const len = Math.hypot(dx, dy) || 1;
    const bow = Math.min(60, len * 0.25);
    const cx = (s.from.x + s.to.x) / 2 - (dy / len) * bow;
    const cy = (s.from.y + s.to.y) / 2 + (dx / len) * bow;
    parts.push(
      <path
        key={`s${i}`}
        className={`signal ${s.kind} ${selected?.id === s.owner ? "selected" : ""}`}
        data-kind={s.kind}
        data-owner={s.owner}
        d={`M${s.from.x},${s.from.y} Q${cx},${cy} ${s.to.x},${s.to.y}`}
      />,
    );
  }
  for (const [i, c] of drawing.components.entries()) {
    const tag = c.component.tag;
    parts.push(
      <g
        key={`c${i}`}
        className={`component ${tag && isSelected("component", tag) ? "selected" : ""}`}
        data-kind="component"
        data-tag={tag}
        transform={`translate(${c.x},${c.y}) rotate(${(c.angle * 180) / Math.PI})`}
        {...pick(tag ? { kind: "component", id: tag } : { kind: "line", id: c.lineId })}
      >
        <ComponentSymbol type={c.component.type} />
        {tag && (
          <text y={22} textAnchor="middle" className="tag" transform={`rotate(${(-c.angle * 180) / Math.PI} 0 22)`}>
            {tag}
          </text>
        )}
      </g>,
    );
  }
  for (const n of drawing.nodes) {
    const kind = PICK_KIND[n.kind];
    parts.push(
      <g
        key={n.key}
        className={`node ${n.kind} ${isSelected(kind, n.id) ? "selected" : ""}`}
        data-kind={n.kind}
        data-tag={n.id}
        data-flow={n.flow}
        transform={`translate(${n.x},${n.y})`}
        {...pick({ kind, id: n.id })}
      >
        {n.kind === "equipment" && (
          <>
            <EquipmentSymbol type={n.type} w={n.width} h={n.height} />
            <text y={n.height / 2 + 14} textAnchor="middle" className="tag">
              {n.id}
            </text>
          </>
        )}
        {n.kind === "tee" && <circle r={3} className="tee" />}
        {n.kind === "offpage" && <OffPageFlag w={n.width} h={n.height} label={n.label ?? ""} />}
        {(n.kind === "instrument" || n.kind === "loop") && <Bubble tag={n.id} controller={n.kind === "loop"} />}
        {n.kind === "interlock" && (
          <>
            <path d="M0,-22 L22,0 L0,22 L-22,0 Z" />
            <text y={5} textAnchor="middle" className="bubble-text">
              I
            </text>
            <text y={36} textAnchor="middle" className="tag">
              {n.id}
            </text>
          </>
        )}
      </g>,
    );
  }

  return (
    <div
      ref={host}
      className="pg-pid"
      data-testid="pid"
      onPointerDown={(e) => {
        drag.current = { x: e.clientX, y: e.clientY, box, moved: false };
      }}
      onPointerMove={(e) => {
        const d = drag.current;
        const el = host.current;
        if (!d || !el || e.buttons !== 1) return;
        const dx = e.clientX - d.x;
        const dy = e.clientY - d.y;
        if (!d.moved && Math.hypot(dx, dy) < 4) return;
        d.moved = true;
        const s = Math.max(d.box.w / el.clientWidth, d.box.h / el.clientHeight);
        setBox({ ...d.box, x: d.box.x - dx * s, y: d.box.y - dy * s });
      }}
      onPointerUp={(e) => {
        const moved = drag.current?.moved ?? false;
        drag.current = null;
        if (moved || e.button !== 0) return;
        const el = (e.target as Element).closest("[data-pick-kind]");
        const kind = el?.getAttribute("data-pick-kind") as ItemKind | null;
        const id = el?.getAttribute("data-pick-id");
        onPick(kind && id ? { kind, id } : null);
      }}
    >
      <svg viewBox={`${box.x} ${box.y} ${box.w} ${box.h}`} role="img" aria-label={`P&ID of ${design.id}`}>
        <defs>
          <marker id="pg-flow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" markerHeight="5" orient="auto">
            <path d="M0,0 L10,5 L0,10 Z" />
          </marker>
        </defs>
        {parts}
      </svg>
      <div className="pg-pid-legend pg-muted">
        — process line · <span className="dash">- -</span> signal (loop blue, interlock red) · ◇ interlock · ▷ off-page
        (battery limit)
      </div>
    </div>
  );
}
