import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore, type StoreConfig } from "../store/open.js";
import type { Store } from "../store/store.js";
import { BlobCollector } from "./collector.js";

describe("the blob collector", () => {
  const dirs: string[] = [];
  const stores: Store[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const sqlite = (blobGraceMs: number) => {
    const dir = mkdtempSync(join(tmpdir(), "plantgan-collector-"));
    dirs.push(dir);
    const config: StoreConfig = { kind: "sqlite", dataDir: dir, blobGraceMs };
    const opened = openStore(config);
    stores.push(opened.store);
    return { config, ...opened };
  };

  it("frees SQLite orphans in a process of its own, keeping what a record holds", async () => {
    const { config, store, blobs } = sqlite(0);
    const ws = (await store.createWorkspace("w")).id;
    const orphan = await blobs.put("an upload nobody kept");
    const weights = await blobs.put("a model's weights");
    await store.putModel(ws, { id: "m", status: "ready", weights: weights.sha256 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const collector = new BlobCollector(store, { storeConfig: config, intervalMs: 0, onError: () => undefined });
    const freed = collector.run();
    // One run at a time: asking again while it runs joins it.
    expect(collector.run()).toBe(freed);
    expect(await freed).toEqual({ removed: 1, bytes: orphan.size });
    expect(await blobs.has(orphan.sha256)).toBe(false);
    expect(await blobs.has(weights.sha256)).toBe(true);
  });

  it("runs by itself every interval until stopped", async () => {
    const { config, store, blobs } = sqlite(0);
    const collector = new BlobCollector(store, { storeConfig: config, intervalMs: 200, onError: () => undefined });
    const orphan = await blobs.put("left behind");
    collector.start();
    try {
      for (let i = 0; i < 100 && (await blobs.has(orphan.sha256)); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await blobs.has(orphan.sha256)).toBe(false);
    } finally {
      await collector.stop();
    }
  });
});
