/**
 * The plan as a printable SVG at a drawing scale (1:100, 1:200, 1:500): sized in millimetres so a
 * print at 100 % measures true to scale, with a grid in metres, a scale bar, a north arrow and a
 * title block (design id, class, scale, date).
 */
import type { Design } from "@plantgan/core/design";
import { niceStep, planOf, type Rect, ticks } from "./plan-model.js";

export const PRINT_SCALES = [100, 200, 500] as const;
export type PrintScale = (typeof PRINT_SCALES)[number];

/** Paper margin and title block size, mm. */
const MARGIN = 10;
const TITLE_W = 120;
const TITLE_H = 28;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export interface PrintedPlan {
  readonly svg: string;
  /** Paper size, mm. */
  readonly widthMm: number;
  readonly heightMm: number;
}

export function planSvg(design: Design, scale: PrintScale, date: string): PrintedPlan {
  const plan = planOf(design);
  const mm = 1000 / scale; // paper mm per metre
  const drawW = plan.site.x1 * mm;
  const drawH = plan.site.y1 * mm;
  const widthMm = Math.max(drawW, TITLE_W) + 2 * MARGIN;
  const heightMm = drawH + TITLE_H + 3 * MARGIN;
  // Paper coordinates of a design point: y grows downwards on paper, northwards in the design.
  const px = (x: number): number => MARGIN + x * mm;
  const py = (y: number): number => MARGIN + (plan.site.y1 - y) * mm;
  const f = (v: number): string => v.toFixed(2);
  const rect = (r: Rect, cls: string, extra = ""): string =>
    `<rect class="${cls}" x="${f(px(r.x0))}" y="${f(py(r.y1))}" width="${f((r.x1 - r.x0) * mm)}" height="${f((r.y1 - r.y0) * mm)}"${extra}/>`;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f(widthMm)}mm" height="${f(heightMm)}mm" viewBox="0 0 ${f(widthMm)} ${f(heightMm)}">`,
    "<style>.site{fill:#fff;stroke:#000;stroke-width:.35}.grid{stroke:#bbb;stroke-width:.1}.ko{fill:#eee;stroke:#888;stroke-width:.2}.rack{fill:none;stroke:#555;stroke-width:.25;stroke-dasharray:1 .6}.eq{fill:#f4f4f4;stroke:#000;stroke-width:.3}.pipe{fill:none;stroke:#1f5fa8;stroke-width:.25}text{font-family:sans-serif;fill:#000}.tb{fill:none;stroke:#000;stroke-width:.35}</style>",
  );
  out.push(rect(plan.site, "site"));
  // Grid every round number of metres that is at least 10 mm on paper.
  const step = niceStep(10 / mm);
  for (const x of ticks(0, plan.site.x1, step)) {
    out.push(`<line class="grid" x1="${f(px(x))}" y1="${f(py(0))}" x2="${f(px(x))}" y2="${f(py(plan.site.y1))}"/>`);
    out.push(`<text x="${f(px(x))}" y="${f(py(0) + 3)}" font-size="2" text-anchor="middle">${x}</text>`);
  }
  for (const y of ticks(0, plan.site.y1, step)) {
    out.push(`<line class="grid" x1="${f(px(0))}" y1="${f(py(y))}" x2="${f(px(plan.site.x1))}" y2="${f(py(y))}"/>`);
    out.push(`<text x="${f(px(0) - 1)}" y="${f(py(y) + 0.7)}" font-size="2" text-anchor="end">${y}</text>`);
  }
  for (const k of plan.keepOuts) out.push(rect(k, "ko"));
  for (const r of plan.racks) out.push(rect(r, "rack"));
  for (const l of plan.lines)
    out.push(`<polyline class="pipe" points="${l.points.map(([x, y]) => `${f(px(x))},${f(py(y))}`).join(" ")}"/>`);
  for (const e of plan.equipment) {
    out.push(rect(e.rect, "eq"));
    out.push(
      `<text x="${f(px(e.x))}" y="${f(py(e.y) + 0.8)}" font-size="2.2" text-anchor="middle">${esc(e.tag)}</text>`,
    );
  }
  // Scale bar (a round length near 50 mm) and north arrow under the drawing.
  const barM = niceStep(50 / mm);
  const bx = MARGIN;
  const by = MARGIN + drawH + MARGIN;
  out.push(
    `<rect x="${bx}" y="${by}" width="${f(barM * mm)}" height="2" fill="#000"/>`,
    `<text x="${bx}" y="${by + 6}" font-size="3">0</text>`,
    `<text x="${f(bx + barM * mm)}" y="${by + 6}" font-size="3" text-anchor="middle">${barM} m</text>`,
    `<g transform="translate(${f(bx + barM * mm + 20)},${by + 10})"><path d="M0,-9 L4,3 L0,0 L-4,3 Z" fill="#000"/><text y="-10" font-size="4" text-anchor="middle">N</text></g>`,
  );
  // Title block at the bottom right.
  const tx = widthMm - MARGIN - TITLE_W;
  const ty = heightMm - MARGIN - TITLE_H;
  out.push(
    `<g class="title-block"><rect class="tb" x="${f(tx)}" y="${f(ty)}" width="${TITLE_W}" height="${TITLE_H}"/>`,
    `<text x="${f(tx + 3)}" y="${f(ty + 8)}" font-size="5" font-weight="bold">${esc(design.id)}</text>`,
    `<text x="${f(tx + 3)}" y="${f(ty + 15)}" font-size="3.5">${esc(design.name ?? "")}</text>`,
    `<text x="${f(tx + 3)}" y="${f(ty + 22)}" font-size="3.5">Class: ${esc(design.processClass)}   Scale: 1:${scale}   Date: ${esc(date)}</text>`,
    "</g></svg>",
  );
  return { svg: out.join("\n"), widthMm, heightMm };
}
