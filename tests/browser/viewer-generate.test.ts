/**
 * End to end with the real generation and training services: the built viewer on a fresh server
 * whose first run registered the shipped model. The Candidates page asks for candidates, a worker
 * process runs the whole pipeline (GAN → legalise → route → control completion → validate → rank),
 * the grid fills with the ranked candidates, and one is accepted through the review panel. The
 * Training page starts a real (tiny) training job and draws its losses, metrics and sample
 * layouts per epoch from the job's event stream.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { type RunningServer, startServer } from "@plantgan/server";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRAINING_JOBS } from "../api/harness.js";
import { DIST, ensureViewerBuilt, hasChromium, launch, shot, until, watch } from "./harness.js";

describe.skipIf(!hasChromium())("viewer: generate and accept with the shipped model, in Chromium", () => {
  let browser: Browser;
  let server: RunningServer;
  let dataDir: string;
  let key: string;

  beforeAll(async () => {
    ensureViewerBuilt();
    dataDir = mkdtempSync(join(tmpdir(), "plantgan-e2e-gen-"));
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

  it("generates ranked candidates from the form, accepts one, and the API says it is accepted", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const w = await watch(page, server.url);
    await page.addInitScript(`localStorage.setItem("plantgan.apiKey", ${JSON.stringify(key)})`);
    await page.goto(`${server.url}/#/candidates`);
    const form = page.getByRole("form", { name: "Generate" });
    await form.locator("select[name=processClass]").selectOption("pump_station");
    await expect.poll(() => form.locator("select[name=model]").inputValue()).toBe("default");
    await form.locator("input[name=count]").fill("2");
    await form.locator("input[name=seed]").fill("7");
    await form.getByRole("button", { name: "Generate" }).click();
    await until(page, `location.hash.includes("job=")`, 20_000);
    const cards = page.getByTestId("candidate");
    await expect.poll(() => cards.count(), { timeout: 120_000 }).toBe(2);
    await expect.poll(() => page.locator("img.pg-thumb").count(), { timeout: 60_000 }).toBe(2);
    await shot(page, "candidates-generated");

    const id = (await cards.first().getAttribute("data-id"))!;
    await cards
      .first()
      .getByRole("button", { name: `Open ${id}` })
      .click();
    const review = page.getByTestId("review");
    await review.locator("textarea[name=comment]").fill("Pumps by the rack, fine.");
    await review.getByRole("button", { name: "Accept" }).click();
    await expect.poll(() => review.getByTestId("review-status").textContent()).toBe("accepted");
    const res = await fetch(`${server.url}/v1/candidates/${id}`, { headers: { Authorization: `Bearer ${key}` } });
    const candidate = (await res.json()) as { status: string; design: { processClass: string } };
    expect(candidate.status).toBe("accepted");
    expect(candidate.design.processClass).toBe("pump_station");
    expect(w.errors).toEqual([]);
    expect(w.csp).toEqual([]);
    expect(w.outside).toEqual([]);
    await page.close();
  });

  it("trains a model from the Training page, with live progress, loss and metric plots and samples per epoch", async () => {
    const api = (path: string, body: string, type = "application/json") =>
      fetch(`${server.url}/v1${path}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${key}`, "content-type": type },
        body,
      });
    expect((await api("/datasets", JSON.stringify({ id: "plants", name: "Shipped plants" }))).status).toBe(201);
    const designs = gunzipSync(readFileSync(new URL("../../datasets/synthetic-v1/train.ndjson.gz", import.meta.url)))
      .toString("utf8")
      .split("\n")
      .slice(0, 16)
      .join("\n");
    expect((await api("/designs?dataset=plants", designs, "application/x-ndjson")).status).toBe(201);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const w = await watch(page, server.url);
    await page.addInitScript(`localStorage.setItem("plantgan.apiKey", ${JSON.stringify(key)})`);
    await page.goto(`${server.url}/#/training`);
    const form = page.getByRole("form", { name: "Train" });
    await expect.poll(() => form.locator("select[name=dataset]").inputValue()).toBe("plants");
    await form.locator("input[name=modelId]").fill("gan-e2e");
    await form.locator("select[name=size]").selectOption("tiny");
    expect(await form.locator("select[name=generator]").inputValue()).toBe("layout");
    await form.locator("select[name=generator]").selectOption("graph");
    await form.locator("input[name=epochs]").fill("3");
    await form.locator("input[name=batchSize]").fill("8");
    // The layout phase alone: the topology phase's epochs would join the progress bar and the loss plots.
    await form.locator("input[name=extra]").fill('{"previews": 3, "topologyEpochs": 0}');
    await form.getByRole("button", { name: "Start training" }).click();
    await until(page, `location.hash.includes("job=")`, 20_000);

    const run = page.getByTestId("training-run");
    await expect.poll(() => run.locator(".badge").first().textContent(), { timeout: 180_000 }).toBe("succeeded");
    await expect.poll(() => run.getByRole("progressbar").getAttribute("aria-valuenow"), { timeout: 20_000 }).toBe("3");
    // One point per epoch in every loss series; the preview metrics beside them.
    const lossPoints = await run.getByTestId("chart-losses").locator("polyline").first().getAttribute("points");
    expect(lossPoints?.trim().split(" ")).toHaveLength(3);
    expect(await run.getByTestId("chart-eval metrics").locator("polyline").count()).toBe(2);
    expect(await run.getByTestId("chart-pipeline").locator("polyline").count()).toBe(1);
    await expect.poll(() => run.locator("img.pg-thumb").count(), { timeout: 60_000 }).toBe(9);
    const models = page.getByRole("row").filter({ hasText: "gan-e2e" });
    await expect.poll(() => models.textContent(), { timeout: 20_000 }).toContain("ready");
    const card = (await (
      await fetch(`${server.url}/v1/models/gan-e2e`, { headers: { Authorization: `Bearer ${key}` } })
    ).json()) as { card: { settings: Record<string, unknown> } };
    expect(card.card.settings.generator).toBe("graph");
    await shot(page, "training");
    expect(w.errors).toEqual([]);
    expect(w.csp).toEqual([]);
    await page.close();
  });
});
