// Ranked scalars on real data: the first 200 designs of datasets/synthetic-v1/val.ndjson.gz give
// the table; encode → decode keeps every footprint, pressure and temperature; the middle rank of a
// type decodes to that type's median; the contract masks read a ranked pressure as the value.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { type Design, parseDesign } from "../../design/index.js";
import { DEFAULT_RULE_PACK } from "../../design/rule-pack.js";
import { EQUIPMENT_TYPES } from "../../design/vocabulary.js";
import { applyContractMasks } from "./contract-masks.js";
import { decodeSlotGraph } from "./decode.js";
import { encodeSlotGraph } from "./encode.js";
import { observeScalarRanks, RANKED_COLUMNS, rankOf, valueAt } from "./scalar-ranks.js";
import { defaultSlotGraphSpec, RowWriter, type SlotGraphSpec } from "./spec.js";

const VAL = fileURLToPath(new URL("../../../../../datasets/synthetic-v1/val.ndjson.gz", import.meta.url));
const designs: Design[] = gunzipSync(readFileSync(VAL))
  .toString("utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .slice(0, 200)
  .map((l) => {
    const parsed = parseDesign(JSON.parse(l));
    if (!parsed.success) throw new Error("val design does not parse");
    return parsed.data;
  });

const plain = defaultSlotGraphSpec(48);
function rankedSpec(): SlotGraphSpec {
  const rows: Float32Array[] = [];
  for (const d of designs) {
    const g = encodeSlotGraph(d, plain);
    for (let i = 0; i < plain.nMax; i++)
      if (g.mask[i]! > 0.5) rows.push(g.nodes.subarray(i * plain.nodeWidth, (i + 1) * plain.nodeWidth));
  }
  return { ...plain, scalarRanks: observeScalarRanks(plain, rows) };
}
const ranked = rankedSpec();
const decode = (g: ReturnType<typeof encodeSlotGraph>, spec: SlotGraphSpec, d: Design) =>
  decodeSlotGraph(g, spec, { processClass: d.processClass, site: d.site, id: d.id, seed: 1 });

describe("rankOf and valueAt", () => {
  const points = [0, 0, 0, 1, 2, 4, 4];
  it("interpolate between points and give a run of equal points its middle rank", () => {
    expect(rankOf(points, 0)).toBeCloseTo(1 / 6);
    expect(rankOf(points, 1.5)).toBeCloseTo(3.5 / 6);
    expect(rankOf(points, 4)).toBeCloseTo(5.5 / 6);
    expect(rankOf(points, -1)).toBe(0);
    expect(rankOf(points, 9)).toBe(1);
    for (const v of [0, 0.5, 1, 1.5, 3, 4]) expect(valueAt(points, rankOf(points, v))).toBeCloseTo(v);
  });
});

describe("ranked scalars", () => {
  it("hold the data's values per type: tanks near atmospheric, compressors far above", () => {
    const pressure = RANKED_COLUMNS.findIndex((c) => c.group === "designPressure");
    const tank = ranked.scalarRanks!.byType[EQUIPMENT_TYPES.indexOf("tank")]![pressure]!;
    const compressor = ranked.scalarRanks!.byType[EQUIPMENT_TYPES.indexOf("compressor")]![pressure]!;
    expect(tank).not.toBeNull();
    expect(compressor).not.toBeNull();
    // Unit scale: log1p(p + 1.013) / log1p(2001); 1 barg is 0.146.
    expect(valueAt(tank, 0.5)).toBeLessThan(0.146);
    expect(valueAt(compressor, 0.5)).toBeGreaterThan(0.3);
  });

  it("decode the designs the table was counted from to the same equipment as without them", () => {
    for (const d of designs.slice(0, 60)) {
      const a = decode(encodeSlotGraph(d, plain), plain, d);
      const b = decode(encodeSlotGraph(d, ranked), ranked, d);
      expect(b.equipment.length).toBe(a.equipment.length);
      b.equipment.forEach((e, k) => {
        const f = a.equipment[k]!;
        expect(e.type).toBe(f.type);
        // Stated or not alike; where stated, the same value.
        expect(e.designPressure === undefined).toBe(f.designPressure === undefined);
        expect(e.designTemperature === undefined).toBe(f.designTemperature === undefined);
        if (f.designPressure !== undefined) expect(e.designPressure!).toBeCloseTo(f.designPressure, 1);
        if (f.designTemperature !== undefined) expect(e.designTemperature!).toBeCloseTo(f.designTemperature, 0);
        expect(e.footprint.width).toBeCloseTo(f.footprint.width, 1);
        expect(e.footprint.depth).toBeCloseTo(f.footprint.depth, 1);
        expect(e.footprint.height).toBeCloseTo(f.footprint.height, 1);
      });
    }
  });

  it("read as the type's median at the middle rank, and the masks see the decoded pressure", () => {
    const design = designs.find((d) => d.equipment.some((e) => e.type === "tank"))!;
    const graph = encodeSlotGraph(design, ranked);
    const node = new RowWriter(ranked.nodeGroups, graph.nodes, ranked.nodeWidth);
    const tanks: number[] = [];
    for (let i = 0; i < ranked.nMax; i++) {
      if (graph.mask[i]! <= 0.5) continue;
      node.row(i);
      if (EQUIPMENT_TYPES[node.argmax("type")] !== "tank") continue;
      // The generator's untrained middle: rank ½ on every tank, and pressure known.
      node.set("pressureKnown", 0, 1);
      node.set("designPressure", 0, 0.5);
      tanks.push(i);
    }
    const decoded = decode(graph, ranked, design);
    for (const e of decoded.equipment.filter((x) => x.type === "tank")) {
      expect(e.designPressure!).toBeLessThanOrEqual(DEFAULT_RULE_PACK.relief.pressureThreshold);
    }
    // Read as a unit value, 0.5 is ~40 barg: the masks would add a relief valve at every tank.
    const masked = applyContractMasks(graph, ranked, DEFAULT_RULE_PACK);
    const asUnit = applyContractMasks(graph, plain, DEFAULT_RULE_PACK);
    expect(masked.edits.reliefPathAdded).toBeLessThan(asUnit.edits.reliefPathAdded);
    expect(tanks.length).toBeGreaterThan(0);
  });
});
