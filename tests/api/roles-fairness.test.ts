import { postgresMissing, type RunningPostgres, startPostgres } from "@plantgan/testing/postgres";
import { afterAll, describe, expect, it } from "vitest";
import { makeDesign, ndjson } from "./designs.js";
import { startTestServer, type TestServer, waitFor } from "./harness.js";

/**
 * The flood test: one workspace queues many jobs, then another submits one. With one job at a time
 * (the runner's default concurrency), the other workspace's job starts as soon as the job running
 * at its submission ends: within one job's time, not behind the whole flood. On SQLite and, where
 * its binaries are installed, on PostgreSQL.
 */

interface JobView {
  id: string;
  status: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
}

const FLOOD = 5;
const RECORDS = 120;

async function submitImport(s: TestServer, key: string, prefix: string): Promise<string> {
  const body = ndjson(Array.from({ length: RECORDS }, (_, i) => makeDesign(`${prefix}-${i}`, i)));
  const response = await s.api("/v1/imports?batchSize=5", {
    key,
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body,
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

async function floodTest(s: TestServer): Promise<void> {
  const job = async (id: string, key: string) => (await (await s.api(`/v1/jobs/${id}`, { key })).json()) as JobView;
  const flood: string[] = [];
  for (let i = 0; i < FLOOD; i++) flood.push(await submitImport(s, s.keyA, `flood${i}`));
  await waitFor(async () => ((await job(flood[0]!, s.keyA)).status === "running" ? true : undefined), 60_000, 20);
  const quiet = await submitImport(s, s.keyB, "quiet");

  const ended = async (id: string, key: string) =>
    waitFor(
      async () => {
        const j = await job(id, key);
        return j.status === "succeeded" || j.status === "failed" ? j : undefined;
      },
      180_000,
      100,
    );
  const floodJobs: JobView[] = [];
  for (const id of flood) floodJobs.push(await ended(id, s.keyA));
  const quietJob = await ended(quiet, s.keyB);
  for (const j of [...floodJobs, quietJob]) expect(j.status).toBe("succeeded");

  const ms = (iso: string | undefined) => Date.parse(iso!);
  // The quiet workspace's job was the next one claimed after the job running at its submission...
  const startOrder = [...floodJobs, quietJob].sort((a, b) => ms(a.startedAt) - ms(b.startedAt)).map((j) => j.id);
  expect(startOrder).toEqual([flood[0], quiet, ...flood.slice(1)]);
  // ...so it waited at most one job's time. Slack: the finished worker process still has to exit
  // before the runner's one slot is free, longer on a loaded machine.
  const waited = ms(quietJob.startedAt) - ms(quietJob.createdAt);
  const oneJob = Math.max(...floodJobs.map((j) => ms(j.finishedAt) - ms(j.startedAt)));
  expect(waited).toBeLessThanOrEqual(oneJob + 2000);
}

describe("job fairness across workspaces (SQLite)", () => {
  it("starts another workspace's job within one job's time while a workspace floods the queue", async () => {
    const s = await startTestServer();
    try {
      await floodTest(s);
    } finally {
      await s.close();
    }
  }, 240_000);
});

const missing = postgresMissing();
describe.skipIf(missing !== undefined)(
  `job fairness across workspaces (PostgreSQL)${missing ? `: ${missing}` : ""}`,
  () => {
    let cluster: RunningPostgres | undefined;
    afterAll(() => cluster?.stop());

    it("starts another workspace's job within one job's time while a workspace floods the queue", async () => {
      cluster = await startPostgres();
      const s = await startTestServer({ databaseUrl: cluster.newDatabase() });
      try {
        await floodTest(s);
      } finally {
        await s.close();
      }
    }, 240_000);
  },
);
