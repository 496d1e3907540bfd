import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { priceDesign } from "@plantgan/core/cost";
import { type Design, parseDesign } from "@plantgan/core/design";
import { DEFAULT_RULE_PACK } from "@plantgan/core/validate";
import { afterAll, describe, expect, it } from "vitest";
import { plantgan, REPO_ROOT } from "./run-cli.js";

/**
 * `plantgan eval` on a tiny split (one pump station, one tank farm) prints the cost columns: the
 * model before and after the polish, the held-out design, random; each with ratios to the
 * time-limited optimiser where its layout is valid, per class and pooled.
 */
describe("plantgan eval cost columns", () => {
  const dir = mkdtempSync(join(tmpdir(), "plantgan-eval-cost-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const split = (name: string) =>
    gunzipSync(readFileSync(join(REPO_ROOT, "datasets/synthetic-v1", `${name}.ndjson.gz`)))
      .toString("utf8")
      .trim()
      .split("\n");
  const first = (lines: string[], cls: string) => lines.find((l) => (JSON.parse(l) as Design).processClass === cls)!;

  it("gives cost, length and area with optimiser ratios for four methods", () => {
    const test = split("test");
    const heldOut = [first(test, "pump_station"), first(test, "tank_farm")];
    writeFileSync(join(dir, "test.ndjson"), `${heldOut.join("\n")}\n`);
    writeFileSync(join(dir, "train.ndjson"), `${split("train").slice(0, 2).join("\n")}\n`);
    const run = plantgan(["eval", "--dataset", dir, "--per-class", "1", "--optimiser-seconds", "1", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.cost.optimiserSeconds).toBe(1);
    const tables = out.cost.tables;
    expect(Object.keys(tables).sort()).toEqual(["designer", "model", "model-unpolished", "random"]);
    for (const rows of Object.values(tables) as any[][]) {
      expect(rows.map((r) => r.group)).toEqual(["pump_station", "tank_farm", "all"]);
      expect(rows[2].n).toBe(2);
      for (const r of rows) {
        expect(r.cost).toBeGreaterThan(0);
        expect(r.area).toBeGreaterThan(0);
        if (r.paired > 0) expect(r.costRatio).toBeGreaterThan(0);
        else expect(r.costRatio).toBeNull();
      }
    }
    // The designer row prices the held-out design itself.
    const pump = parseDesign(heldOut[0]!);
    if (!pump.success) throw new Error("bad fixture");
    expect(tables.designer[0].cost).toBeCloseTo(priceDesign(pump.data, DEFAULT_RULE_PACK.cost!).total, 3);
    // The polish only keeps cheaper layouts: per class, after is never above before.
    for (let k = 0; k < 2; k++) expect(tables.model[k].cost).toBeLessThanOrEqual(tables["model-unpolished"][k].cost);
    // The optimiser produced a valid layout somewhere, and the ratio columns were filled from it.
    expect(tables["model-unpolished"][2].paired + tables.designer[2].paired).toBeGreaterThan(0);
  });
});
