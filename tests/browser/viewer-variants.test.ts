/**
 * End to end, in Chromium against a server running the shipped model: the review panel's
 * "Variant…" and "Blend with…" actions start jobs through the API (POST /v1/generate/variants,
 * /v1/generate/blends) and the page lists each new candidate when its job ends; the API says what
 * it came from. Skipped when Chromium is absent.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningServer, startServer } from "@plantgan/server";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRAINING_JOBS } from "../api/harness.js";
import { DIST, ensureViewerBuilt, hasChromium, launch, until, watch } from "./harness.js";

interface CandidateRecord {
  id: string;
  design: { equipment: { tag: string; type: string }[]; metadata: Record<string, string | number | boolean> };
}

describe.skipIf(!hasChromium())("viewer: variants and blends with the shipped model, in Chromium", () => {
  let browser: Browser;
  let server: RunningServer;
  let dataDir: string;
  let key: string;
  let job: string;
  let parents: CandidateRecord[];

  const api = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  async function candidatesOf(jobId: string): Promise<CandidateRecord[]> {
    for (let i = 0; i < 1200; i++) {
      const { body } = await api<{ status: string }>("GET", `/jobs/${jobId}`);
      if (["succeeded", "failed", "cancelled"].includes(body.status)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const page = await api<{ items: { id: string }[] }>("GET", `/candidates?job=${jobId}`);
    return Promise.all(
      page.body.items.map(async (c) => (await api<CandidateRecord>("GET", `/candidates/${c.id}`)).body),
    );
  }

  async function open(hash: string): Promise<{ page: Page; w: Awaited<ReturnType<typeof watch>> }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const w = await watch(page, server.url);
    await page.addInitScript(`localStorage.setItem("plantgan.apiKey", ${JSON.stringify(key)})`);
    await page.goto(`${server.url}/${hash}`);
    return { page, w };
  }

  /** After an action: the new job the page follows, once it lists the job's one candidate. */
  async function followedJob(page: Page): Promise<string> {
    await until(page, `location.hash.includes("job=") && !location.hash.includes(${JSON.stringify(job)})`, 10_000);
    const hash = await page.evaluate<string>("location.hash");
    const newJob = new URL(`http://x/${hash.slice(2)}`).searchParams.get("job")!;
    await expect.poll(() => page.getByTestId("job-progress").getAttribute("data-done"), { timeout: 120_000 }).toBe("1");
    await expect.poll(() => page.getByTestId("candidate").count(), { timeout: 60_000 }).toBe(1);
    return newJob;
  }

  beforeAll(async () => {
    ensureViewerBuilt();
    dataDir = mkdtempSync(join(tmpdir(), "plantgan-e2e-variants-"));
    server = await startServer({
      port: 0,
      dataDir,
      viewerDir: DIST,
      seed: { dataset: false, model: true },
      rateLimit: false,
      jobs: TRAINING_JOBS,
      print: () => {},
      logger: false,
    });
    key = server.firstRunKey!;
    browser = await launch();
    const queued = await api<{ id: string }>(
      "POST",
      "/generate?model=default",
      {
        schemaVersion: "1.0",
        processClass: "tank_farm",
        site: { width: 120, depth: 90 },
        equipment: [
          { type: "pump", count: 2 },
          { type: "tank", count: 1 },
        ],
        count: 2,
        seed: 21,
      },
      { prefer: "respond-async" },
    );
    expect(queued.status).toBe(202);
    job = queued.body.id;
    parents = await candidatesOf(job);
    expect(parents).toHaveLength(2);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("makes a variant with one more pump from the review panel and lists it when its job ends", async () => {
    const [c] = parents;
    const { page, w } = await open(`#/candidates/${c!.id}?job=${job}`);
    const panel = page.getByTestId("variant-panel");
    await panel.locator("summary").click();
    await panel.getByRole("textbox", { name: "Changes" }).fill("equipment.pump=+1");
    await panel.getByTestId("make-variant").click();
    const newJob = await followedJob(page);
    const [variant] = await candidatesOf(newJob);
    expect(await page.getByTestId("candidate").first().getAttribute("data-id")).toBe(variant!.id);
    const pumps = (r: CandidateRecord) => r.design.equipment.filter((e) => e.type === "pump").length;
    expect(pumps(variant!)).toBe(pumps(c!) + 1);
    expect(variant!.design.metadata.variantOf).toBe(c!.id);
    expect(w.errors).toEqual([]);
    await page.close();
  });

  it("shows a bad change as a problem, without starting a job", async () => {
    const [c] = parents;
    const { page } = await open(`#/candidates/${c!.id}?job=${job}`);
    const panel = page.getByTestId("variant-panel");
    await panel.locator("summary").click();
    await panel.getByRole("textbox", { name: "Changes" }).fill("equipment.widget=+1");
    await panel.getByTestId("make-variant").click();
    await expect.poll(() => panel.textContent(), { timeout: 10_000 }).toContain('unknown equipment type "widget"');
    expect(await page.evaluate<string>("location.hash")).toContain(job);
    await page.close();
  });

  it("blends the open candidate with a second one picked from the list and lists the blend", async () => {
    const [a, b] = parents;
    const { page, w } = await open(`#/candidates/${a!.id}?job=${job}`);
    const panel = page.getByTestId("blend-panel");
    await panel.locator("summary").click();
    await expect.poll(() => panel.getByRole("combobox", { name: "Second candidate" }).inputValue()).toBe(b!.id);
    await panel.locator("input[name=t]").fill("0.5");
    await panel.getByTestId("make-blend").click();
    const newJob = await followedJob(page);
    const [blend] = await candidatesOf(newJob);
    expect(await page.getByTestId("candidate").first().getAttribute("data-id")).toBe(blend!.id);
    expect(blend!.design.metadata.blendOf).toBe(`${a!.id},${b!.id}`);
    expect(blend!.design.metadata.blendT).toBe(0.5);
    expect(w.errors).toEqual([]);
    await page.close();
  });
});
