import type { BuiltDesign } from "./manifest.js";

const COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1"];

/**
 * Three histograms side by side, bars stacked by process class: equipment per design, lines per
 * design, route length per line. Plain SVG text, the same for the same designs.
 */
export function histogramSvg(built: readonly BuiltDesign[]): string {
  const classes = [...new Set(built.map((b) => b.job.processClass))];
  const panels: { title: string; bin: number; values: (b: BuiltDesign) => number[] }[] = [
    { title: "equipment per design", bin: 2, values: (b) => [b.stats.equipment] },
    { title: "lines per design", bin: 5, values: (b) => [b.stats.lines] },
    { title: "route length per line, m", bin: 10, values: (b) => b.stats.lineLengths.map((l) => Math.min(l, 299.99)) },
  ];
  const W = 300;
  const H = 200;
  const pad = 36;
  const parts: string[] = [];
  panels.forEach((p, n) => {
    const counts = new Map<number, number[]>();
    let maxBin = 0;
    for (const b of built) {
      const ci = classes.indexOf(b.job.processClass);
      for (const v of p.values(b)) {
        const bin = Math.floor(v / p.bin);
        maxBin = Math.max(maxBin, bin);
        const c = counts.get(bin) ?? new Array(classes.length).fill(0);
        c[ci] += 1;
        counts.set(bin, c);
      }
    }
    const bins = maxBin + 1;
    let top = 1;
    for (const c of counts.values())
      top = Math.max(
        top,
        c.reduce((s, v) => s + v, 0),
      );
    const x0 = n * (W + pad) + pad;
    const bw = (W - pad) / bins;
    parts.push(`<g transform="translate(${x0},20)">`);
    parts.push(`<text x="${(W - pad) / 2}" y="0" text-anchor="middle" font-size="12">${p.title}</text>`);
    parts.push(
      `<line x1="0" y1="${H}" x2="${W - pad}" y2="${H}" stroke="#333"/><line x1="0" y1="10" x2="0" y2="${H}" stroke="#333"/>`,
    );
    parts.push(
      `<text x="-4" y="14" text-anchor="end" font-size="9">${top}</text><text x="-4" y="${H}" text-anchor="end" font-size="9">0</text>`,
    );
    for (let bin = 0; bin < bins; bin++) {
      let y = H;
      (counts.get(bin) ?? []).forEach((v, ci) => {
        if (v === 0) return;
        const h = ((H - 10) * v) / top;
        y -= h;
        parts.push(
          `<rect x="${(bin * bw).toFixed(2)}" y="${y.toFixed(2)}" width="${Math.max(0.5, bw - 0.5).toFixed(2)}" height="${h.toFixed(2)}" fill="${COLOURS[ci % COLOURS.length]}"/>`,
        );
      });
    }
    for (const frac of [0, 0.5, 1]) {
      const v = Math.round(bins * p.bin * frac);
      parts.push(
        `<text x="${((W - pad) * frac).toFixed(1)}" y="${H + 12}" text-anchor="middle" font-size="9">${v}${frac === 1 && p.bin === 10 ? "+" : ""}</text>`,
      );
    }
    parts.push("</g>");
  });
  classes.forEach((c, i) => {
    const x = pad + i * 130;
    parts.push(`<rect x="${x}" y="${H + 45}" width="10" height="10" fill="${COLOURS[i % COLOURS.length]}"/>`);
    parts.push(`<text x="${x + 14}" y="${H + 54}" font-size="10">${c}</text>`);
  });
  const width = panels.length * (W + pad) + pad;
  const height = H + 70;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n<rect width="${width}" height="${height}" fill="white"/>\n${parts.join("\n")}\n</svg>\n`;
}
