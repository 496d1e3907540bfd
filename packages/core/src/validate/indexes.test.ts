/**
 * The shared indexes against straightforward references on random designs: the footprint grid
 * against a scan of every footprint, the neighbour pairs against every pair, and the flow graph's
 * breadth-first search against a string-keyed search over a map of adjacency lists.
 */
import { cleanDesign, parsedDesignArbitrary } from "@plantgan/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nozzlePosition, overlapArea, rectDistance } from "../design/geometry.js";
import type { Design, Line } from "../design/types.js";
import { isBranchEnd, isNozzleEnd, isPlaced } from "../design/types.js";
import { ArrayLease } from "./array-pool.js";
import { BoxGrid } from "./box-grid.js";
import {
  type AreaItem,
  componentCode,
  DesignIndex,
  END_BRANCH,
  END_NOZZLE,
  END_OPEN,
  hazardCode,
  PART_CHECK,
  PART_RELIEF,
  PART_RELIEF_SERVICE,
  type PlacedItem,
  typeCode,
} from "./context.js";
import { AREA_EPS, between, EPS, label } from "./describe.js";
import { describeNode, hopsBetween, nodeOfInstrument, nodeOfTag } from "./flow-graph.js";
import { metres } from "./geometry3d.js";
import { DEFAULT_RULE_PACK, resolveRulePack } from "./pack.js";
import { rule as keepOut } from "./rules/geometry/keep-out.js";
import { rule as rackKeepFree } from "./rules/geometry/rack-keep-free.js";
import { buildSegments, SegmentGrid } from "./segments.js";
import type { ResolvedRulePack, Rule } from "./types.js";
import { validateDesign } from "./validate.js";

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
          const grid = new BoxGrid(
            {
              minX: Float64Array.from(boxes, (b) => b.minX),
              minY: Float64Array.from(boxes, (b) => b.minY),
              maxX: Float64Array.from(boxes, (b) => b.maxX),
              maxY: Float64Array.from(boxes, (b) => b.maxY),
            },
            new ArrayLease(),
          );
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

