import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { type Design, parseDesign } from "../design/index.js";
import type { EquipmentType, PlantDesignInput } from "../design/types.js";
import { topologyErrors } from "../eval/validity.js";
import { requestFromDesign } from "../gan/metrics.js";
import { stripLayout } from "../gan/topology.js";
import { designPlantDetailed } from "./designer.js";
import { designTopology } from "./topology-only.js";

const VAL = new URL("../../../../datasets/synthetic-v1/val.ndjson.gz", import.meta.url);

/** The specs (class, equipment counts, site) of the first `perClass` val designs of each class. */
function valSpecs(perClass: number) {
  const taken = new Map<string, number>();
  const lines = gunzipSync(readFileSync(VAL)).toString("utf8").trim().split("\n");
  const designs = lines.map((line) => (parseDesign(line) as { data: Design }).data);
  const first = designs.filter((d) => {
    const n = (taken.get(d.processClass) ?? 0) + 1;
    taken.set(d.processClass, n);
    return n <= perClass;
  });
  return first.map((d) => {
    const r = requestFromDesign(d, 1);
    const equipment = (r.equipment ?? []).map((e) => ({ type: e.type as EquipmentType, count: e.count }));
    return { processClass: r.processClass, equipment, site: r.site as PlantDesignInput["site"] };
  });
}

/** The full designer's design with its layout stripped and the layout's own metadata dropped. */
function fullTopology(design: Design): PlantDesignInput {
  const stripped = stripLayout(design);
  const { arrangement: _layoutOnly, ...metadata } = stripped.metadata ?? {};
  return { ...stripped, metadata };
}

const SEEDS = [11, 12, 13];

describe("designTopology", () => {
  // 5 val specs per class × 3 seeds: 105 full designer runs (a few seconds).
  const specs = valSpecs(5);

  it("draws the full designer's P&ID for the attempt the full designer kept, on every val spec and seed", () => {
    let firstAttemptPassed = 0;
    let cases = 0;
    for (const spec of specs) {
      for (const seed of SEEDS) {
        const full = designPlantDetailed({ processClass: spec.processClass, seed, equipment: spec.equipment });
        cases++;
        if (full.attempts === 1) firstAttemptPassed++;
        // Same attempt, the full designer's site: the documents agree field for field.
        const same = designTopology({
          processClass: spec.processClass,
          seed,
          equipment: spec.equipment,
          site: full.design.site as PlantDesignInput["site"],
          attempt: full.attempts - 1,
        });
        expect(same, `${spec.processClass} seed ${seed}`).toEqual(fullTopology(full.design));
        // Spec mode asks for attempt 0: the same P&ID exactly when the full designer's first
        // attempt passed; after a failed layout the full designer moved to another sub-seed.
        const first = designTopology({
          processClass: spec.processClass,
          seed,
          equipment: spec.equipment,
          site: spec.site,
        });
        const pnid = (d: PlantDesignInput) => [d.name, d.equipment, d.lines, d.instruments, d.control];
        if (full.attempts === 1) expect(pnid(first)).toEqual(pnid(same));
        else expect(pnid(first)).not.toEqual(pnid(same));
      }
    }
    // Counted on this split and these seeds: in 2 of the 105 the full designer's first layout
    // failed, so its topology is another sub-seed's and spec mode's (attempt 0) differs from it.
    expect({ cases, firstAttemptPassed }).toEqual({ cases: 105, firstAttemptPassed: 103 });
  });

  it("gives topologies with no error from the validator's topology rules, on the request's site", () => {
    for (const spec of specs) {
      for (const seed of SEEDS) {
        const topology = designTopology({ ...spec, seed });
        expect(topology.site).toEqual(spec.site);
        expect(topology.equipment.some((e) => "x" in e || "rotation" in e)).toBe(false);
        expect(topology.lines.some((l) => "route" in l)).toBe(false);
        const parsed = parseDesign(JSON.parse(JSON.stringify(topology)));
        expect(parsed.success).toBe(true);
        expect(topologyErrors((parsed as { data: Design }).data), `${spec.processClass} seed ${seed}`).toEqual([]);
      }
    }
  });
});
