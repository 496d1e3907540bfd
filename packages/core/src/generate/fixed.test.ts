import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type GenerationRequest, parseDesign, parseDocument } from "../design/index.js";
import { conditionMatch, keepsFixedItems } from "../gan/metrics.js";
import { fixedItemIssues } from "./fixed.js";
import { generateCandidates } from "./pipeline.js";

const EXAMPLE = new URL("../../../../datasets/examples/pump-station.json", import.meta.url);
const parsedExample = parseDesign(readFileSync(EXAMPLE, "utf8"));
const example = parsedExample.success ? parsedExample.data : undefined!;

function request(input: Record<string, unknown>): GenerationRequest {
  const parsed = parseDocument("generationRequest", { schemaVersion: "1.0", count: 3, seed: 4, ...input });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  return parsed.data;
}

/** Random placement stands in for the generator: pinning and legalising are what is tested. */
const place = (r: GenerationRequest) => generateCandidates(r, { placement: "random" });

describe("fixed equipment in a generation request", () => {
  it("keeps a topology item where the request fixes it and completes the layout around it", () => {
    expect(parsedExample.success).toBe(true);
    const vessel = example.equipment.find((e) => e.tag === "V-102")!;
    const fixedVessel = { ...vessel, x: 60, y: 14, rotation: 90 };
    const r = request({
      mode: "topology",
      processClass: example.processClass,
      site: example.site,
      topology: example,
      fixed: [fixedVessel],
    });
    const candidates = place(r);
    expect(candidates).toHaveLength(3);
    for (const c of candidates) {
      const v = c.design.equipment.find((e) => e.tag === "V-102")!;
      expect([v.x, v.y, v.rotation]).toEqual([60, 14, 90]);
      expect(c.valid, JSON.stringify(c.report.violations.slice(0, 3))).toBe(true);
      expect(conditionMatch(r, c.design)).toBe(true);
    }
    // The others were placed by the proposal, not copied from the example.
    const moved = candidates[0]!.design.equipment.filter((e) => {
      const before = example.equipment.find((x) => x.tag === e.tag)!;
      return e.tag !== "V-102" && (e.x !== before.x || e.y !== before.y);
    });
    expect(moved.length).toBeGreaterThan(example.equipment.length / 2);
  });

  it("adds fixed items that are not in the topology as existing equipment (spec mode)", () => {
    const existing = {
      tag: "TK-900",
      type: "tank",
      x: 70,
      y: 12,
      footprint: { width: 8, depth: 8, height: 10 },
      hazard: "flammable",
    };
    const r = request({
      mode: "spec",
      processClass: "pump_station",
      site: example.site,
      equipment: [{ type: "pump", count: 2 }],
      fixed: [existing],
    });
    for (const c of place(r)) {
      expect(keepsFixedItems(r, c.design)).toBe(true);
      expect(c.design.equipment.filter((e) => e.tag === "TK-900")).toHaveLength(1);
      expect(conditionMatch(r, c.design)).toBe(true);
      // Piped in: it stands in for the template's tank, so the tank's lines reach it, routed.
      const at = c.design.lines.filter((l) => [l.from, l.to].some((e) => "tag" in e && e.tag === "TK-900"));
      expect(at.length).toBeGreaterThan(0);
      const unrouted = new Set(c.unrouted.map((u) => u.line));
      for (const l of at) expect(l.route !== undefined || unrouted.has(l.id)).toBe(true);
      expect(at.some((l) => l.route !== undefined)).toBe(true);
    }
  });

  it("reports fixed items that clash instead of moving them", () => {
    const [a, b] = example.equipment;
    const r = request({
      mode: "topology",
      processClass: example.processClass,
      site: example.site,
      topology: example,
      count: 1,
      fixed: [
        { ...a!, x: 40, y: 14 },
        { ...b!, x: 40, y: 14 },
      ],
    });
    const [c] = place(r);
    expect(c!.valid).toBe(false);
    expect(c!.unresolved.some((u) => u.startsWith("fixed_conflict"))).toBe(true);
    expect(keepsFixedItems(r, c!.design)).toBe(true);
  });

  it("a candidate that lost a fixed item does not match the request", () => {
    const r = request({
      mode: "spec",
      processClass: "pump_station",
      site: example.site,
      fixed: [example.equipment[0]],
    });
    expect(conditionMatch(r, { ...example, equipment: example.equipment.slice(1) })).toBe(false);
  });

  it("names fixed items without a position, outside the site or in a keep-out", () => {
    const tank = { type: "tank", footprint: { width: 8, depth: 8, height: 10 } };
    const r = request({
      mode: "spec",
      processClass: "pump_station",
      site: { width: 100, depth: 60, keepOut: [{ id: "ROAD-1", x: 0, y: 50, width: 100, depth: 10, kind: "road" }] },
      fixed: [
        { ...tank, tag: "TK-901" },
        { ...tank, tag: "TK-902", x: 98, y: 20 },
        { ...tank, tag: "TK-903", x: 30, y: 52 },
        { ...tank, tag: "TK-904", x: 30, y: 20 },
      ],
    });
    const issues = fixedItemIssues(r);
    expect(issues.map((i) => [i.pointer, i.tag])).toEqual([
      ["/fixed/0", "TK-901"],
      ["/fixed/1", "TK-902"],
      ["/fixed/2", "TK-903"],
    ]);
    expect(issues[0]!.message).toContain("no position");
    expect(issues[1]!.message).toContain("outside");
    expect(issues[2]!.message).toContain("ROAD-1");
  });
});
