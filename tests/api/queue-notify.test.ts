import { readFileSync } from "node:fs";
import { describeWithPostgres, type RunningPostgres, startPostgres } from "@plantgan/testing/postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeDesign } from "./designs.js";
import { startTestServer, TEST_JOBS, type TestServer, waitFor } from "./harness.js";

/** Worker polls this far apart here, so what wakes them sooner is the notification. */
const POLL_MS = 5000;
const JOBS = 6;

/**
 * On PostgreSQL a job queued by an API process wakes a listening worker process at once
 * (LISTEN/NOTIFY) instead of at its next poll. One API server (no runner) and one worker server
 * on one database; the same sequence of imports is timed from queued to started with the worker
 * listening and with it left to its poll (as before LISTEN/NOTIFY).
 */
describeWithPostgres("queued jobs wake PostgreSQL workers at once", () => {
  let cluster: RunningPostgres;
  let databaseUrl: string;
  const servers: TestServer[] = [];
  beforeAll(async () => {
    cluster = await startPostgres();
    databaseUrl = cluster.newDatabase();
  }, 120_000);
  afterAll(async () => {
    for (const s of servers) await s.close();
    cluster?.stop();
  });

  /** Queue-to-start ms of JOBS imports submitted one after another through `api`, each to an idle worker. */
  async function queueToStart(api: TestServer, label: string): Promise<number[]> {
    const waits: number[] = [];
    for (let i = 0; i < JOBS; i++) {
      const response = await api.api("/v1/imports", {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: `${JSON.stringify(makeDesign(`${label}-${i}`))}\n`,
      });
      expect(response.status).toBe(202);
      const { id } = (await response.json()) as { id: string };
      const job = await waitFor(
        async () => {
          const j = (await (await api.api(`/v1/jobs/${id}`)).json()) as {
            status: string;
            createdAt: string;
            startedAt?: string;
          };
          return j.status === "succeeded" ? j : undefined;
        },
        4 * POLL_MS,
        20,
      );
      waits.push(Date.parse(job.startedAt!) - Date.parse(job.createdAt));
      // Let the worker go idle (its job process exits, and it looks at the queue once then).
      await new Promise((r) => setTimeout(r, 500));
    }
    return waits;
  }

  const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  it("starts each job well within one poll interval when listening; the poll alone waits for it", async () => {
    const api = await startTestServer({ databaseUrl, jobs: { start: false } });
    servers.push(api);
    const polling = await startTestServer({ databaseUrl, jobs: { ...TEST_JOBS, pollMs: POLL_MS, listen: false } });
    servers.push(polling);
    const before = await queueToStart(api, "poll");
    await polling.close();
    servers.pop();

    const listening = await startTestServer({ databaseUrl, jobs: { ...TEST_JOBS, pollMs: POLL_MS } });
    servers.push(listening);
    const after = await queueToStart(api, "notify");
    const load = readFileSync("/proc/loadavg", "utf8").trim();
    console.log(
      `queue-to-start ms, poll every ${POLL_MS} ms: poll only ${before.join(", ")} (median ${median(before)}); ` +
        `LISTEN/NOTIFY ${after.join(", ")} (median ${median(after)}); load ${load}`,
    );
    for (const wait of after) expect(wait).toBeLessThan(1000);
    expect(median(after)).toBeLessThan(median(before));
  }, 180_000);
});
