import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileBlobStore } from "./blobs.js";
import { MIGRATIONS, SCHEMA_VERSION } from "./migrations.js";
import { SqliteStore } from "./sqlite.js";

/** What only the SQLite file has; the behaviour both stores share is in contract.test.ts. */
describe("SqliteStore", () => {
  let dir: string;
  let store: SqliteStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "plantgan-store-"));
    store = SqliteStore.open(dir, { inlineLimit: 2048 });
    await store.createWorkspace("w");
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
