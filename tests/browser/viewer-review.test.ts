/**
 * End to end, in Chromium against a server running the shipped model: the review workflow.
 * Generating shows the job at once with a progress bar fed by its event stream; an invalid
 * candidate shows its reasons and is accepted only with a recorded reason; accepting under a
 * taken id offers the API's free id; pinning two items and regenerating gives candidates that
 * keep them. Skipped when Chromium is absent.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningServer, startServer } from "@plantgan/server";
import { pumpStationRequest, tankFarmWithoutVent, topologyModeRequest } from "@plantgan/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRAINING_JOBS } from "../api/harness.js";
import { DIST, ensureViewerBuilt, hasChromium, launch, shot, until, watch } from "./harness.js";

interface CandidateRecord {
  id: string;
  designId: string;
  valid?: boolean;
  layoutValid?: boolean;
  design: { equipment: { tag: string; x?: number; y?: number }[] } & Record<string, unknown>;
  report?: { summary: { errors: number }; violations: { rule: string; severity: string; tags: string[] }[] };
}

const SMALL = pumpStationRequest(1, 11);

describe.skipIf(!hasChromium())("viewer: the review workflow with the shipped model, in Chromium", () => {
  let browser: Browser;
  let server: RunningServer;
  let dataDir: string;
  let key: string;

  const api = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  /** Generates through the API and waits: the job id and its candidates, best first. */
  async function generate(request: unknown): Promise<{ job: string; candidates: CandidateRecord[] }> {
    const queued = await api<{ id: string }>("POST", "/generate?model=default", request, { prefer: "respond-async" });
    expect(queued.status).toBe(202);
    return { job: queued.body.id, candidates: await candidatesOf(queued.body.id) };
  }

  async function candidatesOf(job: string): Promise<CandidateRecord[]> {
    for (let i = 0; i < 1200; i++) {
      const { body } = await api<{ status: string }>("GET", `/jobs/${job}`);
      if (["succeeded", "failed", "cancelled"].includes(body.status)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const page = await api<{ items: { id: string }[] }>("GET", `/candidates?job=${job}`);
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

  beforeAll(async () => {
    ensureViewerBuilt();
    dataDir = mkdtempSync(join(tmpdir(), "plantgan-e2e-review-"));
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
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("shows the generation job at once, with a progress bar counting candidates as they finish", async () => {
    const { page, w } = await open("#/candidates");
    const form = page.getByRole("form", { name: "Generate" });
    await form.locator("select[name=processClass]").selectOption("pump_station");
    await expect.poll(() => form.locator("select[name=model]").inputValue()).toBe("default");
    await form.locator("input[name=count]").fill("3");
    await form.getByRole("button", { name: "Generate" }).click();
    // The job is on the page within moments, long before its candidates are done.
    const progress = page.getByTestId("job-progress");
    await progress.waitFor({ timeout: 5_000 });
    const seen = new Set<string>();
    for (let i = 0; i < 1200; i++) {
      const done = await progress.getAttribute("data-done");
      const total = await progress.getAttribute("data-total");
      seen.add(`${done}/${total}`);
      if (done === "3" && total === "3") break;
      await page.waitForTimeout(100);
    }
    expect([...seen]).toContain("3/3");
    // Seen before it finished: the bar followed the job rather than appearing at the end.
    expect([...seen].some((s) => s !== "3/3")).toBe(true);
    expect(await progress.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("3");
    await expect.poll(() => page.getByTestId("candidate").count(), { timeout: 60_000 }).toBe(3);
    // Each card says whether the candidate is valid.
    await expect.poll(() => page.getByTestId("valid-flag").count()).toBe(3);
    // ...and which source drew its P&ID: the shipped model's learned topology generator.
    await expect
      .poll(() => page.getByTestId("topology-source").allTextContents())
      .toEqual(["P&ID: learned", "P&ID: learned", "P&ID: learned"]);
    await shot(page, "candidates");
    expect(w.errors).toEqual([]);
    await page.close();
  });

  it("an invalid candidate shows its reasons, and is accepted only with a recorded reason", async () => {
    const { job, candidates } = await generate({ ...SMALL, site: { width: 5000, depth: 5000 }, seed: 3 });
    const [c] = candidates;
    const routed = c!.report!.violations.filter((v) => v.rule === "piping.routed");
    expect(routed.length).toBeGreaterThan(0);
    const { page, w } = await open(`#/candidates/${c!.id}?job=${job}`);
    const card = page.locator(`[data-testid=candidate][data-id="${c!.id}"]`);
    expect(await card.getByTestId("valid-flag").textContent()).toBe("invalid");
    const reasons = page.getByTestId("invalid-reasons");
    await reasons.waitFor();
    const text = (await reasons.textContent())!;
    expect(text).toContain(`${c!.report!.summary.errors} error`);
    expect(text).toContain("piping.routed");
    for (const t of routed[0]!.tags) expect(text).toContain(t);
    const review = page.getByTestId("review");
    const accept = review.getByRole("button", { name: "Accept" });
    expect(await accept.isDisabled()).toBe(true);
    await review.locator("textarea[name=override]").fill("site study only; piping comes later");
    await accept.click();
    await expect.poll(() => review.getByTestId("review-status").textContent()).toBe("accepted");
    const after = await api<{ review: { override?: { reason: string } } }>("GET", `/candidates/${c!.id}`);
    expect(after.body.review.override).toEqual({ reason: "site study only; piping comes later" });
    await shot(page, "invalid-candidate");
    expect(w.errors.filter((e) => !e.includes("409"))).toEqual([]);
    await page.close();
  });

  it("accepts under the free id the API suggests when the candidate's id is taken", async () => {
    const { job, candidates } = await generate({ ...SMALL, seed: 21 });
    const [c] = candidates;
    // Someone stored a design under the candidate's id first.
    const taken = await api("POST", "/designs", { ...c!.design, id: c!.designId });
    expect(taken.status).toBe(201);
    const { page } = await open(`#/candidates/${c!.id}?job=${job}`);
    const review = page.getByTestId("review");
    await review.waitFor();
    const override = review.locator("textarea[name=override]");
    if (await override.count()) await override.fill("accepted for the rename test");
    await review.getByRole("button", { name: "Accept" }).click();
    const renamed = review.getByTestId("accept-as");
    await renamed.waitFor();
    const suggested = await renamed.inputValue();
    expect(suggested).not.toBe(c!.designId);
    expect(suggested.startsWith(c!.designId)).toBe(true);
    await review.getByRole("button", { name: "Accept as new id" }).click();
    await expect.poll(() => review.getByTestId("review-status").textContent()).toBe("accepted");
    expect(await review.getByTestId("accepted-as").textContent()).toBe(suggested);
    expect((await api("GET", `/designs/${encodeURIComponent(suggested)}`)).status).toBe(200);
    await page.close();
  });

  it("pins two items and regenerates the rest: the new candidates keep them where they were", async () => {
    const { job, candidates } = await generate({ ...SMALL, seed: 31 });
    const [c] = candidates;
    const placed = c!.design.equipment.filter((e) => e.x !== undefined);
    const pins = placed.slice(0, 2);
    expect(pins.length).toBe(2);
    const { page, w } = await open(`#/candidates/${c!.id}?job=${job}`);
    const panel = page.getByTestId("regenerate-panel");
    await panel.locator("summary").click();
    for (const e of pins) await panel.locator(`[data-testid=pin][value="${e.tag}"]`).check();
    await panel.locator("input[type=number]").fill("2");
    await panel.getByTestId("regenerate").click();
    await until(page, `location.hash.includes("job=") && !location.hash.includes(${JSON.stringify(job)})`, 10_000);
    const newJob = new URL(`http://x/${(await page.evaluate<string>("location.hash")).slice(2)}`).searchParams.get(
      "job",
    )!;
    await expect.poll(() => page.getByTestId("job-progress").getAttribute("data-done"), { timeout: 120_000 }).toBe("2");
    await expect.poll(() => page.getByTestId("candidate").count(), { timeout: 60_000 }).toBe(2);
    const fresh = await candidatesOf(newJob);
    expect(fresh.length).toBe(2);
    for (const n of fresh)
      for (const e of pins) {
        const kept = n.design.equipment.find((x) => x.tag === e.tag);
        expect(kept, `${n.id} keeps ${e.tag}`).toBeDefined();
        expect([kept!.x, kept!.y]).toEqual([e.x, e.y]);
      }
    expect(w.errors).toEqual([]);
    await page.close();
  });

  it("a topology-mode candidate invalid only for its drawing's own error says its layout is valid", async () => {
    // The tank farm drawn without TK-101's vent: the drawing's error is inherited, the layout adds none.
    const { job, candidates } = await generate(topologyModeRequest(tankFarmWithoutVent(), 1, 3));
    const [c] = candidates;
    expect([c!.valid, c!.layoutValid]).toEqual([false, true]);
    const { page, w } = await open(`#/candidates/${c!.id}?job=${job}`);
    const card = page.locator(`[data-testid=candidate][data-id="${c!.id}"]`);
    expect(await card.getByTestId("valid-flag").textContent()).toBe("invalid");
    await card.getByTestId("layout-valid-flag").waitFor();
    expect(await card.getByTestId("layout-valid-flag").textContent()).toBe("layout valid; 1 inherited finding");
    await expect.poll(() => card.getByTestId("topology-source").textContent()).toBe("P&ID: request");
    const reasons = page.getByTestId("invalid-reasons");
    await reasons.waitFor();
    expect(await reasons.getByTestId("inherited-note").textContent()).toContain("the layout added none");
    expect(await reasons.textContent()).toContain("piping.tank-vent inherited");
    expect(w.errors).toEqual([]);
    await page.close();
  });
});
