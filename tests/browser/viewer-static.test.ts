/**
 * The built viewer in Chromium without a server: bench mode (a synthetic plant, no API), and the
 * design view against a stubbed API (Playwright answers /v1 with fixtures shaped like the
 * server's). The end-to-end suite against the real server is viewer-server.test.ts.
 * Skipped when Chromium is absent (apt-get install -y chromium).
 */
import { readFile } from "node:fs/promises";
import { tankFarm } from "@plantgan/testing";
import { serveStatic } from "@plantgan/testing/browser";
import type { Browser, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DIST,
  drawnShare,
  ensureViewerBuilt,
  hasChromium,
  launch,
  projectToClient,
  until,
  waitForScene,
  watch,
} from "./harness.js";

describe.skipIf(!hasChromium())("viewer, built, in Chromium (no server)", () => {
  let browser: Browser;
  let site: Awaited<ReturnType<typeof serveStatic>>;

  beforeAll(async () => {
    ensureViewerBuilt();
    site = await serveStatic(DIST);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it("bench mode draws a synthetic plant and reports its timings, fetching nothing from outside", async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    const w = await watch(page, site.url);
    await page.goto(`${site.url}/?bench=1&equipment=300&segments=600&frames=3`);
    await until(page, "window.__plantganBench !== undefined", 120_000);
    const result = await page.evaluate<{
      equipment: number;
      segments: number;
      firstFrameMs: number;
      frameMs: { frames: number };
    }>("window.__plantganBench");
    expect(result).toMatchObject({ equipment: 300, segments: 600 });
    expect(result.frameMs.frames).toBe(3);
    expect(result.firstFrameMs).toBeGreaterThan(0);
    expect(await drawnShare(page)).toBeGreaterThan(0.05);
    expect(w.outside).toEqual([]);
    expect(w.csp).toEqual([]);
    expect(w.errors).toEqual([]);
    await page.close();
  });

  describe("design view against a stubbed API", () => {
    const design = tankFarm();
    const report = {
      schemaVersion: "1.0",
      designId: design.id,
      rulePack: { id: "default", version: "1" },
      geometryChecked: true,
      summary: { errors: 1, warnings: 1, infos: 0, rulesRun: 12 },
      skipped: [],
      violations: [
        {
          rule: "geometry.spacing",
          category: "geometry",
          severity: "error",
          message: "T-101 and T-102 are closer than the spacing table allows.",
          tags: ["T-101", "T-102"],
          lines: [],
          location: { x: 45, y: 65, z: 0 },
        },
        {
          rule: "piping.unrouted",
          category: "piping",
          severity: "warning",
          message: "100-CW-2001 has no route.",
          tags: [],
          lines: ["100-CW-2001"],
        },
      ],
    };
    const seen: { method: string; path: string; auth: string | undefined }[] = [];

    async function stub(route: Route): Promise<void> {
      const req = route.request();
      const url = new URL(req.url());
      seen.push({ method: req.method(), path: url.pathname, auth: req.headers().authorization });
      const json = (status: number, body: unknown, type = "application/json") =>
        route.fulfill({ status, contentType: type, body: JSON.stringify(body) });
      if (req.headers().authorization !== "Bearer pgk_test") {
        return json(
          401,
          { type: "about:blank", title: "A valid API key is required", status: 401, code: "unauthorized" },
          "application/problem+json",
        );
      }
      if (req.method() === "GET" && url.pathname === `/v1/designs/${design.id}`) {
        return json(200, {
          id: design.id,
          processClass: design.processClass,
          status: "uploaded",
          source: "json",
          sha256: "0",
          size: 1,
          createdAt: "2025-01-01T00:00:00Z",
          summary: {},
          design,
        });
      }
      if (req.method() === "POST" && url.pathname === "/v1/validate") return json(200, report);
      return json(404, { title: "Not found", status: 404, code: "not_found" }, "application/problem+json");
    }

    async function openDesign(): Promise<{ page: Page; w: Awaited<ReturnType<typeof watch>> }> {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const w = await watch(page, site.url);
      await page.addInitScript("localStorage.setItem('plantgan.apiKey', 'pgk_test')");
      await page.route("**/v1/**", stub);
      await page.goto(`${site.url}/#/designs/${design.id}`);
      await waitForScene(page);
      return { page, w };
    }

    it("draws the design, sends the key, and lists the violations", async () => {
      const { page, w } = await openDesign();
      expect(await drawnShare(page)).toBeGreaterThan(0.05);
      await page.getByTestId("violation").first().waitFor();
      expect(await page.getByTestId("violation").count()).toBe(2);
      expect(seen.every((s) => s.auth === "Bearer pgk_test")).toBe(true);
      expect(seen.map((s) => `${s.method} ${s.path}`)).toContain("POST /v1/validate");
      expect(w.outside).toEqual([]);
      expect(w.csp).toEqual([]);
      expect(w.errors).toEqual([]);
      await page.close();
    });

    it("selects a clicked violation, highlights what it involves, and filters by severity", async () => {
      const { page } = await openDesign();
      const first = page.getByTestId("violation").first();
      await first.click();
      expect(await first.getAttribute("aria-pressed")).toBe("true");
      // The camera flies to the two tanks; after the flight the highlight outline is drawn.
      await page.waitForTimeout(900);
      const highlighted = await page.evaluate<string[]>(
        `(() => { const v = document.querySelector("[data-testid=scene]").pgViewer; const h = v.designScene.group.getObjectByName("highlight"); return h ? [String(h.geometry.getAttribute("position").count)] : []; })()`,
      );
      expect(highlighted).toHaveLength(1);
      // Unticking "error" hides the error violation.
      await page
        .getByLabel("Filters")
        .getByText(/^error/)
        .click();
      expect(await page.getByTestId("violation").count()).toBe(1);
      await page.close();
    });

    it("shows a picked item's properties", async () => {
      const { page } = await openDesign();
      await page.getByRole("button", { name: "Top" }).click();
      await page.waitForTimeout(900);
      const p = await projectToClient(page, [60, 65, 10]);
      await page.mouse.click(p.x, p.y);
      await expect.poll(() => page.getByTestId("properties-title").textContent()).toBe("T-102");
      await page.close();
    });

    it("exports the scene as glTF (GLB) and a PNG snapshot", async () => {
      const { page } = await openDesign();
      const [glb] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Export glTF" }).click(),
      ]);
      expect(glb.suggestedFilename()).toBe(`${design.id}.glb`);
      const glbBytes = await readFile((await glb.path())!);
      expect(glbBytes.subarray(0, 4).toString("latin1")).toBe("glTF");
      const json = JSON.parse(glbBytes.subarray(20, 20 + glbBytes.readUInt32LE(12)).toString("utf8")) as {
        nodes: { name?: string }[];
      };
      expect(json.nodes.map((n) => n.name)).toContain("pipes");
      const [png] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "PNG" }).click(),
      ]);
      const pngBytes = await readFile((await png.path())!);
      expect(pngBytes.subarray(1, 4).toString("latin1")).toBe("PNG");
      expect(pngBytes.length).toBeGreaterThan(5000);
      await page.close();
    });

    it("asks for the API key when none is stored", async () => {
      const page = await browser.newPage();
      await page.goto(`${site.url}/#/datasets`);
      await page.getByRole("form", { name: "API key" }).waitFor();
      await page.close();
    });
  });
});
