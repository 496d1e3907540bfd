import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pumpStationRequest } from "@plantgan/testing";
import { afterAll, describe, expect, it } from "vitest";
import { plantgan } from "./run-cli.js";

/**
 * `plantgan generate` loads HiGHS before the pipeline, so each candidate it writes carries its cost
 * and a polish report that either applied or says why not, never that the solver was missing.
 */
describe("plantgan generate polishes its candidates", () => {
  const dir = mkdtempSync(join(tmpdir(), "plantgan-polish-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes cost and polish with each candidate", () => {
    const request = join(dir, "req.json");
    writeFileSync(request, JSON.stringify(pumpStationRequest(3, 5)));
    const out = join(dir, "c.ndjson");
    const gen = plantgan(["generate", "--request", request, "-o", out]);
    expect(gen.code, gen.stderr).toBeLessThan(2);
    const records = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(3);
    for (const r of records) {
      expect(r.polish, r.design.id).toBeDefined();
      expect(r.polish.reason).not.toMatch(/not loaded/);
      expect(r.cost.total).toBeGreaterThan(0);
      expect(r.cost.total).toBeCloseTo(r.cost.pipe + r.cost.bends + r.cost.land, 6);
      if (r.polish.applied) expect(r.polish.costAfter).toBeLessThan(r.polish.costBefore);
    }
    // The polish is not a no-op on these small pump stations: at least one layout got cheaper.
    expect(records.some((r) => r.polish.applied)).toBe(true);
  });
});
