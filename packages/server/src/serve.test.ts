import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
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
      // The README's examples start from this line.
      expect(lines.map((l) => l.trim())).toContain(`export KEY=${first.firstRunKey}`);
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
});
