import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "@plantgan/server";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { registerKeys } from "./keys.js";

describe("plantgan keys", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), "plantgan-keys-"));
    dirs.push(d);
    return d;
  };

  /** Runs `plantgan keys …` in process; returns what it printed on stdout. */
  async function keysCli(args: string[]): Promise<string> {
    const program = new Command().exitOverride();
    registerKeys(program);
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const quiet = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      await program.parseAsync(["keys", ...args], { from: "user" });
    } finally {
      write.mockRestore();
      quiet.mockRestore();
    }
    return out.join("");
  }

  it("`plantgan keys create` prints a new key for a named workspace", async () => {
    const dataDir = tempDir();
    const created = JSON.parse(await keysCli(["create", "--workspace", "plant-a", "--data", dataDir, "--json"])) as {
      key: string;
      workspace: { name: string };
    };
    expect(created.key).toMatch(/^pgk_[A-Za-z0-9_-]{43}$/);
    expect(created.workspace.name).toBe("plant-a");
  });

  it("`plantgan keys list` and `keys revoke`: a revoked key is refused at once", async () => {
    const dataDir = tempDir();
    const a = JSON.parse(
      await keysCli(["create", "--workspace", "plant-a", "--label", "ci", "--data", dataDir, "--json"]),
    );
    const b = JSON.parse(await keysCli(["create", "--workspace", "plant-b", "--data", dataDir, "--json"]));
    const server = await startServer({
      dataDir,
      port: 0,
      viewerDir: false,
      seed: false,
      print: () => {},
      logger: false,
    });
    const me = (key: string) => fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    try {
      expect((await me(a.key)).status).toBe(200);
      const listed = JSON.parse(await keysCli(["list", "--workspace", "plant-a", "--data", dataDir, "--json"]));
      expect(listed).toEqual([expect.objectContaining({ id: a.keyId, label: "ci" })]);
      expect(JSON.stringify(listed)).not.toContain(a.key);

      await keysCli(["revoke", a.keyId, "--data", dataDir]);
      const refused = await me(a.key);
      expect(refused.status).toBe(401);
      expect(refused.headers.get("content-type")).toMatch(/problem\+json/);
      expect((await me(b.key)).status).toBe(200);
      const all = JSON.parse(await keysCli(["list", "--data", dataDir, "--json"])) as {
        id: string;
        revokedAt?: string;
      }[];
      expect(Object.fromEntries(all.map((k) => [k.id, k.revokedAt !== undefined]))).toEqual({
        [a.keyId]: true,
        [b.keyId]: false,
      });
      await expect(keysCli(["revoke", a.keyId, "--data", dataDir])).rejects.toThrow(/no active key/);
      await expect(keysCli(["list", "--workspace", "nope", "--data", dataDir])).rejects.toThrow(/--workspace/);
    } finally {
      await server.close();
    }
  });
});
