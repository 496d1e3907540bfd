/**
 * The shared indexes against straightforward references on random designs: the footprint grid
 * against a scan of every footprint, the neighbour pairs against every pair, and the flow graph's
 * breadth-first search against a string-keyed search over a map of adjacency lists.
 */
import { parsedDesignArbitrary } from "@plantgan/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Design } from "../design/types.js";
import { isNozzleEnd } from "../design/types.js";
import { BoxGrid } from "./box-grid.js";
import { DesignIndex } from "./context.js";
import { describeNode, hopsBetween, nodeOfInstrument, nodeOfTag } from "./flow-graph.js";
import { DEFAULT_RULE_PACK, resolveRulePack } from "./pack.js";

const meets = (
  a: { minX: number; minY: number; maxX: number; maxY: number },
  b: { minX: number; minY: number; maxX: number; maxY: number },
) => a.minX <= b.maxX && b.minX <= a.maxX && a.minY <= b.maxY && b.minY <= a.maxY;

// Whole metres half the time, so boxes often touch exactly (touching counts as meeting).
const coordinate = fc.oneof(fc.integer({ min: -50, max: 150 }), fc.double({ min: -50, max: 150, noNaN: true }));
const side = fc.oneof(fc.integer({ min: 0, max: 80 }), fc.double({ min: 0, max: 80, noNaN: true }));
const box = fc
  .record({ x: coordinate, y: coordinate, w: side, h: side })
  .map(({ x, y, w, h }) => ({ minX: x, minY: y, maxX: x + w, maxY: y + h }));

describe("BoxGrid", () => {
  it("finds exactly the boxes an exhaustive scan finds, in index order", () => {
    fc.assert(
      fc.property(
        fc.array(box, { maxLength: 120 }),
        fc.array(box, { minLength: 1, maxLength: 20 }),
        (boxes, queries) => {
          const grid = new BoxGrid({
            minX: Float64Array.from(boxes, (b) => b.minX),
            minY: Float64Array.from(boxes, (b) => b.minY),
            maxX: Float64Array.from(boxes, (b) => b.maxX),
            maxY: Float64Array.from(boxes, (b) => b.maxY),
          });
          for (const q of queries) {
            const expected = boxes.flatMap((b, i) => (meets(b, q) ? [i] : []));
            expect(grid.search(q)).toEqual(expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

function indexOf(design: Design): DesignIndex {
  return new DesignIndex(design, resolveRulePack(DEFAULT_RULE_PACK));
}

describe("DesignIndex footprints and neighbours", () => {
  it("match a scan over every placed item and every pair", () => {
    fc.assert(
      fc.property(parsedDesignArbitrary({ placement: "mixed", maxEquipment: 30 }), box, (design, query) => {
        const index = indexOf(design);
        const placed = index.placed;
        expect(index.footprints.search(query)).toEqual(placed.filter((p) => meets(p, query)));

        const reach = Math.max(0, index.pack.access.clearance);
        const expected: number[] = [];
        for (const a of placed) {
          const grown = { minX: a.minX - reach, minY: a.minY - reach, maxX: a.maxX + reach, maxY: a.maxY + reach };
          for (const b of placed) if (b.index > a.index && meets(grown, b)) expected.push(a.slot, b.slot);
        }
        expect([...index.neighbours]).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

/** The flow graph as it was first written: string keys, adjacency lists, a Set per search. */
function referenceHops(design: Design, a: string, b: string, maxHops: number): number | undefined {
  const graph = new Map<string, string[]>();
  const link = (x: string, y: string) => {
    graph.set(x, [...(graph.get(x) ?? []), y]);
    graph.set(y, [...(graph.get(y) ?? []), x]);
  };
  for (const line of design.lines) {
    for (const end of [line.from, line.to]) link(`L:${line.id}`, isNozzleEnd(end) ? `E:${end.tag}` : `L:${end.line}`);
  }
  if (a === b) return 0;
  const seen = new Set([a]);
  let frontier = [a];
  for (let hops = 1; hops <= maxHops && frontier.length > 0; hops++) {
    const next: string[] = [];
    for (const node of frontier) {
      for (const n of graph.get(node) ?? []) {
        if (n === b) return hops;
        if (!seen.has(n)) {
          seen.add(n);
          next.push(n);
        }
      }
    }
    frontier = next;
  }
  return undefined;
}

describe("flow graph", () => {
  it("answers every pair of nodes as the string-keyed reference search does", () => {
    fc.assert(
      fc.property(
        parsedDesignArbitrary({ placement: "topology", maxEquipment: 8, maxLines: 14, branchShare: 0.4 }),
        fc.integer({ min: 0, max: 5 }),
        (design, maxHops) => {
          const index = indexOf(design);
          // Every node a rule can ask about, with its reference key; an unknown line id and tag too.
          const nodes: { key: string; node: number }[] = [];
          for (const e of design.equipment) nodes.push({ key: `E:${e.tag}`, node: nodeOfTag(index, e.tag)! });
          for (const line of design.lines) {
            for (const c of line.components) {
              if (c.tag !== undefined && !index.equipmentByTag.has(c.tag))
                nodes.push({ key: `L:${index.componentByTag.get(c.tag)!.line.id}`, node: nodeOfTag(index, c.tag)! });
            }
          }
          for (const i of design.instruments) {
            const key = "tag" in i.on ? `E:${i.on.tag}` : `L:${i.on.line}`;
            nodes.push({ key, node: nodeOfInstrument(index, i) });
          }
          nodes.push({ key: "E:NO-SUCH-TAG", node: nodeOfInstrument(index, { on: { tag: "NO-SUCH-TAG" } } as never) });
          nodes.push({
            key: "L:no-such-line",
            node: nodeOfInstrument(index, { on: { line: "no-such-line" } } as never),
          });
          for (const a of nodes) {
            expect(describeNode(index, a.node)).toBe(
              `${a.key.startsWith("E:") ? "equipment" : "line"} ${a.key.slice(2)}`,
            );
            for (const b of nodes) {
              expect(hopsBetween(index, a.node, b.node, maxHops)).toBe(referenceHops(design, a.key, b.key, maxHops));
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
