/**
 * Viewer benchmark: time to first frame and frame time for a synthetic 2,000-equipment /
 * 5,000-segment plant, in headless Chromium (SwiftShader unless a GPU is there).
 *
 *   cd packages/viewer && npx vite build
 *   npx tsx packages/viewer/bench/viewer.bench.ts [--equipment 2000] [--segments 5000] [--frames 60]
 *     [--width 1280 --height 800] [--aa 0] [--json]
 *
 * Serves packages/viewer/dist itself and opens `/?bench=1`: the app builds the plant without the
 * API (src/pages/BenchPage.tsx) and leaves its figures in `window.__plantganBench`.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, serveStatic } from "@plantgan/testing/browser";

// playwright-core is a dependency of the cross-package tests workspace; resolve it from there.
const require = createRequire(fileURLToPath(new URL("../../../tests/package.json", import.meta.url)));

/** The few playwright-core calls used here (its types live in the tests workspace). */
interface Page {
  on(event: "request", listener: (request: { url(): string }) => void): void;
  goto(url: string): Promise<unknown>;
  evaluate<T>(expression: string): Promise<T>;
}
interface Playwright {
  chromium: {
    launch(options: { executablePath: string; args: string[] }): Promise<{
      newPage(options: { viewport: { width: number; height: number } }): Promise<Page>;
      close(): Promise<void>;
    }>;
  };
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const dist = fileURLToPath(new URL("../dist", import.meta.url));
  if (!existsSync(`${dist}/index.html`)) throw new Error("no build: run `npx vite build` in packages/viewer first");
  if (!hasChromium()) throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  const equipment = arg("equipment", 2000);
  const segments = arg("segments", 5000);
  const frames = arg("frames", 60);
  const width = arg("width", 1280);
  const height = arg("height", 800);
  const aa = arg("aa", 1);
  const { chromium } = require("playwright-core") as Playwright;
  const site = await serveStatic(dist);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width, height } });
    const outside: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(site.url) && !r.url().startsWith("data:")) outside.push(r.url());
    });
    const t0 = Date.now();
    await page.goto(`${site.url}/?bench=1&equipment=${equipment}&segments=${segments}&frames=${frames}&aa=${aa}`);
    // Polled with evaluate: a string waitForFunction evals in the page, which its CSP forbids.
    for (const end = Date.now() + 300_000; !(await page.evaluate<boolean>("window.__plantganBench !== undefined")); ) {
      if (Date.now() > end) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 200));
    }
    const result = await page.evaluate<Record<string, unknown>>("window.__plantganBench");
    const wall = Date.now() - t0;
    if ("error" in result) throw new Error(String(result.error));
    if (outside.length > 0) throw new Error(`requests outside the server: ${outside.join(", ")}`);
    if (process.argv.includes("--json")) {
      console.log(JSON.stringify({ ...result, wallMs: wall }));
      return;
    }
    const f = result.frameMs as { mean: number; p50: number; p95: number; max: number; frames: number };
    const ms = (x: unknown) => `${Number(x).toFixed(0)} ms`;
    console.log(
      `viewer bench: ${result.equipment} equipment, ${result.segments} pipe segments, ${width}×${height}, antialias ${aa ? "on" : "off"}`,
    );
    console.log(`  renderer        ${result.renderer}`);
    console.log(`  generate        ${ms(result.generateMs)}`);
    console.log(`  build scene     ${ms(result.buildMs)}`);
    console.log(`  first frame     ${ms(result.firstFrameMs)} after navigation start`);
    console.log(
      `  frame time      mean ${f.mean.toFixed(1)} ms, p50 ${f.p50.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms, max ${f.max.toFixed(1)} ms over ${f.frames} frames`,
    );
    console.log(`  draw calls      ${result.drawCalls}, ${Number(result.triangles).toLocaleString("en")} triangles`);
  } finally {
    await browser.close();
    await site.close();
  }
}

main().catch((err) => {
  console.error(String(err));
  process.exitCode = 1;
});
