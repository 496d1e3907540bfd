import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Design, parseDesign, summariseDesign } from "@plantgan/core/design";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileBlobStore } from "./blobs.js";
import { MIGRATIONS, SCHEMA_VERSION } from "./migrations.js";
import { SqliteStore } from "./sqlite.js";
import type { DesignInsert } from "./store.js";

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

describe("SqliteStore", () => {
  let dir: string;
  let store: SqliteStore;
  let ws: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "plantgan-store-"));
    store = SqliteStore.open(dir, { inlineLimit: 2048 });
    ws = (await store.createWorkspace("w")).id;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens with WAL, foreign keys, STRICT tables and the latest user_version; reopening migrates nothing", async () => {
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(store.db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    // STRICT: a text in an INTEGER column is an error, not a silent conversion.
    expect(() =>
      store.db.prepare("INSERT INTO workspaces (id, name, created_at) VALUES ('a', 'b', 'soon')").run(),
    ).toThrow(/cannot store TEXT/);
    await store.close();
    store = SqliteStore.open(dir);
    expect(await store.countWorkspaces()).toBe(1);
  });

  it("refuses a database newer than the code", async () => {
    await store.close();
    const db = new Database(join(dir, "plantgan.db"));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => SqliteStore.open(dir)).toThrow(/newer than this server/);
    const reset = new Database(join(dir, "plantgan.db"));
    reset.pragma(`user_version = ${SCHEMA_VERSION}`);
    reset.close();
    store = SqliteStore.open(dir);
  });

  it("stores designs, refuses a second of the same id, keeps large ones as blobs", async () => {
    const big = design("big", 5000);
    const out = await store.insertDesigns(ws, [insert(design("a")), insert(design("a")), insert(big)]);
    expect(out).toEqual([
      { ok: true, id: "a" },
      { ok: false, id: "a", reason: "conflict" },
      { ok: true, id: "big" },
    ]);
    const row = store.db.prepare("SELECT body, blob FROM designs WHERE id = 'big'").get() as {
      body: string | null;
      blob: string | null;
    };
    expect(row.body).toBeNull();
    expect(row.blob).toMatch(/^[0-9a-f]{64}$/);
    expect((await store.getDesign(ws, "big"))?.design).toEqual(big);
    const other = (await store.createWorkspace("other")).id;
    expect(await store.getDesign(other, "a")).toBeUndefined();
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
    expect(await store.changeDatasetDesigns(ws, "ds", { add: ["a", "b", "a"], remove: [] })).toEqual({
      added: 2,
      removed: 0,
      missing: [],
    });
    // Deleting a design removes its membership (ON DELETE CASCADE with foreign_keys on).
    await store.deleteDesign(ws, "a");
    expect((await store.getDataset(ws, "ds"))?.designCount).toBe(1);
    expect((await store.datasetSummaries(ws, "ds"))?.map((s) => s.id)).toEqual(["b"]);
  });

  it("fences job writes by the lease token and recovers dead workers", async () => {
    await store.createJob(ws, { id: "job-a", kind: "import", payload: {}, maxAttempts: 2 });
    const claimed = (await store.claimNextJob(60_000))!;
    expect(claimed).toMatchObject({ id: "job-a", attempts: 1 });
    expect(await store.jobStep("job-a", "not-the-token", { designs: { items: [insert(design("x"))] } })).toEqual({
      owned: false,
    });
    expect(await store.getDesign(ws, "x")).toBeUndefined();
    const step = await store.jobStep("job-a", claimed.token, {
      designs: { items: [insert(design("x"))] },
      checkpoint: { n: 1 },
    });
    expect(step).toMatchObject({ owned: true, designs: [{ ok: true, id: "x" }] });

    // The runner saw the worker exit: requeued with its checkpoint (attempts remain).
    const resumable = () => true;
    expect(await store.recoverJobs({ now: 0, tokens: [claimed.token], reason: "killed", resumable })).toEqual([
      { jobId: "job-a", outcome: "requeued" },
    ]);
    expect(await store.renewLease("job-a", claimed.token, 1000)).toEqual({ owned: false, cancelRequested: false });
    const again = (await store.claimNextJob(-1))!; // a lease already expired
    expect((await store.jobForWorker("job-a", again.token))?.checkpoint).toEqual({ n: 1 });
    // Lease expired and no attempts left: failed, with the reason.
    expect(await store.recoverJobs({ now: Date.now(), reason: "lease expired", resumable })).toEqual([
      { jobId: "job-a", outcome: "failed" },
    ]);
    const job = await store.getJob(ws, "job-a");
    expect(job).toMatchObject({ status: "failed", attempts: 2 });
    expect(job?.error).toMatch(/lease expired.*no attempts left/);
    const types = (await store.jobEvents(ws, "job-a", 0, 100)).map((e) => e.type);
    expect(types).toEqual(["queued", "started", "requeued", "started", "failed"]);
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
});

describe("FileBlobStore", () => {
  it("names files by content, writes atomically, refuses anything but a sha256 as a name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plantgan-blobs-"));
    try {
      const blobs = new FileBlobStore(dir);
      const a = await blobs.put("hello");
      expect(a.sha256).toBe("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
      expect(await blobs.put("hello")).toEqual(a);
      expect((await blobs.get(a.sha256)).toString()).toBe("hello");
      expect(readdirSync(join(dir, "tmp"))).toEqual([]);
      await expect(blobs.get("../../etc/passwd")).rejects.toThrow(/not a sha256/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
