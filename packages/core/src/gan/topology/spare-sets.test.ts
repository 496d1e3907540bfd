// Spare sets as one slot (spare-sets.ts) on real data: synthetic-v1 val's sets collapse into one
// slot each and expand back into members on the same suction and discharge headers; a set slot's
// class alone makes a set of two or three; required counts count a set's members.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { type Design, parseDesign } from "../../design/index.js";
import { EQUIPMENT_TYPES } from "../../design/vocabulary.js";
import { followsPumpDischargeGauges } from "../../eval/conventions.js";
import { applyHouseConventions } from "../../eval/house-conventions.js";
import { pumpGroups } from "../../eval/motifs.js";
import { useBackend } from "../backend.js";
import { conditionVector } from "../condition.js";
import { decodeSlotGraph } from "./decode.js";
import { encodeSlotGraph, encodeSlotGraphWithLosses } from "./encode.js";
import { linesForLoneItems } from "./generator.js";
import { generateSlotGraphs, topologyModelOf } from "./model-io.js";
import { observeRowMotifs } from "./row-motifs.js";
import { decodeSkeletonRows, setSizes, uniformStream } from "./sample.js";
import { collapseSpareSets, itemCounts } from "./spare-sets.js";
import { defaultSlotGraphSpec, RowWriter, type SlotGraph } from "./spec.js";
import { createTopologyTrainer } from "./training.js";

