import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningServer, startServer } from "@plantgan/server";
import { describeWithPostgres, type RunningPostgres, startPostgres } from "@plantgan/testing/postgres";
import { afterAll, beforeAll, expect, it } from "vitest";

/**
 * `plantgan keys` (the built CLI, as an operator runs it) keeps keys in PostgreSQL when
 * PLANTGAN_DATABASE_URL is set: the keys it creates open the API of a server on that database,
 * and a key it revokes is refused there at once. Nothing is written to the data folder.
 */

const BIN = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url));

describeWithPostgres("plantgan keys on PostgreSQL", () => {
  let cluster: RunningPostgres;
  let databaseUrl: string;
  let dataDir: string;
  let server: RunningServer;

  const keys = (args: readonly string[], url = databaseUrl) => {
    const run = spawnSync(process.execPath, [BIN, "keys", ...args, "--data", dataDir], {
      encoding: "utf8",
      env: { ...process.env, PLANTGAN_DATABASE_URL: url, NO_COLOR: "1" },
      timeout: 60_000,
    });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  };
  const me = (key: string) => fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    cluster = await startPostgres();
    databaseUrl = cluster.newDatabase();
    dataDir = mkdtempSync(join(tmpdir(), "plantgan-keys-pg-"));
  });
  afterAll(async () => {
    await server?.close();
    cluster?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("creates, lists and revokes keys that a server on the same database honours", async () => {
    const createdA = keys(["create", "--workspace", "plant-a", "--label", "ci", "--json"]);
    expect(createdA.code, createdA.stderr).toBe(0);
    const a = JSON.parse(createdA.stdout) as { key: string; keyId: string; workspace: { id: string } };
    const b = JSON.parse(keys(["create", "--workspace", "plant-b", "--json"]).stdout) as { key: string };
    expect(existsSync(join(dataDir, "plantgan.db"))).toBe(false);

    server = await startServer({
      databaseUrl,
      dataDir,
      port: 0,
      viewerDir: false,
      seed: false,
      print: () => {},
      logger: false,
      jobs: { start: false },
    });
    // The database had workspaces already: no first-run key.
    expect(server.firstRunKey).toBeUndefined();
    const mine = await me(a.key);
    expect(mine.status).toBe(200);
    expect(await mine.json()).toMatchObject({ workspaceId: a.workspace.id, keyId: a.keyId });

    const listed = keys(["list", "--workspace", "plant-a", "--json"]);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: a.keyId, label: "ci" })]);
    expect(listed.stdout).not.toContain(a.key);

    expect(keys(["revoke", a.keyId]).code).toBe(0);
    expect((await me(a.key)).status).toBe(401);
    expect((await me(b.key)).status).toBe(200);
    const again = keys(["revoke", a.keyId]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/no active key/);
    expect(existsSync(join(dataDir, "plantgan.db"))).toBe(false);
  });

  it("names the variable for a URL that is not postgres://, and the database when it cannot be reached", () => {
    const wrong = keys(["list"], "mysql://root@127.0.0.1/plantgan");
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/PLANTGAN_DATABASE_URL must be a postgres:\/\/ URL/);
    // Port 1 on loopback: nothing listens there.
    const unreachable = keys(["list"], "postgres://postgres@127.0.0.1:1/plantgan");
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/cannot use PostgreSQL \(PLANTGAN_DATABASE_URL\): ECONNREFUSED/);
    expect(unreachable.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});
