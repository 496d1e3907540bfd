import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium } from "@plantgan/testing/browser";
import { type Browser, chromium, type Page } from "playwright-core";

export { hasChromium };

export const VIEWER_DIR = fileURLToPath(new URL("../../packages/viewer/", import.meta.url));
export const DIST = join(VIEWER_DIR, "dist");

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

/** Builds packages/viewer/dist when it is missing or older than the sources (one builder at a time). */
export function ensureViewerBuilt(): void {
  const index = join(DIST, "index.html");
  const fresh = (): boolean => {
    if (!existsSync(index)) return false;
    const sources = Math.max(
      newest(join(VIEWER_DIR, "src")),
      statSync(join(VIEWER_DIR, "index.html")).mtimeMs,
      statSync(join(VIEWER_DIR, "vite.config.ts")).mtimeMs,
    );
    return statSync(index).mtimeMs >= sources;
  };
  if (fresh()) return;
  // Test files run in parallel workers: a lock folder keeps two builds from writing dist at once.
  const lock = join(VIEWER_DIR, ".build-lock");
  const start = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() - start > 120_000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (!fresh())
      execFileSync(join(VIEWER_DIR, "node_modules/.bin/vite"), ["build", "--logLevel", "warn"], {
        cwd: VIEWER_DIR,
        stdio: "inherit",
      });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface PageWatch {
  /** Requests that left the origin under test. */
  readonly outside: string[];
  /** Console errors and uncaught exceptions. */
  readonly errors: string[];
  /** Content-Security-Policy violations the page reported. */
  readonly csp: string[];
}

/** Records what a page does that it should not: leave the origin, log errors, break the CSP. */
export async function watch(page: Page, origin: string): Promise<PageWatch> {
  const w: PageWatch = { outside: [], errors: [], csp: [] };
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:")) w.outside.push(url);
  });
  page.on("console", (m) => {
    if (m.type() === "error") w.errors.push(m.text());
  });
  page.on("pageerror", (e) => w.errors.push(String(e)));
  await page.exposeFunction("__pgCsp", (v: string) => w.csp.push(v));
  await page.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => window.__pgCsp(e.violatedDirective + ' ' + e.blockedURI));",
  );
  return w;
}

/**
 * Share of the canvas's pixels that differ from its background colour (the top-left pixel of a
 * cleared frame is background). The viewer keeps its drawing buffer, so the canvas can be read.
 */
export async function drawnShare(page: Page, selector = "canvas.pg-canvas"): Promise<number> {
  return page.evaluate(`(() => {
    const src = document.querySelector(${JSON.stringify(selector)});
    if (!src) return -1;
    const c = document.createElement("canvas");
    c.width = src.width; c.height = src.height;
    const ctx = c.getContext("2d");
    ctx.drawImage(src, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const bg = [0xee, 0xf1, 0xf5];
    let differ = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 24) differ++;
    }
    return differ / (d.length / 4);
  })()`);
}

/** Client coordinates of a scene point in the first (or `index`th) viewer on the page. */
export async function projectToClient(
  page: Page,
  point: readonly [number, number, number],
  index = 0,
): Promise<{ x: number; y: number }> {
  return page.evaluate(
    `document.querySelectorAll("[data-testid=scene]")[${index}].pgViewer.toClient(${point.join(",")})`,
  );
}

/**
 * Polls an expression until it is truthy. (page.waitForFunction with a string predicate evals
 * inside the page, which the viewer's CSP forbids; page.evaluate goes through the debugger.)
 */
export async function until<T>(page: Page, expression: string, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await page.evaluate<T>(expression);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the n-th viewer has drawn its design (and a frame after it). */
export async function waitForScene(page: Page, index = 0): Promise<void> {
  await until(
    page,
    `(() => { const el = document.querySelectorAll("[data-testid=scene]")[${index}]; return !!el && el.dataset.ready === "1"; })()`,
  );
  await page.evaluate(`new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))`);
}

/** Saves a screenshot when PLANTGAN_SCREENSHOTS names a folder (for looking at the pages by eye). */
export async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.PLANTGAN_SCREENSHOTS;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
