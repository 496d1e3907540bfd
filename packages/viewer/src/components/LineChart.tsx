import { useMemo } from "react";

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [x: number, y: number])[];
}

const COLOURS = ["#2e86de", "#e1a032", "#e74c3c", "#27ae60", "#8854d0", "#0fb9b1", "#d35400", "#576574"];

function ticks(min: number, max: number, n: number): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const fmt = (v: number): string =>
  Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(3)));

/** A small SVG line chart (no chart library, nothing fetched): series against epoch. */
export function LineChart({
  title,
  series,
  xLabel = "epoch",
  height = 200,
}: {
  title: string;
  series: readonly Series[];
  xLabel?: string;
  height?: number;
}) {
  const width = 480;
  const pad = { l: 48, r: 12, t: 24, b: 34 };
  const { xs, ys } = useMemo(() => {
    const all = series.flatMap((s) => s.points);
    const xv = all.map((p) => p[0]);
    const yv = all.map((p) => p[1]).filter(Number.isFinite);
    return {
      xs: [Math.min(...xv, 0), Math.max(...xv, 1)] as const,
      ys: [Math.min(...yv, 0), Math.max(...yv, 1e-9)] as const,
    };
  }, [series]);
  const sx = (x: number): number => pad.l + ((x - xs[0]) / (xs[1] - xs[0] || 1)) * (width - pad.l - pad.r);
  const sy = (y: number): number => height - pad.b - ((y - ys[0]) / (ys[1] - ys[0] || 1)) * (height - pad.t - pad.b);
  return (
    <figure className="pg-chart" data-testid={`chart-${title}`}>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        <text x={pad.l} y={14} className="title">
          {title}
        </text>
        {ticks(ys[0], ys[1], 4).map((t) => (
          <g key={`y${t}`}>
            <line x1={pad.l} x2={width - pad.r} y1={sy(t)} y2={sy(t)} className="grid" />
            <text x={pad.l - 4} y={sy(t) + 4} textAnchor="end" className="tick">
              {fmt(t)}
            </text>
          </g>
        ))}
        {ticks(xs[0], xs[1], 6)
          .filter((t) => Number.isInteger(t))
          .map((t) => (
            <text key={`x${t}`} x={sx(t)} y={height - pad.b + 14} textAnchor="middle" className="tick">
              {t}
            </text>
          ))}
        <text x={(pad.l + width - pad.r) / 2} y={height - 4} textAnchor="middle" className="tick">
          {xLabel}
        </text>
        {series.map((s, i) => (
          <polyline
            key={s.name}
            fill="none"
            stroke={COLOURS[i % COLOURS.length]}
            strokeWidth={1.8}
            points={s.points
              .filter((p) => Number.isFinite(p[1]))
              .map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
              .join(" ")}
          />
        ))}
      </svg>
      <figcaption>
        {series.map((s, i) => (
          <span key={s.name} className="legend">
            <i style={{ background: COLOURS[i % COLOURS.length] }} />
            {s.name} {s.points.length > 0 ? fmt(s.points[s.points.length - 1]![1]) : ""}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
