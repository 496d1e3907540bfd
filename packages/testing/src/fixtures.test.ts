import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test, vi } from "vitest";

// The locator reads PLANTGAN_FIXTURES when first imported: each case sets it, then imports afresh.
async function locatorWith(dir: string) {
  vi.stubEnv("PLANTGAN_FIXTURES", dir);
  vi.resetModules();
  return import("./fixtures.js");
}

describe("fixtures locator", () => {
  afterEach(() => vi.unstubAllEnvs());

  test("an existing PLANTGAN_FIXTURES folder is used, and paths resolve inside it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plantgan-fixtures-"));
    try {
      const locator = await locatorWith(dir);
      expect(locator.FIXTURES_DIR).toBe(dir);
      expect(locator.FIXTURES_MISSING).toBeUndefined();
      expect(locator.fixturePath("dexpi", "a.xml")).toBe(join(dir, "dexpi", "a.xml"));
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test("a missing folder gives a reason naming it, and fixturePath throws that reason", async () => {
    const locator = await locatorWith("/nonexistent/plantgan-fixtures");
    expect(locator.FIXTURES_DIR).toBeUndefined();
    expect(locator.FIXTURES_MISSING).toContain("not found at /nonexistent/plantgan-fixtures");
    expect(locator.FIXTURES_MISSING).toContain("PLANTGAN_FIXTURES");
    expect(() => locator.fixturePath("dexpi")).toThrow(locator.FIXTURES_MISSING as string);
  });
});
