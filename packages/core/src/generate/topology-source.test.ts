import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type GenerationRequest,
  type PlantDesignInput,
  parseDesign,
  parseDocument,
  type RulePack,
} from "../design/index.js";
import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import { designPlantDetailed } from "../designer/designer.js";
import { stripLayout } from "../gan/topology.js";
import { deriveSeed } from "../gan/training.js";
import { PipelineError } from "./errors.js";
import { generateCandidates } from "./pipeline.js";
import {
  designerTopology,
  requestTopology,
  type TopologySource,
  TopologySourceError,
  topologySourceByName,
} from "./topology-source.js";

const EXAMPLE = new URL("../../../../datasets/examples/pump-station.json", import.meta.url);
const parsedExample = parseDesign(readFileSync(EXAMPLE, "utf8"));
const example = parsedExample.success ? parsedExample.data : undefined!;

function request(input: Record<string, unknown>): GenerationRequest {
  const parsed = parseDocument("generationRequest", { schemaVersion: "1.0", ...input });
  if (!parsed.success) throw new Error(parsed.issues.map((i) => `${i.pointer} ${i.message}`).join("; "));
  return parsed.data as GenerationRequest;
}

const SPEC = request({
  mode: "spec",
  processClass: "pump_station",
  site: example.site,
  equipment: [{ type: "pump", count: 2 }],
  count: 2,
  seed: 4,
});
const options = { placement: "random", attempts: 1, polish: false } as const;

describe("topology sources", () => {
  it("records the designer on every spec-mode candidate by default, in the candidate and its design's metadata", () => {
    const out = generateCandidates(SPEC, options);
    expect(out).toHaveLength(2);
    for (const c of out) {
      expect(c.topologySource).toBe(designerTopology.name);
      expect(c.design.metadata?.topologySource).toBe("designer");
    }
  });

  it("records the request as the source of a topology-mode candidate, and refuses any other source there", () => {
    const placed = request({
      mode: "topology",
      processClass: "pump_station",
      site: example.site,
      topology: example,
      count: 1,
    });
    const [c] = generateCandidates(placed, options);
    expect(c!.topologySource).toBe("request");
    expect(c!.design.metadata?.topologySource).toBe("request");
    expect(() => generateCandidates(placed, { ...options, topology: designerTopology })).toThrow(PipelineError);
    expect(generateCandidates(placed, { ...options, topology: requestTopology })[0]!.topologySource).toBe("request");
  });

  it("places what the chosen source proposes, asking it with each candidate's seed and the caller's pack", () => {
    const asked: { seed: number; pack: RulePack }[] = [];
    const fixture: TopologySource = {
      name: "fixture",
      propose(r, seed, pack) {
        asked.push({ seed, pack });
        return { ...stripLayout(example), site: r.site } as PlantDesignInput;
      },
    };
    const pack = { ...DEFAULT_RULE_PACK, id: "custom" } as RulePack;
    const out = generateCandidates(SPEC, { ...options, topology: fixture, pack });
    expect(out.map((c) => c.topologySource)).toEqual(["fixture", "fixture"]);
    for (const c of out) {
      expect(c.design.equipment.map((e) => e.tag).sort()).toEqual(example.equipment.map((e) => e.tag).sort());
    }
    expect(new Set(asked.map((a) => a.seed)).size).toBe(2);
    expect(asked.every((a) => a.pack === pack)).toBe(true);
  });

  it("names the designer and refuses an unknown source or a learned one without a topology generator", () => {
    expect(topologySourceByName("designer", undefined)).toBe(designerTopology);
    expect(() => topologySourceByName("learned", undefined)).toThrow(TopologySourceError);
    expect(() => topologySourceByName("learned", undefined)).toThrow(/no topology generator/);
    expect(() => topologySourceByName("templates", undefined)).toThrow(/unknown topology source "templates"/);
  });

  it("designer: proposes the full designer's P&ID for the candidate's seed, on the request's site, with no layout", () => {
    let compared = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const proposed = designerTopology.propose(SPEC, seed, DEFAULT_RULE_PACK);
      expect(proposed.site).toEqual(SPEC.site);
      expect(proposed.metadata).toEqual({ generator: "plantgan-pipeline", seed });
      expect(proposed.equipment.some((e) => "x" in e)).toBe(false);
      const full = designPlantDetailed({
        processClass: SPEC.processClass,
        seed: deriveSeed(seed, 1000),
        equipment: [{ type: "pump", count: 2 }],
      });
      // Spec mode draws the first sub-seed only; the full designer moves on when its layout fails.
      if (full.attempts !== 1) continue;
      compared++;
      const t = stripLayout(full.design);
      const pnid = (d: PlantDesignInput) => [d.name, d.equipment, d.lines, d.instruments, d.control];
      expect(pnid(proposed)).toEqual(pnid(t));
    }
    expect(compared).toBeGreaterThanOrEqual(6);
  });
});
