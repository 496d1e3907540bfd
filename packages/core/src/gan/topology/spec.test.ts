import { describe, expect, it } from "vitest";
import { EQUIPMENT_TYPES } from "../../design/index.js";
import { CONDITION_SIZE } from "../condition.js";
import { defaultSlotGraphSpec, emptySlotGraph, groupByName, requireGroup } from "./spec.js";
import { LINES_PER_EDGE } from "./vocabulary.js";

describe("defaultSlotGraphSpec", () => {
  const spec = defaultSlotGraphSpec();

  it("lays groups side by side from column 0 with no gap, for nodes and edges", () => {
    for (const [groups, width] of [
      [spec.nodeGroups, spec.nodeWidth],
      [spec.edgeGroups, spec.edgeWidth],
    ] as const) {
      let offset = 0;
      for (const g of groups) {
        expect(g.offset).toBe(offset);
        expect(g.size).toBeGreaterThan(0);
        offset += g.size;
      }
      expect(offset).toBe(width);
      expect(new Set(groups.map((g) => g.name)).size).toBe(groups.length);
    }
  });

  it("starts nodes with the type one-hot in EQUIPMENT_TYPES order and uses the condition's width", () => {
    expect(spec.nodeGroups[0]).toEqual({ name: "type", offset: 0, size: EQUIPMENT_TYPES.length, kind: "categorical" });
    expect(spec.conditionWidth).toBe(CONDITION_SIZE);
    expect(spec.nMax).toBe(48);
    expect(defaultSlotGraphSpec(80).nMax).toBe(80);
  });

  it("gives every line block of an edge the same groups", () => {
    const block = (k: number) =>
      spec.edgeGroups
        .filter((g) => g.name.startsWith(`line${k}.`))
        .map((g) => [g.name.slice(`line${k}.`.length), g.size, g.kind]);
    for (let k = 2; k <= LINES_PER_EDGE; k++) expect(block(k)).toEqual(block(1));
    expect(block(1).length * LINES_PER_EDGE).toBe(spec.edgeGroups.length);
  });

  it("refuses a slot count that is not a positive integer", () => {
    expect(() => defaultSlotGraphSpec(0)).toThrow(RangeError);
    expect(() => defaultSlotGraphSpec(2.5)).toThrow(RangeError);
  });

  it("finds groups by name and names a missing one", () => {
    expect(groupByName(spec.nodeGroups).get("spare")?.kind).toBe("categorical");
    expect(() => requireGroup(spec.nodeGroups, "colour")).toThrow(/no group "colour"/);
  });

  it("makes empty graphs of the contract's shapes", () => {
    const g = emptySlotGraph(spec);
    expect(g.nodes.length).toBe(spec.nMax * spec.nodeWidth);
    expect(g.mask.length).toBe(spec.nMax);
    expect(g.edges.length).toBe(spec.nMax * spec.nMax * (1 + spec.edgeWidth));
    expect(g.condition.length).toBe(CONDITION_SIZE);
  });
});
