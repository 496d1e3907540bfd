import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Design, parseDesign, summariseDesign } from "@plantgan/core/design";
import { postgresMissing, type RunningPostgres, startPostgres } from "@plantgan/testing/postgres";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { BlobStore } from "./blobs.js";
import { SCHEMA_VERSION } from "./migrations.js";
import { openStore, type StoreConfig } from "./open.js";
import { PostgresStore } from "./postgres.js";
import { PG_SCHEMA_VERSION } from "./postgres-migrations.js";
import type { DesignInsert, Store } from "./store.js";

/** A store the contract suite runs on, with the few raw looks beneath the interface its cases need. */
interface Backend {
  readonly name: "sqlite" | "postgres";
  /** Why this backend cannot run here (its tests skip with it), or undefined. */
  readonly unavailable: string | undefined;
  /** Once per suite (the PostgreSQL cluster). */
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** A fresh, empty store for one test. */
  fresh(options: { inlineLimit: number; blobGraceMs: number }): Promise<Fresh>;
}

interface Fresh {
  readonly config: StoreConfig;
  /** Another connection to the same data, as a second server or a job worker opens one. */
  connect(): Promise<{ store: Store; blobs: BlobStore }>;
  /** How a design's JSON is kept: inline text or a blob reference. */
  designStorage(id: string): Promise<{ body: string | null; blob: string | null }>;
  /** Marks the data as written by a newer server (schema version + 1). */
  makeSchemaNewer(): Promise<void>;
  dispose(): Promise<void>;
}

const sqliteBackend: Backend = {
  name: "sqlite",
  unavailable: undefined,
  async setup() {},
  async teardown() {},
  async fresh({ inlineLimit, blobGraceMs }) {
    const dir = mkdtempSync(join(tmpdir(), "plantgan-store-"));
    const file = join(dir, "plantgan.db");
    const config: StoreConfig = { kind: "sqlite", dataDir: dir, inlineLimit, blobGraceMs };
    const raw = <T>(fn: (db: Database.Database) => T): T => {
      const db = new Database(file);
      try {
        return fn(db);
      } finally {
        db.close();
      }
    };
    return {
      config,
      connect: async () => openStore(config),
      designStorage: async (id) =>
        raw((db) => db.prepare("SELECT body, blob FROM designs WHERE id = ?").get(id) as never),
      makeSchemaNewer: async () => {
        raw((db) => db.pragma(`user_version = ${SCHEMA_VERSION + 1}`));
      },
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};

let cluster: RunningPostgres | undefined;

const postgresBackend: Backend = {
  name: "postgres",
  unavailable: postgresMissing(),
  async setup() {
    cluster = await startPostgres();
  },
  async teardown() {
    cluster?.stop();
    cluster = undefined;
  },
  async fresh({ inlineLimit, blobGraceMs }) {
    if (!cluster) throw new Error("setup() first");
    const url = cluster.newDatabase();
    const config: StoreConfig = { kind: "postgres", url, inlineLimit, blobGraceMs };
    const raw = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return await fn(client);
      } finally {
        await client.end();
      }
    };
    return {
      config,
      async connect() {
        const store = await PostgresStore.connect(url, { inlineLimit, blobGraceMs });
        return { store, blobs: store.blobs };
      },
      designStorage: (id) =>
        raw(async (c) => (await c.query("SELECT body, blob FROM designs WHERE id = $1", [id])).rows[0]),
      makeSchemaNewer: () =>
        raw(async (c) => {
          await c.query("INSERT INTO plantgan_schema (version) VALUES ($1)", [PG_SCHEMA_VERSION + 1]);
        }),
      dispose: async () => {},
    };
  },
};

const BACKENDS: readonly Backend[] = [sqliteBackend, postgresBackend];

function design(id: string, bytes = 0): Design {
  const result = parseDesign({
    schemaVersion: "1.0",
    id,
    ...(bytes > 0 ? { name: "x".repeat(Math.min(bytes, 200)) } : {}),
    processClass: "pump_station",
    site: { width: 50, depth: 30 },
    equipment: Array.from({ length: Math.max(1, Math.ceil(bytes / 120)) }, (_, i) => ({
      tag: `P-${100 + i}`,
      type: "pump",
      x: 5 + (i % 40),
      y: 5,
      footprint: { width: 1, depth: 1, height: 1 },
    })),
    lines: [],
  });
  if (!result.success) throw new Error(JSON.stringify(result.issues));
  return result.data;
}

