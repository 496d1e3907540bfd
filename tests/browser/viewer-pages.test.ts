/**
 * End to end, in Chromium against the real server: page defects that an engineer trips over.
 * The training form fits its panel at 1400 × 900; the datasets table counts an upload at once;
 * the candidates grid pages through more candidates than fit one page.
 * Skipped when Chromium is absent.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningServer, type Store, startServer } from "@plantgan/server";
import { tankFarm } from "@plantgan/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIST, ensureViewerBuilt, hasChromium, launch, shot, watch } from "./harness.js";

describe.skipIf(!hasChromium())("viewer pages, in Chromium", () => {
  let browser: Browser;
  let server: RunningServer;
  let key: string;
  let dataDir: string;

  async function open(hash: string): Promise<{ page: Page; w: Awaited<ReturnType<typeof watch>> }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const w = await watch(page, server.url);
    await page.addInitScript(`localStorage.setItem("plantgan.apiKey", ${JSON.stringify(key)})`);
    await page.goto(`${server.url}/${hash}`);
    return { page, w };
  }

  beforeAll(async () => {
    ensureViewerBuilt();
    dataDir = mkdtempSync(join(tmpdir(), "plantgan-e2e-pages-"));
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
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("the training form fits inside its panel at 1400 × 900", async () => {
    const { page, w } = await open("#/training");
    const form = page.locator("form.pg-form").first();
    await form.waitFor();
    // Fields, labels and buttons of the form that reach outside its box.
    const overflow = await page.evaluate<string[]>(`(() => {
      const f = document.querySelector("form.pg-form");
      const box = f.getBoundingClientRect();
      const out = [];
      for (const el of f.querySelectorAll("input, select, button, textarea, label")) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && (r.right > box.right + 0.5 || r.left < box.left - 0.5))
          out.push(el.tagName + " " + (el.name || el.textContent.slice(0, 30)) + " " + r.left + "-" + r.right + " outside " + box.left + "-" + box.right);
      }
      return out;
    })()`);
    await shot(page, "training-form");
    expect(overflow).toEqual([]);
    expect(w.errors).toEqual([]);
    await page.close();
  });

  it("counts an upload in the datasets table at once", async () => {
    const res = await fetch(`${server.url}/v1/datasets`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "farm-set" }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const { page } = await open("#/datasets");
    const row = page.getByTestId("datasets").locator("tr", { hasText: "farm-set" });
    await expect.poll(() => row.locator("td").nth(1).textContent()).toBe("0");
    await page.locator("select[name=uploadDataset]").selectOption(id);
    const file = join(dataDir, "farm.json");
    writeFileSync(file, JSON.stringify(tankFarm()));
    await page.getByTestId("upload-input").setInputFiles(file);
    await expect
      .poll(() => page.getByTestId("upload-counts").textContent(), { timeout: 30_000 })
      .toContain("1 accepted");
    await expect.poll(() => row.locator("td").nth(1).textContent()).toBe("1");
    await page.close();
  });

  it("pages through the candidates grid", async () => {
    const store = (server.app as unknown as { store: Store }).store;
    const workspace = (await store.findWorkspaceByName("default"))!.id;
    const design = tankFarm();
    await store.insertCandidates(
      workspace,
      Array.from({ length: 30 }, (_, i) => ({
        id: `cand-page-${String(i).padStart(2, "0")}`,
        design: { ...design, id: `farm-${i}` },
      })),
    );
    const { page } = await open("#/candidates");
    const cards = page.getByTestId("candidate");
    await expect.poll(() => cards.count()).toBe(24);
    const pager = page.getByTestId("pager");
    expect(await pager.getByRole("button", { name: "Previous" }).isDisabled()).toBe(true);
    await pager.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => cards.count()).toBe(6);
    expect(await pager.getByRole("button", { name: "Next" }).isDisabled()).toBe(true);
    const second = await cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
    await pager.getByRole("button", { name: "Previous" }).click();
    await expect.poll(() => cards.count()).toBe(24);
    const first = await cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
    // Every candidate on exactly one page.
    expect(new Set([...first, ...second]).size).toBe(30);
    await page.close();
  });
});
