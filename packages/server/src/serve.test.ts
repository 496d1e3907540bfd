import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { registerKeys } from "./cli/commands/keys.js";
import { startServer } from "./serve.js";

describe("startServer", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), "plantgan-serve-"));
    dirs.push(d);
    return d;
  };

  it("creates a workspace and a working key on first run only, binds 127.0.0.1, serves the viewer", async () => {
    const dataDir = tempDir();
    const viewerDir = tempDir();
    writeFileSync(join(viewerDir, "index.html"), "<!doctype html><title>viewer</title>");
    mkdirSync(join(viewerDir, "assets"));
    writeFileSync(join(viewerDir, "assets", "app.js"), "console.log(1)");
    const lines: string[] = [];
    const first = await startServer({
      dataDir,
      viewerDir,
      port: 0,
      jobs: { start: false },
      seed: false,
      print: (l) => lines.push(l),
    });
    try {
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(first.firstRunKey).toMatch(/^pgk_/);
      expect(lines.join("\n")).toContain(first.firstRunKey!);
      const me = await fetch(`${first.url}/v1/me`, { headers: { authorization: `Bearer ${first.firstRunKey}` } });
      expect(me.status).toBe(200);
      const page = await fetch(`${first.url}/`);
      expect(await page.text()).toContain("viewer");
      expect(page.headers.get("content-security-policy")).toContain("connect-src 'self'");
      expect((await fetch(`${first.url}/assets/app.js`)).status).toBe(200);
      // Client-side routes get index.html; the API keeps its problem+json 404s.
      const route = await fetch(`${first.url}/designs/abc`, { headers: { accept: "text/html" } });
      expect(await route.text()).toContain("viewer");
      expect(
        (await fetch(`${first.url}/v1/nope`, { headers: { accept: "text/html" } })).headers.get("content-type"),
      ).toMatch(/problem/);
    } finally {
      await first.close();
    }
    const second = await startServer({
      dataDir,
      viewerDir: false,
      port: 0,
      jobs: { start: false },
      print: () => undefined,
    });
    try {
      expect(second.firstRunKey).toBeUndefined();
      expect((await fetch(`${second.url}/`)).status).toBe(404);
    } finally {
      await second.close();
    }
  });

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
