/** Top-view SVG of a few layouts side by side (training previews). Pure string output. */
import type { Design, PlantDesignInput } from "../design/types.js";

const COLOURS: Record<string, string> = {
  pump: "#1f77b4",
  compressor: "#ff7f0e",
  vessel: "#2ca02c",
  tank: "#9467bd",
  column: "#8c564b",
  heat_exchanger: "#e377c2",
  reactor: "#d62728",
  furnace: "#bcbd22",
  filter: "#17becf",
  air_cooler: "#7f7f7f",
  flare: "#ff9896",
  other: "#aec7e8",
};

const esc = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function layoutsSvg(designs: readonly (Design | PlantDesignInput)[], title = "", cell = 240): string {
  const cols = Math.max(1, Math.min(4, designs.length));
  const rows = Math.max(1, Math.ceil(designs.length / cols));
  const parts: string[] = [];
  designs.forEach((d, k) => {
    const ox = (k % cols) * cell;
    const oy = Math.floor(k / cols) * cell + 20;
    const s = (cell - 20) / Math.max(d.site.width, d.site.depth);
    const X = (x: number) => (ox + 10 + x * s).toFixed(1);
    const Y = (y: number) => (oy + 10 + (d.site.depth - y) * s).toFixed(1);
    parts.push(
      `<rect x="${X(0)}" y="${Y(d.site.depth)}" width="${(d.site.width * s).toFixed(1)}" height="${(d.site.depth * s).toFixed(1)}" fill="#fafafa" stroke="#333"/>`,
    );
    for (const a of d.site.keepOut ?? []) {
      parts.push(
        `<rect x="${X(a.x)}" y="${Y(a.y + a.depth)}" width="${(a.width * s).toFixed(1)}" height="${(a.depth * s).toFixed(1)}" fill="#ddd"/>`,
      );
    }
    for (const r of d.site.racks ?? []) {
      const w = r.axis === "x" ? r.length : r.width;
      const h = r.axis === "x" ? r.width : r.length;
      parts.push(
        `<rect x="${X(r.x)}" y="${Y(r.y + h)}" width="${(w * s).toFixed(1)}" height="${(h * s).toFixed(1)}" fill="none" stroke="#999" stroke-dasharray="3 2"/>`,
      );
    }
    for (const e of d.equipment) {
      if (e.x === undefined || e.y === undefined) continue;
      const turned = e.rotation === 90 || e.rotation === 270;
      const w = turned ? e.footprint.depth : e.footprint.width;
      const h = turned ? e.footprint.width : e.footprint.depth;
      parts.push(
        `<rect x="${X(e.x - w / 2)}" y="${Y(e.y + h / 2)}" width="${(w * s).toFixed(1)}" height="${(h * s).toFixed(1)}" fill="${COLOURS[e.type] ?? "#aaa"}" fill-opacity="0.7" stroke="#000" stroke-width="0.5"><title>${esc(e.tag)} ${e.type}</title></rect>`,
      );
    }
    parts.push(
      `<text x="${ox + 10}" y="${oy + 6}" font-size="10">${esc(d.processClass)} ${d.site.width}×${d.site.depth} m</text>`,
    );
  });
  const w = cols * cell;
  const h = rows * cell + 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif"><text x="10" y="14" font-size="12">${esc(title)}</text>${parts.join("")}</svg>\n`;
}
