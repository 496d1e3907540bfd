// The contract masks on real data: real val designs stay valid under them (they only override what
// the contract forbids), and a real design broken in the ways generated graphs break comes back free
// of those rules' errors.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { type Design, parseDesign } from "../../design/index.js";
import { DEFAULT_RULE_PACK } from "../../design/rule-pack.js";
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

function errorsOf(graph: SlotGraph, design: Design, contract: boolean): string[] {
  const decoded = decodeSlotGraph(graph, spec, {
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
});
