import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { parseDesign } from "../design/parse.js";
import type { Design } from "../design/types.js";
import { requestFromDesign } from "../gan/metrics.js";
import { generateCandidates } from "../generate/pipeline.js";
import type { Candidate } from "../generate/types.js";
import { loadSolver } from "./index.js";

/** The first design of three process classes of the synthetic-v1 test split. */
function testDesigns(classes: readonly string[]): Design[] {
  const text = gunzipSync(
    readFileSync(new URL("../../../../datasets/synthetic-v1/test.ndjson.gz", import.meta.url)),
  ).toString("utf8");
  const out = new Map<string, Design>();
  for (const line of text.trim().split("\n")) {
    const raw = JSON.parse(line) as { processClass: string };
    if (!classes.includes(raw.processClass) || out.has(raw.processClass)) continue;
    const parsed = parseDesign(raw);
    if (parsed.success) out.set(raw.processClass, parsed.data);
  }
  return [...out.values()];
}

beforeAll(async () => {
  await loadSolver();
});

describe("the pipeline's polish step on test-split requests (random placement)", () => {
  const designs = testDesigns(["pump_station", "reactor_section", "utilities"]);

  it.each(designs.map((d, k) => [d.processClass, d, k] as const))(
    "%s: each candidate is polished or says why, costs no more and is no less valid than unpolished",
    (_cls, design, k) => {
      const request = requestFromDesign(design, 1000 + k);
      const options = { placement: "random" as const, count: 2, attempts: 2 };
      const bySeed = (cs: Candidate[]) => new Map(cs.map((c) => [c.seed, c]));
      const plain = bySeed(generateCandidates(request, { ...options, polish: false }));
      const polished = generateCandidates(request, options);
      expect(polished).toHaveLength(2);
      for (const c of polished) {
        const before = plain.get(c.seed)!;
        expect(before.polish).toBeUndefined();
        expect(c.polish).toBeDefined();
        expect(c.cost).toBeDefined();
        expect(c.cost!.total).toBeLessThanOrEqual(before.cost!.total + 1e-6);
        if (before.valid) expect(c.valid).toBe(true);
        if (c.polish!.applied) {
          expect(c.polish!.costBefore).toBeCloseTo(before.cost!.total, 6);
          expect(c.polish!.costAfter).toBeCloseTo(c.cost!.total, 6);
          expect(c.cost!.total).toBeLessThan(before.cost!.total);
        } else {
          expect(c.design).toEqual(before.design);
        }
      }
      // Ranking: among equally faulty candidates the cheaper comes first.
      const [first, second] = polished;
      const faults = (c: Candidate) => c.report.summary.errors + c.unrouted.length + c.unresolved.length;
      if (faults(first!) === faults(second!)) expect(first!.cost!.total).toBeLessThanOrEqual(second!.cost!.total);
    },
    180_000,
  );
});