const VAL = fileURLToPath(new URL("../../../../../datasets/synthetic-v1/val.ndjson.gz", import.meta.url));
const designs: Design[] = gunzipSync(readFileSync(VAL))
  .toString("utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .slice(0, 60)
  .map((l) => {
    const parsed = parseDesign(JSON.parse(l));
    if (!parsed.success) throw new Error("a val design does not parse");
    return parsed.data;
  });
const PER_ITEM = defaultSlotGraphSpec();
const SETS = defaultSlotGraphSpec(48, { spareSets: true });
const PUMP = EQUIPMENT_TYPES.indexOf("pump");

const decoded = (graph: SlotGraph, spec = SETS, d = designs[0]!): Design => {
  const parsed = parseDesign(decodeSlotGraph(graph, spec, { processClass: d.processClass, site: d.site, id: d.id }));
  if (!parsed.success) throw new Error("a decoded design does not parse");
  return parsed.data;
};
const sizes = (d: Design) => pumpGroups(d).map((g) => g.length);
const typeCounts = (d: Design) => EQUIPMENT_TYPES.map((t) => d.equipment.filter((e) => e.type === t).length);

describe("spare sets as one slot, on synthetic-v1 val (first 60 designs)", () => {
  it("hold each pump set in one slot and give back every item and every pump group", () => {
    let slotsPerItem = 0;
    let slotsSets = 0;
    for (const d of designs) {
      const graph = encodeSlotGraph(d, SETS);
      slotsPerItem += encodeSlotGraph(d, PER_ITEM).mask.reduce((a, b) => a + b, 0);
      slotsSets += graph.mask.reduce((a, b) => a + b, 0);
      const back = decoded(graph, SETS, d);
      expect(typeCounts(back)).toEqual(typeCounts(d));
      expect(itemCounts(graph, SETS)).toEqual(typeCounts(d));
      // Every pump of the data is in an A/B or 2-out-of-3 set sharing both headers; so it is decoded.
      expect(sizes(back).sort()).toEqual(sizes(d).sort());
      expect(sizes(back).every((n) => n >= 2)).toBe(true);
    }
    expect(slotsSets).toBeLessThan(0.85 * slotsPerItem);
  });

  it("make a set of three out of a set slot's class alone, its members on the set's headers", () => {
    const d = designs.find((x) => sizes(x).includes(2))!;
    const graph = encodeSlotGraph(d, SETS);
    const node = new RowWriter(SETS.nodeGroups, graph.nodes, SETS.nodeWidth);
    const set = Array.from({ length: SETS.nMax }, (_, i) => i).find((i) => {
      node.row(i);
      return graph.mask[i] === 1 && node.argmax("type") === PUMP && node.argmax("spare") === 2;
    })!;
    const before = decoded(graph, SETS, d);
    node.row(set);
    node.oneHot("spare", 3);
    const after = decoded(graph, SETS, d);
    expect(after.equipment.filter((e) => e.type === "pump")).toHaveLength(
      before.equipment.filter((e) => e.type === "pump").length + 1,
    );
    expect(sizes(after).filter((n) => n === 3).length).toBe(sizes(before).filter((n) => n === 3).length + 1);
    // The new member's branches carry no header instruments or loops: those stay the set's.
    expect(after.instruments).toHaveLength(before.instruments.length);
    expect(after.control.loops).toHaveLength(before.control.loops.length);
    // P-101A/B/C: the members keep one number and take the next letters.
    expect(after.equipment.some((e) => /^P-\d+C$/.test(e.tag))).toBe(true);
  });

  it("keep a run whose members have lines of their own (parallel trains) one slot per member", () => {
    let kept = 0;
    for (const d of designs) {
      const { graph, members, unsharedSpares } = collapseSpareSets(encodeSlotGraph(d, PER_ITEM), PER_ITEM);
      kept += unsharedSpares;
      // Such members are sets of one (A) in slots of their own; the other runs are one slot each.
      const node = new RowWriter(PER_ITEM.nodeGroups, graph.nodes, PER_ITEM.nodeWidth);
      members.forEach((m, s) => {
        node.row(s);
        if (m.length > 1) expect(node.argmax("spare")).toBe(m.length);
        else expect(node.argmax("spare")).toBeLessThanOrEqual(1);
      });
    }
    expect(kept).toBeGreaterThan(0);
  });

  it("give back as many lines as the per-item graph does", () => {
    const lines = (spec: typeof SETS) =>
      designs.reduce((s, d) => s + decoded(encodeSlotGraph(d, spec), spec, d).lines.length, 0);
    expect(lines(SETS)).toBe(lines(PER_ITEM));
  });
});

describe("what a set's further members held, from the data (MemberBranch)", () => {
  it("gives each member the branch the data's members had on that set line: its own gauge", () => {
    // The house's gauge on every line leaving a pump (eval/house-conventions.ts): a set's members
    // each carry one on their own discharge branch. The hand-written branch leaves instruments to
    // the header; the branches counted from the same designs give them back.
    const house = designs.slice(0, 20).map((d) => applyHouseConventions(d, ["pumpDischargeGauges"]));
    const encoded = house.map((d) => encodeSlotGraphWithLosses(d, SETS));
    const table = observeRowMotifs(
      encoded.map((e) => e.graph),
      SETS,
      ["type", "spare"],
      { memberBranches: encoded.flatMap((e) => e.memberBranches ?? []) },
    );
    expect(table.branches!.length).toBeGreaterThan(0);
    let without = 0;
    house.forEach((d, k) => {
      const decode = (memberBranches?: typeof table.branches) => {
        const parsed = parseDesign(
          decodeSlotGraph(encoded[k]!.graph, SETS, {
            processClass: d.processClass,
            site: d.site,
            id: d.id,
            ...(memberBranches ? { memberBranches } : {}),
          }),
        );
        if (!parsed.success) throw new Error("a decoded design does not parse");
        return parsed.data;
      };
      const back = decode(table.branches);
      const parsed = parseDesign(d);
      if (!parsed.success) throw new Error("a house design does not parse");
      expect(followsPumpDischargeGauges(back)).toBe(followsPumpDischargeGauges(parsed.data));
      expect(back.instruments).toHaveLength(parsed.data.instruments.length);
      expect(sizes(back).sort()).toEqual(sizes(parsed.data).sort());
      expect(back.lines).toHaveLength(parsed.data.lines.length);
      if (followsPumpDischargeGauges(decode()) === false) without++;
    });
    expect(without).toBeGreaterThan(0);
  });
});

describe("setSizes and required counts with spare sets", () => {
  it("choose set sizes whose members add up to the count, by the highest summed score", () => {
    // Three slots assigned to pumps; 5 pumps wanted. Classes: none, A, B (2), C (3).
    const kept = [
      [0, 0, 5, 1],
      [0, 0, 1, 6],
      [2, 0, 0, 0],
    ];
    const out = setSizes(
      [0, 1, 2],
      5,
      () => 0,
      (i) => kept[i]!,
    );
    expect(out).toEqual([2, 3, -1]);
    const members = out!.reduce((s, c) => s + (c < 0 ? 0 : Math.max(1, c)), 0);
    expect(members).toBe(5);
    // A slot scored higher left alone is let go where a larger set elsewhere makes up the count.
    expect(
      setSizes(
        [4, 7],
        2,
        () => 10,
        () => [0, 0, 0, 0],
      ),
    ).toEqual([-1, 2]);
    expect(
      setSizes(
        [4, 7],
        2,
        () => -10,
        () => [0, 0, 0, 0],
      ),
    ).toEqual([0, 0]);
    // Only sets of two or three open: one item cannot be reached.
    const none = Number.NEGATIVE_INFINITY;
    expect(
      setSizes(
        [4],
        1,
        () => 0,
        () => [none, none, 0, 0],
      ),
    ).toBeUndefined();
  });

  it("hold a required count of items exactly when the slots would rather be sets of two", () => {
    // 6 slots, types [a, pump-like b], spare classes none, A, B, C, then existence.
    const layout = {
      groups: [
        { start: 0, size: 2, kind: "categorical" },
        { start: 2, size: 4, kind: "categorical" },
      ],
      typeGroup: 0,
      spareGroup: 1,
      width: 6,
    };
    const logits = new Float32Array(6 * 7);
    for (let i = 0; i < 6; i++) logits.set([0, 3, 0, 0, 4, 0, 2], i * 7);
    for (const count of [1, 2, 3, 5]) {
      const rows = decodeSkeletonRows(logits, 6, layout, { required: [0, count], noise: uniformStream(count) });
      let items = 0;
      for (let i = 0; i < 6; i++) {
        const row = rows.subarray(i * 7, (i + 1) * 7);
        if (row[6] !== 1 || row[1] !== 1) continue;
        items += Math.max(
          1,
          [2, 3, 4, 5].findIndex((c) => row[c] === 1),
        );
      }
      expect(items).toBe(count);
    }
  });
});

describe("what the data holds per type, with spare sets (RowMotifs.types)", () => {
  const graphs = designs.map((d) => encodeSlotGraph(d, SETS));
  const motifs = observeRowMotifs(graphs, SETS, ["type", "spare"]);

  beforeAll(async () => {
    await useBackend("wasm");
  });

  it("counts the set sizes seen on each type and whether its items always have a line in and out", () => {
    const pump = motifs.types![PUMP]!;
    expect(pump.spareClasses.every((c) => c === 2 || c === 3)).toBe(true);
    expect(pump.alwaysIn && pump.alwaysOut).toBe(true);
    // Vessels are never spared in synthetic-v1.
    expect(motifs.types![EQUIPMENT_TYPES.indexOf("vessel")]!.spareClasses).toEqual([0]);
  });

  it("gives a slot that needs a line in its likeliest allowed one, even when it has a line out", () => {
    // 3 slots: 0→1 drawn; slot 0 needs a line in: 1→0 (logit 1) or 2→0 (logit 3).
    const n = 3;
    const sampled = new Float32Array(9);
    sampled[0 * n + 1] = 1;
    const allowed = new Float32Array(9).fill(1);
    for (let i = 0; i < n; i++) allowed[i * n + i] = 0; // no self loops
    const logits = new Float32Array(9);
    logits[1 * n + 0] = 1;
    logits[2 * n + 0] = 3;
    const needs = { into: Uint8Array.of(1, 0, 0), out: new Uint8Array(3) };
    const added = linesForLoneItems(sampled, allowed, logits, 1, n, needs);
    expect([...added.keys()].filter((k) => added[k] === 1)).toEqual([2 * n + 0]);
    // Without the need, slot 0 has a line and only lone slot 2 gets one.
    const plain = linesForLoneItems(sampled, allowed, logits, 1, n);
    expect([...plain.keys()].filter((k) => plain[k] === 1)).toEqual([2 * n + 0]);
    expect(linesForLoneItems(sampled, allowed, new Float32Array(9), 1, n, needs).filter((v) => v === 1)).toHaveLength(
      2,
    );
  });

  it("draws a pump slot only as a set size the data holds on pumps, untrained and with pumps required", () => {
    const tiny = { hidden: 32, slotHidden: 8, attentionBlocks: 1, attentionKey: 4, edgeHidden: 8, criticHidden: 8 };
    const trainer = createTopologyTrainer(SETS, { ...tiny, skeletonGroups: ["type", "spare"], rowMotifs: motifs }, 3);
    try {
      const required = EQUIPMENT_TYPES.map((t) => (t === "pump" ? 5 : 0));
      const conditions = designs.slice(0, 4).map((d) => conditionVector(d));
      for (const options of [{ seed: 2 }, { seed: 2, required }]) {
        const { graphs: drawn } = generateSlotGraphs(topologyModelOf(trainer), conditions, options);
        for (const g of drawn) {
          const node = new RowWriter(SETS.nodeGroups, g.nodes, SETS.nodeWidth);
          for (let i = 0; i < SETS.nMax; i++) {
            node.row(i);
            if (g.mask[i] === 1 && node.argmax("type") === PUMP) expect([2, 3]).toContain(node.argmax("spare"));
          }
          if (options.required) expect(itemCounts(g, SETS)[PUMP]).toBe(5);
        }
      }
    } finally {
      trainer.dispose();
    }
  });
});
