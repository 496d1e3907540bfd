/**
 * End to end, in Chromium against the real server: the design page's 2D drawings. The plan view
 * measures a known distance and flies to a searched tag, and prints to scale with a title block;
 * an uploaded DEXPI P&ID opens in the P&ID view with its instruments and its loop, selection
 * shared with the 3D view; loops, interlocks and the Cause & Effect matrix sit beside the views.
 * Skipped when Chromium is absent.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningServer, startServer } from "@plantgan/server";
import { OWN_DEXPI, ownDexpiPath, tankFarm } from "@plantgan/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DIST, ensureViewerBuilt, hasChromium, launch, shot, until, waitForScene, watch } from "./harness.js";

describe.skipIf(!hasChromium())("design drawings (plan, P&ID, C&E), in Chromium", () => {
  let browser: Browser;
  let server: RunningServer;
  let key: string;
  let dataDir: string;
  const farm = tankFarm();
  const at = (tag: string): [number, number] => {
    const e = farm.equipment.find((x) => x.tag === tag)!;
    return [e.x!, e.y!];
  };

  async function open(hash: string): Promise<{ page: Page; w: Awaited<ReturnType<typeof watch>> }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const w = await watch(page, server.url);
    await page.addInitScript(`localStorage.setItem("plantgan.apiKey", ${JSON.stringify(key)})`);
    await page.goto(`${server.url}/${hash}`);
    return { page, w };
  }

  /** Client position of a design point in the plan view. */
  const planClient = (page: Page, x: number, y: number): Promise<{ x: number; y: number }> =>
    page.evaluate(`document.querySelector("[data-testid=plan]").pgPlan.toClient(${x}, ${y})`);

  /** Waits until the plan has framed the site (its transform unchanged across a few frames). */
  async function planSettled(page: Page): Promise<void> {
    await page.getByTestId("plan").locator("rect.equipment").first().waitFor();
    let last = "";
    for (let i = 0; i < 100; i++) {
      const now = JSON.stringify(await planClient(page, 0, 0));
      if (now === last) return;
      last = now;
      await page.waitForTimeout(150);
    }
  }

  beforeAll(async () => {
    ensureViewerBuilt();
    dataDir = mkdtempSync(join(tmpdir(), "plantgan-e2e-drawings-"));
    server = await startServer({
      port: 0,
      dataDir,
      viewerDir: DIST,
      seed: false,
      rateLimit: false,
      print: () => {},
      logger: false,
      jobs: { start: false },
    });
    key = server.firstRunKey!;
    const res = await fetch(`${server.url}/v1/designs`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(farm),
    });
    expect(res.status).toBe(201);
    browser = await launch();
  });

  // A failed test leaves its page open: close every context so it cannot slow the next test.
  afterEach(async () => {
    for (const c of browser?.contexts() ?? []) await c.close();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("the plan view measures the distance between two equipment centres within 0.1 m", async () => {
    const { page, w } = await open("#/designs/tankfarm-test?view=plan");
    const plan = page.getByTestId("plan");
    await planSettled(page);
    await expect.poll(() => plan.getByTestId("plan-scale-bar").count()).toBe(1);
    expect(await plan.getByTestId("plan-north").textContent()).toContain("N");
    await page.getByTestId("plan-measure").check();
    const a = at("T-101");
    const b = at("T-102");
    for (const p of [a, b]) {
      const c = await planClient(page, p[0], p[1]);
      await page.mouse.click(c.x, c.y);
    }
    const text = (await page.getByTestId("plan-measurement").textContent())!;
    const measured = Number(/Distance ([\d.]+) m/.exec(text)![1]);
    expect(Math.abs(measured - Math.hypot(b[0] - a[0], b[1] - a[1]))).toBeLessThan(0.1);
    expect(w.errors).toEqual([]);
    await page.close();
  });

  it("shows the dimension between a selected pair", async () => {
    const { page } = await open("#/designs/tankfarm-test?view=plan");
    await planSettled(page);
    const p = at("T-101");
    const q = at("P-101A");
    const c1 = await planClient(page, p[0], p[1]);
    await page.mouse.click(c1.x, c1.y);
    await expect.poll(() => page.getByTestId("properties-title").textContent()).toContain("T-101");
    const c2 = await planClient(page, q[0], q[1]);
    await page.keyboard.down("Shift");
    await page.mouse.click(c2.x, c2.y);
    await page.keyboard.up("Shift");
    const text = (await page.getByTestId("plan-dimension-text").textContent())!;
    expect(text).toContain("T-101");
    expect(text).toContain("P-101A");
    expect(text).toContain(`${Math.hypot(q[0] - p[0], q[1] - p[1]).toFixed(2)} m`);
    await page.close();
  });

  it("searches a tag: the item is selected and the plan centres on it", async () => {
    const { page, w } = await open("#/designs/tankfarm-test?view=plan");
    const plan = page.getByTestId("plan");
    await planSettled(page);
    await page.getByTestId("plan-search").fill("p-101a");
    await page.getByTestId("plan-search").press("Enter");
    await expect.poll(() => plan.locator('rect[data-tag="P-101A"]').getAttribute("data-selected")).toBe("1");
    await expect.poll(() => page.getByTestId("properties-title").textContent()).toContain("P-101A");
    const box = (await plan.boundingBox())!;
    const [x, y] = at("P-101A");
    await expect
      .poll(async () => {
        const c = await planClient(page, x, y);
        return Math.hypot(c.x - (box.x + box.width / 2), c.y - (box.y + box.height / 2));
      })
      .toBeLessThan(2);
    await shot(page, "plan");
    expect(w.errors).toEqual([]);
    await page.close();
  });

  it("prints the plan as SVG at 1:500 with a title block", async () => {
    const { page } = await open("#/designs/tankfarm-test?view=plan");
    await page.getByTestId("plan").locator('rect[data-tag="T-101"]').waitFor();
    await page.getByTestId("plan-print-scale").selectOption("500");
    const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId("plan-print").click()]);
    expect(file.suggestedFilename()).toBe("tankfarm-test-plan-1-500.svg");
    const svg = readFileSync((await file.path())!, "utf8");
    // 160 m at 1:500 is 320 mm of drawing, plus 10 mm margins.
    expect(svg).toMatch(/<svg [^>]*width="340\.00mm"/);
    const title = /<g class="title-block">([\s\S]*?)<\/g>/.exec(svg)![1]!;
    expect(title).toContain("tankfarm-test");
    expect(title).toContain("tank_farm");
    expect(title).toContain("1:500");
    expect(title).toContain(new Date().toISOString().slice(0, 10));
    await page.close();
  });

  it("lists loops and interlocks beside the views, with the Cause & Effect matrix", async () => {
    const { page } = await open("#/designs/tankfarm-test?view=pid");
    const panel = page.getByTestId("control-panel");
    const loops = panel.getByTestId("loop-list");
    await loops.waitFor();
    for (const l of farm.control.loops) {
      const row = loops.locator("tr", { hasText: l.tag });
      expect(await row.textContent()).toContain(l.measurement);
      expect(await row.textContent()).toContain(l.finalElement);
    }
    const ce = panel.getByTestId("cause-effect");
    const headings = await ce.locator("thead th").allTextContents();
    const il = farm.control.interlocks[0]!;
    const column = headings.indexOf(`${il.effects[0]!.target} ${il.effects[0]!.action}`);
    expect(column).toBeGreaterThan(1);
    const cells = await ce.locator("tbody tr", { hasText: il.tag }).locator("th, td").allTextContents();
    expect(cells[1]).toContain(il.cause.instrument);
    expect(cells[column]).toBe("X");
    // A C&E row selects the interlock in the P&ID.
    await ce.locator("tbody tr", { hasText: il.tag }).click();
    await expect
      .poll(() => page.getByTestId("pid").locator(`[data-kind=interlock][data-tag="${il.tag}"]`).getAttribute("class"))
      .toContain("selected");
    await shot(page, "cause-effect");
    await page.close();
  });

  it("3D tags never overlap: equipment tags win, the rest hide on collision", async () => {
    const { page } = await open("#/designs/tankfarm-test?view=3d");
    await waitForScene(page);
    // From far away every tag competes for the same few pixels.
    await page.evaluate(
      `(() => { const v = document.querySelector("[data-testid=scene]").pgViewer; v.camera.position.multiplyScalar(4); v.controls.update(); v.renderNow(); })()`,
    );
    const boxes = await page.evaluate<{ kind: string; text: string; x0: number; y0: number; x1: number; y1: number }[]>(
      `Array.from(document.querySelectorAll(".pg-label")).filter((e) => e.style.display !== "none").map((e) => { const r = e.getBoundingClientRect(); return { kind: e.dataset.kind, text: e.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom }; })`,
    );
    expect(boxes.length).toBeGreaterThan(0);
    for (const [i, a] of boxes.entries())
      for (const b of boxes.slice(i + 1))
        expect(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1, `${a.text} overlaps ${b.text}`).toBe(false);
    expect(boxes.some((b) => b.kind === "equipment")).toBe(true);
    await page.close();
  });

  it("toggles the 3D control overlay per kind: loops and interlocks each on their own", async () => {
    const { page } = await open("#/designs/tankfarm-test?view=3d");
    await waitForScene(page);
    // Signal segments drawn, and markers of each kind with a size (hidden ones shrink to nothing).
    const state = () =>
      page.evaluate<{ drawn: number; loop: number; interlock: number }>(`(() => {
        const v = document.querySelector("[data-testid=scene]").pgViewer;
        const s = v.designScene;
        const signals = s.overlay.getObjectByName("overlay:signals");
        const markers = s.overlay.getObjectByName("overlay:markers");
        const out = { drawn: signals.geometry.index ? signals.geometry.index.count / 2 : signals.geometry.getAttribute("position").count / 2, loop: 0, interlock: 0 };
        for (let i = 0; i < markers.count; i++) {
          if (markers.instanceMatrix.array[i * 16] === 0 && markers.instanceMatrix.array[i * 16 + 1] === 0) continue;
          out[s.pickMap.resolve(markers, { instanceId: i }).kind]++;
        }
        return out;
      })()`);
    // LIC-101: measurement → controller → valve; I-101: cause → logic → one effect.
    expect(await state()).toEqual({ drawn: 4, loop: 1, interlock: 1 });
    await page.getByTestId("overlay-interlocks").uncheck();
    expect(await state()).toEqual({ drawn: 2, loop: 1, interlock: 0 });
    await page.getByTestId("overlay-loops").uncheck();
    await page.getByTestId("overlay-interlocks").check();
    expect(await state()).toEqual({ drawn: 2, loop: 0, interlock: 1 });
    await page.close();
  });

  it("opens an uploaded DEXPI P&ID in the P&ID view with its instruments and its loop", async () => {
    const { page, w } = await open("#/datasets");
    await page.getByTestId("upload-input").setInputFiles(ownDexpiPath(OWN_DEXPI.tankLevelLoop));
    const result = page.getByTestId("upload-result");
    await expect
      .poll(() => result.getByTestId("upload-counts").textContent(), { timeout: 30_000 })
      .toContain("1 accepted");
    await result.locator("a").first().click();
    // No layout in the file: the P&ID is the default view.
    const pid = page.getByTestId("pid");
    await pid.locator('[data-kind=instrument][data-tag="LT-201"]').waitFor();
    expect(await page.getByTestId("view-pid").getAttribute("aria-selected")).toBe("true");
    for (const tag of ["P-201", "T-202"])
      expect(await pid.locator(`[data-kind=equipment][data-tag="${tag}"]`).count()).toBe(1);
    expect(await pid.locator('[data-kind=loop][data-tag="LIC-201"]').textContent()).toBe("LIC201");
    expect(await pid.locator('[data-kind=component][data-tag="LV-201"]').count()).toBe(1);
    expect(await pid.locator('polyline[data-line="50-P-201"]').count()).toBe(1);
    // The loop: LT-201 → LIC-201 → LV-201, dashed signal lines.
    expect(await pid.locator('.signal[data-owner="LIC-201"]').count()).toBe(2);
    await shot(page, "pid");

    // Selection is shared: pick the tank in the P&ID, then see it selected in 3D.
    await pid.locator('[data-kind=equipment][data-tag="T-202"]').click();
    await expect.poll(() => page.getByTestId("properties-title").textContent()).toContain("T-202");
    await page.getByTestId("view-3d").click();
    expect(await page.getByTestId("schematic-notice").isVisible()).toBe(true);
    await until(page, `document.querySelector(".pg-label.selected")?.textContent === "T-202"`);
    expect(w.errors).toEqual([]);
    expect(w.outside).toEqual([]);
    await page.close();
  });
});
