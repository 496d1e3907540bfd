// Core is pure (STYLE): formats take content and return data; the server and the CLI do the I/O.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const ROOT = new URL("./", import.meta.url);
const IMPURE = /from\s+["'](node:)?(fs|fs\/promises|path|http|https|net|child_process|url)["']|\bfetch\(|\bprocess\./;

describe("core/formats stays pure", () => {
  const sources = readdirSync(ROOT, { recursive: true, encoding: "utf8" }).filter(
    (f) => f.endsWith(".ts") && !f.endsWith(".test.ts"),
  );

  it("finds its sources", () => {
    expect(sources).toEqual(expect.arrayContaining(["read.ts", "registry.ts", "dexpi/index.ts"]));
  });

  it.each(sources)("%s imports no file system, path, network or process", (file) => {
    expect(readFileSync(new URL(file, ROOT), "utf8")).not.toMatch(IMPURE);
  });
});
