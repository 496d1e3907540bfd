import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Design, summariseDesign } from "@plantgan/core/design";
import { DEFAULT_RULE_PACK } from "@plantgan/core/validate";
import { createApiKey, openStore, type Store } from "@plantgan/server";
import { cleanDesign } from "@plantgan/testing";
import { describeWithPostgres, type RunningPostgres, startPostgres } from "@plantgan/testing/postgres";
import { afterAll, beforeAll, expect, it } from "vitest";

/**
 * `plantgan store copy` (the built CLI, as an operator runs it) moves a real SQLite data folder,
 * built through the store API, into PostgreSQL: every record and blob reads back equal through
 * the PostgreSQL store, the old API key opens a server on that database, unfinished jobs wait in
 * its queue, and a second copy into the same database is refused with nothing changed.
 */

const BIN = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url));
const PAGE = { limit: 1000 };

const copy = (from: string, to: string) => {
  const run = spawnSync(process.execPath, [BIN, "store", "copy", "--from", from, "--to", to, "--json"], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};

/** `plantgan serve --role api` on the database, once it printed its URL; the caller stops it. */
async function serveApi(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "plantgan-copy-serve-"));
  const child = spawn(process.execPath, [BIN, "serve", "--role", "api", "--port", "0", "--data", dataDir], {
    env: { ...process.env, PLANTGAN_DATABASE_URL: databaseUrl, NO_COLOR: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.once("exit", () => rmSync(dataDir, { recursive: true, force: true }));
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const found = /PlantGAN API on (http:\/\/\S+)\/v1/.exec(stderr)?.[1];
      if (found) resolve(found);
    });
    child.once("exit", (code) => reject(new Error(`plantgan serve exited (${code}): ${stderr}`)));
  });
  return { child, url };
}

const insert = (design: Design) => ({
  design,
  status: "uploaded" as const,
  source: "json" as const,
  summary: summariseDesign(design),
});

interface Source {
  key: string;
  revokedKey: string;
  keyId: string;
  workspaceId: string;
  designIds: string[];
  weights: string;
  /** A blob no record holds (an upload on its way): copied too. */
  loose: string;
}

/** A data folder with one of every record type, a design large enough to live in a blob file. */
async function buildSource(store: Store, put: (bytes: Buffer) => Promise<{ sha256: string }>): Promise<Source> {
  const { key, keyId, workspace } = await createApiKey(store, "plant-a", "ci");
  await createApiKey(store, "plant-b");
  const revoked = await createApiKey(store, "plant-a", "old");
  await store.revokeApiKey(revoked.keyId);
  const designs = [cleanDesign("pump_station"), cleanDesign("tank_farm"), { ...cleanDesign("pump_station"), id: "p2" }];
  const inserted = await store.insertDesigns(workspace.id, designs.map(insert));
  expect(inserted.every((o) => o.ok)).toBe(true);
  const designIds = designs.map((d) => d.id);
  await store.createDataset(workspace.id, { id: "ds-1", name: "pumps", description: "two pumps" });
  await store.changeDatasetDesigns(workspace.id, "ds-1", { add: [designIds[0]!, designIds[2]!], remove: [] });
  expect(await store.putRulePack(workspace.id, { ...DEFAULT_RULE_PACK, id: "site", version: "2" })).not.toBe(
    "conflict",
  );

  const weights = (await put(Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]))).sha256;
  const loose = (await put(Buffer.from("an upload no record holds yet"))).sha256;
  await store.registerBlob(weights, 9);
  // An ended training with its events and its model, then a running and a queued generation.
  await store.createJob(workspace.id, {
    id: "job-train",
    kind: "train",
    payload: { datasetId: "ds-1" },
    maxAttempts: 3,
  });
  const train = await store.claimNextJob(60_000, "worker-1");
  expect(train?.id).toBe("job-train");
  await store.jobStep("job-train", train!.token, {
    progress: { done: 1, total: 1 },
    events: [{ type: "metrics", data: { epoch: 1, loss: 0.5 } }],
    checkpoint: { epoch: 1 },
    model: { id: "model-a", weights },
  });
  expect(
    await store.finishJob("job-train", train!.token, { status: "succeeded", result: { modelId: "model-a" } }),
  ).toBe(true);
  await store.createJob(workspace.id, {
    id: "job-run",
    kind: "generate",
    payload: { modelId: "model-a" },
    maxAttempts: 2,
  });
  expect((await store.claimNextJob(60_000, "worker-1"))?.id).toBe("job-run");
  await store.createJob(workspace.id, {
    id: "job-wait",
    kind: "generate",
    payload: { modelId: "model-a" },
    maxAttempts: 2,
  });

  const candidates = await store.insertCandidates(workspace.id, [
    {
      id: "cand-1",
      design: { ...cleanDesign("pump_station"), id: "gen-1" },
      rank: 1,
      jobId: "job-train",
      modelId: "model-a",
    },
    {
      id: "cand-2",
      design: { ...cleanDesign("pump_station"), id: "gen-2" },
      rank: 2,
      jobId: "job-train",
      modelId: "model-a",
    },
  ]);
  expect(candidates).toHaveLength(2);
  const reviewed = await store.reviewCandidate(workspace.id, "cand-2", { decision: "reject", comment: "no", keyId });
  expect(reviewed.ok).toBe(true);
  return { key, revokedKey: revoked.key, keyId, workspaceId: workspace.id, designIds, weights, loose };
}

