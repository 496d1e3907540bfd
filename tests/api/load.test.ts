import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { gunzipSync } from "node:zlib";
import { trainingService } from "@plantgan/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDesign } from "./designs.js";
import { json, startTestServer, type TestServer, TRAINING_JOBS } from "./harness.js";

/**
 * The API under abuse, as issue 17 measured it: one workspace uploads four 15 MB DEXPI bodies at a
 * time (again and again) and starts a training, while /health and another workspace's
 * /v1/validate are timed by autocannon in its own process, and the uploads too are sent from a
 * process of their own (so neither the load generator nor the abuser shares the server's event
 * loop: encoding four 15 MB bodies in the server's process held its loop for half a second). The test asserts what must hold on any machine: every timed request
 * answered 2xx, every upload answered, the training accepted. The p99s against issue 17's 100 ms
 * target are printed with the load average, not asserted: on a shared 2-core machine they swing
 * from 58 to 587 ms with the neighbours' load (speed is measured by printed figures here, not by
 * timed assertions). `PLANTGAN_LOAD_P99_MS=100` turns the target into an assertion on a machine of
 * one's own.
 */

/** Issue 17's target for both p99s, ms; asserted only when PLANTGAN_LOAD_P99_MS names a limit. */
const P99_TARGET_MS = 100;
const P99_ASSERTED_MS = process.env.PLANTGAN_LOAD_P99_MS ? Number(process.env.PLANTGAN_LOAD_P99_MS) : undefined;
/** How long the timed window lasts, seconds: several rounds of uploads and the training's start. */
const WINDOW_S = 15;
/** Requests per second for each timed route: a steady client, not a flood (latency, not throughput). */
const RATE = 20;
const UPLOAD_BYTES = 15 * 1024 * 1024;

interface Timed {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
}

/** A DEXPI 1.x body of about `bytes`: a plant model padded with empty elements (the attack). */
function paddedDexpi(bytes: number): string {
  const head = '<?xml version="1.0" encoding="UTF-8"?>\n<PlantModel>\n';
  const tail = "</PlantModel>\n";
  const pad = '<Nothing Comment="abuse......"/>\n';
  return head + pad.repeat(Math.floor((bytes - head.length - tail.length) / pad.length)) + tail;
}

