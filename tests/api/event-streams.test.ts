import { type ChildProcess, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiKey } from "@plantgan/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDesign } from "./designs.js";
import { startTestServer, type TestServer, testServerEnv, waitFor } from "./harness.js";
import { CLI_BIN, startCliServer } from "./serve-cli.js";

/**
 * Job event streams are held per API key: a key holds at most `streams.perKey` at once (one more
 * is 429 problem+json, another key is not affected), and a key revoked in the store (as `plantgan
 * keys revoke` does from another process) has its open streams ended within one key check.
 */
describe("job event streams: per-key limit and revocation", () => {
  const PER_KEY = 3;
  const KEY_CHECK_MS = 500;
  let s: TestServer;
  let jobId: string;
  const open: AbortController[] = [];

  beforeAll(async () => {
    // No runner: the job stays queued, so its stream stays open until the server ends it.
    s = await startTestServer({ jobs: { start: false }, streams: { perKey: PER_KEY, keyCheckMs: KEY_CHECK_MS } });
    const response = await s.api("/v1/imports", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: `${JSON.stringify(makeDesign("stream-1"))}\n`,
    });
    jobId = ((await response.json()) as { id: string }).id;
  });
  afterAll(async () => {
    for (const a of open) a.abort();
    await s.close();
  });

  /** Opens the job's stream with `key`; the response once its headers came. */
  async function stream(key: string, id = jobId): Promise<Response> {
    const abort = new AbortController();
    open.push(abort);
    return fetch(`${s.url}/v1/jobs/${id}/events`, {
      headers: { authorization: `Bearer ${key}` },
      signal: abort.signal,
    });
  }

  it("refuses a key's stream over its limit with 429 problem+json, not another key's, and frees a closed one's slot", async () => {
    const held = [];
    for (let i = 0; i < PER_KEY; i++) held.push(await stream(s.keyA));
    expect(held.map((r) => r.status)).toEqual(Array(PER_KEY).fill(200));

    const over = await stream(s.keyA);
    expect(over.status).toBe(429);
    expect(over.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await over.json()).toMatchObject({ status: 429, code: "rate_limited" });

    // Workspace B's key has its own allowance.
    const other = await stream(s.keyB);
    expect(other.status).toBe(404); // B cannot see A's job: the limit did not answer for it
    const bJob = await s.api("/v1/imports", {
      method: "POST",
      key: s.keyB,
      headers: { "content-type": "application/x-ndjson" },
      body: `${JSON.stringify(makeDesign("stream-b"))}\n`,
    });
    const bId = ((await bJob.json()) as { id: string }).id;
    expect((await stream(s.keyB, bId)).status).toBe(200);

    // A closes one stream: its slot comes back once the server sees the client gone.
    await held[0]!.body!.cancel();
    open[0]!.abort();
    const again = await waitFor(async () => {
      const r = await stream(s.keyA);
      if (r.status === 200) return r;
      await r.body?.cancel();
      return undefined;
    }, 10_000);
    expect(again.status).toBe(200);
    for (const a of open) a.abort();
  });

  it("ends a revoked key's open stream within one key check, and refuses it after", async () => {
    const { key, keyId } = await createApiKey(s.app.store, "workspace-a", "to revoke");
    const response = await stream(key);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    expect(text).toContain("retry:");

    const revokedAt = Date.now();
    expect(await s.app.store.revokeApiKey(keyId)).toBe(true);
    // Read until the server ends the stream; a stream left open runs into the test's timeout.
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value);
    }
    const endedAfterMs = Date.now() - revokedAt;
    console.log(
      `revoked key's stream ended ${endedAfterMs} ms after the revocation (key check every ${KEY_CHECK_MS} ms)`,
    );
    expect(endedAfterMs).toBeLessThan(KEY_CHECK_MS + 1500);
    expect(text).toContain(": the API key was revoked");
    expect((await stream(key)).status).toBe(401);
  }, 20_000);
});

describe("plantgan serve --streams-per-key", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "plantgan-streams-cli-"));
  let server: ChildProcess | undefined;
  afterAll(() => {
    server?.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("refuses a value out of range naming the flag (exit 2)", () => {
    const run = spawnSync(process.execPath, [CLI_BIN, "serve", "--port", "0", "--streams-per-key", "0"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--streams-per-key 0/);
  });

  it("holds a key to the number given: the second stream is 429", async () => {
    // Role api: the job stays queued (no runner here), so its stream stays open.
    const started = await startCliServer(
      ["--role", "api", "--data", dataDir, "--streams-per-key", "1"],
      await testServerEnv(dataDir),
    );
    server = started.child;
    const { url, key } = started;
    const headers = { authorization: `Bearer ${key}` };
    const queued = await fetch(`${url}/v1/imports`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/x-ndjson" },
      body: `${JSON.stringify(makeDesign("cli-stream"))}\n`,
    });
    expect(queued.status).toBe(202);
    const { id } = (await queued.json()) as { id: string };
    const abort = new AbortController();
    try {
      const first = await fetch(`${url}/v1/jobs/${id}/events`, { headers, signal: abort.signal });
      expect(first.status).toBe(200);
      const second = await fetch(`${url}/v1/jobs/${id}/events`, { headers });
      expect(second.status).toBe(429);
    } finally {
      abort.abort();
    }
  }, 120_000);
});