/** Everything a store answers about the source's records, through the Store interface. */
async function snapshot(store: Store, s: Source) {
  const ws = s.workspaceId;
  const jobs = ["job-train", "job-run", "job-wait"];
  return {
    keys: await store.listApiKeys(),
    designs: await Promise.all(s.designIds.map((id) => store.getDesign(ws, id))),
    designList: await store.listDesigns(ws, {}, PAGE),
    dataset: await store.getDataset(ws, "ds-1"),
    datasetDesigns: await store.listDesigns(ws, { datasetId: "ds-1" }, PAGE),
    summaries: await store.datasetSummaries(ws, "ds-1"),
    rulePack: await store.getRulePack(ws, "site", "2"),
    models: await store.listModels(ws, PAGE),
    jobs: await Promise.all(jobs.map((id) => store.getJob(ws, id))),
    events: await Promise.all(jobs.map((id) => store.jobEvents(ws, id, 0, 1000))),
    candidates: await Promise.all(["cand-1", "cand-2"].map((id) => store.getCandidate(ws, id))),
    candidateList: await store.listCandidates(ws, {}, PAGE),
  };
}

describeWithPostgres("plantgan store copy from SQLite to PostgreSQL", () => {
  let cluster: RunningPostgres;
  let databaseUrl: string;
  let dataDir: string;

  beforeAll(async () => {
    cluster = await startPostgres();
    databaseUrl = cluster.newDatabase();
    dataDir = mkdtempSync(join(tmpdir(), "plantgan-copy-"));
  });
  afterAll(async () => {
    cluster?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("copies every record and blob, keeps keys working, requeues unfinished jobs and refuses a second copy", async () => {
    // A small inline limit: the larger designs' JSON lives in blob files, as large designs do.
    const sqlite = openStore({ kind: "sqlite", dataDir, inlineLimit: 6800 });
    const source = await buildSource(sqlite.store, (bytes) => sqlite.blobs.put(bytes));
    const before = await snapshot(sqlite.store, source);
    const sourceCounts = await sqlite.store.counts();
    const sourceBlobs = await sqlite.store.blobUsage();
    await sqlite.store.close();
    expect(before.designs.every((d) => d !== undefined)).toBe(true);

    const copied = copy(dataDir, databaseUrl);
    expect(copied.code, copied.stderr).toBe(0);
    const counts = JSON.parse(copied.stdout) as Record<string, number>;
    expect(counts).toMatchObject({
      workspaces: 2,
      api_keys: 3,
      designs: 3,
      dataset_designs: 2,
      rule_packs: 1,
      jobs: 3,
      models: 1,
      candidates: 2,
    });
    expect(counts.blob_contents).toBe(sourceBlobs.count);
    expect(counts.blob_contents).toBeGreaterThanOrEqual(3);

    const pg = openStore({ kind: "postgres", url: databaseUrl });
    try {
      const after = await snapshot(pg.store, source);
      // Unfinished jobs arrive queued, the running one with a "requeued" event; everything else is equal.
      expect(after.jobs.map((j) => j?.status)).toEqual(["succeeded", "queued", "queued"]);
      expect(after.events[1]!.at(-1)).toMatchObject({ type: "requeued" });
      expect({ ...after, jobs: after.jobs.slice(0, 1), events: [after.events[0], after.events[2]] }).toEqual({
        ...before,
        jobs: before.jobs.slice(0, 1),
        events: [before.events[0], before.events[2]],
      });
      expect(after.events[1]!.slice(0, -1)).toEqual(before.events[1]);
      expect(before.jobs[1]?.status).toBe("running");
      for (const sha of [source.weights, source.loose]) {
        expect(await pg.blobs.get(sha)).toEqual(await sqlite.blobs.get(sha));
      }
      expect(await pg.store.blobUsage()).toEqual(sourceBlobs);
      const targetCounts = await pg.store.counts();
      for (const [table, n] of Object.entries(sourceCounts)) {
        expect(targetCounts[table], table).toBe(table === "job_events" ? n + 1 : n);
      }

      // The old key opens `plantgan serve`, the revoked one stays refused on PostgreSQL (the API role: no worker takes the copied jobs here).
      const served = await serveApi(databaseUrl);
      try {
        const design = await fetch(`${served.url}/v1/designs/${source.designIds[1]}`, {
          headers: { authorization: `Bearer ${source.key}` },
        });
        expect(design.status).toBe(200);
        expect(await design.json()).toMatchObject({ id: source.designIds[1] });
        const revoked = await fetch(`${served.url}/v1/me`, {
          headers: { authorization: `Bearer ${source.revokedKey}` },
        });
        expect(revoked.status).toBe(401);
      } finally {
        served.child.kill("SIGTERM");
        await once(served.child, "exit");
      }

      // A second copy into the same database: refused, nothing changed.
      const again = copy(dataDir, databaseUrl);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/already holds 2 workspace\(s\)/);
      expect(await pg.store.counts()).toEqual(targetCounts);

      // A worker on PostgreSQL takes the copied queue in order, then nothing is left; new ids follow the copied ones.
      expect((await pg.store.claimNextJob(60_000, "pg-worker"))?.id).toBe("job-run");
      expect((await pg.store.claimNextJob(60_000, "pg-worker"))?.id).toBe("job-wait");
      expect(await pg.store.claimNextJob(60_000, "pg-worker")).toBeUndefined();
      const events = await pg.store.jobEvents(source.workspaceId, "job-wait", 0, 1000);
      expect(events.at(-1)!.id).toBeGreaterThan(Math.max(...after.events.flat().map((e) => e.id)));
    } finally {
      await pg.store.close();
    }
  });

  it("copies nothing when it fails part way: a damaged blob file, copied last, leaves the database empty", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plantgan-copy-damaged-"));
    const url = cluster.newDatabase();
    try {
      const sqlite = openStore({ kind: "sqlite", dataDir: dir });
      await createApiKey(sqlite.store, "plant-a");
      await sqlite.store.insertDesigns((await sqlite.store.findWorkspaceByName("plant-a"))!.id, [
        insert(cleanDesign("tank_farm")),
      ]);
      const { sha256 } = await sqlite.blobs.put("weights");
      await sqlite.store.close();
      writeFileSync(join(dir, "blobs", sha256.slice(0, 2), sha256), "not the weights");

      const failed = copy(dir, url);
      expect(failed.code).toBe(2);
      expect(failed.stderr).toMatch(new RegExp(`blob ${sha256} does not match its content`));
      const pg = openStore({ kind: "postgres", url });
      try {
        const counts = await pg.store.counts();
        expect(
          Object.values(counts).every((n) => n === 0),
          JSON.stringify(counts),
        ).toBe(true);
      } finally {
        await pg.store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a folder that is no data folder and a URL that is not postgres://", () => {
    const empty = mkdtempSync(join(tmpdir(), "plantgan-copy-empty-"));
    try {
      const notData = copy(empty, databaseUrl);
      expect(notData.code).toBe(2);
      expect(notData.stderr).toMatch(/holds no plantgan\.db/);
      const wrong = copy(dataDir, "mysql://root@127.0.0.1/plantgan");
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/--to must be a postgres:\/\/ URL/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
