import { describeWithPostgres, type RunningPostgres, startPostgres } from "@plantgan/testing/postgres";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { PostgresStore } from "./postgres.js";
import { PG_MIGRATIONS } from "./postgres-migrations.js";

/**
 * What only PostgreSQL has: row locks held by another connection. A worker frozen inside its
 * step transaction (SIGSTOP, a debugger, a stalled machine) holds its job's row; renewals must not
 * queue behind it and take every connection of the pool with them, and no wait is unbounded.
 * The behaviour both stores share is in contract.test.ts.
 */
describeWithPostgres("PostgresStore under row locks", () => {
  let cluster: RunningPostgres;
  let url: string;
  let store: PostgresStore;
  let holder: pg.Client;
  let ws: string;

  beforeAll(async () => {
    cluster = await startPostgres();
  });
  afterAll(() => cluster?.stop());
  beforeEach(async () => {
    url = cluster.newDatabase();
    // Few connections and a short lock timeout, so that a queue behind the lock would show at once.
    store = await PostgresStore.connect(url, { maxConnections: 2, lockTimeoutMs: 300 });
    ws = (await store.createWorkspace("w")).id;
    holder = new pg.Client({ connectionString: url });
    await holder.connect();
  });
  afterEach(async () => {
    await holder.end();
    await store.close();
  });

  /** Claims a job and locks its row from another connection, as its worker's open step does. */
  async function claimAndLock(): Promise<{ jobId: string; token: string }> {
    await store.createJob(ws, { id: "job-1", kind: "import", payload: {}, maxAttempts: 2 });
    const claimed = (await store.claimNextJob(1000))!;
    await holder.query("BEGIN");
    await holder.query("SELECT id FROM jobs WHERE id = $1 FOR UPDATE", ["job-1"]);
    return { jobId: claimed.id, token: claimed.token };
  }

  const leaseOf = async (jobId: string): Promise<number> =>
    Number((await holder.query("SELECT lease_expires_at FROM jobs WHERE id = $1", [jobId])).rows[0].lease_expires_at);

  it("answers renewals at once while the job's row is locked, keeping the pool free for readers", async () => {
    const { jobId, token } = await claimAndLock();
    const before = await leaseOf(jobId);
    const started = Date.now();
    const renewals = await Promise.all(Array.from({ length: 20 }, () => store.renewLease(jobId, token, 60_000)));
    expect(renewals.every((r) => r.owned && !r.cancelRequested)).toBe(true);
    expect(await store.renewLease(jobId, "wrong-token", 60_000)).toEqual({ owned: false, cancelRequested: false });
    expect((await store.getJob(ws, jobId))?.status).toBe("running");
    // Well under the 300 ms lock timeout each of the 20 would otherwise have waited in turn.
    expect(Date.now() - started).toBeLessThan(2000);
    // A locked job is not recovered from under its step, even with its lease run out.
    expect(await store.recoverJobs({ now: Date.now() + 120_000, reason: "expired", resumable: () => true })).toEqual(
      [],
    );
    await holder.query("COMMIT");
    expect(await store.renewLease(jobId, token, 60_000)).toEqual({ owned: true, cancelRequested: false });
    expect(await leaseOf(jobId)).toBeGreaterThan(before + 30_000);
  });

  it("gives up waiting for a row lock after the lock timeout instead of holding a connection", async () => {
    const { jobId } = await claimAndLock();
    const started = Date.now();
    await expect(store.requestCancel(ws, jobId)).rejects.toMatchObject({ code: "55P03" }); // lock_not_available
    expect(Date.now() - started).toBeLessThan(5000);
    await holder.query("ROLLBACK");
    expect((await store.requestCancel(ws, jobId))?.cancelRequested).toBe(true);
  });

  it("migrates once when several processes open a new database at the same time", async () => {
    const fresh = cluster.newDatabase();
    const opened = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.connect(fresh)));
    try {
      const check = new pg.Client({ connectionString: fresh });
      await check.connect();
      try {
        const rows = (await check.query("SELECT version FROM plantgan_schema ORDER BY version")).rows;
        // Each version once, not once per process.
        expect(rows).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version })));
      } finally {
        await check.end();
      }
      expect(await Promise.all(opened.map((s) => s.countWorkspaces()))).toEqual([0, 0, 0, 0]);
    } finally {
      for (const s of opened) await s.close();
    }
  });
});