/** Runs autocannon in a child process for WINDOW_S seconds at RATE requests/s; its latency figures. */
async function timeRoute(url: string, init: { method?: string; key?: string; body?: string } = {}): Promise<Timed> {
  const bin = createRequire(import.meta.url).resolve("autocannon/autocannon.js");
  const args = [bin, "--json", "-d", String(WINDOW_S), "-c", "2", "-R", String(RATE), "-t", "30"];
  if (init.method) args.push("-m", init.method);
  if (init.key) args.push("-H", `authorization=Bearer ${init.key}`);
  if (init.body) args.push("-H", "content-type=application/json", "-b", init.body);
  args.push(url);
  const r = (await nodeJson(args, "autocannon")) as {
    latency: { p50: number; p99: number; max: number };
    requests: { total: number };
    non2xx: number;
    errors: number;
  };
  return {
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

/** Runs node with `args` in a process of its own; what it printed, as JSON. */
function nodeJson(args: string[], what: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    child.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${what} exited ${code}: ${err}`)),
    );
  });
}

interface Upload {
  readonly status: number;
  readonly ms: number;
  readonly unmapped: number;
  readonly warnings: string[];
}

/**
 * The abuser, in a process of its own: rounds of four concurrent uploads of the file's bytes until
 * `untilMs` (epoch ms), each answer's status, time and report notes printed as JSON.
 */
const UPLOADER = `
const [url, key, file, untilMs] = process.argv.slice(1);
const body = require("node:fs").readFileSync(file);
const uploads = [];
(async () => {
  for (let round = 1; Date.now() < Number(untilMs); round++) {
    uploads.push(...(await Promise.all([0, 1, 2, 3].map(async (k) => {
      const t = Date.now();
      const res = await fetch(url + "/v1/designs?id=abuse-" + round + "-" + k, {
        method: "POST",
        headers: { authorization: "Bearer " + key, "content-type": "application/xml" },
        body,
      });
      const report = await res.json();
      return { status: res.status, ms: Date.now() - t, unmapped: report.unmapped?.length ?? 0, warnings: report.warnings ?? [] };
    }))));
  }
  process.stdout.write(JSON.stringify(uploads));
})();
`;

async function uploadUntil(url: string, key: string, file: string, untilMs: number): Promise<Upload[]> {
  return (await nodeJson(["-e", UPLOADER, url, key, file, String(untilMs)], "the uploader")) as Upload[];
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

describe("the API under XML and training abuse", () => {
  let s: TestServer;
  const xmlDir = mkdtempSync(join(tmpdir(), "plantgan-load-"));

  beforeAll(async () => {
    s = await startTestServer({ jobs: TRAINING_JOBS, services: { training: trainingService } });
    expect((await s.api("/v1/datasets", json({ id: "plants", name: "plants" }))).status).toBe(201);
    const designs = gunzipSync(readFileSync(new URL("../../datasets/synthetic-v1/train.ndjson.gz", import.meta.url)))
      .toString("utf8")
      .split("\n")
      .slice(0, 32)
      .join("\n");
    const uploaded = await s.api("/v1/designs?dataset=plants", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: designs,
    });
    expect(uploaded.status).toBe(201);
  });

  afterAll(async () => {
    await s?.close();
    rmSync(xmlDir, { recursive: true, force: true });
  });

  it("answers /health and another workspace's /v1/validate throughout XML upload and training abuse, printing their p99", async () => {
    const validateBody = JSON.stringify({ design: makeDesign("timed") });
    // Idle figures first, for the ratio on this shared machine.
    const idleLoad = load();
    const [idleHealth, idleValidate] = await Promise.all([
      timeRoute(`${s.url}/v1/health`),
      timeRoute(`${s.url}/v1/validate`, { method: "POST", key: s.keyB, body: validateBody }),
    ]);

    const xml = paddedDexpi(UPLOAD_BYTES);
    const xmlFile = join(xmlDir, "padded.xml");
    writeFileSync(xmlFile, xml);
    // The server runs in this process: how long its event loop was held, apart from the network
    // and the scheduler (what the p99s add on a shared machine).
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const timed = Promise.all([
      timeRoute(`${s.url}/v1/health`),
      timeRoute(`${s.url}/v1/validate`, { method: "POST", key: s.keyB, body: validateBody }),
    ]);
    const end = Date.now() + WINDOW_S * 1000;
    const training = await s.api(
      "/v1/models",
      json({
        id: "abused",
        datasetId: "plants",
        settings: { size: "tiny", epochs: 50, topologyEpochs: 0, batchSize: 8 },
      }),
    );
    expect(training.status, await training.clone().text()).toBe(202);
    const uploads = await uploadUntil(s.url, s.keyA, xmlFile, end - 2000);
    const [health, validate] = await timed;
    loopDelay.disable();
    const heldMs = (ns: number) => Math.round(ns / 1e6);
    const busyLoad = load();
    const row = (name: string, t: Timed) =>
      `${name.padEnd(22)} p50 ${t.p50} ms, p99 ${t.p99} ms, max ${t.max} ms, ${t.requests} requests (${t.non2xx} not 2xx, ${t.errors} errors)`;
    console.log(
      [
        `idle (load ${idleLoad}):`,
        row("  /v1/health", idleHealth),
        row("  /v1/validate (B)", idleValidate),
        `abuse: ${uploads.length} uploads of ${(xml.length / 2 ** 20).toFixed(1)} MiB, 4 at a time (statuses ${[...new Set(uploads.map((u) => u.status))].join(",")}; ${Math.min(...uploads.map((u) => u.ms))}-${Math.max(...uploads.map((u) => u.ms))} ms each) and a training (load ${busyLoad}):`,
        row("  /v1/health", health),
        row("  /v1/validate (B)", validate),
        `  the server's event loop delay: p99 ${heldMs(loopDelay.percentile(99))} ms, max ${heldMs(loopDelay.max)} ms`,
        `  target p99 < ${P99_TARGET_MS} ms: /v1/health ${health.p99 < P99_TARGET_MS ? "met" : "NOT met"}, /v1/validate (B) ${validate.p99 < P99_TARGET_MS ? "met" : "NOT met"}`,
      ].join("\n"),
    );

    expect(uploads.length).toBeGreaterThanOrEqual(4);
    // The padded body has no plant items: each upload is answered, none fails the server.
    for (const u of uploads) {
      expect([200, 201, 413, 422]).toContain(u.status);
      // Half a million unknown elements: the answer lists the first thousand and counts the rest.
      expect(u.unmapped).toBe(1000);
      expect(u.warnings.join("\n")).toMatch(/^\d{6} elements were not mapped; the first 1000 are listed$/m);
    }
    for (const t of [health, validate]) {
      expect(t.errors).toBe(0);
      expect(t.non2xx).toBe(0);
      expect(t.requests).toBeGreaterThan(RATE * WINDOW_S * 0.5);
    }
    if (P99_ASSERTED_MS !== undefined) {
      expect(health.p99).toBeLessThan(P99_ASSERTED_MS);
      expect(validate.p99).toBeLessThan(P99_ASSERTED_MS);
    }
  }, 120_000);
});