describe("DesignIndex line ends", () => {
  it("resolves every line end to the nozzle and position of the tag's first item, as a scan of the design finds", () => {
    fc.assert(
      fc.property(
        parsedDesignArbitrary({ placement: "mixed", maxEquipment: 12, maxLines: 20 }),
        fc.boolean(),
        fc.nat(),
        (parsed, repeatTag, broken) => {
          // Repeated tags and nozzle ids that name nothing are the cases the ends must get right.
          const design = structuredClone(parsed);
          if (repeatTag && design.equipment.length > 1)
            (design.equipment[1] as { tag: string }).tag = design.equipment[0]!.tag;
          const end = design.lines[broken % Math.max(1, design.lines.length)]?.to;
          if (end && isNozzleEnd(end)) (end as { nozzle: string }).nozzle = "N-none";
          const index = indexOf(design);
          design.lines.forEach((line, lineIndex) => {
            for (const side of ["from", "to"] as const) {
              const e = line[side];
              if (!isNozzleEnd(e)) {
                expect(index.endNozzle(lineIndex, side)).toBeUndefined();
                continue;
              }
              const first = design.equipment.find((q) => q.tag === e.tag);
              const nozzle = first?.nozzles.find((n) => n.id === e.nozzle);
              expect(index.endNozzle(lineIndex, side)).toBe(nozzle);
              const point = first && nozzle && isPlaced(first) ? nozzlePosition(first, nozzle) : undefined;
              expect(index.endNozzlePoint(lineIndex, side)).toEqual(point);
              expect(index.nozzlePoint(e.tag, e.nozzle)).toEqual(point);
            }
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("DesignIndex.sharedTags", () => {
  /** Tags named by at least two of: equipment, an instrument, a tagged component (a string-keyed count). */
  const sharedReference = (design: Design): number => {
    const kinds = new Map<string, Set<string>>();
    const add = (tag: string, kind: string) => kinds.set(tag, (kinds.get(tag) ?? new Set()).add(kind));
    for (const e of design.equipment) add(e.tag, "equipment");
    for (const i of design.instruments) add(i.tag, "instrument");
    for (const l of design.lines) for (const c of l.components) if (c.tag !== undefined) add(c.tag, "component");
    return [...kinds.values()].filter((k) => k.size >= 2).length;
  };

  it("counts a tag naming equipment, an instrument and a component once, as one naming two kinds", () => {
    const base = cleanDesign("distillation");
    const tagged = base.lines.flatMap((l) => l.components.filter((c) => c.tag !== undefined));
    expect(base.instruments.length).toBeGreaterThan(2);
    expect(tagged.length).toBeGreaterThan(1);
    expect(indexOf(base).sharedTags).toBe(0);
    // Three kinds: the first equipment tag on an instrument and a component. Two kinds: another
    // component's tag on a second instrument.
    const tag = base.equipment[0]!.tag;
    const design: Design = {
      ...base,
      instruments: base.instruments.map((i, n) =>
        n === 0 ? { ...i, tag } : n === 1 ? { ...i, tag: tagged[1]!.tag! } : i,
      ),
      lines: base.lines.map((l) => ({
        ...l,
        components: l.components.map((c) => (c === tagged[0] ? { ...c, tag } : c)),
      })),
    };
    expect(sharedReference(design)).toBe(2);
    expect(indexOf(design).sharedTags).toBe(2);
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
    for (const end of [line.from, line.to])
      if (isNozzleEnd(end)) link(`L:${line.id}`, `E:${end.tag}`);
      else if (isBranchEnd(end)) link(`L:${line.id}`, `L:${end.line}`);
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
            if (!i.on) continue;
            const key = "tag" in i.on ? `E:${i.on.tag}` : `L:${i.on.line}`;
            nodes.push({ key, node: nodeOfInstrument(index, i)! });
          }
          nodes.push({ key: "E:NO-SUCH-TAG", node: nodeOfInstrument(index, { on: { tag: "NO-SUCH-TAG" } } as never)! });
          nodes.push({
            key: "L:no-such-line",
            node: nodeOfInstrument(index, { on: { line: "no-such-line" } } as never)!,
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

/**
 * keep-out and rack-keep-free search from each zone through the footprint grid; these references
 * test every item against every zone, as the rules first did through an R-tree per item.
 */
const everyPair = (areas: (index: DesignIndex) => readonly AreaItem[], margin: (pack: ResolvedRulePack) => number) =>
  function* (index: DesignIndex): Generator<[PlacedItem, AreaItem]> {
    const m = margin(index.pack);
    for (const item of index.placed) {
      for (const zone of areas(index)) {
        const grown = { minX: item.minX - m, minY: item.minY - m, maxX: item.maxX + m, maxY: item.maxY + m };
        if (meets(grown, zone)) yield [item, zone];
      }
    }
  };

const referenceKeepOut: Rule = {
  ...keepOut,
  check({ index }, emit) {
    for (const [item, zone] of everyPair(
      (i) => i.keepOutAreas,
      () => 0,
    )(index)) {
      const area = overlapArea(item, zone);
      if (area <= AREA_EPS) continue;
      emit({
        message: `${label(item.equipment)} stands in keep-out ${zone.id} (${zone.keepOut?.kind ?? "other"}): ${Math.round(area * 100) / 100} m² of its footprint.`,
        tags: [item.equipment.tag],
        location: between(item, zone, item.minZ),
      });
    }
  },
};

const referenceRackKeepFree: Rule = {
  ...rackKeepFree,
  check({ index, pack }, emit) {
    const clearance = pack.rackKeepFree.clearance;
    for (const [item, zone] of everyPair(
      (i) => i.rackAreas,
      (p) => p.rackKeepFree.clearance,
    )(index)) {
      const rack = zone.rack!;
      if (item.minZ >= Math.max(...rack.levels) - EPS) continue;
      const on = overlapArea(item, zone) > AREA_EPS;
      const gap = rectDistance(item, zone);
      if (!on && gap >= clearance - EPS) continue;
      emit({
        message: on
          ? `${label(item.equipment)} stands on pipe rack ${rack.id}; racks are kept free of equipment.`
          : `${label(item.equipment)} is ${metres(gap)} from pipe rack ${rack.id}; the pack keeps ${metres(clearance)} free along racks.`,
        tags: [item.equipment.tag],
        location: between(item, zone, item.minZ),
      });
    }
  },
};

describe("zone rules searched from the zones", () => {
  it("report what an item-by-zone scan reports, in the same order", () => {
    let found = 0;
    fc.assert(
      fc.property(parsedDesignArbitrary({ maxEquipment: 25 }), (design) => {
        for (const [fast, reference] of [
          [keepOut, referenceKeepOut],
          [rackKeepFree, referenceRackKeepFree],
        ] as const) {
          const got = validateDesign(design, DEFAULT_RULE_PACK, { rules: [fast] });
          const want = validateDesign(design, DEFAULT_RULE_PACK, { rules: [reference] });
          expect(got).toEqual(want);
          found += got.violations.length;
        }
      }),
      { numRuns: 300 },
    );
    // The random sites put equipment on zones often enough for the comparison to mean something.
    expect(found).toBeGreaterThan(50);
  });
});

describe("SegmentGrid.forEachPair", () => {
  const point = fc.tuple(
    fc.integer({ min: 0, max: 60 }),
    fc.integer({ min: 0, max: 60 }),
    fc.integer({ min: 0, max: 6 }),
  );
  it("yields each pair of padded boxes that meet in 3-D, of different groups, once", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ route: fc.array(point, { minLength: 2, maxLength: 6 }), size: fc.constantFrom(50, 100, 300) }),
          {
            maxLength: 12,
          },
        ),
        fc.double({ min: 0, max: 2, noNaN: true }),
        (lines, pad) => {
          const arrays = new ArrayLease();
          const segments = buildSegments(
            lines.map((l, i) => ({ id: `L${i}`, ...l }) as unknown as Line),
            arrays,
          );
          const grid = new SegmentGrid(segments, pad, arrays);
          const got: string[] = [];
          grid.forEachPair((a, b) => got.push(`${a}-${b}`), Number.POSITIVE_INFINITY, segments.line);
          const want: string[] = [];
          const lo = (i: number, axis: "x" | "y" | "z") =>
            Math.min(segments[`a${axis}`][i]!, segments[`b${axis}`][i]!) - pad;
          const hi = (i: number, axis: "x" | "y" | "z") =>
            Math.max(segments[`a${axis}`][i]!, segments[`b${axis}`][i]!) + pad;
          for (let a = 0; a < segments.count; a++) {
            for (let b = a + 1; b < segments.count; b++) {
              if (segments.line[a] === segments.line[b]) continue;
              if ((["x", "y", "z"] as const).every((ax) => lo(a, ax) <= hi(b, ax) && lo(b, ax) <= hi(a, ax)))
                want.push(`${a}-${b}`);
            }
          }
          expect(got.sort()).toEqual(want.sort());
        },
      ),
      { numRuns: 200 },
    );
  });
});

/**
 * The line ends, line ids and control references the index resolves once per run against the
 * string-keyed lookups they replace, on random designs with one equipment tag and one line id
 * repeated (lookups answer with the first item or line of a tag or id).
 */
describe("resolved references", () => {
  it("name what string-keyed lookups name", () => {
    fc.assert(
      fc.property(
        parsedDesignArbitrary({ placement: "mixed", maxEquipment: 10, maxLines: 16, branchShare: 0.4 }),
        fc.nat(),
        fc.nat(),
        (base, a, b) => {
          const equipment = base.equipment.map((e) => ({ ...e }));
          const lines = base.lines.map((l) => ({ ...l }));
          if (equipment.length > 1) equipment[a % equipment.length]!.tag = equipment[b % equipment.length]!.tag;
          if (lines.length > 1) lines[b % lines.length]!.id = lines[a % lines.length]!.id;
          const design: Design = { ...base, equipment, lines };
          const index = indexOf(design);
          const firstEquipment = new Map<string, number>();
          for (const e of equipment) if (!firstEquipment.has(e.tag)) firstEquipment.set(e.tag, firstEquipment.size);
          const firstLine = new Map<string, number>();
          lines.forEach((l, i) => {
            if (!firstLine.has(l.id)) firstLine.set(l.id, i);
          });
          const endsByTag = new Map<string, number[]>();
          lines.forEach((line, i) => {
            expect(index.lineFirst[i]).toBe(firstLine.get(line.id));
            const parts = line.components.map((c) => c.type);
            expect((index.lineParts[i]! & PART_CHECK) !== 0).toBe(parts.includes("check_valve"));
            expect((index.lineParts[i]! & PART_RELIEF) !== 0).toBe(parts.includes("relief_valve"));
            expect((index.lineParts[i]! & PART_RELIEF_SERVICE) !== 0).toBe(
              line.service === "relief" || line.service === "flare",
            );
            [line.from, line.to].forEach((end, side) => {
              const code = 2 * i + side;
              if (isNozzleEnd(end)) {
                expect(index.endKind[code]).toBe(END_NOZZLE);
                expect(index.endTarget[code]).toBe(firstEquipment.get(end.tag) ?? -1);
                if (firstEquipment.has(end.tag)) endsByTag.set(end.tag, [...(endsByTag.get(end.tag) ?? []), code]);
              } else if (isBranchEnd(end)) {
                expect(index.endKind[code]).toBe(END_BRANCH);
                expect(index.endTarget[code]).toBe(firstLine.get(end.line) ?? -1);
              } else expect(index.endKind[code]).toBe(END_OPEN);
            });
          });
          for (const [tag, k] of firstEquipment) {
            expect(index.uniqueEquipment[k]!.tag).toBe(tag);
            expect(index.endsAt(k).map((r) => 2 * r.lineIndex + (r.end === "to" ? 1 : 0))).toEqual(
              endsByTag.get(tag) ?? [],
            );
          }
          // The per-component and per-instrument columns against the objects.
          lines.forEach((line, i) => {
            expect(index.componentStart[i + 1]! - index.componentStart[i]!).toBe(line.components.length);
            line.components.forEach((c, p) => {
              const at = index.componentStart[i]! + p;
              expect(index.componentType[at]).toBe(componentCode(c.type));
              expect(index.componentTag[at]).toBe(c.tag === undefined ? -1 : index.tagNumber(c.tag));
            });
          });
          design.instruments.forEach((instrument, n) => {
            expect(index.instrumentTag[n]).toBe(index.tagNumber(instrument.tag));
            expect(index.tagLetter[index.instrumentTag[n]!]).toBe(
              instrument.tag === "" ? -1 : instrument.tag.charCodeAt(0),
            );
          });
          index.placed.forEach((item, slot) => {
            expect(index.placedType[slot]).toBe(typeCode(item.equipment.type));
            expect(index.placedHazard[slot]).toBe(hazardCode(item.equipment.hazard));
          });
          const { loopFinal, loopMeasurement, effectStart, effectTarget } = index.control;
          const named = (id: number) =>
            index.tagEquipment[id]! >= 0 || index.tagInstrument[id]! >= 0 || index.tagComponent[id] !== undefined;
          design.control.loops.forEach((loop, l) => {
            expect(index.tagComponent[loopFinal[l]!]).toBe(index.componentByTag.get(loop.finalElement));
            expect(named(loopFinal[l]!)).toBe(index.tagged(loop.finalElement) !== undefined);
            if (loop.measurement === undefined) expect(loopMeasurement[l]).toBe(-1);
            else
              expect(index.tagInstrument[loopMeasurement[l]!]! >= 0).toBe(index.instrumentByTag.has(loop.measurement));
          });
          design.control.interlocks.forEach((il, i) => {
            expect(effectTarget.subarray(effectStart[i]!, effectStart[i + 1]!).length).toBe(il.effects.length);
            il.effects.forEach((e, j) => {
              expect(index.tagEquipment[effectTarget[effectStart[i]! + j]!]).toBe(
                index.equipmentIndexByTag.get(e.target) ?? -1,
              );
            });
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
