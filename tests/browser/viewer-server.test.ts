/**
 * End to end: the built viewer served by the real server (startServer, SQLite in a temporary
 * folder), driven in Chromium. Open a design and see it drawn; select a violation; upload a DEXPI
 * file.
 *
 * Generation and training with the real services are in viewer-generate.test.ts. Skipped when
 * Chromium is absent.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Design } from "@plantgan/core/design";
import { type RunningServer, type Store, startServer } from "@plantgan/server";
import { OWN_DEXPI, ownDexpiPath, tankFarm } from "@plantgan/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DIST,
  drawnShare,
  ensureViewerBuilt,
  hasChromium,
  launch,
  shot,
  until,
  waitForScene,
  watch,
} from "./harness.js";

const MODEL = "test-model";

describe.skipIf(!hasChromium())("viewer against the real server, in Chromium", () => {
  let browser: Browser;
  let server: RunningServer;
  let key: string;
  let dataDir: string;
  let workspaceId: string;
  const store = (): Store => (server.app as unknown as { store: Store }).store;

  const api = async <T>(
    method: string,
    path: string,
    body?: unknown,
    type = "application/json",
  ): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${server.url}/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body !== undefined ? { "content-type": type } : {}) },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  async function open(hash: string): Promise<{ page: Page; w: Awaited<ReturnType<typeof watch>> }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const w = await watch(page, server.url);
    await page.addInitScript(`localStorage.setItem("plantgan.apiKey", ${JSON.stringify(key)})`);
    await page.goto(`${server.url}/${hash}`);
    return { page, w };
  }

  beforeAll(async () => {
    ensureViewerBuilt();
    dataDir = mkdtempSync(join(tmpdir(), "plantgan-e2e-"));
    server = await startServer({
      port: 0,
      dataDir,
      viewerDir: DIST,
      seed: false,
      rateLimit: false,
      print: () => {},
      logger: false,
      // Nothing here runs a job; the generation and training paths are in viewer-generate.test.ts.
      jobs: { start: false },
    });
    key = server.firstRunKey!;
    workspaceId = (await store().findWorkspaceByName("default"))!.id;
    await store().putModel(workspaceId, { id: MODEL, status: "ready" });
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("serves the viewer at / with a CSP that keeps it on this origin", async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("connect-src 'self'");
  });

  it("opens a design and draws it", async () => {
    expect((await api("POST", "/designs", tankFarm())).status).toBe(201);
    const { page, w } = await open("#/designs/tankfarm-test");
    await waitForScene(page);
    expect(await drawnShare(page)).toBeGreaterThan(0.05);
    expect(await page.getByTestId("scene-stats").textContent()).toContain("5 equipment");
    await page.getByTestId("report-summary").waitFor();
    await shot(page, "design");
    expect(w.outside).toEqual([]);
    expect(w.csp).toEqual([]);
    expect(w.errors).toEqual([]);
    await page.close();
  });

  it("offers every export format of the API and downloads the chosen one", async () => {
    const schema = JSON.parse(readFileSync("schemas/api/design-export-query.schema.json", "utf8"));
    const formats: string[] = schema.properties.format.enum;
    if ((await api("GET", "/designs/tankfarm-test")).status !== 200) {
      expect((await api("POST", "/designs", tankFarm())).status).toBe(201);
    }
    const { page, w } = await open("#/designs/tankfarm-test");
    const select = page.getByTestId("export-format");
    await select.waitFor();
    expect(
      await select.locator("option").evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value)),
    ).toEqual(formats);
    await select.selectOption("dexpi2");
    const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-download").click()]);
    expect(file.suggestedFilename()).toBe("tankfarm-test.xml");
    expect(w.errors).toEqual([]);
    await page.close();
  });

  it("selects a violation when clicked and highlights what it involves", async () => {
    // Two tanks on top of each other: the validator must object.
    const base = tankFarm();
    const clash: Design = {
      ...base,
      id: "tankfarm-clash",
      equipment: base.equipment.map((e) => (e.tag === "T-102" ? { ...e, x: 36, nozzles: [] } : e)),
      lines: base.lines.filter((l) => l.id !== "100-P-1002-A1" && l.id !== "100-CW-2001"),
    };
    expect((await api("POST", "/designs", clash)).status).toBe(201);
    const { page } = await open("#/designs/tankfarm-clash");
    await waitForScene(page);
    const violations = page.getByTestId("violation");
    await violations.first().waitFor();
    const involving = violations.filter({ hasText: "T-102" }).first();
    await involving.click();
    expect(await involving.getAttribute("aria-pressed")).toBe("true");
    expect(await involving.getAttribute("class")).toContain("selected");
    // The scene outlines what the violation names.
    await until(
      page,
      `!!document.querySelector("[data-testid=scene]").pgViewer.designScene.group.getObjectByName("highlight")`,
      10_000,
    );
    await page.waitForTimeout(800);
    await shot(page, "violation");
    await page.close();
  });

  it("uploads a DEXPI file with a result per record, then shows the imported P&ID", async () => {
    const { page, w } = await open("#/datasets");
    await page.getByTestId("upload-input").setInputFiles(ownDexpiPath(OWN_DEXPI.tankLevelLoop));
    const result = page.getByTestId("upload-result");
    await expect
      .poll(() => result.getByTestId("upload-counts").textContent(), { timeout: 30_000 })
      .toContain("1 accepted");
    const link = result.locator("a").first();
    const id = (await link.textContent())!;
    const { body: stored } = await api<{ source: string; summary: { placement: string } }>(
      "GET",
      `/designs/${encodeURIComponent(id)}`,
    );
    expect(stored.source).toBe("dexpi");
    await shot(page, "upload");
    await link.click();
    // A P&ID without a layout opens in the P&ID view; its 3D view says the positions are made up.
    await page.getByTestId("pid").waitFor();
    await page.getByTestId("view-3d").click();
    await page.getByTestId("schematic-notice").waitFor();
    await waitForScene(page);
    await shot(page, "dexpi-design");
    expect(await drawnShare(page)).toBeGreaterThan(0.02);
    expect(w.outside).toEqual([]);
    await page.close();
  });
});
