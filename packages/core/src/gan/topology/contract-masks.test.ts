// The contract masks on real data: real val designs stay valid under them (they only override what
// the contract forbids), and a real design broken in the ways generated graphs break comes back free
// of those rules' errors.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { type Design, parseDesign } from "../../design/index.js";
import { DEFAULT_RULE_PACK } from "../../design/rule-pack.js";
import { EQUIPMENT_TYPES } from "../../design/vocabulary.js";
import { RULES } from "../../validate/registry.js";
import { validateDesign } from "../../validate/validate.js";
import { stripLayout } from "../topology.js";
import { applyContractMasks } from "./contract-masks.js";
import { decodeSlotGraph } from "./decode.js";
import { encodeSlotGraph } from "./encode.js";
import { defaultSlotGraphSpec, edgeStride, RowWriter, type SlotGraph } from "./spec.js";
import { HAND_VALVES } from "./vocabulary.js";

const VAL = fileURLToPath(new URL("../../../../../datasets/synthetic-v1/val.ndjson.gz", import.meta.url));
const spec = defaultSlotGraphSpec();
const LAYOUT_FREE = RULES.filter(
  (r) => r.appliesTo === "all" && ["consistency", "piping", "control"].includes(r.category),
);

let designs: Design[] = [];
beforeAll(() => {
  designs = gunzipSync(readFileSync(VAL))
    .toString("utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .slice(0, 20)
    .map((l) => {
      const placed = parseDesign(JSON.parse(l));
      if (!placed.success) throw new Error("a val design does not parse");
      const parsed = parseDesign(stripLayout(placed.data));
      if (!parsed.success) throw new Error("a val design does not parse");
      return parsed.data;
    });
});

function errorsOf(graph: SlotGraph, design: Design, contract: boolean, on = spec): string[] {
  const decoded = decodeSlotGraph(graph, on, {
    processClass: design.processClass,
    site: design.site,
    id: design.id,
    contract,
  });
  const parsed = parseDesign(decoded);
  if (!parsed.success) throw new Error("decoded design does not parse");
  return validateDesign(parsed.data, DEFAULT_RULE_PACK, { rules: LAYOUT_FREE })
    .violations.filter((v) => v.severity === "error")
    .map((v) => v.rule);
}

describe("applyContractMasks", () => {
  it("keeps real designs valid, and leaves the graph it was given untouched", () => {
    for (const design of designs) {
      const graph = encodeSlotGraph(design, spec);
      const before = graph.edges.slice();
      const { graph: masked } = applyContractMasks(graph, spec, DEFAULT_RULE_PACK);
      expect(errorsOf(masked, design, true)).toEqual([]);
      // Byte comparison: a deep equal over 1.9 M floats takes minutes.
      expect(Buffer.compare(Buffer.from(graph.edges.buffer), Buffer.from(before.buffer))).toBe(0);
    }
  });

  it("puts back a pump's check valve, moves a block valve off the nozzle side and locks a relief path", () => {
    const design = designs.find((d) => d.equipment.some((e) => e.type === "pump"))!;
    const graph = encodeSlotGraph(design, spec);
    const edge = new RowWriter(spec.edgeGroups, graph.edges, edgeStride(spec), 1);
    const pumps = new Set(
      [...design.equipment]
        .map((e, i) => ({ e, i }))
        .filter(({ e }) => e.type === "pump")
        .map(({ i }) => i),
    );
    // Slot order is EQUIPMENT_TYPES order, so the pumps are the first slots: break every line leaving them.
    let broken = 0;
    for (let i = 0; i < pumps.size; i++) {
      for (let j = 0; j < spec.nMax; j++) {
        const cell = i * spec.nMax + j;
        if (graph.edges[cell * edgeStride(spec)]! <= 0.5) continue;
        edge.row(cell);
        edge.set("line1.checkValve", 0, 0);
        edge.oneHot("line1.inletValve", 1 + HAND_VALVES.indexOf("gate_valve"));
        broken++;
      }
    }
    expect(broken).toBeGreaterThan(0);
    const raw = errorsOf(graph, design, false);
    expect(raw).toContain("piping.pump-check-valve");
    const { graph: masked, edits } = applyContractMasks(graph, spec, DEFAULT_RULE_PACK);
    expect(edits.pumpCheckValve).toBe(broken);
    expect(edits.pumpInletValve).toBe(broken);
    const after = errorsOf(masked, design, true);
    expect(after).not.toContain("piping.pump-check-valve");
    expect(after).not.toContain("piping.pump-discharge-order");
  });

  it("gives a spare set's pumps a block valve of their own on suction and discharge, which the members' branches copy", () => {
    const sets = defaultSlotGraphSpec(48, { spareSets: true });
    const design = designs.find((d) => d.equipment.some((e) => e.type === "pump" && /\dB$/.test(e.tag)))!;
    const graph = encodeSlotGraph(design, sets);
    const edge = new RowWriter(sets.edgeGroups, graph.edges, edgeStride(sets), 1);
    const node = new RowWriter(sets.nodeGroups, graph.nodes, sets.nodeWidth, 0);
    const spared = Array.from({ length: sets.nMax }, (_, i) => i).filter((i) => {
      if (graph.mask[i]! <= 0.5) return false;
      node.row(i);
      return node.argmax("type") === EQUIPMENT_TYPES.indexOf("pump") && node.argmax("spare") !== 0;
    });
    expect(spared.length).toBeGreaterThan(0);
    // Every line at a spared pump loses its own block valves; a shut-off valve (the header's) stays.
    let stripped = 0;
    for (const i of spared) {
      for (let j = 0; j < sets.nMax; j++) {
        for (const cell of [i * sets.nMax + j, j * sets.nMax + i]) {
          if (graph.edges[cell * edgeStride(sets)]! <= 0.5) continue;
          edge.row(cell);
          for (const g of ["inletValve", "outletValve", "dischargeValve"]) edge.oneHot(`line1.${g}`, 0);
          edge.oneHot("line1.shutoffValve", 1 + HAND_VALVES.indexOf("gate_valve"));
          stripped++;
        }
      }
    }
    expect(stripped).toBeGreaterThan(0);
    expect(errorsOf(graph, design, false, sets)).toContain("piping.spare-isolation");
    const { graph: masked, edits } = applyContractMasks(graph, sets, DEFAULT_RULE_PACK);
    expect(edits.spareIsolation).toBeGreaterThan(0);
    expect(errorsOf(masked, design, true, sets)).not.toContain("piping.spare-isolation");
  });
});