const insert = (d: Design): DesignInsert => ({
  design: d,
  status: "uploaded",
  source: "json",
  summary: summariseDesign(d),
});

const resumable = () => true;

/** The stores' grace period for blobs in these cases: short, so a case can wait past it. */
const GRACE_MS = 150;
const pastGrace = () => new Promise((resolve) => setTimeout(resolve, GRACE_MS + 30));

/**
 * The storage contract: every case runs on SQLite (a temporary folder) and on a real PostgreSQL
 * (a throwaway cluster, one database per test), so both stores answer alike.
 */
describe.each(BACKENDS)("Store contract on $name", (backend) => {
  if (backend.unavailable !== undefined) {
    const reason = backend.unavailable;
    it(`skipped: ${reason}`, (ctx) => ctx.skip(reason));
    return;
  }
  let fresh: Fresh;
  let store: Store;
  let blobs: BlobStore;
  let ws: string;
  /** Extra connections a case opened (other servers), closed after it. */
  const others: Store[] = [];
  const another = async (): Promise<Store> => {
    const opened = (await fresh.connect()).store;
    others.push(opened);
    return opened;
  };

  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    fresh = await backend.fresh({ inlineLimit: 2048, blobGraceMs: GRACE_MS });
    ({ store, blobs } = await fresh.connect());
    ws = (await store.createWorkspace("w")).id;
  });
  afterEach(async () => {
    for (const s of others.splice(0)) await s.close();
    await store.close();
    await fresh.dispose();
  });

  it("keeps its data across a reopen and refuses data written by a newer server", async () => {
    await store.close();
    ({ store, blobs } = await fresh.connect());
    expect(await store.countWorkspaces()).toBe(1);
    expect((await store.findWorkspaceByName("w"))?.id).toBe(ws);
    await store.close();
    await fresh.makeSchemaNewer();
    await expect(fresh.connect()).rejects.toThrow(/newer than this server/);
    // afterEach closes `store` again: harmless on a closed store.
  });

  it("refuses a second workspace, key, dataset, rule pack or model with a taken name or id", async () => {
    await expect(store.createWorkspace("w")).rejects.toThrow();
    await store.addApiKey(ws, { id: "k1", hash: "h1" });
    await expect(store.addApiKey(ws, { id: "k2", hash: "h1" })).rejects.toThrow();
    await store.createDataset(ws, { id: "ds", name: "one" });
    await expect(store.createDataset(ws, { id: "ds", name: "two" })).rejects.toThrow();
    const other = (await store.createWorkspace("other")).id;
    // Ids are per workspace: another workspace may use the same one.
    expect((await store.createDataset(other, { id: "ds", name: "theirs" })).name).toBe("theirs");
    const pack = { id: "p", version: "1", rules: [] } as never;
    expect(await store.putRulePack(ws, pack)).toMatchObject({ id: "p", version: "1" });
    expect(await store.putRulePack(ws, pack)).toBe("conflict");
    expect(await store.putModel(ws, { id: "m", status: "ready" })).toMatchObject({ id: "m", status: "ready" });
    expect(await store.putModel(ws, { id: "m", status: "ready" })).toBe("conflict");
    expect((await store.listDatasets(ws, { limit: 10 })).items.map((d) => d.name)).toEqual(["one"]);
  });

  it("finds a key by hash until it is revoked", async () => {
    await store.addApiKey(ws, { id: "k1", hash: "h1", label: "ci" });
    expect(await store.findApiKey("h1")).toEqual({ keyId: "k1", workspaceId: ws });
    expect(await store.revokeApiKey("k1")).toBe(true);
    expect(await store.revokeApiKey("k1")).toBe(false);
    expect(await store.findApiKey("h1")).toBeUndefined();
    const [key] = await store.listApiKeys(ws);
    expect(key).toMatchObject({ id: "k1", label: "ci", workspaceId: ws });
    expect(key?.revokedAt).toMatch(/^\d{4}-/);
  });

  it("stores designs, refuses a second of the same id, keeps large ones as blobs", async () => {
    const big = design("big", 5000);
    const out = await store.insertDesigns(ws, [insert(design("a")), insert(design("a")), insert(big)]);
    expect(out).toEqual([
      { ok: true, id: "a" },
      { ok: false, id: "a", reason: "conflict" },
      { ok: true, id: "big" },
    ]);
    const row = await fresh.designStorage("big");
    expect(row.body).toBeNull();
    expect(row.blob).toMatch(/^[0-9a-f]{64}$/);
    expect(await blobs.has(row.blob!)).toBe(true);
    expect((await fresh.designStorage("a")).body).toBe(JSON.stringify(design("a")));
    expect((await store.getDesign(ws, "big"))?.design).toEqual(big);
    const other = (await store.createWorkspace("other")).id;
    expect(await store.getDesign(other, "a")).toBeUndefined();
    expect((await store.listDesigns(other, {}, { limit: 10 })).items).toEqual([]);
    expect(await store.deleteDesign(other, "a")).toBe(false);
    expect(await store.deleteDesign(ws, "a")).toBe(true);
  });

  it("pages designs with a stable cursor and filters", async () => {
    await store.insertDesigns(
      ws,
      ["d1", "d2", "d3", "d4", "d5"].map((id) => insert(design(id))),
    );
    const first = await store.listDesigns(ws, {}, { limit: 2 });
    expect(first.items.map((d) => d.id)).toEqual(["d1", "d2"]);
    const second = await store.listDesigns(ws, {}, { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((d) => d.id)).toEqual(["d3", "d4"]);
    const last = await store.listDesigns(ws, {}, { limit: 2, cursor: second.nextCursor! });
    expect(last.items.map((d) => d.id)).toEqual(["d5"]);
    expect(last.nextCursor).toBeUndefined();
    expect((await store.listDesigns(ws, { status: "accepted" }, { limit: 10 })).items).toEqual([]);
    expect((await store.listDesigns(ws, { processClass: "pump_station" }, { limit: 10 })).items).toHaveLength(5);
  });

  it("changes dataset membership all or nothing", async () => {
    await store.insertDesigns(ws, [insert(design("a")), insert(design("b"))]);
    await store.createDataset(ws, { id: "ds", name: "set" });
    expect(await store.changeDatasetDesigns(ws, "ds", { add: ["a", "nope"], remove: [] })).toEqual({
      added: 0,
      removed: 0,
      missing: ["nope"],
    });
    expect((await store.getDataset(ws, "ds"))?.designCount).toBe(0);
    expect(await store.datasetSummaries(ws, "ds")).toEqual([]);
    expect(await store.changeDatasetDesigns(ws, "ds", { add: ["a", "b", "a"], remove: [] })).toEqual({
      added: 2,
      removed: 0,
      missing: [],
    });
    expect((await store.listDesigns(ws, { datasetId: "ds" }, { limit: 10 })).items.map((d) => d.id)).toEqual([
      "a",
      "b",
    ]);
    // Deleting a design removes its membership (ON DELETE CASCADE).
    await store.deleteDesign(ws, "a");
    expect((await store.getDataset(ws, "ds"))?.designCount).toBe(1);
    expect((await store.datasetSummaries(ws, "ds"))?.map((s) => s.id)).toEqual(["b"]);
    expect(await store.changeDatasetDesigns(ws, "ds", { add: [], remove: ["b"] })).toEqual({
      added: 0,
      removed: 1,
      missing: [],
    });
    expect(await store.datasetSummaries(ws, "nope")).toBeUndefined();
    expect(await store.changeDatasetDesigns(ws, "nope", { add: [], remove: [] })).toBeUndefined();
    expect(await store.deleteDataset(ws, "ds")).toBe(true);
    expect(await store.getDataset(ws, "ds")).toBeUndefined();
  });

  it("fences job writes by the lease token and recovers dead workers", async () => {
    await store.createJob(ws, { id: "job-a", kind: "import", payload: {}, maxAttempts: 2 });
    const claimed = (await store.claimNextJob(60_000, "host-a:101"))!;
    expect(claimed).toMatchObject({ id: "job-a", attempts: 1 });
    expect(await store.jobStep("job-a", "not-the-token", { designs: { items: [insert(design("x"))] } })).toEqual({
      owned: false,
    });
    expect(await store.getDesign(ws, "x")).toBeUndefined();
    const step = await store.jobStep("job-a", claimed.token, {
      designs: { items: [insert(design("x"))] },
      checkpoint: { n: 1 },
      progress: { done: 1, total: 3 },
    });
    expect(step).toMatchObject({ owned: true, designs: [{ ok: true, id: "x" }] });
    expect((await store.getJob(ws, "job-a"))?.progress).toEqual({ done: 1, total: 3 });

    // The runner saw the worker exit: requeued with its checkpoint (attempts remain).
    expect(await store.recoverJobs({ now: 0, tokens: [claimed.token], reason: "killed", resumable })).toEqual([
      { jobId: "job-a", outcome: "requeued" },
    ]);
    expect(await store.renewLease("job-a", claimed.token, 1000)).toEqual({ owned: false, cancelRequested: false });
    const again = (await store.claimNextJob(-1, "host-b:202"))!; // a lease already expired
    expect((await store.jobForWorker("job-a", again.token))?.checkpoint).toEqual({ n: 1 });
    // Lease expired and no attempts left: failed, with the reason.
    expect(await store.recoverJobs({ now: Date.now(), reason: "lease expired", resumable })).toEqual([
      { jobId: "job-a", outcome: "failed" },
    ]);
    const job = await store.getJob(ws, "job-a");
    expect(job).toMatchObject({ status: "failed", attempts: 2 });
    expect(job?.error).toMatch(/lease expired.*no attempts left/);
    const events = await store.jobEvents(ws, "job-a", 0, 100);
    expect(events.map((e) => e.type)).toEqual(["queued", "started", "requeued", "started", "failed"]);
    // Each attempt names the worker process that claimed it.
    expect(events.filter((e) => e.type === "started").map((e) => e.data)).toEqual([
      { attempt: 1, worker: "host-a:101" },
      { attempt: 2, worker: "host-b:202" },
    ]);
  });

  it("renews a lease only with its token, and reports a cancel request to the holder", async () => {
    await store.createJob(ws, { id: "job-r", kind: "import", payload: { n: 1 }, maxAttempts: 1 });
    const claimed = (await store.claimNextJob(60_000))!;
    expect(await store.renewLease("job-r", "wrong-token", 60_000)).toEqual({ owned: false, cancelRequested: false });
    expect(await store.renewLease("job-r", claimed.token, 60_000)).toEqual({ owned: true, cancelRequested: false });
    expect(await store.finishJob("job-r", "wrong-token", { status: "succeeded", result: {} })).toBe(false);
    expect(await store.releaseJob("job-r", "wrong-token", "shutdown")).toBe(false);
    expect((await store.requestCancel(ws, "job-r"))?.cancelRequested).toBe(true);
    expect(await store.renewLease("job-r", claimed.token, 60_000)).toEqual({ owned: true, cancelRequested: true });
    expect(await store.finishJob("job-r", claimed.token, { status: "cancelled", result: { done: 0 } })).toBe(true);
    expect(await store.getJob(ws, "job-r")).toMatchObject({ status: "cancelled", result: { done: 0 } });
    // Another workspace sees nothing of it.
    const other = (await store.createWorkspace("other")).id;
    expect(await store.getJob(other, "job-r")).toBeUndefined();
    expect(await store.requestCancel(other, "job-r")).toBeUndefined();
    expect(await store.jobEvents(other, "job-r", 0, 100)).toEqual([]);
  });

  it("cancels a queued job at once; a released job goes back with its attempt given back", async () => {
    await store.createJob(ws, { id: "q1", kind: "import", payload: {}, maxAttempts: 3 });
    await store.createJob(ws, { id: "q2", kind: "import", payload: {}, maxAttempts: 3 });
    expect(await store.requestCancel(ws, "q1")).toMatchObject({ status: "cancelled", error: /before it started/ });
    const claimed = (await store.claimNextJob(60_000))!;
    expect(claimed).toMatchObject({ id: "q2", attempts: 1 });
    expect(await store.releaseJob("q2", claimed.token, "shutdown")).toBe(true);
    expect(await store.getJob(ws, "q2")).toMatchObject({ status: "queued", attempts: 0 });
    const page = await store.listJobs(ws, { status: "queued" }, { limit: 10 });
    expect(page.items.map((j) => j.id)).toEqual(["q2"]);
    const all = await store.listJobs(ws, {}, { limit: 1 });
    expect(all.items.map((j) => j.id)).toEqual(["q1"]);
    expect((await store.listJobs(ws, {}, { limit: 1, cursor: all.nextCursor! })).items.map((j) => j.id)).toEqual([
      "q2",
    ]);
  });

  it("settles a training job's model with the job: ready with weights when it succeeds", async () => {
    await store.createJob(ws, { id: "train-1", kind: "train", payload: {}, maxAttempts: 1 });
    const claimed = (await store.claimNextJob(60_000))!;
    await store.jobStep("train-1", claimed.token, { model: { id: "m1", weights: "w1" } });
    expect(await store.getModel(ws, "m1")).toMatchObject({ status: "training", weights: "w1", jobId: "train-1" });
    await store.jobStep("train-1", claimed.token, { model: { id: "m1", weights: "w2" } });
    // A model of that id that another job wrote is left alone.
    await store.putModel(ws, { id: "m-other", status: "ready", weights: "x", jobId: "someone-else" });
    await store.jobStep("train-1", claimed.token, { model: { id: "m-other", weights: "mine" } });
    expect((await store.getModel(ws, "m-other"))?.weights).toBe("x");
    expect(await store.finishJob("train-1", claimed.token, { status: "succeeded", result: { epochs: 1 } })).toBe(true);
    expect(await store.getModel(ws, "m1")).toMatchObject({ status: "ready", weights: "w2" });
    expect((await store.listModels(ws, { limit: 10 })).items.map((m) => m.id)).toEqual(["m1", "m-other"]);
  });

  it("recovers an expired lease once when two servers recover at the same time", async () => {
    await store.createJob(ws, { id: "job-e", kind: "import", payload: {}, maxAttempts: 3 });
    await store.claimNextJob(-1); // expired at once: its worker is gone
    const servers = [store, await another(), await another()];
    const outcomes = await Promise.all(
      servers.map((s) => s.recoverJobs({ now: Date.now(), reason: "lease expired", resumable })),
    );
    expect(outcomes.flat()).toEqual([{ jobId: "job-e", outcome: "requeued" }]);
    const types = (await store.jobEvents(ws, "job-e", 0, 100)).map((e) => e.type);
    expect(types).toEqual(["queued", "started", "requeued"]);
    expect(await store.getJob(ws, "job-e")).toMatchObject({ status: "queued", attempts: 1 });
  });

  it("serves workspaces in turn: one that floods the queue delays another's job by one job at most", async () => {
    const flood = (await store.createWorkspace("flood")).id;
    const quiet = (await store.createWorkspace("quiet")).id;
    const third = (await store.createWorkspace("third")).id;
    for (let i = 0; i < 6; i++) {
      await store.createJob(flood, { id: `flood-${i}`, kind: "import", payload: {}, maxAttempts: 1 });
    }
    const claimOne = async () => (await store.claimNextJob(60_000))?.id;
    expect(await claimOne()).toBe("flood-0");
    // Queued behind five of the flood's jobs, each is still next once the running job ends.
    await store.createJob(quiet, { id: "quiet-0", kind: "import", payload: {}, maxAttempts: 1 });
    await store.createJob(quiet, { id: "quiet-1", kind: "import", payload: {}, maxAttempts: 1 });
    await store.createJob(third, { id: "third-0", kind: "import", payload: {}, maxAttempts: 1 });
    const order: (string | undefined)[] = [];
    for (let i = 0; i < 8; i++) order.push(await claimOne());
    // Round robin among the workspaces with queued jobs; oldest first within each.
    expect(order).toEqual(["quiet-0", "third-0", "flood-1", "quiet-1", "flood-2", "flood-3", "flood-4", "flood-5"]);
    expect(await claimOne()).toBeUndefined();
  });

  it("claims a named queued job once, and that claim takes its workspace's turn", async () => {
    const other = (await store.createWorkspace("other")).id;
    await store.createJob(ws, { id: "named-1", kind: "generate", payload: {}, maxAttempts: 1 });
    await store.createJob(ws, { id: "named-2", kind: "generate", payload: {}, maxAttempts: 1 });
    await store.createJob(other, { id: "other-1", kind: "generate", payload: {}, maxAttempts: 1 });
    expect(await store.claimJob("named-2", 60_000)).toMatchObject({ id: "named-2", workspaceId: ws, attempts: 1 });
    expect(await store.claimJob("named-2", 60_000)).toBeUndefined();
    expect(await store.claimJob("no-such-job", 60_000)).toBeUndefined();
    expect((await store.claimNextJob(60_000))?.id).toBe("other-1");
    expect((await store.claimNextJob(60_000))?.id).toBe("named-1");
  });

  it("never gives one job to two claimers running at once", async () => {
    const jobs = 30;
    for (let i = 0; i < jobs; i++) {
      await store.createJob(ws, {
        id: `job-${String(i).padStart(2, "0")}`,
        kind: "import",
        payload: {},
        maxAttempts: 1,
      });
    }
    const servers = [store, await another(), await another(), await another()];
    // More claims than jobs, all in flight together, spread over four connections.
    const claims = await Promise.all(
      Array.from({ length: jobs + 10 }, (_, i) => servers[i % servers.length]!.claimNextJob(60_000)),
    );
    const claimed = claims.filter((c) => c !== undefined);
    const ids = claimed.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(Array.from({ length: jobs }, (_, i) => `job-${String(i).padStart(2, "0")}`));
    expect(new Set(claimed.map((c) => c.token)).size).toBe(jobs);
    expect((await store.listJobs(ws, { status: "running" }, { limit: 100 })).items).toHaveLength(jobs);
    for (const id of ids) {
      const started = (await store.jobEvents(ws, id, 0, 100)).filter((e) => e.type === "started");
      expect(started).toHaveLength(1);
    }
    expect(await store.claimNextJob(60_000)).toBeUndefined();
  });

  it("reviews a candidate once; accepting stores the design in the same transaction", async () => {
    await store.insertCandidates(ws, [
      { id: "c1", design: design("gen-1") },
      { id: "c2", design: design("gen-1") },
    ]);
    const accepted = await store.reviewCandidate(ws, "c1", { decision: "accept", comment: "good", keyId: "k" });
    expect(accepted).toMatchObject({
      ok: true,
      candidate: { status: "accepted" },
      design: { id: "gen-1", status: "accepted", source: "candidate" },
    });
    expect(await store.reviewCandidate(ws, "c1", { decision: "reject", keyId: "k" })).toEqual({
      ok: false,
      reason: "already_reviewed",
    });
    // Same design id: the transaction rolls back, the candidate stays pending, a free id is suggested.
    expect(await store.reviewCandidate(ws, "c2", { decision: "accept", keyId: "k" })).toEqual({
      ok: false,
      reason: "conflict",
      designId: "gen-1",
      suggestedId: "gen-1-2",
    });
    expect((await store.getCandidate(ws, "c2"))?.status).toBe("pending");
    expect(
      await store.reviewCandidate(ws, "c2", { decision: "accept", designId: "gen-1-2", keyId: "k" }),
    ).toMatchObject({ ok: true, design: { id: "gen-1-2" } });
    expect((await store.listCandidates(ws, { status: "accepted" }, { limit: 10 })).items.map((c) => c.id)).toEqual([
      "c1",
      "c2",
    ]);
    expect(await store.reviewCandidate(ws, "nope", { decision: "reject", keyId: "k" })).toEqual({
      ok: false,
      reason: "not_found",
    });
  });

  it("accepts a candidate with errors only with an override, and records its reason", async () => {
    const report = { summary: { errors: 2, warnings: 0, infos: 0, rulesRun: 1 }, violations: [] } as never;
    await store.insertCandidates(ws, [{ id: "c3", design: design("gen-3"), report }]);
    expect((await store.getCandidate(ws, "c3"))?.valid).toBe(false);
    expect(await store.reviewCandidate(ws, "c3", { decision: "accept", keyId: "k" })).toEqual({
      ok: false,
      reason: "invalid",
      errors: 2,
    });
    const out = await store.reviewCandidate(ws, "c3", {
      decision: "accept",
      override: { reason: "layout study" },
      keyId: "k",
    });
    expect(out).toMatchObject({ ok: true, candidate: { review: { override: { reason: "layout study" } } } });
  });

  it("keeps blobs by content, readable from another connection, and refuses names that are not a sha256", async () => {
    const a = await blobs.put("hello");
    expect(a).toEqual({ sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", size: 5 });
    expect(await blobs.put("hello")).toEqual(a);
    const elsewhere = await fresh.connect();
    others.push(elsewhere.store);
    expect((await elsewhere.blobs.get(a.sha256)).toString()).toBe("hello");
    await store.registerBlob(a.sha256, a.size);
    await store.registerBlob(a.sha256, a.size);
    expect((await store.counts()).blobs).toBe(1);
    await blobs.remove(a.sha256);
    expect(await blobs.has(a.sha256)).toBe(false);
    await expect(blobs.get(a.sha256)).rejects.toMatchObject({ code: "ENOENT" });
    await expect(blobs.get("../../etc/passwd")).rejects.toThrow(/not a sha256/);
  });
  it("frees a deleted design's blob when the grace period has passed, at once or by the collector", async () => {
    await store.insertDesigns(ws, [insert(design("big", 5000))]);
    const blob = (await fresh.designStorage("big")).blob!;
    expect(await store.blobUsage()).toEqual({ count: 1, bytes: JSON.stringify(design("big", 5000)).length });
    // A refused design (the id is taken) leaves its blob to the collector.
    expect(await store.insertDesigns(ws, [insert(design("big", 6000))])).toEqual([
      { ok: false, id: "big", reason: "conflict" },
    ]);
    // Within the grace period a blob stays: an upload of the same content may be on its way to its record.
    expect(await store.deleteDesign(ws, "big")).toBe(true);
    expect(await blobs.has(blob)).toBe(true);
    expect(await store.collectBlobs()).toEqual({ removed: 0, bytes: 0 });
    await pastGrace();
    const freed = await store.collectBlobs();
    expect(freed.removed).toBe(2);
    expect(freed.bytes).toBeGreaterThan(11_000);
    expect(await blobs.has(blob)).toBe(false);
    // Older than the grace period, a deleted design's blob is freed by the delete itself.
    await store.insertDesigns(ws, [insert(design("big", 5000))]);
    await pastGrace();
    expect(await store.deleteDesign(ws, "big")).toBe(true);
    expect(await blobs.has(blob)).toBe(false);
    expect((await store.counts()).blobs).toBe(0);
    expect(await store.blobUsage()).toEqual({ count: 0, bytes: 0 });
  });

  it("keeps a blob that another record or a queued or running job holds, or that was stored again lately", async () => {
    const weights = await blobs.put("weights");
    const other = (await store.createWorkspace("other")).id;
    await store.putModel(ws, { id: "m", status: "ready", weights: weights.sha256 });
    await store.putModel(other, { id: "m", status: "ready", weights: weights.sha256 });
    const source = await blobs.put("an import's source");
    await store.createJob(ws, {
      id: "imp",
      kind: "import",
      payload: { sources: [{ blob: source.sha256 }] },
      maxAttempts: 1,
    });
    await pastGrace();
    expect(await store.deleteModel(ws, "m")).toBe("deleted");
    expect(await blobs.has(weights.sha256)).toBe(true); // the other workspace's model holds it
    expect(await store.collectBlobs()).toEqual({ removed: 0, bytes: 0 }); // the queued import holds its source
    expect(await store.deleteJob(ws, "imp")).toBe("not_ended");
    const claimed = (await store.claimNextJob(60_000))!;
    expect(await store.collectBlobs()).toEqual({ removed: 0, bytes: 0 }); // running, still held
    await store.finishJob("imp", claimed.token, { status: "succeeded", result: {} });
    expect(await store.collectBlobs()).toEqual({ removed: 1, bytes: source.size });
    expect(await store.deleteJob(ws, "imp")).toBe("deleted");
    expect(await store.getJob(ws, "imp")).toBeUndefined();
    expect(await store.deleteJob(ws, "imp")).toBeUndefined();
    expect(await store.deleteModel(other, "m")).toBe("deleted");
    expect(await blobs.has(weights.sha256)).toBe(false);
    expect(await store.deleteModel(other, "m")).toBe("not_found");

    // Stored again within the grace period: kept, though nothing holds it yet.
    const upload = await blobs.put("an upload");
    await pastGrace();
    await blobs.put("an upload");
    expect(await store.collectBlobs()).toEqual({ removed: 0, bytes: 0 });
    await pastGrace();
    expect(await store.collectBlobs()).toEqual({ removed: 1, bytes: upload.size });
    expect(await blobs.has(upload.sha256)).toBe(false);
  });

  it("refuses to delete a model that a queued or running job trains or generates with", async () => {
    await store.createJob(ws, { id: "train-m", kind: "train", payload: { modelId: "m" }, maxAttempts: 1 });
    const claimed = (await store.claimNextJob(60_000))!;
    const weights = await blobs.put("trained weights");
    await store.jobStep("train-m", claimed.token, { model: { id: "m", weights: weights.sha256 } });
    expect(await store.deleteModel(ws, "m")).toBe("in_use");
    await store.createJob(ws, {
      id: "gen",
      kind: "generate",
      payload: { modelId: "m", weights: weights.sha256 },
      maxAttempts: 1,
    });
    await store.finishJob("train-m", claimed.token, { status: "succeeded", result: {} });
    expect(await store.deleteModel(ws, "m")).toBe("in_use"); // the queued generation uses it
    await store.requestCancel(ws, "gen");
    await pastGrace();
    expect(await store.deleteModel(ws, "m")).toBe("deleted");
    expect(await store.getModel(ws, "m")).toBeUndefined();
    expect(await blobs.has(weights.sha256)).toBe(false);
  });

  it("deletes a candidate of its own workspace only", async () => {
    await store.insertCandidates(ws, [{ id: "c1", design: design("c1") }]);
    const other = (await store.createWorkspace("other")).id;
    expect(await store.deleteCandidate(other, "c1")).toBe(false);
    expect(await store.deleteCandidate(ws, "c1")).toBe(true);
    expect(await store.getCandidate(ws, "c1")).toBeUndefined();
    expect(await store.deleteCandidate(ws, "c1")).toBe(false);
  });

  it("measures a workspace's queued jobs, stored bytes and training time", async () => {
    expect(await store.workspaceUsage(ws, 0)).toEqual({ queuedJobs: 0, storedBytes: 0, trainingMs: 0 });
    const a = design("a");
    await store.insertDesigns(ws, [insert(a)]);
    await store.insertCandidates(ws, [{ id: "c1", design: design("c1") }]);
    const weights = await blobs.put("w".repeat(1000));
    await store.putModel(ws, { id: "m", status: "ready", weights: weights.sha256 });
    const bytes = JSON.stringify(a).length + JSON.stringify(design("c1")).length + 1000;
    expect((await store.workspaceUsage(ws, 0)).storedBytes).toBe(bytes);
    await store.createJob(ws, { id: "t", kind: "train", payload: {}, maxAttempts: 1 });
    await store.createJob(ws, { id: "i", kind: "import", payload: {}, maxAttempts: 1 });
    expect((await store.workspaceUsage(ws, 0)).queuedJobs).toBe(2);
    const claimed = (await store.claimNextJob(60_000))!;
    expect(claimed.id).toBe("t");
    await new Promise((resolve) => setTimeout(resolve, 60));
    await store.finishJob("t", claimed.token, { status: "succeeded", result: {} });
    const usage = await store.workspaceUsage(ws, 0);
    expect(usage.queuedJobs).toBe(1);
    expect(usage.trainingMs).toBeGreaterThanOrEqual(50);
    expect(usage.firstTrainingEnd).toBeGreaterThan(Date.now() - 5000);
    // A training that ended before the window counts no more; another workspace uses nothing.
    expect((await store.workspaceUsage(ws, Date.now() + 1)).trainingMs).toBe(0);
    const other = (await store.createWorkspace("other")).id;
    expect(await store.workspaceUsage(other, 0)).toEqual({ queuedJobs: 0, storedBytes: 0, trainingMs: 0 });
  });
});
